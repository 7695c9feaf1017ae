"""PyTorch's legacy tensor types: ``FloatTensor(2, 3)``, ``LongTensor([1, 2])``, ``x.type()``.

Before dtypes, each element type was a tensor class: ``torch.FloatTensor`` for float32,
``torch.ByteTensor`` for uint8, ... Old programs still call them. Here each is a small class
whose call makes an ordinary ``Tensor`` and whose ``isinstance`` check compares dtypes::

    FloatTensor(2, 3)            uninitialised, shape (2, 3)   (sizes: ints or a Size)
    FloatTensor([1, 2])          from data (a list, tuple or NumPy array), cast to float32
    FloatTensor(t)               t itself, when it is float32 (else TypeError)
    FloatTensor()                empty, shape (0,)
    isinstance(x, FloatTensor)   x.dtype is float32 and x is on the CPU

``Tensor.type()`` names a tensor's class (``"torch.FloatTensor"``, ``"torch.cuda.FloatTensor"``
on a GPU), and ``Tensor.type(t)`` converts to a dtype, a class or such a name.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as dt
from ._creation import empty, tensor
from ._tensor import Size, Tensor


class _LegacyType(type):
    """The metaclass: calling a legacy class makes a Tensor; ``isinstance`` compares dtypes."""

    dtype: dt.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        name = cls.__name__
        if device is not None and str(device) != "cpu":
            raise RuntimeError(f"{name}(): legacy constructor expects device type: cpu but device type: {device} "
                               f"was passed; use learntorch.tensor(data, dtype=learntorch.{cls.dtype.name}, "
                               f"device={str(device)!r})")
        if not args:
            return empty(0, dtype=cls.dtype)
        first = args[0]
        if len(args) == 1 and isinstance(first, Tensor):
            if first.dtype is not cls.dtype:
                raise TypeError(f"{name}(): expected a {cls.dtype.name} tensor (got {first.dtype.name}); "
                                f"convert it with .to(learntorch.{cls.dtype.name})")
            return first.detach()
        if len(args) == 1 and isinstance(first, (list, tuple, np.ndarray)) and not isinstance(first, Size):
            return tensor(first, dtype=cls.dtype)
        sizes = tuple(first) if len(args) == 1 and isinstance(first, Size) else args
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes):
            raise TypeError(f"{name}(): expected sizes (ints or a Size), data (a list, tuple or NumPy array) "
                            f"or a Tensor, got {', '.join(type(a).__name__ for a in args)}")
        return empty(*sizes, dtype=cls.dtype)


def _legacy_class(d: dt.dtype) -> type:
    return _LegacyType(f"{d.legacy}Tensor", (), {
        "dtype": d, "__module__": "learntorch",
        "__doc__": f"PyTorch's legacy {d.name} tensor type: ``{d.legacy}Tensor(2, 3)`` (uninitialised) or "
                   f"``{d.legacy}Tensor([1, 2])`` (from data) makes a {d.name} Tensor."})


_CLASSES = {d: _legacy_class(d) for d in dt.ALL}
BoolTensor, ByteTensor, CharTensor, ShortTensor, IntTensor, LongTensor, FloatTensor, DoubleTensor = (
    _CLASSES[d] for d in (dt.bool_, dt.uint8, dt.int8, dt.int16, dt.int32, dt.int64, dt.float32, dt.float64))
_BY_NAME = {cls.__name__: cls.dtype for cls in _CLASSES.values()}


def type_name(t: Tensor) -> str:
    """``t.type()``: PyTorch's name of its legacy class, e.g. ``"torch.FloatTensor"``."""
    device = "" if t.device.type == "cpu" else f"{t.device.type}."
    return f"torch.{device}{t.dtype.legacy}Tensor"


def to_type(t: Tensor, target: Any) -> Tensor:
    """``t.type(target)``: ``t`` converted to a dtype, a legacy class (``FloatTensor``) or a class
    name (``"torch.FloatTensor"``, ``"torch.cuda.LongTensor"``; ``learntorch.`` works too)."""
    if isinstance(target, _LegacyType):
        return t.to("cpu", target.dtype)
    if isinstance(target, str):
        module, _, cls = target.rpartition(".")
        if module in ("torch", "learntorch", "torch.cuda", "learntorch.cuda") and cls in _BY_NAME:
            return t.to("cuda" if module.endswith("cuda") else "cpu", _BY_NAME[cls])
        raise ValueError(f"invalid type: {target!r}; expected a name such as 'torch.FloatTensor' or "
                         f"'torch.cuda.LongTensor' ({', '.join(sorted(_BY_NAME))}), or a dtype")
    return t.to(dt.check_dtype("type", target))
