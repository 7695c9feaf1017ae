"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``linspace``, ``eye``,
``from_numpy`` and the ``*_like`` family. NumPy allocates and fills the storage here; the math
of every op runs in the backend kernels."""
from __future__ import annotations

import math
import numbers
from collections import abc
from typing import Any, Sequence

import numpy as np

from . import _dtype as dt
from ._device import as_device
from ._tensor import Tensor
from .backends import backend_for

_SCALARS = (bool, int, float, np.bool_, np.integer, np.floating)
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
    leaf = data
    while isinstance(leaf, (list, tuple)) and leaf:
        leaf = leaf[0]
    if isinstance(leaf, Tensor):  # a list of tensors: their dtype (promoted), as in PyTorch
        return dt.from_numpy_dtype(array.dtype)
    if array.dtype.kind == "f":
        return dt.get_default_dtype()
    return dt.from_numpy_dtype(array.dtype, what="data")


def _to_array(data: Any) -> np.ndarray:
    if isinstance(data, abc.Sequence) and not isinstance(data, (list, tuple, str, bytes)):
        data = list(data)  # as PyTorch: range(3), a deque, any sequence reads as a list
    if isinstance(data, Tensor):
        return data.detach()._host_numpy()
    if isinstance(data, (list, tuple)):
        return _nested_to_array(data, _nested_shape(data), 0)
    if isinstance(data, (np.ndarray, numbers.Number, np.bool_)) and not isinstance(data, complex):
        return np.asarray(data)
    raise TypeError(f"tensor(): could not convert data of type {type(data).__name__}; expected {_SUPPORTED}")


def _nested_shape(data: Any) -> tuple[int, ...]:
    """The shape a nested list would have, read (as PyTorch does) from its first elements."""
    shape: list[int] = []
    while isinstance(data, (list, tuple)):
        shape.append(len(data))
        if not data:
            return tuple(shape)
        data = data[0]
    if isinstance(data, (np.ndarray, Tensor)):
        shape.extend(data.shape)
    return tuple(shape)


def _nested_to_array(data: Sequence[Any], shape: tuple[int, ...], dim: int) -> np.ndarray:
    """The array of the nested list ``data`` found at ``dim``; raises PyTorch's errors where the
    nesting is not rectangular (ValueError for a wrong length, TypeError for a number where a
    list belongs or a list where a number belongs)."""
    if len(data) != shape[dim]:
        raise ValueError(f"tensor(): expected sequence of length {shape[dim]} at dim {dim} (got {len(data)}); "
                         "nested lists must be rectangular: every list at the same depth needs the same length")
    if dim + 1 == len(shape) and all(isinstance(x, _SCALARS) for x in data):  # the common innermost list
        return np.array(data)
    items = [_nested_item(x, shape, dim + 1) for x in data]
    return np.array(items) if items else np.zeros(shape[dim:])


def _nested_item(x: Any, shape: tuple[int, ...], dim: int) -> Any:
    """One element of a nested list at ``dim``: a sub-array where ``dim < len(shape)``, else a number."""
    if isinstance(x, (list, tuple)):
        if dim == len(shape):
            raise TypeError(f"tensor(): expected a number at dim {dim} but got a {type(x).__name__} of length "
                            f"{len(x)}; nested lists must be rectangular (mix no numbers and lists in one list)")
        return _nested_to_array(x, shape, dim)
    array = x.detach()._host_numpy() if isinstance(x, Tensor) else x
    if isinstance(array, np.ndarray):
        if array.ndim and dim == len(shape):
            raise TypeError(f"tensor(): expected a number at dim {dim} but got a {type(x).__name__} of shape "
                            f"{list(array.shape)}; nested lists must be rectangular (mix no numbers and arrays)")
        if array.shape != shape[dim:]:
            raise ValueError(f"tensor(): expected an element of shape {list(shape[dim:])} at dim {dim} "
                             f"(got {type(x).__name__} of shape {list(array.shape)}); nested lists must be rectangular")
        return array
    if not isinstance(x, (numbers.Number, np.bool_)) or isinstance(x, complex):
        raise TypeError(f"tensor(): could not convert an element of type {type(x).__name__}; expected {_SUPPORTED}")
    if dim < len(shape):
        raise TypeError(f"tensor(): expected a sequence of length {shape[dim]} at dim {dim} but got the number "
                        f"{x!r}; nested lists must be rectangular (mix no numbers and lists in one list)")
    return x


def tensor(data: Any, *, dtype: dt.dtype | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor copied from ``data`` (number, nested list, NumPy array or Tensor).

    Python floats become float32 (the default dtype), ints int64, bools bool; NumPy arrays and
    scalars keep their dtype (float16 widens to float32, uint16 to int32, uint32 and uint64 to
    int64). Python numbers outside an integer ``dtype``'s range raise RuntimeError, as in PyTorch
    (``cast_value``); arrays and tensors are cast, and wrap around. Ragged nesting
    raises PyTorch's errors. Differs from PyTorch: ``[[], [1]]`` is ragged too (PyTorch gives an
    empty (2, 0) tensor), and a list of equal-shape tensors is stacked (PyTorch raises).
    """
    array = _to_array(data)
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"tensor(): could not convert data of type {type(data).__name__} "
                        f"(element type {array.dtype}); expected {_SUPPORTED}")
    dtype = dt.check_dtype("tensor", dtype) or _infer_dtype(array, data)
    if dtype.category == 1 and array.size and not isinstance(data, (np.ndarray, Tensor)):
        for value in (array.min(), array.max()):  # Python numbers: checked, as PyTorch does
            dt.cast_value("tensor", value.item(), dtype)
    return _wrap(cast_array(array, dtype), dtype, device, requires_grad)


