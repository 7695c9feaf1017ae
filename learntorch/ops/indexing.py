"""Indexing: ``x[key]`` and ``x[key] = value``.

Basic keys (ints, slices with steps, ``None``, ``...``) give a *view*: only shape, strides
and offset change. Advanced keys (integer lists or tensors, bool masks) select arbitrary
elements, so they copy: the key becomes an array of flat positions, and the backend's
``gather`` kernel reads them; the backward is ``scatter_add`` into zeros (positions may repeat).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype as dt
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import new_tensor
from .shape import make_view


def _normalize_key(key: Any) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _is_basic(key: tuple) -> bool:
    return all(k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice)) and not isinstance(k, bool)
               for k in key)


def basic_view_meta(t: Tensor, key: tuple) -> tuple[tuple, tuple, int]:
    """(shape, strides, offset) of ``t[key]`` for a basic key."""
    n_index = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_index > t.dim():
        raise IndexError(f"too many indices for tensor of dimension {t.dim()} (got {n_index})")
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    expanded_key: list = []
    for k in key:
        if k is Ellipsis:
            expanded_key.extend([slice(None)] * (t.dim() - n_index))
        else:
            expanded_key.append(k)
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
            if step <= 0:
                raise ValueError("step must be greater than zero")
            length = max(0, (stop - start + step - 1) // step)
            offset += start * stride if length else 0
            shape.append(length)
            strides.append(stride * step)
        else:
            i = int(k)
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {d} with size {size}")
            offset += (i % size) * stride
        d += 1
    return tuple(shape), tuple(strides), offset


def _numpy_key(key: tuple) -> tuple:
    out = []
    for k in key:
        if isinstance(k, Tensor):
            if k.dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors "
                                 f"(got {k.dtype.name}); convert with .long()")
            out.append(k._host_numpy())
        elif isinstance(k, (list, tuple)):
            arr = np.asarray(k)
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(arr)
        elif isinstance(k, bool):
            out.append(np.asarray(k))
        else:
            out.append(k)
    return tuple(out)


def _select(grid: np.ndarray, key: tuple) -> np.ndarray:
    try:
        return grid[_numpy_key(key)]
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None


def positions_of(shape: tuple[int, ...], key: tuple) -> np.ndarray:
    """Flat (row-major) positions that ``key`` selects from a contiguous tensor of ``shape``."""
    return _select(np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape), key)


def storage_positions(t: Tensor, key: tuple) -> np.ndarray:
    """Storage positions that ``key`` selects from ``t``, whatever its strides and offset."""
    grid = np.full(t._shape, t._offset, dtype=np.int64)
    for d, (size, stride) in enumerate(zip(t._shape, t._strides)):
        grid += (np.arange(size, dtype=np.int64) * stride).reshape((size,) + (1,) * (t.dim() - d - 1))
    return _select(grid, key)


def _strip_leading_ones(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """Drop leading size-1 dims beyond ``ndim``: ``x[0] = ones(1, 3)`` works, as in PyTorch."""
    while len(shape) > ndim and shape[0] == 1:
        shape = shape[1:]
    return shape


def _broadcast_value(value: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``value`` as a (stride-0) view of ``shape``, or the RuntimeError PyTorch raises."""
    from ._common import expanded
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
        from .._creation import zeros
        ctx.key = key
        out = zeros(shape, dtype=g.dtype, device=g.device)
        region = make_view(out, *basic_view_meta(out, key))
        out._backend.copy_(region, g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return BasicIndex.apply(gg, ctx.key), None, None


class Gather(Function):
    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, positions):
        ctx.shape, ctx.positions = a._shape, positions
        src = a.contiguous()
        return new_tensor(a._backend.gather(src, positions + src._offset), positions.shape, a)

    @staticmethod
    def backward(ctx, g):
        return ScatterAdd.apply(g, ctx.positions, ctx.shape), None


class ScatterAdd(Function):
    """``out = zeros(shape); out.flat[positions] += g`` (repeated positions add up)."""

    @staticmethod
    def forward(ctx, g, positions, shape):
        ctx.positions = positions
        n = int(np.prod(shape, dtype=np.int64))
        return new_tensor(g._backend.scatter_add(n, g, positions), shape, g)

    @staticmethod
    def backward(ctx, gg):
        return Gather.apply(gg, ctx.positions), None, None


def getitem(a: Tensor, key: Any) -> Tensor:
    key = _normalize_key(key)
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
        from .._creation import zeros
        ga = IndexPut.apply(g, zeros((), dtype=g.dtype, device=g.device), ctx.key)
        from ._common import sum_to
        selected = getitem(g, ctx.key)
        gv = sum_to(selected, _strip_leading_ones(ctx.value_shape, selected.dim()))
        return ga, gv.reshape(ctx.value_shape), None


def assign(a: Tensor, key: tuple, value: Any) -> None:
    """Write ``value`` (broadcast) into ``a[key]`` in place, without autograd."""
    from .._creation import as_value_tensor
    from .inplace import check_no_overlap
    value = as_value_tensor(value, a)
    if _is_basic(key):
        region = make_view(a, *basic_view_meta(a, key))
        check_no_overlap("setitem", region)
        a._backend.copy_(region, _broadcast_value(value, region._shape))
    else:
        check_no_overlap("setitem", a)
        positions = storage_positions(a, key)  # works for any layout: no .contiguous() needed
        a._backend.scatter_(a, _broadcast_value(value, positions.shape), positions)


def setitem(a: Tensor, key: Any, value: Any) -> None:
    from .._creation import as_value_tensor
    from .inplace import check_inplace, rebase_history
    key = _normalize_key(key)
    value_requires = isinstance(value, Tensor) and value.requires_grad
    if check_inplace("setitem", a, value_requires):
        rebase_history(a, IndexPut.apply(a, as_value_tensor(value, a), key))
        return
    assign(a, key, value)
    a._bump_version()
