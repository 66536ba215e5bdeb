"""The report of one submission as a dict: the native JSON of the report contract."""

import os

SCHEMA_VERSION = 1
TEST_STATUSES = ("passed", "failed", "error", "not_implemented", "timeout", "crashed", "forbidden",
                 "skipped")


def exercise_status(tests, unavailable):
    if unavailable is not None:
        return unavailable.exercise_status
    ran = [t for t in tests if t["status"] != "skipped"]
    if ran and all(t["status"] == "not_implemented" for t in ran):
        return "not_started"
    if all(t["status"] == "passed" for t in ran):
        return "complete"
    return "partial"


def build(submission, exercises, results, modules, environment, duration):
    report_exercises = []
    for ex in exercises:
        tests = []
        for r in results:
            if r["exercise"] != ex.name:
                continue
            tests.append({
                "id": r["id"], "task": r["task"], "status": r["status"],
                "score": r["score"] if r["status"] != "skipped" else 0.0,
                "max_score": r["max_score"], "visibility": r["visibility"],
                "message": r["message"], "duration_s": r["duration_s"],
            })
        ran = [t for t in tests if t["status"] != "skipped"]
        entry = {
            "name": ex.name,
            "title": ex.title,
            "score": sum(t["score"] for t in ran),
            "max_score": sum(t["max_score"] for t in ran),
            "skipped_score": sum(t["max_score"] for t in tests if t["status"] == "skipped"),
            "status": exercise_status(tests, modules.get(ex.name)),
            "tests": tests,
        }
        if modules.get(ex.name) is not None:
            entry["message"] = str(modules[ex.name])
        report_exercises.append(entry)
    score = sum(e["score"] for e in report_exercises)
    max_score = sum(e["max_score"] for e in report_exercises)
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": os.path.basename(os.path.normpath(submission)),
        "score": score,
        "max_score": max_score,
        "skipped_score": sum(e["skipped_score"] for e in report_exercises),
        "percentage": round(100.0 * score / max_score, 1) if max_score else 0.0,
        "duration_s": round(duration, 2),
        "environment": environment,
        "exercises": report_exercises,
    }
