"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``linspace``, ``eye``,
``from_numpy`` and the ``*_like`` family. NumPy allocates and fills the storage here; the math
of every op runs in the backend kernels."""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np

from . import _dtype as dt
from ._device import as_device
from ._tensor import Tensor

_SUPPORTED = "a number, a bool, a (nested) list or tuple of them, a NumPy array, or a Tensor"


def _wrap(array: np.ndarray, dtype: dt.dtype, device: Any, requires_grad: bool = False) -> Tensor:
    array = np.asarray(array, dtype=dtype.np, order="C")
    t = Tensor._make(array.reshape(-1), array.shape, dtype=dtype, device=as_device("cpu"))
    dev = as_device(device)
    if dev.type != "cpu":
        t = t.to(dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_dtype(array: np.ndarray, data: Any) -> dt.dtype:
    if isinstance(data, (np.ndarray, np.generic)):  # NumPy arrays and scalars keep their dtype
        return dt.from_numpy_dtype(array.dtype)
    if array.dtype.kind == "f":
        return dt.get_default_dtype()
    return dt.from_numpy_dtype(array.dtype, what="data")


def _to_array(data: Any) -> np.ndarray:
    if isinstance(data, range):  # as PyTorch: tensor(range(3)) is tensor([0, 1, 2]); Subset(ds, range(n))
        data = list(data)
    if isinstance(data, Tensor):
        return data.detach()._host_numpy()
    if isinstance(data, (list, tuple)):
        items = [_to_array(x) if isinstance(x, (list, tuple, Tensor)) else x for x in data]
        for x in items:
            if not isinstance(x, (np.ndarray, numbers.Number, np.bool_)):
                raise TypeError(f"tensor(): could not convert an element of type {type(x).__name__}; "
                                f"expected {_SUPPORTED}")
        shapes = {np.shape(x) for x in items}
        if len(shapes) > 1:
            first, other = np.shape(items[0]), next(np.shape(x) for x in items if np.shape(x) != np.shape(items[0]))
            raise ValueError(f"tensor(): expected sequence of length {first[0] if first else 1} at dim "
                             f"1 (got {other[0] if other else 1}); nested lists must be rectangular")
        return np.array(items)
    if isinstance(data, (np.ndarray, numbers.Number, np.bool_)) and not isinstance(data, complex):
        return np.asarray(data)
    raise TypeError(f"tensor(): could not convert data of type {type(data).__name__}; expected {_SUPPORTED}")


def tensor(data: Any, *, dtype: dt.dtype | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor copied from ``data`` (number, nested list, NumPy array or Tensor).

    Python floats become float32 (the default dtype), ints int64, bools bool; NumPy arrays and
    scalars keep their dtype (float16 widens to float32, narrower ints to int64).
    """
    array = _to_array(data)
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"tensor(): could not convert data of type {type(data).__name__} "
                        f"(element type {array.dtype}); expected {_SUPPORTED}")
    dtype = dtype or _infer_dtype(array, data)
    return _wrap(np.array(array, dtype=dtype.np, copy=True), dtype, device, requires_grad)


def as_tensor(data: Any, dtype: dt.dtype | None = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or dtype is data.dtype) and device is None:
        return data
    if isinstance(data, np.ndarray) and data.dtype in (np.float32, np.float64, np.int64, np.bool_) and \
            dtype in (None, dt.from_numpy_dtype(data.dtype)) and device is None:
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares ``array``'s memory (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtype = dt.from_numpy_dtype(array.dtype)
    if array.dtype != dtype.np:
        raise TypeError(f"from_numpy(): can't share memory with a numpy.{array.dtype} array: learntorch "
                        "supports float32, float64, int64 and bool. Use learntorch.tensor(array) to copy.")
    item = array.itemsize
    if any(s < 0 for s in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a "
                         "copy of your array with array.copy().)")
    if any(s % item for s in array.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. Copy the numpy "
                         "array to reallocate the memory (array.copy()).")
    strides = tuple(s // item for s in array.strides)
    span = 1 + sum(st * (n - 1) for st, n in zip(strides, array.shape)) if array.size else 0
    # storage: a flat view from the array's first element to its last (shares memory)
    storage = np.lib.stride_tricks.as_strided(array, (span,), (item,))
    return Tensor._make(storage, array.shape, strides, 0, dtype=dtype, device=as_device("cpu"))


def scalar_tensor(value: Any, dtype: dt.dtype, device: Any) -> Tensor:
    """A 0-d tensor holding a Python number (how scalars enter binary ops)."""
    dev = as_device(device)
    if dev.type != "cpu":
        return _filled((), value, dtype, dev)
    return Tensor._make(np.array([value], dtype=dtype.np), (), dtype=dtype, device=dev)


def _filled(shape: tuple[int, ...], value: Any, dtype: dt.dtype, dev: Any) -> Tensor:
    """A tensor of ``shape`` on a GPU, filled there by a kernel: the value travels as a kernel
    argument, so ``x * 2`` or ``zeros(..., device="cuda")`` copy nothing from the host."""
    from .backends import backend_for
    storage = backend_for(dev).full(math.prod(shape), value, dtype.np)
    return Tensor._make(storage, shape, dtype=dtype, device=dev)


def as_value_tensor(value: Any, like: Tensor) -> Tensor:
    """``value`` as a tensor of ``like``'s dtype and device (for assignments)."""
    if isinstance(value, Tensor):
        return value if value.dtype is like.dtype else value.to(like.dtype)
    return tensor(value, dtype=like.dtype, device=like.device)


def _size(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def full(size: Sequence[int], fill_value: Any, *, dtype: dt.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    shape = _size((size,) if isinstance(size, int) else (tuple(size),))
    dtype = dtype or dt.scalar_dtype(fill_value)
    if as_device(device).type != "cpu":
        return _filled(shape, fill_value, dtype, as_device(device)).requires_grad_(requires_grad)
    return _wrap(np.full(shape, fill_value, dtype=dtype.np), dtype, device, requires_grad)


def zeros(*size: Any, dtype: dt.dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(_size(size), 0, dtype=dtype or dt.get_default_dtype(), device=device, requires_grad=requires_grad)


def ones(*size: Any, dtype: dt.dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(_size(size), 1, dtype=dtype or dt.get_default_dtype(), device=device, requires_grad=requires_grad)


def empty(*size: Any, dtype: dt.dtype | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    dtype = dtype or dt.get_default_dtype()
    return _wrap(np.empty(_size(size), dtype=dtype.np), dtype, device, requires_grad)


def _like(fn: Any):
    def like(t: Tensor, *, dtype: dt.dtype | None = None, device: Any = None, requires_grad: bool = False,
             **kwargs: Any) -> Tensor:
        return fn(t.shape, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad, **kwargs)
    like.__name__ = fn.__name__ + "_like"
    return like


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)


def full_like(t: Tensor, fill_value: Any, *, dtype: dt.dtype | None = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return full(t.shape, fill_value, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: dt.dtype | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``[start, start+step, ...)`` up to ``end``; int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    dtype = dtype or dt.result_type(start, end, step)
    if dtype is dt.bool_:
        dtype = dt.int64
    return _wrap(np.arange(start, end, step, dtype=np.float64 if dtype.is_floating_point else np.int64),
                 dtype, device, requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: dt.dtype | None = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    dtype = dtype or dt.get_default_dtype()
    return _wrap(np.linspace(start, end, steps), dtype, device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: dt.dtype | None = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    dtype = dtype or dt.get_default_dtype()
    return _wrap(np.eye(n, m), dtype, device, requires_grad)
