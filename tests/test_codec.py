"""The wire format: what may cross from the worker, and what is refused."""

import numpy as np
import pytest
import torch
from PIL import Image

from grader.worker import codec


def roundtrip(value, to_handle=None, from_handle=None):
    tree, buffers = codec.encode(value, to_handle)
    header, bufs = codec.unpack(codec.pack({"v": tree}, buffers)[8:])
    return codec.decode(header["v"], bufs, from_handle or (lambda h: h))


@pytest.mark.parametrize("value", [
    None, True, False, 0, -3, 2 ** 100, 1.5, float("inf"), 1 + 2j, "text", b"\x00\xff",
    [1, [2, (3, "x")]], (), {"a": 1, 2: [None]}, slice(1, None, 2), Ellipsis,
])
def test_plain_values_roundtrip(value):
    got, _ = roundtrip(value)
    assert got == value and type(got) is type(value)


def test_nan_roundtrips():
    got, _ = roundtrip(float("nan"))
    assert got != got


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.bool,
                                   torch.float16, torch.bfloat16, torch.uint8, torch.complex64])
def test_tensors_roundtrip_with_dtype_and_shape(dtype):
    t = (torch.arange(24).reshape(2, 3, 4) % 3).to(dtype)
    got, facts = roundtrip(t)
    assert got.dtype == dtype and got.shape == t.shape and torch.equal(got, t)
    assert facts[0][1]["shape"] == [2, 3, 4]


def test_non_contiguous_tensor_keeps_values_and_reports_its_strides():
    t = torch.arange(6.0).reshape(2, 3).T
    got, facts = roundtrip(t)
    assert torch.equal(got, t) and got.is_contiguous()
    assert facts[0][1]["contiguous"] is False and facts[0][1]["stride"] == [1, 3]


def test_grad_facts_travel():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    got, facts = roundtrip(y)
    measured = facts[0][1]
    assert got.requires_grad and measured["is_leaf"] is False and measured["grad_fn"] == "MulBackward0"


def test_tensor_subclass_arrives_as_a_plain_tensor():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return torch.ones_like(self, dtype=torch.bool)

    got, facts = roundtrip(torch.zeros(3).as_subclass(Liar))
    assert type(got) is torch.Tensor
    assert not torch.equal(got, torch.ones(3))
    assert facts[0][1]["type"].endswith("Liar")


def test_ndarray_subclass_and_scalars():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    got, _ = roundtrip(np.zeros(3).view(Liar))
    assert type(got) is np.ndarray and not (got == np.ones(3)).all()
    scalar, _ = roundtrip(np.int64(7))
    assert scalar == 7 and isinstance(scalar, np.int64)


def test_int_subclass_loses_its_overrides():
    class Liar(int):
        def __eq__(self, other):
            return True

    got, _ = roundtrip(Liar(3))
    assert type(got) is int and got == 3 and got != 4


def test_meta_tensor_and_torch_types():
    got, _ = roundtrip([torch.empty(2, 3, device="meta"), torch.Size([1, 2]), torch.float16,
                        torch.device("cpu")])
    assert got[0].device.type == "meta" and got[0].shape == (2, 3)
    assert got[1:] == [torch.Size([1, 2]), torch.float16, torch.device("cpu")]


def test_images_roundtrip():
    img = Image.new("RGB", (5, 3), (10, 20, 30))
    got, _ = roundtrip(img)
    assert got.mode == "RGB" and got.size == (5, 3) and np.array_equal(np.asarray(got), np.asarray(img))


def test_objects_that_are_not_data_become_handles():
    kept = []

    def to_handle(obj):
        kept.append(obj)
        return codec.Handle(len(kept), "", [], "")

    module = torch.nn.Linear(2, 2)
    got, _ = roundtrip([module, np.array([object()])], to_handle)
    assert all(isinstance(h, codec.Handle) for h in got)
    assert got[0].type_name == "torch.nn.modules.linear.Linear" and kept[0] is module


def test_exceptions_travel_as_data():
    try:
        raise IndexError("out of range")
    except IndexError as exc:
        got, _ = roundtrip(exc)
    assert isinstance(got, codec.RemoteException)
    assert "builtins.LookupError" in got.mro and got.message == "out of range"


@pytest.mark.parametrize("tree, buffers", [
    (["pickle", "x"], []),
    (["tensor", {"dtype": "object", "shape": [1]}, 0, None], [b"\x00" * 8]),
    (["tensor", {"dtype": "float32", "shape": [4]}, 0, None], [b"\x00" * 8]),
    (["ndarray", {"dtype": "float64", "shape": [2]}, 0], [b"\x00" * 8]),
    (["ndarray", {"dtype": "float64", "shape": [-1]}, 0], [b""]),
    (["function", "import os", "f"], []),
    (["image", "P", [1, 1], 0], [b"\x00"]),
    (["int", 5], []),
    (["dict", [[["list", []], ["none"]]]], []),
    (["bytes", 3], []),
    ("not a list", []),
])
def test_the_trusted_decoder_refuses_what_is_not_allowed_data(tree, buffers):
    with pytest.raises(codec.CodecError):
        codec.decode(tree, buffers, lambda h: h)


def test_deep_nesting_is_refused():
    tree = ["none"]
    for _ in range(codec.MAX_DEPTH + 5):
        tree = ["list", [tree]]
    with pytest.raises(codec.CodecError):
        codec.decode(tree, [], lambda h: h)


def test_truncated_or_oversized_frames_are_refused():
    frame = codec.pack({"a": 1}, [b"abc"])
    with pytest.raises(codec.CodecError):
        codec.unpack(frame[8:-1])
    with pytest.raises(codec.CodecError):
        codec.read_frame(lambda n: (codec.MAX_MESSAGE_BYTES + 1).to_bytes(8, "big"))
