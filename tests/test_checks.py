"""grader.testing's checks decide points: what passes and what fails, with which message."""

import numpy as np
import pytest
import torch

from grader.testing import check_close

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("got, want", [
    ([1.0, 2.0], [1.0, 2.0]),                       # equal
    ([1.0, 2.0 + 1e-9], [1.0, 2.0]),                # close, not equal
    ([NAN, 1.0], [NAN, 1.0]),                       # NaN where NaN is expected
    ([INF, -INF], [INF, -INF]),                     # infinities of the same sign
    (torch.tensor([1.5, 2.5]), np.array([1.5, 2.5])),  # a tensor against an array
    (np.array([1, 2], dtype=np.int64), np.array([1.0, 2.0])),
    (np.array([1 + 2j]), np.array([1 + 2j])),
    (np.float32(0.1), 0.1),                         # float32 rounding is within the tolerance
])
def test_close_values_pass(got, want):
    check_close(got, want)


@pytest.mark.parametrize("got, want, shown", [
    ([1.0, 2.1], [1.0, 2.0], "got 2.1, expected 2"),
    ([NAN, 1.0], [0.0, 1.0], "got nan, expected 0"),
    ([0.0, 1.0], [NAN, 1.0], "got 0, expected nan"),
    ([INF, 1.0], [-INF, 1.0], "got inf, expected -inf"),
    ([INF, 1.0], [1e300, 1.0], "got inf, expected 1e+300"),
    (np.array([1, 3]), np.array([1, 2]), "got 3, expected 2"),
])
def test_values_not_close_fail_with_the_first_difference(got, want, shown):
    with pytest.raises(AssertionError) as info:
        check_close(np.array(got), np.array(want), what="f(x)")
    assert "f(x) returned wrong values: 1 of 2 differ" in str(info.value)
    assert shown in str(info.value)


def test_a_large_equal_image_passes_and_one_changed_pixel_fails():
    image = np.random.default_rng(0).random((3, 240, 320))
    check_close(torch.from_numpy(image.copy()), image)
    changed = image.copy()
    changed[1, 2, 3] += 0.5
    with pytest.raises(AssertionError, match=r"1 of 230400 differ; first at index \(1, 2, 3\)"):
        check_close(changed, image)


def test_a_call_is_described_by_types_and_shapes_even_inside_containers():
    from grader.judge.student import describe_call
    batch = [(torch.tensor([1.25, -0.5]), torch.tensor(1)), (torch.zeros(3), 0)]
    assert describe_call("pad_collate", (batch,), {}) == \
        "pad_collate([(tensor float32 (2,), tensor int64 ()), (tensor float32 (3,), 0)])"
    nested = {"inputs": {"a": torch.zeros(2, 3), "b": [torch.ones(1)]}, "y": 3}
    text = describe_call("move_to", (nested, "cpu"), {"deep": [[[np.zeros(2)]]]})
    assert text == "move_to({'inputs': {'a': tensor float32 (2, 3), 'b': [...]}, 'y': 3}, 'cpu', deep=[[[...]]])"
    assert "1.25" not in describe_call("f", (batch,), {})  # values are the test's business, not the call's
    long = describe_call("f", (list(range(100_000)),), {})
    assert long == "f([0, 1, 2, 3, ...])"
