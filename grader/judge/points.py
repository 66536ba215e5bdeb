"""The points a course's tests are worth, without running them: the maximum a platform is told when
the grader could not grade a submission (0 of the real maximum, never 0 of 0)."""

import contextlib
import os

from .plugin import MARKERS, marker_arg


class PointsCollector:
    def __init__(self, cuda_available):
        self.cuda_available = cuda_available
        self.total = 0.0  # what a report's max_score would be here
        self.gpu = 0.0  # the points of the GPU tests

    def pytest_configure(self, config):
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    def pytest_collection_modifyitems(self, config, items):
        for item in items:
            points = float(marker_arg(item, "points", 1))
            if item.get_closest_marker("gpu"):
                self.gpu += points
                # A GPU test on a machine without CUDA is skipped and not counted in max_score.
                if not self.cuda_available:
                    continue
            self.total += points


def max_score(course, exercise_names=(), cuda=None):
    """The max_score a report of `course` (or of those exercises) would carry on this machine
    (`cuda`: on a machine with or without CUDA); None when the tests cannot even be collected."""
    found = totals(course, exercise_names, cuda)
    return found[0] if found else None


def totals(course, exercise_names=(), cuda=None):
    """(max_score where CUDA is `cuda` (None: as here), the GPU tests' points), or None."""
    import pytest

    from .. import engine
    try:
        exercises = engine.select(course.exercises, list(exercise_names))
    except Exception:
        return None
    files = [os.path.join(course.tests_dir, f"test_{ex.name}.py") for ex in exercises]
    if not files or not all(os.path.isfile(f) for f in files):
        return None
    if cuda is None:
        try:
            import torch
            cuda = bool(torch.cuda.is_available())
        except Exception:
            cuda = False
    collector = PointsCollector(cuda)
    args = [*files, "-c", engine.PYTEST_INI, "--rootdir", course.tests_dir, "--noconftest",
            "-p", "no:cacheprovider", "-qq", "--collect-only", "--import-mode=importlib"]
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            code = pytest.main(args, plugins=[collector])
    except Exception:
        return None
    finally:
        if saved is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved
    return (collector.total, collector.gpu) if code == pytest.ExitCode.OK else None
