import os
import sys

import pytest

# The project's tests import their helpers as plain modules.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def setups_ahead(request, tmp_path_factory):
    """With the session's first test, each test module that defines `start_ahead(items,
    tmp_path_factory)` may start its expensive setups for its selected items in the background
    (helpers.run_ahead); its fixtures wait for them (helpers.finish_ahead)."""
    by_module = {}
    for item in request.session.items:
        module = getattr(item, "module", None)
        if module is not None:
            by_module.setdefault(module, []).append(item)
    for module, items in by_module.items():
        if callable(getattr(module, "start_ahead", None)):
            module.start_ahead(items, tmp_path_factory)
    yield
    helpers.end_ahead()
