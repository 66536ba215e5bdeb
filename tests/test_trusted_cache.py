"""What the trusted side keeps from one submission to the next in a warm grader, and why it may.

`grader.testing.computed_once` keeps a reference computed from a test's own inputs, and
`load_image` a decoded course image, for the life of the grading process (a batch's runner
grades many submissions with one engine.Grader). These tests check that a kept value is the one
a fresh computation gives, that no caller can change it, and that grading a submission in a warm
grader gives the report a fresh one would: the same submission twice around another one gives
byte-identical verdicts and messages, and the kept values do not grow with what submissions return.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from grader import testing
from helpers import PROJECT, SOLUTIONS, make_submission

MISTAKES = os.path.join(PROJECT, "tests", "mistakes")


# ---------------------------------------------------------------- computed_once
def counting(fn):
    """fn under computed_once, and the list its real calls are written to (a closure: kept apart
    from every other function with the same code)."""
    calls = []

    def body(*args, **kwargs):
        calls.append(args)
        return fn(*args, **kwargs)
    return testing.computed_once(body), calls


def test_equal_inputs_are_computed_once_and_each_caller_gets_a_copy():
    double, calls = counting(lambda t, k: (t * k, [t.sum().item()], np.arange(3) * k))
    x = torch.arange(6.0).reshape(2, 3)
    first = double(x, 2)
    first[0].add_(100)  # a caller changing its result must not change what the next one gets
    first[1].append("changed")
    first[2][:] = -1
    second = double(x.clone(), 2)
    assert len(calls) == 1
    assert torch.equal(second[0], x * 2) and second[1] == [15.0]
    assert np.array_equal(second[2], [0, 2, 4])
    assert second[0] is not first[0] and second[2] is not first[2]


def test_other_values_dtypes_shapes_or_types_are_computed_again():
    ident, calls = counting(lambda v: v)
    ident(torch.zeros(3))
    ident(torch.zeros(3))
    ident(torch.ones(3))                          # other values
    ident(torch.zeros(3, dtype=torch.float64))    # other dtype
    ident(torch.zeros(1, 3))                      # other shape
    ident(np.zeros(3))                            # an array, not a tensor
    ident(1), ident(1.0), ident(True)             # equal in Python, not the same argument
    ident(float("nan")), ident(float("nan"))      # nan is kept like any other value
    assert len(calls) == 9
    assert type(ident(1.0)) is float and type(ident(True)) is bool and len(calls) == 9


def test_what_cannot_be_keyed_or_copied_is_computed_every_time():
    plain, calls = counting(lambda v: 1)
    marker = object()
    plain(marker), plain(marker)  # no key for an arbitrary object
    grad = torch.ones(2, requires_grad=True)
    plain(grad), plain(grad)      # nor for a tensor that requires grad
    assert len(calls) == 4
    with_graph, graph_calls = counting(lambda v: v * torch.ones(2, requires_grad=True))
    a, b = with_graph(torch.ones(2)), with_graph(torch.ones(2))
    assert len(graph_calls) == 2 and a.requires_grad and b.requires_grad and a is not b


def test_an_exception_is_not_kept():
    attempts = []

    def flaky(v):
        attempts.append(v)
        if len(attempts) == 1:
            raise ValueError("first time")
        return v + 1
    once = testing.computed_once(flaky)
    with pytest.raises(ValueError):
        once(1)
    assert once(1) == 2 and once(1) == 2 and len(attempts) == 2


def test_load_image_decodes_once_per_version_of_the_file(tmp_path):
    path = tmp_path / "pic.png"
    Image.new("RGB", (4, 3), (10, 20, 30)).save(path)
    first = testing.load_image(str(path))
    first.putpixel((0, 0), (255, 255, 255))  # changing a copy leaves the kept image alone
    again = testing.load_image(str(path))
    assert again.mode == "RGB" and again.size == (4, 3) and again.getpixel((0, 0)) == (10, 20, 30)
    Image.new("L", (5, 5), 7).save(path)    # a new version of the file is decoded anew
    os.utime(path, ns=(1, 1))
    changed = testing.load_image(str(path))
    assert changed.mode == "L" and changed.size == (5, 5) and changed.getpixel((0, 0)) == 7


# ---------------------------------------------------------------- a warm grader, as a batch's runner
EXERCISES = ["losses", "modules", "training", "transforms"]  # where the hidden tests keep values
MISTAKEN = {"modules": "unroll_no_carry", "losses": "ce_no_max_trick",
            "training": "fit_optimizer_per_epoch", "transforms": "resize_round"}

WARM = r"""
import json, os, sys
import torch
torch.set_num_threads(3)
from grader import course, engine, testing
threads_seen = set()
check_close = testing.check_close
def watching(*args, **kwargs):
    threads_seen.add(torch.get_num_threads())
    return check_close(*args, **kwargs)
