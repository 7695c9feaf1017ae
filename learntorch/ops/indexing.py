"""Indexing: ``x[key]`` and ``x[key] = value``.

Basic keys (ints, slices with steps, ``None``, ``...``) give a *view*: only shape, strides
and offset change. Advanced keys (integer lists or tensors, bool masks) select arbitrary
elements, so they copy: the key becomes an array of flat positions, and the backend's
``gather`` kernel reads them; the backward is ``scatter_add`` into zeros (positions may repeat).

PyTorch's rule, which differs from NumPy's: ints (and 0-d integer tensors) are *selects*, not
advanced indices. ``x[0, :, [1, 0]]`` first selects ``x[0]``, then indexes that with
``[:, [1, 0]]``, so only lists, index tensors, bool masks and Python bools count as advanced.
Advanced indices that sit next to each other put their (broadcast) dims where they are;
advanced indices separated by a slice or ``None`` put them first.

Deliberate differences from PyTorch: a nested list is always one index tensor (as in NumPy and
as PyTorch announces for the future), never the deprecated "list as tuple" key; a list of
floats raises instead of being truncated to ints; a second ``...`` raises (as in NumPy)
instead of being silently ignored.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _dtype as dt
from .._creation import as_value_tensor, tensor, zeros
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import expanded, new_tensor, output, sum_to
from .inplace import check_inplace, check_no_overlap, rebase_history
from .shape import make_view

_VALID_INDICES = ("only integers, slices (`:`), ellipsis (`...`), None, bools and integer or bool "
                  "lists/tensors are valid indices")


def _index_array(k: Any) -> np.ndarray:
    """A list, NumPy array or tensor index as an int64 or bool array."""
    if isinstance(k, Tensor):
        arr, name = k._host_numpy(), k.dtype.name
    else:
        try:
            arr = np.asarray(k)
        except ValueError:
            raise IndexError(f"indexing: the nested list {k!r} is ragged; every inner list must have the "
                             "same length (it becomes one index tensor)") from None
        name = arr.dtype.name
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)  # np.asarray([]) is float64; an empty index list is not
    if arr.dtype.kind == "b":
        return arr
    if isinstance(k, Tensor) and arr.dtype == np.uint8:  # PyTorch's old masks: a uint8 tensor is one
        warnings.warn("indexing with dtype learntorch.uint8 is now deprecated, please use a dtype "
                      "learntorch.bool instead.", UserWarning, stacklevel=4)
        return arr.astype(np.bool_)
    if arr.dtype.kind not in "iu":
        raise IndexError(f"indexing: tensors used as indices must be long, int, byte or bool tensors "
                         f"(got {name}); convert the index with .long() or build it from ints")
    return arr.astype(np.int64, copy=False)


def _parse_entry(k: Any) -> Any:
    """One entry of a key as int, slice, None, Ellipsis, or an int64 / bool NumPy array."""
    if k is None or k is Ellipsis:
        return k
    if isinstance(k, slice):
        if k.step is not None and k.step <= 0:
            raise ValueError("step must be greater than zero")
        return k
    if isinstance(k, (bool, np.bool_)):
        return np.asarray(bool(k))
    if isinstance(k, (int, np.integer)):
        return int(k)
    if isinstance(k, str):
        raise TypeError(f"indexing: a str ({k!r}) is not a valid index; {_VALID_INDICES}")
    if not isinstance(k, (Tensor, list, tuple, range, np.ndarray)):
        raise IndexError(f"indexing: {_VALID_INDICES} (got {type(k).__name__})")
    arr = _index_array(k)
    return int(arr) if arr.ndim == 0 and arr.dtype.kind != "b" else arr  # 0-d int tensor: a select


def parse_key(key: Any) -> tuple:
    """``key`` as a tuple of ints, slices, None, Ellipsis and int64 / bool arrays (idempotent)."""
    return tuple(_parse_entry(k) for k in (key if isinstance(key, tuple) else (key,)))


def _is_basic(key: tuple) -> bool:
    return not any(isinstance(k, np.ndarray) for k in key)


def _dims_used(k: Any) -> int:
    """How many dims of the indexed tensor an entry consumes."""
    if isinstance(k, np.ndarray):
        return k.ndim if k.dtype.kind == "b" else 1  # a 0-d bool adds a dim and indexes it: 0
    return 0 if k is None or k is Ellipsis else 1


def _check_dims(shape: tuple[int, ...], key: tuple) -> int:
    """Number of dims the key covers; IndexError for too many entries or two ellipses."""
    n_used = sum(_dims_used(k) for k in key)
    if n_used > len(shape):
        raise IndexError(f"indexing: too many indices for tensor of dimension {len(shape)} (the key indexes "
                         f"{n_used} dims of a tensor of shape {list(shape)}); drop indices or reshape first")
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("indexing: an index can only have a single ellipsis ('...')")
    return n_used


def _check_in_range(index: Any, dim: int, size: int) -> None:
    bad = index[(index < -size) | (index >= size)] if isinstance(index, np.ndarray) else \
        [index] if not -size <= index < size else []
    if len(bad):
        raise IndexError(f"indexing: index {int(bad[0])} is out of bounds for dimension {dim} with size {size} "
                         f"(valid indices are {-size} to {size - 1})")


def _check_mask(mask: np.ndarray, shape: tuple[int, ...], dim: int) -> None:
    for j, size in enumerate(mask.shape):
        if size != shape[dim + j]:
            raise IndexError(f"indexing: the shape of the mask {list(mask.shape)} at index {j} does not match "
                             f"the shape of the indexed tensor {list(shape)} at index {dim + j}; a bool mask "
                             "must have the sizes of the dims it indexes")


def _check_broadcast(advanced: list) -> None:
    shapes = [k.shape if k.dtype.kind != "b" else (int(k.sum()),) for k in advanced if isinstance(k, np.ndarray)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError("indexing: shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(s)) for s in shapes)
                         + "; index tensors (and bool masks, as their True count) must broadcast") from None


def split_key(shape: tuple[int, ...], key: tuple) -> tuple[tuple, tuple]:
    """PyTorch's two steps for a parsed key: a basic key (ints, slices, None) applied first, then
    an advanced key (arrays and full slices) over the dims of that view."""
    n_free = len(shape) - _check_dims(shape, key)
    basic: list = []
    advanced: list = []
    dim = 0
    for k in key:
        if k is Ellipsis:
            basic += [slice(None)] * n_free
            advanced += [slice(None)] * n_free
            dim += n_free
        elif k is None:
            basic.append(None)
            advanced.append(slice(None))
        elif isinstance(k, slice):
            basic.append(k)
            advanced.append(slice(None))
            dim += 1
        elif isinstance(k, int):  # a select: its dim is gone before the advanced step
            _check_in_range(k, dim, shape[dim])
            basic.append(k)
            dim += 1
        elif k.ndim == 0:  # a bool: a new dim of size 1, kept (True) or emptied (False)
            basic.append(None)
            advanced.append(np.zeros(int(k), np.int64))
        else:
            if k.dtype.kind == "b":
                _check_mask(k, shape, dim)
            else:
                _check_in_range(k, dim, shape[dim])
            basic += [slice(None)] * _dims_used(k)
            advanced.append(k)
            dim += _dims_used(k)
    _check_broadcast(advanced)
    return tuple(basic), tuple(advanced)


def _select(grid: np.ndarray, key: tuple) -> np.ndarray:
    basic, advanced = split_key(grid.shape, key)
    return grid[basic][advanced]


def positions_of(shape: tuple[int, ...], key: tuple) -> np.ndarray:
    """Flat (row-major) positions that ``key`` selects from a contiguous tensor of ``shape``."""
    return _select(np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape), key)


def storage_positions(t: Tensor, key: tuple) -> np.ndarray:
    """Storage positions that ``key`` selects from ``t``, whatever its strides and offset."""
    grid = np.full(t._shape, t._offset, dtype=np.int64)
    for d, (size, stride) in enumerate(zip(t._shape, t._strides)):
        grid += (np.arange(size, dtype=np.int64) * stride).reshape((size,) + (1,) * (t.dim() - d - 1))
    return _select(grid, key)


def basic_view_meta(t: Tensor, key: tuple) -> tuple[tuple, tuple, int]:
    """(shape, strides, offset) of ``t[key]`` for a parsed basic key."""
    n_free = t.dim() - _check_dims(t._shape, key)
    expanded_key: list = []
    for k in key:
        expanded_key.extend([slice(None)] * n_free if k is Ellipsis else [k])
    expanded_key.extend([slice(None)] * (t.dim() - sum(1 for k in expanded_key if k is not None)))
    shape, strides, offset, d = [], [], t._offset, 0
    for k in expanded_key:
        if k is None:  # a new dim of size 1, with the stride PyTorch's unsqueeze gives it
            shape.append(1)
            strides.append(t._shape[d] * t._strides[d] if d < t.dim() else 1)
            continue
        size, stride = t._shape[d], t._strides[d]
        if isinstance(k, slice):
            start, stop, step = k.indices(size)
            length = max(0, (stop - start + step - 1) // step)
            offset += start * stride if length else 0
            shape.append(length)
            strides.append(stride * step)
        else:
            _check_in_range(k, d, size)
            offset += (k % size) * stride
        d += 1
    return tuple(shape), tuple(strides), offset


def _strip_leading_ones(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """Drop leading size-1 dims beyond ``ndim``: ``x[0] = ones(1, 3)`` works, as in PyTorch."""
    while len(shape) > ndim and shape[0] == 1:
        shape = shape[1:]
    return shape


def _broadcast_value(value: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``value`` as a (stride-0) view of ``shape``, or the RuntimeError PyTorch raises."""
    vshape = _strip_leading_ones(value._shape, len(shape))
    if len(vshape) > len(shape) or any(v not in (1, s) for v, s in zip(reversed(vshape), reversed(shape))):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(shape)}")
    if vshape != value._shape:
        value = make_view(value, vshape, value._strides[value.dim() - len(vshape):])
    return expanded(value, tuple(shape))