def cast_array(array: np.ndarray, dtype: dt.dtype) -> np.ndarray:
    """A new array of ``array``'s values in ``dtype``, cast as learntorch's kernels cast: floats
    into a narrower integer dtype go through int64 (truncated toward zero, then wrapped around,
    as in PyTorch; NumPy's direct cast leaves out-of-range values undefined)."""
    if array.dtype.kind == "f" and dtype.category == 1 and dtype is not dt.int64:
        with np.errstate(invalid="ignore"):
            array = array.astype(np.int64)
    return np.array(array, dtype=dtype.np, copy=True)


def as_tensor(data: Any, dtype: dt.dtype | None = None, device: Any = None) -> Tensor:
    dtype = dt.check_dtype("as_tensor", dtype)
    if isinstance(data, Tensor) and (dtype is None or dtype is data.dtype) and device is None:
        return data
    if isinstance(data, np.ndarray) and data.dtype in dt.BY_NUMPY and \
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
                        f"supports {dt.NAMES}. Use learntorch.tensor(array) to copy (as {dtype.name}).")
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
    """A 0-d tensor holding a Python number (how scalars enter binary ops); an integer wraps
    around into a narrower integer ``dtype``, as in PyTorch."""
    return _filled((), dt.wrap_scalar(value, dtype), dtype, as_device(device))


def _filled(shape: tuple[int, ...], value: Any, dtype: dt.dtype, dev: Any) -> Tensor:
    """A tensor of ``shape`` filled by its device's ``full`` kernel: on a GPU the value travels as
    a kernel argument, so ``x * 2`` or ``zeros(..., device="cuda")`` copy nothing from the host."""
    storage = backend_for(dev).full(math.prod(shape), value, dtype)
    return Tensor._make(storage, shape, dtype=dtype, device=dev)


def as_value_tensor(value: Any, like: Tensor) -> Tensor:
    """``value`` as a tensor of ``like``'s dtype and device (for assignments)."""
    if isinstance(value, Tensor):
        return value if value.dtype is like.dtype else value.to(like.dtype)
    return tensor(value, dtype=like.dtype, device=like.device)


def _is_int(value: Any) -> bool:
    """A Python or NumPy integer, not a bool (what PyTorch accepts for a size or a count)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_number(value: Any) -> bool:
    """A Python or NumPy bool, int or float (what PyTorch accepts as a fill value or a bound)."""
    return isinstance(value, _SCALARS)


def _size(size: Sequence[Any], fn: str = "size") -> tuple[int, ...]:
    """``size`` given as ints or as one tuple/list of ints, checked like PyTorch (for ``fn``)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for pos, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{fn}(): argument 'size' must be a tuple of ints, but found element of type "
                            f"{type(s).__name__} at pos {pos} ({s!r}); pass whole numbers, e.g. {fn}(2, 3)")
        if s < 0:
            raise RuntimeError(f"{fn}(): Trying to create tensor with negative dimension {s}: {list(size)}; "
                               "sizes must be >= 0")
    return tuple(int(s) for s in size)


def _check_int(fn: str, name: str, value: Any) -> int:
    """``value`` of the int argument ``name`` of ``fn``; TypeError for floats, bools, strings, None."""
    if not _is_int(value):
        raise TypeError(f"{fn}(): argument '{name}' must be int, not {type(value).__name__} ({value!r}); "
                        f"pass a whole number, e.g. {name}=int({name})")
    return int(value)


def _check_number(fn: str, name: str, value: Any) -> Any:
    """``value`` of the number argument ``name`` of ``fn`` (a 0-d tensor gives its item)."""
    if isinstance(value, Tensor) and value.dim() == 0:
        return value.item()
    if not _is_number(value):
        raise TypeError(f"{fn}(): argument '{name}' must be a number (bool, int or float), not "
                        f"{type(value).__name__} ({value!r})")
    return value


def _check_tensor(fn: str, t: Any) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(t).__name__}; "
                        f"convert it with learntorch.tensor(...) first")
    return t