testing.check_close = watching  # before the hidden tests import it
grader = engine.Grader(course.find(), timeout=10.0)
out = {"reports": [], "kept": [], "images": []}
for path in sys.argv[1:]:
    out["reports"].append(grader.grade(path, %r))
    out["kept"].append(len(testing._computed))
    out["images"].append(len(testing._images))
grader.close()
out["threads_seen"], out["threads_after"] = sorted(threads_seen), torch.get_num_threads()
sys.stdout.write(json.dumps(out))
sys.stdout.flush()
os._exit(0)
""" % (EXERCISES,)


def without_durations(report):
    if isinstance(report, dict):
        return {k: without_durations(v) for k, v in report.items() if k != "duration_s"}
    if isinstance(report, list):
        return [without_durations(v) for v in report]
    return report


@pytest.fixture(scope="module")
def warm_run(tmp_path_factory):
    """solutions, then a submission with a mistake in each of EXERCISES, then solutions again."""
    files = {}
    for module, mistake in MISTAKEN.items():
        with open(os.path.join(SOLUTIONS, f"{module}.py")) as fh, \
                open(os.path.join(MISTAKES, module, f"{mistake}.py")) as extra:
            files[f"{module}.py"] = fh.read() + "\n\n# ---- the mistake\n" + extra.read()
    mistaken = make_submission(str(tmp_path_factory.mktemp("warm") / "mistaken"), files)
    proc = subprocess.run([sys.executable, "-c", WARM, SOLUTIONS, mistaken, SOLUTIONS], cwd=PROJECT,
                          capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=PROJECT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def report_tests(report):
    return {t["id"]: t for ex in report["exercises"] for t in ex["tests"]}


def test_a_warm_grader_gives_the_same_report_to_the_same_submission(warm_run):
    first, mistaken, second = warm_run["reports"]
    assert first["score"] == first["max_score"] > 0
    assert without_durations(second) == without_durations(first)
    lost = {t["task"] for t in report_tests(mistaken).values() if t["status"] != "passed"}
    assert {"lstm_cell_unroll", "cross_entropy", "fit", "resize_short_side"} <= lost


def test_values_kept_come_from_the_tests_inputs_not_from_submissions(warm_run):
    kept, images = warm_run["kept"], warm_run["images"]
    assert kept[0] > 0 and images[0] > 0
    # The mistaken submission returned other values: none of them became a key.
    assert kept == [kept[0]] * 3 and images == [images[0]] * 3


def test_the_references_run_on_one_thread_and_the_callers_setting_comes_back(warm_run):
    assert warm_run["threads_seen"] == [1]
    assert warm_run["threads_after"] == 3


def test_an_optimizer_per_epoch_is_counted_whatever_ids_python_reuses(warm_run):
    _, mistaken, _ = warm_run["reports"]
    message = report_tests(mistaken)["test_training.py::test_fit_plain_sgd_parameters"]["message"]
    assert "epochs=3" in message and "gave train_step 3 different optimizers" in message