class BasicIndex(Function):
    node_name = "SliceBackward0"

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = a._shape, key
        return make_view(a, *basic_view_meta(a, key))

    @staticmethod
    def backward(ctx, g):
        return BasicIndexBackward.apply(g, ctx.shape, ctx.key), None


# One node does the whole basic key; it takes the name of the node PyTorch would show, that of
# the last index that does something: x[0] -> SelectBackward0, x[:, None] -> UnsqueezeBackward0.
class SelectIndex(BasicIndex):
    node_name = "SelectBackward0"


class UnsqueezeIndex(BasicIndex):
    node_name = "UnsqueezeBackward0"


class AliasIndex(BasicIndex):
    node_name = "AliasBackward0"


def _basic_node(key: tuple) -> type[BasicIndex]:
    for k in reversed(key):
        if k is None:
            return UnsqueezeIndex
        if isinstance(k, slice):
            if k.start in (None, 0) and k.stop is None and k.step in (None, 1):
                continue  # a full slice does nothing
            return BasicIndex
        if k is not Ellipsis:
            return SelectIndex
    return AliasIndex


class BasicIndexBackward(Function):
    """Zeros of the input's shape with ``g`` written into the ``key`` region."""

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        out = zeros(shape, dtype=g.dtype, device=g.device)
        region = make_view(out, *basic_view_meta(out, key))
        out._backend.copy_(region._array, g._array)
        return out

    @staticmethod
    def backward(ctx, gg):
        return BasicIndex.apply(gg, ctx.key), None, None


