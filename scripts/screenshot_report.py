"""Draw docs/report-screenshot.png: the class report of a made-up class of 14, as Chromium shows it.

No grading happens: the reports are synthesized with the real exercise and task names of
exercises/manifest.toml and failure messages in the grader's own wording, with seeded variety
(scores, typical mistakes, a crash, a timeout, a forbidden call, an import error, stubs handed in
untouched, an empty folder).

    python scripts/screenshot_report.py [--out docs/report-screenshot.png] [--html FILE]
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from grader.reports.html import render_class_report  # noqa: E402

STUDENTS = [("amara", 0.97), ("bo", 0.9), ("chen", 0.85), ("dario", 0.8), ("elif", 0.78),
            ("farid", 0.7), ("greta", 0.66), ("hiro", 0.6), ("ines", 0.5), ("jonas", 0.4),
            ("kofi", 0.3), ("lena", 0.0), ("milo", 0.0)]

# Mistakes the class typically makes, per task, in the grader's wording; {} gets varied numbers.
MISTAKES = {
    "to_numpy": [("error", "to_numpy(t) on a tensor that requires grad raised RuntimeError: Can't "
                           "call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                           "instead.")],
    "shared_tensor": [("failed", "shared_tensor(array float64 ({}, {})) returned a copy: writing to "
                                 "the array did not change the tensor")],
    "swap_last_two": [("failed", "swap_last_two(tensor float32 ({}, {})) returned wrong values: {} "
                                 "of {} differ; first at index (0, 1): got np.float64(0.{}), "
                                 "expected np.float64(-1.{})")],
    "flatten_transposed": [("error", "flatten_transposed(tensor float32 ({}, {})) raised "
                                     "RuntimeError: view size is not compatible with input tensor's "
                                     "size and stride; use .reshape(...) instead.")],
    "remove_batch_dim": [("failed", "remove_batch_dim(tensor float32 (1, {}, 1)) returned shape "
                                    "({},), expected ({}, 1)")],
    "normalize_rows": [("failed", "normalize_rows(tensor float32 ({}, {})) returned wrong values: "
                                  "{} of {} differ; first at index (0, 0): got {}.5, expected 0.{}")],
    "softmax_np": [("failed", "softmax_np(array float64 ({}, {}), axis=0) returned rows that sum to "
                              "{}.0, expected columns that sum to 1")],
    "cross_entropy": [
        ("failed", "cross_entropy(logits around 1e{}, target, 'none') returned [inf, inf, -inf], "
                   "with inf or nan; exp(1000.) overflows: subtract each row's max before exp "
                   "(the max trick)"),
        ("forbidden", "cross_entropy uses torch.nn.functional.cross_entropy (line {}), which this "
                      "task forbids: the point is to write it yourself")],
    "pick_per_row": [("failed", "pick_per_row(tensor float32 ({}, {}), index) returned shape "
                                "({}, {}), expected ({},)")],
    "fit": [("failed", "fit(model, data, epochs={}) left the loss at {}.3, expected below 0.1: is "
                       "optimizer.zero_grad() called each step?")],
}


def manifest():
    with open(os.path.join(ROOT, "exercises", "manifest.toml"), "rb") as f:
        return tomllib.load(f)["exercises"]


def _fill(rng, template):
    return template.format(*(rng.randint(2, 40) for _ in range(template.count("{}"))))


def synthesize(rng):
    exercises = manifest()
    # One test layout for the whole class: how many tests each task has, and their points.
    layout = {t["name"]: [float(rng.choice((1, 2))) for _ in range(rng.choice((2, 3)))]
              for ex in exercises for t in ex["tasks"]}
    reports = []
    for s, (name, skill) in enumerate(STUDENTS):
        report = {"schema_version": 1, "submission": name, "exercises": [], "duration_s": 0.0}
        stop_at = len(exercises) - (3 if skill < 0.45 else 0)  # the weakest stopped early
        for k, ex in enumerate(exercises):
            tests, broken = [], None
            if name == "hiro" and ex["name"] == "reductions":
                broken = "reductions.py does not compile: invalid syntax (line 37)"
            for task in ex["tasks"]:
                tname = task["name"]
                attempt = k < stop_at and skill > 0
                # The tasks with a typical mistake are the ones the class gets wrong most.
                ok = attempt and rng.random() < skill + (-0.3 if tname in MISTAKES else 0.2)
                for j, pts in enumerate(layout[tname]):
                    test = {"id": f"test_{ex['name']}.py::test_{tname}_{j}", "task": tname,
                            "score": 0.0, "max_score": pts, "visibility": "hidden" if j else
                            "visible", "message": "", "duration_s": round(rng.random() / 50, 4)}
                    if ex["name"] == "gpu" and j == 2:
                        test.update(status="skipped",
                                    message="needs a CUDA device, and the grading machine has none")
                    elif broken:
                        test.update(status="error", message=broken)
                    elif not attempt:
                        test.update(status="not_implemented",
                                    message=f"{tname} is not implemented yet (it raises "
                                            "NotImplementedError)")
                    elif ok or (j == 0 and rng.random() < 0.5):
                        test.update(status="passed", score=pts)
                    elif tname in MISTAKES:
                        status, template = MISTAKES[tname][s % len(MISTAKES[tname])]
                        test.update(status=status, message=_fill(rng, template))
                    else:
                        rows, cols = rng.randint(2, 9), rng.randint(2, 9)
                        test.update(status="failed", message=(
                            f"{tname}(tensor float32 ({rows}, {cols})) returned wrong values: "
                            f"{rng.randint(1, rows * cols)} of {rows * cols} differ; first at index "
                            f"(0, {rng.randint(0, cols - 1)}): got {rng.random():.4f}, expected "
                            f"{rng.random():.4f}"))
                    tests.append(test)
            if name == "greta" and ex["name"] == "training":
                tests[-1].update(status="timeout", score=0.0, message="fit(model, data, epochs=3) "
                                "did not finish in 10 s (an endless loop?)")
            if name == "jonas" and ex["name"] == "tensor_numpy":
                tests[0].update(status="crashed", score=0.0, message="to_numpy(tensor float32 "
                                "(3, 4)) tried to end the process (SystemExit: 0)")
            ran = [t for t in tests if t["status"] != "skipped"]
            statuses = {t["status"] for t in ran}
            entry = {"name": ex["name"], "title": ex["title"],
                     "score": sum(t["score"] for t in ran),
                     "max_score": sum(t["max_score"] for t in ran),
                     "skipped_score": sum(t["max_score"] for t in tests if t not in ran),
                     "status": "import_error" if broken else "complete" if statuses == {"passed"}
                     else "not_started" if statuses == {"not_implemented"} else "partial",
                     "tests": tests}
            if broken:
                entry["message"] = broken
            report["exercises"].append(entry)
        report["score"] = sum(e["score"] for e in report["exercises"])
        report["max_score"] = sum(e["max_score"] for e in report["exercises"])
        report["percentage"] = round(100 * report["score"] / report["max_score"], 1)
        report["batch_status"] = "graded"
        reports.append(report)
    # An empty folder: none of the course's modules (the batch's `empty` row).
    reports.append({"schema_version": 1, "submission": "nadia", "exercises": [], "score": 0.0,
                    "max_score": reports[0]["max_score"], "percentage": 0.0, "duration_s": 0.0,
                    "batch_status": "empty"})
    return reports


def screenshot(html_path, png_path, size="1280,2400"):
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                     if shutil.which(n)), None)
    if chromium is None:
        sys.exit("no chromium / chromium-browser / google-chrome on PATH")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={os.path.abspath(png_path)}", f"--window-size={size}",
                    "file://" + os.path.abspath(html_path)],
                   check=True, timeout=60, capture_output=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "report-screenshot.png"))
    parser.add_argument("--html", help="also keep the page here")
    parser.add_argument("--size", default="1280,2400", help="window WIDTH,HEIGHT")
    args = parser.parse_args()
    page = render_class_report(synthesize(random.Random(7)), title="PyTorch basics, week 3")
    with tempfile.TemporaryDirectory() as tmp:
        html_path = args.html or os.path.join(tmp, "report.html")
        with open(html_path, "w", encoding="utf-8") as f:
            f.write(page)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        screenshot(html_path, args.out, args.size)
    print(args.out)


if __name__ == "__main__":
    main()
