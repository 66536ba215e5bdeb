"""The wire format between the trusted grader and the sandboxed worker.

A message is a tree of tagged values: a JSON header plus raw byte buffers for
array data. Decoding is an allowlist: every tag is checked, every dtype comes
from a fixed table, every size is bounded. Nothing is ever unpickled, so bytes
from the worker can describe data but never run code on the trusted side.

This module is loaded by the worker too (by file path, inside the sandbox),
so it imports nothing from the grader package and treats torch, numpy and PIL
as optional.
"""

import json
import struct
import sys

MAX_MESSAGE_BYTES = 64 << 20
MAX_DEPTH = 64
MAX_TEXT = 1 << 20

# dtype names that travel, with their numpy name (None: torch-only dtypes
# sent as raw bytes and rebuilt with torch.frombuffer).
TORCH_DTYPES = {
    "bool": "bool",
    "uint8": "uint8",
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "float16": "float16",
    "float32": "float32",
    "float64": "float64",
    "complex64": "complex64",
    "complex128": "complex128",
    "bfloat16": None,
    "uint16": "uint16",
    "uint32": "uint32",
    "uint64": "uint64",
}
NUMPY_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64", "complex64", "complex128",
}
IMAGE_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "YCbCr", "I", "F", "I;16"}


class CodecError(ValueError):
    """Bytes that do not describe allowed data."""


class Handle:
    """A reference to an object that lives in the worker (a module, a loader...)."""

    __slots__ = ("id", "type_name", "mro", "text")

    def __init__(self, id, type_name, mro, text):
        self.id = id
        self.type_name = type_name
        self.mro = mro
        self.text = text

    def __repr__(self):
        return f"<handle {self.id} {self.type_name}>"


class Shipped:
    """A function travelling trusted -> worker as source text (probes, compose steps)."""

    __slots__ = ("source", "name")

    def __init__(self, source, name):
        self.source = source
        self.name = name


class RemoteException:
    """An exception raised in the worker, as data."""

    __slots__ = ("type_name", "mro", "message", "traceback")

    def __init__(self, type_name, mro, message, traceback):
        self.type_name = type_name
        self.mro = mro
        self.message = message
        self.traceback = traceback

    def __repr__(self):
        return f"{self.type_name}: {self.message}"


# ---------------------------------------------------------------- framing

def pack(header, buffers):
    head = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
    parts = [struct.pack("!II", len(head), len(buffers)), head]
    for buf in buffers:
        parts.append(struct.pack("!Q", len(buf)))
        parts.append(buf)
    body = b"".join(parts)
    return struct.pack("!Q", len(body)) + body