def positions_tensor(positions: np.ndarray | Tensor, like: Tensor) -> Tensor:
    """Flat int64 positions as a contiguous tensor on ``like``'s device, what the gather and scatter
    kernels take: positions computed on the host (``positions_of``, ``storage_positions``) are
    copied there, a tensor already there is used as it is."""
    if isinstance(positions, Tensor):
        return positions.contiguous()
    return tensor(positions, dtype=dt.int64, device=like.device)


class Gather(Function):
    """``out.flat[i] = a.flat[positions.flat[i]]``; positions: int64, a NumPy array or a tensor."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, positions):
        positions = positions_tensor(positions, a)
        ctx.shape, ctx.positions = a._shape, positions
        backend = a._backend
        out = output(backend, positions._shape, a._dtype)
        backend.gather(a.contiguous()._array, positions._array, out)
        return new_tensor(out, a)

    @staticmethod
    def backward(ctx, g):
        return ScatterAdd.apply(g, ctx.positions, ctx.shape), None


class ScatterAdd(Function):
    """``out = zeros(shape); out.flat[positions] += g`` (repeated positions add up)."""

    @staticmethod
    def forward(ctx, g, positions, shape):
        positions = ctx.positions = positions_tensor(positions, g)
        out = zeros(shape, dtype=g.dtype, device=g.device)
        g._backend.scatter_add_(out._array, g.contiguous()._array, positions._array)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Gather.apply(gg, ctx.positions), None, None


def getitem(a: Tensor, key: Any) -> Tensor:
    key = parse_key(key)
    if _is_basic(key):
        return _basic_node(key).apply(a, key)
    return Gather.apply(a, positions_of(a._shape, key))


class IndexPut(Function):
    """Out-of-place ``a[key] = value``, recorded when either side requires grad."""

    @staticmethod
    def forward(ctx, a, value, key):
        ctx.key, ctx.value_shape = key, value._shape
        out = a.clone()
        assign(out, key, value)
        return out

    @staticmethod
    def backward(ctx, g):
        # ``g`` with zeros written at ``key``, itself recorded as an IndexPut so that double
        # backward sees the zeros (an unrecorded ``assign`` into a clone would let them leak)
        ga = IndexPut.apply(g, zeros((), dtype=g.dtype, device=g.device), ctx.key)
        selected = getitem(g, ctx.key)
        gv = sum_to(selected, _strip_leading_ones(ctx.value_shape, selected.dim()))
        return ga, gv.reshape(ctx.value_shape), None


def assign(a: Tensor, key: tuple, value: Any) -> None:
    """Write ``value`` (broadcast) into ``a[key]`` in place, without autograd."""
    value = as_value_tensor(value, a)
    if _is_basic(key):
        region = make_view(a, *basic_view_meta(a, key))
        check_no_overlap("setitem", region)
        a._backend.copy_(region._array, _broadcast_value(value, region._shape)._array)
    else:
        check_no_overlap("setitem", a)
        positions = storage_positions(a, key)  # works for any layout: no .contiguous() needed
        src = _broadcast_value(value, positions.shape).contiguous()
        a._backend.scatter_(a._array, src._array, positions_tensor(positions, a)._array)


def setitem(a: Tensor, key: Any, value: Any) -> None:
    key = parse_key(key)
    value_requires = isinstance(value, Tensor) and value.requires_grad
    if check_inplace("setitem", a, value_requires):
        rebase_history(a, IndexPut.apply(a, as_value_tensor(value, a), key))
        return
    assign(a, key, value)
    a._bump_version()
