"""One grading process of a batch: a warm engine.Grader over its share of the submissions.

`batch` starts N of these (`python -m grader.instructor.runner`), each its own process (the
grader becomes a child subreaper and kills orphans, so two graders must not share one). The
protocol is JSON lines on the process's original stdin/stdout, which are moved out of the way
first, so that nothing pytest, torch or a worker prints can garble it:

    runner -> batch  {"op": "next"}                       batch -> runner  {"job": {...} | null}
    runner -> batch  {"op": "result", "name": ..., "report": {...}}

The runner asks for a job, then for the one after it before grading the first, so that the
next submission's worker starts (prepare_next) while the current one's tests run. Given null
while it holds a job, it asks once more when done; null when idle means it is finished.
"""

import json
import os
import shutil
import sys
import tempfile
import time

from .. import course as courses
from .. import engine
from ..errors import UsageError
from ..sandbox.client import GraderError
from . import submissions


def placeholder_report(course, name, path, status, message, exercise_names=(), duration=0.0):
    """A report for a submission that could not be graded: `empty` or `error: ...`, no points."""
    exercises = engine.select(course.exercises, list(exercise_names))
    return {
        "schema_version": 1,
        "submission": name,
        "score": 0.0,
        "max_score": 0.0,
        "skipped_score": 0.0,
        "percentage": 0.0,
        "duration_s": round(duration, 2),
        "environment": {},
        "exercises": [{"name": ex.name, "title": ex.title, "score": 0.0, "max_score": 0.0,
                       "skipped_score": 0.0, "status": "missing", "tests": []} for ex in exercises],
        "submission_path": path,
        "batch_status": status,
        "batch_message": message,
    }


def empty_reason(folder):
    try:
        found = sorted(f for f in os.listdir(folder) if not f.startswith("."))
    except OSError:
        found = []
    shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
    return "none of the course's modules" + (f"; found {shown}" if found else "; no files")


class Job:
    """A submission on its way to being graded: the folder to grade, or why there is none."""

    def __init__(self, spec, course, config):
        self.spec, self.folder, self.status, self.message, self.scratch = spec, None, None, "", None
        self.started = time.monotonic()
        try:
            folder = spec["path"]
            if spec["kind"] == "zip":
                self.scratch = tempfile.mkdtemp(prefix="zip-", dir=config["scratch"])
                os.chmod(self.scratch, 0o755)
                submissions.unpack_zip(spec["path"], self.scratch)
                folder = submissions.module_folder(self.scratch, course.module_files)
            self.folder = engine.check_submission(folder, course)
        except submissions.UnsafeZip as exc:
            self.status, self.message = f"error: zip refused: {exc}", str(exc)
        except UsageError:
            self.status, self.message = "empty", empty_reason(folder)
        except OSError as exc:
            self.status, self.message = f"error: could not read the submission: {exc}", str(exc)
        self.seconds = time.monotonic() - self.started  # unpacking and looking: all an empty one costs

    def cleanup(self):
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def grade_job(grader, course, config, job, following):
    name, path = job.spec["name"], job.spec["path"]
    began = time.monotonic()
    if job.folder is None:
        return placeholder_report(course, name, path, job.status, job.message, config["exercises"],
                                  job.seconds)
    try:
        report = grader.grade(job.folder, config["exercises"],
                              prepare_next=following.folder if following and config.get("prepare_next", True)
                              else None)
    except (GraderError, UsageError) as exc:
        message = " ".join(str(exc).split())
        return placeholder_report(course, name, path, f"error: {message}", message,
                                  config["exercises"], time.monotonic() - began)
    except Exception as exc:  # a bug of ours: this submission gets an error row, the batch goes on
        message = f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"
        return placeholder_report(course, name, path, f"error: {message}", message,
                                  config["exercises"], time.monotonic() - began)
    report["submission"] = name
    report["submission_path"] = path
    report["batch_status"] = "graded"
    return report


def serve(proto_in, proto_out):
    def send(message):
        proto_out.write(json.dumps(message) + "\n")
        proto_out.flush()

    def ask():
        send({"op": "next"})
        line = proto_in.readline()
        if not line:
            return None  # the batch is gone
        spec = json.loads(line).get("job")
        return Job(spec, course, config) if spec else None

    config = json.loads(proto_in.readline())
    course = courses.open_course(config["course"])
    grader = engine.Grader(course, timeout=config["timeout"], memory_mib=config["memory_mib"],
                           sandbox=config["sandbox"], total_timeout=config.get("total_timeout"),
                           cpus=config.get("cpus", 1.0), template=config.get("template", False))
    try:
        job = ask()
        while job is not None:
            following = ask()
            try:
                report = grade_job(grader, course, config, job, following)
            finally:
                job.cleanup()
            send({"op": "result", "name": job.spec["name"], "report": report})
            # With nothing to prepare, ask again once idle: the batch may have work for a
            # process with no job in hand (a submission to grade again alone).
            job = following if following is not None else ask()
    finally:
        grader.close()


def main():
    # The protocol keeps the original stdin/stdout; fd 0 becomes /dev/null and fd 1 stderr.
    proto_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    code = 0
    try:
        serve(proto_in, proto_out)
    except (BrokenPipeError, KeyboardInterrupt):
        code = 1
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)  # torch's teardown is slow and useless here, as in `grader grade`


if __name__ == "__main__":
    main()
