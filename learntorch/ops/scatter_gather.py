"""Reading and writing along a dim by an index tensor: ``gather``, ``scatter``, ``scatter_add``,
``index_select``; and ``masked_fill``.

``gather(x, dim, index)`` reads ``out[i][j] = x[index[i][j]][j]`` (for ``dim=0``): each element
of ``index`` names a position along ``dim``, the other coordinates are its own. That is a list of
flat positions (``dim_positions``), so the kernels are indexing's: ``gather`` reads them,
``scatter_add`` adds into them (gather's backward), ``scatter_`` writes them. ``scatter`` is the
reverse of ``gather``: ``out = x.clone(); out[index[i][j]][j] = src[i][j]``.
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from .. import _dtype as dt
from .._creation import full, scalar_tensor
from .._storage import contiguous_strides
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import broadcast_shapes, check_same_device, expanded, sum_to
from .elementwise import where
from .indexing import Gather, ScatterAdd, getitem, positions_tensor


def dim_positions(shape: tuple[int, ...], dim: int, index: np.ndarray) -> np.ndarray:
    """Flat row-major positions in a contiguous tensor of ``shape``: for each element of ``index``,
    its own coordinates with the one along ``dim`` replaced by its value."""
    strides = contiguous_strides(shape)
    positions = index * strides[dim]
    for d, n in enumerate(index.shape):
        if d != dim:
            positions = positions + (np.arange(n, dtype=np.int64) * strides[d]).reshape((n,) + (1,) * (index.ndim - d - 1))
    return positions


def _index(op: str, index: Any, dtype_message: str) -> Tensor:
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.dtype.is_floating_point or index.dtype is dt.bool_:
        raise RuntimeError(f"{op}(): {dtype_message} (got {index.dtype.name}); convert it with index.long()")
    return index


def _check_in_range(index: np.ndarray, dim: int, size: int) -> None:
    bad = index[(index < 0) | (index >= size)]
    if bad.size:
        raise RuntimeError(f"index {int(bad[0])} is out of bounds for dimension {dim} with size {size} "
                           f"(indices along dim {dim} must be in [0, {size - 1}])")


def _dim_index(op: str, input: Tensor, dim: int, index: Any, src: Tensor | None = None) -> tuple[int, np.ndarray]:
    """The wrapped ``dim`` and ``index`` as a checked host int64 array, for gather and scatter."""
    index = _index(op, index, "Expected dtype int32/int64 for index")
    d = input._wrap_dim(dim)
    if index.dim() != input.dim():
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor ({op}: index "
                           f"{list(index.shape)}, input {list(input.shape)})")
    too_big = any(i > n for k, (i, n) in enumerate(zip(index._shape, input._shape)) if k != d)
    if src is None and too_big:
        raise RuntimeError(f"Size does not match at dimension {next(k for k in range(input.dim()) if k != d)} "
                           f"expected index {list(index.shape)} to be no larger than self {list(input.shape)} "
                           f"apart from dimension {d}")
    if src is not None and (too_big or any(i > n for i, n in zip(index._shape, src._shape))):
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} apart "
                           f"from dimension {d} and to be no larger size than src {list(src.shape)}")
    array = index._host_numpy().astype(np.int64)
    _check_in_range(array, d, input._shape[d] if input.dim() else 1)
    return d, array


class GatherDim(Gather):
    node_name = "GatherBackward0"


class IndexSelect(Gather):
    node_name = "IndexSelectBackward0"


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` (dim 0; likewise along any ``dim``); ``out`` has
    ``index``'s shape. The gradient adds back into the gathered positions."""
    if input.dim() == 0:
        return gather(input.reshape(1), 0, index.reshape(1), sparse_grad=sparse_grad).reshape(())
    d, array = _dim_index("gather", input, dim, index)
    check_same_device("gather", input, index)
    return GatherDim.apply(input, dim_positions(input._shape, d, array))


class Scatter(Function):
    """``out = a.clone(); out.flat[positions] = src`` (a repeated position keeps the last write);
    the gradient is ``g`` with zeros where ``src`` went, and ``src`` gets ``g`` there."""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, a, src, positions):
        ctx.positions = positions
        out = a.clone()
        out._backend.scatter_(out._array, src.contiguous()._array, positions_tensor(positions, out)._array)
        return out

    @staticmethod
    def backward(ctx, g):
        cleared = Scatter.apply(g, full(ctx.positions.shape, 0, dtype=g.dtype, device=g.device), ctx.positions) \
            if ctx.needs_input_grad[0] else None
        return cleared, Gather.apply(g, ctx.positions) if ctx.needs_input_grad[1] else None, None


