"""A probe is sent to the worker as its source text: the grader's fast reading of that text must
give what inspect.getsource gives, for the course's own probes and for functions whose last
lines compile to nothing."""

import glob
import importlib.util
import inspect
import os
import textwrap
import types

import pytest

from grader.judge.student import ship, source_text

HERE = os.path.dirname(os.path.abspath(__file__))

AWKWARD = '''
import functools


def ends_in_pass(x):
    if x:
        return 1
    else:
        pass


def only_pass():
    pass


def nested_last(x):
    def inner(y):
        return (y +
                1)
    return inner(x)


def multi_line_end(x):
    return dict(
        a=x,
        b=[
            x,
        ],
    )


def trailing_comment(x):
    y = x * 2
    # a comment that ends the function
    return y
    # and one after its last line


def dangling_string(x):
    y = x + 1
    return y
    """a string after the return, which compiles to nothing"""


def wraps_it(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args)
    return wrapper


@wraps_it
def decorated(x):
    return x - 1


class Holder:
    def method(self, x):
        for i in range(x):
            if i:
                continue
            else:
                pass
'''


def module_from(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def functions_of(module):
    found = [v for v in vars(module).values()
             if isinstance(v, types.FunctionType) and getattr(inspect.unwrap(v), "__module__", None) == module.__name__]
    for cls in (v for v in vars(module).values() if isinstance(v, type) and v.__module__ == module.__name__):
        found += [v for v in vars(cls).values() if isinstance(v, types.FunctionType)]
    return found


def assert_same_source(fn):
    expected = textwrap.dedent(inspect.getsource(inspect.unwrap(fn)))
    got = source_text(fn)
    assert got.rstrip() == expected.rstrip(), fn.__qualname__
    compile(got, "<shipped>", "exec")


def test_awkward_endings_read_as_inspect_reads_them(tmp_path):
    path = tmp_path / "awkward.py"
    path.write_text(AWKWARD)
    module = module_from(str(path), "awkward_shipping")
    functions = functions_of(module)
    assert {f.__name__ for f in functions} >= {"ends_in_pass", "only_pass", "nested_last", "multi_line_end",
                                                "trailing_comment", "dangling_string", "decorated", "method"}
    for fn in functions:
        assert_same_source(fn)


def test_every_function_of_the_hidden_tests_reads_as_inspect_reads_it():
    files = sorted(glob.glob(os.path.join(HERE, "exercises", "test_*.py")))
    assert len(files) >= 10
    count = 0
    for path in files:
        module = module_from(path, "shipping_" + os.path.basename(path)[:-3])
        for fn in functions_of(module):
            assert_same_source(fn)
            count += 1
    assert count > 100


def test_a_shipped_function_runs_as_written(tmp_path):
    path = tmp_path / "shipped_mod.py"
    path.write_text(AWKWARD)
    module = module_from(str(path), "shipped_mod")
    shipped = ship(module.multi_line_end)
    namespace = {}
    exec(shipped.source, namespace)
    assert namespace[shipped.name](3) == {"a": 3, "b": [3]}
    assert ship(shipped) is shipped


@pytest.mark.parametrize("name", ["ends_in_pass", "method", "trailing_comment"])
def test_a_function_that_goes_on_past_its_last_code_line_is_read_whole(tmp_path, name):
    path = tmp_path / "goes_on.py"
    path.write_text(AWKWARD)
    module = module_from(str(path), "goes_on")
    fn = getattr(module.Holder, name) if name == "method" else getattr(module, name)
    assert source_text(fn).rstrip().endswith(("pass", "last line"))