def full(size: Sequence[int], fill_value: Any, *, dtype: dt.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value (bool, int64 or
    the default float dtype). Differs from PyTorch: ``size`` may also be a single int."""
    return _full("full", (size,) if _is_int(size) else _size_tuple("full", size), fill_value, dtype, device,
                 requires_grad)


def _size_tuple(fn: str, size: Any) -> tuple[int, ...]:
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'size' must be a tuple of ints, not {type(size).__name__} ({size!r})")
    return tuple(size)


def _full(fn: str, size: Sequence[Any], fill_value: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    shape = _size(size, fn)
    fill_value = _check_number(fn, "fill_value", fill_value)
    dtype = dt.check_dtype(fn, dtype) or dt.scalar_dtype(fill_value)
    fill_value = dt.cast_value(fn, fill_value, dtype)
    return _filled(shape, fill_value, dtype, as_device(device)).requires_grad_(requires_grad)


def _size_keyword(fn: str, sizes: tuple, size: Any) -> tuple:
    """The sizes given positionally (``zeros(2, 3)``, ``zeros((2, 3))``) or as ``size=(2, 3)``."""
    if size is None:
        return sizes
    if sizes:
        raise TypeError(f"{fn}() got multiple values for argument 'size'")
    return (size,)


def zeros(*sizes: Any, size: Any = None, dtype: dt.dtype | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    dtype = dt.check_dtype("zeros", dtype) or dt.get_default_dtype()
    return _full("zeros", _size_keyword("zeros", sizes, size), 0, dtype, device, requires_grad)


def ones(*sizes: Any, size: Any = None, dtype: dt.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    dtype = dt.check_dtype("ones", dtype) or dt.get_default_dtype()
    return _full("ones", _size_keyword("ones", sizes, size), 1, dtype, device, requires_grad)


def empty(*sizes: Any, size: Any = None, dtype: dt.dtype | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    dtype = dt.check_dtype("empty", dtype) or dt.get_default_dtype()
    shape = _size(_size_keyword("empty", sizes, size), "empty")
    return _wrap(np.empty(shape, dtype=dtype.np), dtype, device, requires_grad)


def _like(fn: Any):
    def like(t: Tensor, *, dtype: dt.dtype | None = None, device: Any = None, requires_grad: bool = False,
             **kwargs: Any) -> Tensor:
        t = _check_tensor(like.__name__, t)
        dtype = dt.check_dtype(like.__name__, dtype) or t.dtype
        return fn(t.shape, dtype=dtype, device=device or t.device, requires_grad=requires_grad, **kwargs)
    like.__name__ = fn.__name__ + "_like"
    return like


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)


def full_like(t: Tensor, fill_value: Any, *, dtype: dt.dtype | None = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    t = _check_tensor("full_like", t)
    dtype = dt.check_dtype("full_like", dtype) or t.dtype
    return _full("full_like", t.shape, fill_value, dtype, device or t.device, requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: dt.dtype | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``[start, start+step, ...)`` up to ``end``: ``ceil((end - start) / step)`` values, computed as
    ``start + i * step``; int64 when every argument is an int, else the default float dtype (an int64
    ``dtype`` truncates the arguments first). Float values may differ from PyTorch's in the last bit."""
    if end is None:
        start, end = 0, start
    start, end, step = (_check_number("arange", name, v) for name, v in (("start", start), ("end", end),
                                                                          ("step", step)))
    if not all(math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"arange(): unsupported range: {start} -> {end}; start and end must be finite")
    dtype = dt.check_dtype("arange", dtype) or dt.result_type(start, end, step)
    if dtype is dt.bool_:
        dtype = dt.int64
    if not dtype.is_floating_point:  # as PyTorch: an integer arange truncates its bounds and step first
        if step != 0 and int(step) == 0:
            raise ValueError(f"arange(): step must be nonzero, but step={step} truncates to 0 for dtype "
                             f"{dtype}; use a floating dtype or a step of magnitude >= 1")
        start, end, step = int(start), int(end), int(step)
    return _wrap(start + step * np.arange(_arange_length(start, end, step)), dtype, device, requires_grad)


def _arange_length(start: Any, end: Any, step: Any) -> int:
    """PyTorch's number of values of ``arange(start, end, step)``, with its checks."""
    if step == 0:
        raise RuntimeError(f"arange(): step must be nonzero, got step={step}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError(f"arange(): upper bound and lower bound inconsistent with step sign: start={start}, "
                           f"end={end}, step={step}; use a {'negative' if step > 0 else 'positive'} step "
                           "or swap start and end")
    if all(_is_int(v) or isinstance(v, bool) for v in (start, end, step)):
        return -((int(start) - int(end)) // int(step))  # exact ceil for ints
    return math.ceil((end - start) / step)


def linspace(start: Any, end: Any, steps: int, *, dtype: dt.dtype | None = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` (both included)."""
    start, end = _check_number("linspace", "start", start), _check_number("linspace", "end", end)
    steps = _check_int("linspace", "steps", steps)
    if steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative, got steps={steps}")
    dtype = dt.check_dtype("linspace", dtype) or dt.get_default_dtype()
    return _wrap(np.linspace(start, end, steps), dtype, device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: dt.dtype | None = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n x m`` identity matrix (``m`` defaults to ``n``)."""
    n = _check_int("eye", "n", n)
    m = n if m is None else _check_int("eye", "m", m)
    for name, value in (("n", n), ("m", m)):
        if value < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {value}")
    dtype = dt.check_dtype("eye", dtype) or dt.get_default_dtype()
    return _wrap(np.eye(n, m), dtype, device, requires_grad)