class ScatterAddDim(Function):
    """``out = a.clone(); out.flat[positions] += src`` (repeated positions add up)."""

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, a, src, positions):
        ctx.positions = positions
        return a + ScatterAdd.apply(src, positions, a._shape)

    @staticmethod
    def backward(ctx, g):
        return g, Gather.apply(g, ctx.positions) if ctx.needs_input_grad[1] else None, None


def _scatter_operands(op: str, input: Tensor, dim: int, index: Tensor, src: Any) -> tuple[Tensor, np.ndarray]:
    """``src`` cut to ``index``'s shape (a number becomes a tensor of it) and the flat positions."""
    if isinstance(src, Tensor):
        if src.dtype is not input.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (got {input.dtype.name} and "
                               f"{src.dtype.name}); convert src, e.g. src.to(x.dtype)")
        d, array = _dim_index(op, input, dim, index, src)
        check_same_device(op, input, src, index)
        if src._shape != array.shape:
            src = getitem(src, tuple(slice(0, n) for n in array.shape))
    elif isinstance(src, Number):
        d, array = _dim_index(op, input, dim, index)
        src = full(array.shape, src, dtype=input.dtype, device=input.device)
    else:
        raise TypeError(f"{op}(): argument 'src' must be Tensor or a number, not {type(src).__name__}")
    return src, dim_positions(input._shape, d, array)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``out[index[i][j]][j] = src[i][j]`` (dim 0; likewise along any
    ``dim``); ``src`` may be a number (or pass ``value=``). ``reduce='add'`` adds instead."""
    src = value if src is None else src
    if reduce == "add":
        return scatter_add(input, dim, index, src if isinstance(src, Tensor) else
                           full(index.shape, src, dtype=input.dtype, device=input.device))
    if reduce is not None:
        raise RuntimeError(f"scatter(): reduce argument must be either add or multiply, got {reduce!r}; learntorch "
                           "supports reduce='add' only")
    src, positions = _scatter_operands("scatter", input, dim, index, src)
    return Scatter.apply(input, src, positions)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``out[index[i][j]][j] += src[i][j]`` (dim 0); repeats add up."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' must be Tensor, not {type(src).__name__}")
    src, positions = _scatter_operands("scatter_add", input, dim, index, src)
    return ScatterAddDim.apply(input, src, positions)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices ``index`` (1-D) of ``input`` along ``dim``, in that order (repeats allowed)."""
    index = _index("index_select", index, "Expected dtype int32 or int64 for index")
    if index.dim() > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector (got shape {list(index.shape)})")
    check_same_device("index_select", input, index)
    if input.dim() == 0:
        return gather(input, 0, index.reshape(()))
    d = input._wrap_dim(dim)
    array = index._host_numpy().astype(np.int64).reshape(-1)
    if ((array < 0) | (array >= input._shape[d])).any():
        raise IndexError(f"index out of range in self (index_select along dim {d} of size {input._shape[d]}, "
                         f"indices from {array.min()} to {array.max()})")
    shape = input._shape[:d] + (array.size,) + input._shape[d + 1:]
    along = np.broadcast_to(array.reshape((-1,) + (1,) * (input.dim() - d - 1)), shape)
    return IndexSelect.apply(input, dim_positions(input._shape, d, along))


class MaskedFill(Function):
    """``where(mask, value, a)``: ``a`` gets the gradient where ``mask`` is False, a 0-d tensor
    ``value`` its sum where True."""

    @staticmethod
    def forward(ctx, a, value, mask):
        ctx.save_for_backward(mask)
        ctx.shape = a._shape
        return where(mask, value, a)

    @staticmethod
    def backward(ctx, g):
        mask, = ctx.saved_tensors
        ga = sum_to(where(mask, 0.0, g), ctx.shape) if ctx.needs_input_grad[0] else None
        gv = where(mask, g, 0.0).sum() if ctx.needs_input_grad[1] else None
        return ga, gv, None


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``value`` where ``mask`` (bool, broadcast) is True, ``input`` elsewhere; ``value`` (a number
    or a 0-d tensor) takes ``input``'s dtype."""
    if not isinstance(mask, Tensor) or mask.dtype is not dt.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{getattr(mask, 'dtype', type(mask).__name__)}; compare first, e.g. x.masked_fill(m > 0, v)")
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.dim()} dimension(s).")
        value = value if value.dtype is input.dtype else value.to(input.dtype)
    else:
        value = scalar_tensor(value, input.dtype, input.device)
    check_same_device("masked_fill", input, mask)
    shape = broadcast_shapes("masked_fill", input._shape, mask._shape)
    return MaskedFill.apply(input, value, expanded(mask, shape))