def unpack(body):
    if len(body) < 8:
        raise CodecError("truncated message")
    head_len, nbuf = struct.unpack_from("!II", body, 0)
    pos = 8
    if pos + head_len > len(body):
        raise CodecError("truncated header")
    try:
        header = json.loads(body[pos:pos + head_len].decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise CodecError(f"bad header: {exc}") from None
    pos += head_len
    buffers = []
    for _ in range(nbuf):
        if pos + 8 > len(body):
            raise CodecError("truncated buffer length")
        (n,) = struct.unpack_from("!Q", body, pos)
        pos += 8
        if pos + n > len(body):
            raise CodecError("truncated buffer")
        buffers.append(body[pos:pos + n])
        pos += n
    if pos != len(body):
        raise CodecError("trailing bytes")
    return header, buffers


def read_frame(read_exact):
    """Read one frame with `read_exact(n) -> bytes`; returns (header, buffers)."""
    (size,) = struct.unpack("!Q", read_exact(8))
    if size > MAX_MESSAGE_BYTES:
        raise CodecError(f"message of {size} bytes is over the limit")
    return unpack(read_exact(size))


# ---------------------------------------------------------------- encoding

class Encoder:
    """Turns Python objects into a tagged tree. `to_handle(obj) -> Handle` keeps
    what is not data: the worker describes such objects (type, MRO, repr) for the
    trusted side; the trusted side sends back only their ids."""

    def __init__(self, to_handle=None, describe_handles=False):
        self.buffers = []
        self.to_handle = to_handle
        self.describe_handles = describe_handles

    def buffer(self, data):
        self.buffers.append(bytes(data))
        return len(self.buffers) - 1

    def encode(self, obj, depth=0):
        if depth > MAX_DEPTH:
            raise CodecError("value nested too deeply")
        t = type(obj)
        if obj is None:
            return ["none"]
        if t is bool:
            return ["bool", obj]
        if t is int:
            return ["int", str(obj)]
        if t is float:
            return ["float", repr(obj)]
        if t is complex:
            return ["complex", repr(obj.real), repr(obj.imag)]
        if t is str:
            return ["str", obj]
        if t in (bytes, bytearray):
            return ["bytes", self.buffer(obj)]
        if t is list:
            return ["list", [self.encode(x, depth + 1) for x in obj]]
        if t is tuple:
            return ["tuple", [self.encode(x, depth + 1) for x in obj]]
        if t is dict:
            return ["dict", [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                             for k, v in obj.items()]]
        if t is slice:
            return ["slice", self.encode(obj.start), self.encode(obj.stop), self.encode(obj.step)]
        if obj is Ellipsis:
            return ["ellipsis"]
        if isinstance(obj, Handle):
            return ["handle", obj.id]
        if isinstance(obj, Shipped):
            return ["function", obj.source, obj.name]
        if isinstance(obj, BaseException):
            return self.encode_exception(obj)
        # Subclasses travel as their base class: whatever they override stays behind.
        if isinstance(obj, bool):
            return ["bool", int.__index__(obj) == 1]
        if isinstance(obj, int):
            return ["int", int.__repr__(obj)]
        if isinstance(obj, float):
            return ["float", float.__repr__(obj)]
        if isinstance(obj, str):
            return ["str", str.__str__(obj)]
        if isinstance(obj, (bytes, bytearray)):
            return ["bytes", self.buffer(bytes(obj))]
        if isinstance(obj, tuple):
            return ["tuple", [self.encode(x, depth + 1) for x in tuple.__iter__(obj)]]
        if isinstance(obj, list):
            return ["list", [self.encode(x, depth + 1) for x in list.__iter__(obj)]]
        if isinstance(obj, dict):
            return ["dict", [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                             for k, v in dict.items(obj)]]
        torch = sys.modules.get("torch")
        if torch is not None:
            enc = self.encode_torch(obj, torch)
            if enc is not None:
                return enc
        if "numpy" in sys.modules:
            enc = self.encode_numpy(obj)
            if enc is not None:
                return enc
        if "PIL.Image" in sys.modules:
            enc = self.encode_image(obj)
            if enc is not None:
                return enc
        if self.to_handle is None:
            raise CodecError(f"cannot send a {t.__name__}")
        handle = self.to_handle(obj)
        if not self.describe_handles:
            return ["handle", handle.id]
        return ["handle", handle.id, *self.handle_info(obj)]

    @staticmethod
    def handle_info(obj):
        t = type(obj)
        mro = [f"{k.__module__}.{k.__qualname__}" for k in t.__mro__]
        try:
            text = repr(obj)[:500]
        except Exception:
            text = f"<{t.__name__}>"
        return [f"{t.__module__}.{t.__qualname__}", mro, text]

    def encode_exception(self, exc):
        import traceback
        t = type(exc)
        mro = [f"{k.__module__}.{k.__qualname__}" for k in t.__mro__]
        try:
            message = str(exc)
        except Exception:
            message = "<unprintable>"
        tb = "".join(traceback.format_exception(t, exc, exc.__traceback__))
        return ["exception", f"{t.__module__}.{t.__qualname__}", mro,
                message[:MAX_TEXT], tb[-MAX_TEXT:]]

    def encode_torch(self, obj, torch):
        if isinstance(obj, torch.Tensor):
            return self.encode_tensor(obj)
        if isinstance(obj, torch.Size):
            return ["size", [int(x) for x in obj]]
        if isinstance(obj, torch.dtype):
            return ["tdtype", str(obj).replace("torch.", "")]
        if isinstance(obj, torch.device):
            return ["device", str(obj)]
        if isinstance(obj, torch.Generator):
            return None
        return None

    def encode_tensor(self, t):
        import torch
        cls = type(t)
        with torch._C.DisableTorchFunctionSubclass():
            plain = torch.Tensor.detach(t)
            if type(plain) is not torch.Tensor:
                plain = plain.as_subclass(torch.Tensor)
            dtype = str(plain.dtype).replace("torch.", "")
            if dtype not in TORCH_DTYPES:
                return None
            grad_fn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
            facts = {
                "type": f"{cls.__module__}.{cls.__qualname__}",
                "dtype": dtype,
                "shape": [int(x) for x in plain.shape],
                "stride": [int(x) for x in plain.stride()] if plain.layout == torch.strided else None,
                "storage_offset": int(plain.storage_offset()) if plain.layout == torch.strided else 0,
                "contiguous": bool(plain.is_contiguous()),
                "device": str(plain.device),
                "requires_grad": bool(t.requires_grad),
                "is_leaf": bool(t.is_leaf),
                "grad_fn": grad_fn,
            }
            if plain.device.type == "meta":
                return ["tensor", facts, None, None]
            data = plain.to("cpu").contiguous()
            if data.layout != torch.strided:
                data = data.to_dense()
            raw = data.reshape(-1).view(torch.uint8).numpy().tobytes() if data.numel() else b""
            grad = None
            if t.is_leaf and t.grad is not None:
                grad = self.encode_tensor(t.grad)
            return ["tensor", facts, self.buffer(raw), grad]

    def encode_numpy(self, obj):
        import numpy as np
        if isinstance(obj, np.ndarray):
            arr = np.asarray(obj)  # drops subclasses (and their __eq__)
            if arr.dtype.name not in NUMPY_DTYPES:
                return None
            arr = np.ascontiguousarray(arr)
            facts = {
                "type": f"{type(obj).__module__}.{type(obj).__qualname__}",
                "dtype": arr.dtype.name,
                "shape": list(arr.shape),
                "strides": list(obj.strides),
                "owns_data": obj.base is None,
                "writeable": bool(obj.flags.writeable),
            }
            return ["ndarray", facts, self.buffer(arr.astype(arr.dtype.newbyteorder("<")).tobytes())]
        if isinstance(obj, np.generic) and obj.dtype.name in NUMPY_DTYPES:
            return ["npscalar", obj.dtype.name, self.buffer(np.asarray(obj).astype(obj.dtype.newbyteorder("<")).tobytes())]
        if isinstance(obj, np.dtype):
            return ["npdtype", obj.name] if obj.name in NUMPY_DTYPES else None
        return None

    def encode_image(self, img):
        from PIL import Image
        if not isinstance(img, Image.Image):
            return None
        if img.mode not in IMAGE_MODES:
            img = img.convert("RGBA")
        if img.mode == "P":  # palettes do not travel: the colours do
            img = img.convert("RGBA") if "transparency" in img.info else img.convert("RGB")
        return ["image", img.mode, list(img.size), self.buffer(img.tobytes())]


def encode(obj, to_handle=None, describe_handles=True):
    enc = Encoder(to_handle, describe_handles)
    tree = enc.encode(obj)
    return tree, enc.buffers


# ---------------------------------------------------------------- decoding

class Decoder:
    """Rebuilds values from a tagged tree. `from_handle(info)` turns handle info
    into a local object; `shipped(source, name)` compiles shipped functions (only
    the worker passes one: the trusted side never accepts code)."""

    def __init__(self, buffers, from_handle, shipped=None, device_ok=None):
        self.buffers = buffers
        self.from_handle = from_handle
        self.shipped = shipped
        self.device_ok = device_ok or (lambda name: name == "cpu")
        self.facts = []  # (object, facts) pairs for the caller to record

    def buf(self, idx):
        if type(idx) is not int or not 0 <= idx < len(self.buffers):
            raise CodecError("bad buffer reference")
        return self.buffers[idx]

    def decode(self, node, depth=0):
        if depth > MAX_DEPTH:
            raise CodecError("value nested too deeply")
        if type(node) is not list or not node or type(node[0]) is not str:
            raise CodecError("malformed value")
        tag, args = node[0], node[1:]
        method = getattr(self, "tag_" + tag, None)
        if method is None:
            raise CodecError(f"unknown tag {tag!r}")
        return method(depth, *args)

    # plain data
    def tag_none(self, depth):
        return None

    def tag_bool(self, depth, v):
        if type(v) is not bool:
            raise CodecError("bad bool")
        return v

    def tag_int(self, depth, v):
        if type(v) is not str or len(v) > 5000:
            raise CodecError("bad int")
        return int(v)

    def tag_float(self, depth, v):
        if type(v) is not str or len(v) > 64:
            raise CodecError("bad float")
        return float(v)

    def tag_complex(self, depth, re, im):
        return complex(self.tag_float(depth, re), self.tag_float(depth, im))

    def tag_str(self, depth, v):
        if type(v) is not str:
            raise CodecError("bad str")
        return v

    def tag_bytes(self, depth, idx):
        return bytes(self.buf(idx))

    def items(self, depth, v):
        if type(v) is not list:
            raise CodecError("bad sequence")
        return [self.decode(x, depth + 1) for x in v]

    def tag_list(self, depth, v):
        return self.items(depth, v)

    def tag_tuple(self, depth, v):
        return tuple(self.items(depth, v))

    def tag_dict(self, depth, pairs):
        if type(pairs) is not list:
            raise CodecError("bad dict")
        out = {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise CodecError("bad dict item")
            key = self.decode(pair[0], depth + 1)
            try:
                hash(key)
            except TypeError:
                raise CodecError("unhashable dict key") from None
            out[key] = self.decode(pair[1], depth + 1)
        return out

    def tag_slice(self, depth, a, b, c):
        return slice(self.decode(a, depth + 1), self.decode(b, depth + 1), self.decode(c, depth + 1))

    def tag_ellipsis(self, depth):
        return Ellipsis

    def tag_handle(self, depth, id, *info):
        if type(id) is not int:
            raise CodecError("bad handle")
        if info:
            if len(info) != 3 or type(info[0]) is not str or type(info[2]) is not str \
                    or type(info[1]) is not list or not all(type(x) is str for x in info[1]):
                raise CodecError("bad handle info")
            return self.from_handle(Handle(id, info[0], list(info[1]), info[2][:500]))
        return self.from_handle(Handle(id, "", [], ""))

    def tag_function(self, depth, source, name):
        if self.shipped is None:
            raise CodecError("code is not accepted here")
        return self.shipped(source, name)

    def tag_exception(self, depth, type_name, mro, message, tb):
        if not all(type(x) is str for x in (type_name, message, tb)) or type(mro) is not list:
            raise CodecError("bad exception")
        return RemoteException(type_name, [str(x) for x in mro], message, tb)

    # arrays and friends
    @staticmethod
    def shape_of(shape):
        if type(shape) is not list or len(shape) > 32 or not all(type(x) is int and x >= 0 for x in shape):
            raise CodecError("bad shape")
        n = 1
        for x in shape:
            n *= x
        return tuple(shape), n

    def tag_tensor(self, depth, facts, idx, grad):
        import torch
        if type(facts) is not dict:
            raise CodecError("bad tensor")
        dtype = facts.get("dtype")
        if dtype not in TORCH_DTYPES:
            raise CodecError(f"tensor dtype {dtype!r} not allowed")
        shape, n = self.shape_of(facts.get("shape"))
        tdtype = getattr(torch, dtype)
        device = str(facts.get("device", "cpu"))
        if idx is None:
            out = torch.empty(shape, dtype=tdtype, device="meta")
        else:
            raw = self.buf(idx)
            itemsize = torch.empty((), dtype=tdtype).element_size()
            if len(raw) != n * itemsize:
                raise CodecError("tensor data does not match its shape")
            if n == 0:
                out = torch.empty(shape, dtype=tdtype)
            else:
                flat = torch.frombuffer(bytearray(raw), dtype=torch.uint8)
                out = flat.view(tdtype).reshape(shape)
            if device != "cpu" and self.device_ok(device):
                out = out.to(device)
        if facts.get("requires_grad") is True and (out.is_floating_point() or out.is_complex()):
            out.requires_grad_(True)
        if grad is not None:
            g = self.decode(grad, depth + 1)
            if isinstance(g, torch.Tensor) and g.shape == out.shape:
                out.grad = g.to(out.dtype) if g.device == out.device else None
        clean = {k: facts.get(k) for k in ("type", "dtype", "shape", "stride", "storage_offset",
                                           "contiguous", "device", "requires_grad", "is_leaf", "grad_fn")}
        clean = {k: v for k, v in clean.items() if type(v) in (str, bool, int, list, type(None))}
        self.facts.append((out, clean))
        return out

    def tag_ndarray(self, depth, facts, idx):
        import numpy as np
        if type(facts) is not dict or facts.get("dtype") not in NUMPY_DTYPES:
            raise CodecError("ndarray dtype not allowed")
        shape, n = self.shape_of(facts.get("shape"))
        dt = np.dtype(facts["dtype"]).newbyteorder("<")
        raw = self.buf(idx)
        if len(raw) != n * dt.itemsize:
            raise CodecError("array data does not match its shape")
        out = np.frombuffer(raw, dtype=dt).astype(dt.newbyteorder("="), copy=True).reshape(shape)
        clean = {k: facts.get(k) for k in ("type", "dtype", "shape", "strides", "owns_data", "writeable")}
        clean = {k: v for k, v in clean.items() if type(v) in (str, bool, int, list, type(None))}
        self.facts.append((out, clean))
        return out

    def tag_npscalar(self, depth, dtype, idx):
        import numpy as np
        if dtype not in NUMPY_DTYPES:
            raise CodecError("scalar dtype not allowed")
        dt = np.dtype(dtype).newbyteorder("<")
        raw = self.buf(idx)
        if len(raw) != dt.itemsize:
            raise CodecError("bad scalar")
        return np.frombuffer(raw, dtype=dt).astype(dt.newbyteorder("="))[0]

    def tag_npdtype(self, depth, name):
        import numpy as np
        if name not in NUMPY_DTYPES:
            raise CodecError("dtype not allowed")
        return np.dtype(name)

    def tag_size(self, depth, dims):
        import torch
        shape, _ = self.shape_of(dims)
        return torch.Size(shape)

    def tag_tdtype(self, depth, name):
        import torch
        if name not in TORCH_DTYPES:
            raise CodecError("dtype not allowed")
        return getattr(torch, name)

    def tag_device(self, depth, name):
        import torch
        if type(name) is not str or len(name) > 40:
            raise CodecError("bad device")
        try:
            return torch.device(name)
        except RuntimeError:
            raise CodecError(f"bad device {name!r}") from None

    def tag_image(self, depth, mode, size, idx):
        from PIL import Image
        if mode not in IMAGE_MODES or mode == "P":
            raise CodecError("image mode not allowed")
        if type(size) is not list or len(size) != 2 or not all(type(x) is int and 0 <= x <= 1 << 15 for x in size):
            raise CodecError("bad image size")
        try:
            return Image.frombytes(mode, tuple(size), bytes(self.buf(idx)))
        except ValueError as exc:
            raise CodecError(f"bad image data: {exc}") from None


def decode(tree, buffers, from_handle, shipped=None, device_ok=None):
    """Returns (value, facts) where facts lists (array, worker-measured facts)."""
    dec = Decoder(buffers, from_handle, shipped, device_ok)
    return dec.decode(tree), dec.facts
