"""Grade one submission: start its worker, run the hidden tests, build the report.

This is the library behind `grader grade`; the CLI only parses options and
prints. Importing this module is cheap: torch and pytest are imported inside
`grade`, after the worker has been started, so that the two imports overlap.
"""

import os
import platform
import sys
import time

from . import course as manifest
from .sandbox.client import GraderError, WorkerClient
from .sandbox.levels import PROJECT_DIR


class UsageError(Exception):
    """Bad input from the person running the grader (exit status 2)."""


def check_submission(path):
    if not os.path.exists(path):
        raise UsageError(f"submission folder {path!r} does not exist")
    if not os.path.isdir(path):
        raise UsageError(f"{path!r} is a file; give the folder that holds the student's modules")
    return os.path.realpath(path)


def select(exercises, names):
    known = {ex.name: ex for ex in exercises}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(known)}")
    return [ex for ex in exercises if not names or ex.name in names]


def hidden_paths():
    """Trusted paths the worker must never see."""
    return [PROJECT_DIR, manifest.TESTS_DIR, manifest.SOLUTIONS_DIR,
            os.path.dirname(os.path.abspath(__file__))]


def grade(submission, exercise_names=(), timeout=5.0, memory_mib=2048, sandbox="auto",
          tests_dir=None, cpus=1.0):
    """Grade `submission`; returns the report as a dict (see report-contract.md)."""
    started = time.monotonic()
    submission = check_submission(submission)
    exercises = select(manifest.load(), list(exercise_names))
    client = WorkerClient(submission, timeout=timeout, memory_mib=memory_mib, level=sandbox,
                          hidden=hidden_paths(), gpu=gpu_devices_present(), cpus=cpus)
    try:
        client.start_async()  # the worker imports torch while we do
        import torch
        from .reports import build as report
        results, plugin = run_tests(client, exercises, submission, tests_dir or manifest.TESTS_DIR,
                                    torch.cuda.is_available())
        if client.proc is None and client.level is None:
            client.start()  # no test ran a call (all skipped): still say which sandbox holds
        environment = {
            "python": platform.python_version(),
            "torch": torch.__version__.split("+")[0],
            "numpy": __import__("numpy").__version__,
            "cuda_available": bool(torch.cuda.is_available()),
            "gpu_count": int(torch.cuda.device_count()),
            "sandbox": client.level,
            "process_limit": client.process_limit,
            "memory_limit": client.memory_limit,
            "cpu_limit": client.cpu_limit,
        }
        if client.level_notes:
            environment["sandbox_notes"] = client.level_notes
    finally:
        client.close()
    return report.build(submission, exercises, results, plugin.modules, environment,
                        time.monotonic() - started)


def gpu_devices_present():
    return os.path.isdir("/dev") and any(n.startswith("nvidia") for n in os.listdir("/dev"))


PYTEST_INI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "judge", "hidden_tests.ini")
ENV_TO_CLEAR = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")
UNUSED_PLUGINS = ("unraisableexception", "threadexception", "doctest", "junitxml", "pastebin",
                  "faulthandler", "stepwise", "logging", "debugging")


def run_tests(client, exercises, submission, tests_dir, cuda_available):
    """Run the hidden tests of `exercises` in this process; returns (results, plugin)."""
    import contextlib

    import pytest
    from pytest_jsonreport.plugin import JSONReport

    from .judge.plugin import GradingPlugin

    files = [os.path.join(tests_dir, f"test_{ex.name}.py") for ex in exercises]
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise GraderError(f"the hidden tests are incomplete: {missing[0]} is missing")
    plugin = GradingPlugin(client, {ex.name: ex for ex in exercises}, submission, cuda_available)
    json_plugin = JSONReport()
    args = [
        *files,
        "-c", PYTEST_INI, "--rootdir", tests_dir, "--noconftest",
        "-p", "no:cacheprovider", "-p", "no:warnings", "-qq", "--tb=no",
        # Plugins the hidden tests do not use; unraisableexception alone spends half a second
        # in gc.collect() on a heap holding torch.
        *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
        "-p", "pytest_jsonreport.plugin", "--json-report-file=none",
        "--json-report-omit", "collectors", "log", "traceback", "streams", "warnings", "keywords",
        "--assert=plain", "--import-mode=importlib",
    ]
    saved = {key: os.environ.pop(key) for key in ENV_TO_CLEAR if key in os.environ}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    saved_path = list(sys.path)
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            code = pytest.main(args, plugins=[plugin, json_plugin])
    except Exception as exc:  # a bug of ours or of a pytest plugin, never the student's
        raise GraderError(f"the hidden tests could not run: {type(exc).__name__}: {exc}") from exc
    finally:
        os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        os.environ.update(saved)
        sys.path[:] = saved_path
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or json_plugin.report is None:
        raise GraderError(f"the hidden tests could not run (pytest exit status {int(code)}); "
                          "run them with pytest directly to see why")
    results = []
    for test in json_plugin.report.get("tests", []):
        verdict = dict(test.get("metadata") or {})
        if not verdict:
            raise GraderError(f"no verdict for {test['nodeid']}")
        verdict["id"] = test["nodeid"]
        verdict["duration_s"] = round(sum(
            test.get(phase, {}).get("duration", 0.0) for phase in ("setup", "call", "teardown")), 4)
        results.append(verdict)
    return results, plugin
