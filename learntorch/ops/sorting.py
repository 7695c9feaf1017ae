"""Sorting: ``sort``, ``argsort`` and ``topk``.

The backend sorts along the last dim (its ``sort`` kernel, a stable merge sort with NaN largest),
so the sorted dim is moved there first, a view, and the results are moved back. ``topk`` is the
first ``k`` of a sort. The gradient of the sorted values goes back to where each value came from:
a ``scatter_add`` of ``g`` into zeros at ``indices`` along the dim.
"""
from __future__ import annotations

from .. import _dtype as dt
from .._creation import zeros
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import new_tensor, output
from .reduction import ValuesIndices
from .scatter_gather import scatter_add
from .split import narrow


class Sort(Function):
    """``(values, indices)`` of ``a`` sorted along ``dim``; differentiable in the values."""

    @staticmethod
    def forward(ctx, a, dim, descending):
        moved = a.transpose(dim, -1)
        backend = a._backend
        values, indices = output(backend, moved._shape, a._dtype), output(backend, moved._shape, dt.int64)
        backend.sort(moved._array, values, indices, descending)
        values = new_tensor(values, a).transpose(dim, -1).contiguous()
        indices = new_tensor(indices, a).transpose(dim, -1).contiguous()
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        ctx.dim, ctx.shape = dim, a._shape
        return values, indices

    @staticmethod
    def backward(ctx, g, _):
        indices, = ctx.saved_tensors
        return scatter_add(zeros(ctx.shape, dtype=g.dtype, device=g.device), ctx.dim, indices, g), None, None


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> ValuesIndices:
    """``(values, indices)``: ``input`` sorted along ``dim`` (ascending unless ``descending``) and
    where each value came from. NaN sorts as the largest value; equal values keep their order
    (learntorch's sort is always stable, so ``stable`` changes nothing)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"sort(): argument 'input' must be Tensor, not {type(input).__name__}")
    d = input._wrap_dim(dim)
    if input.dim() == 0:
        return ValuesIndices(input.clone(), zeros((), dtype=dt.int64, device=input.device))
    return ValuesIndices(*Sort.apply(input, d, bool(descending)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (``sort(...).indices``)."""
    return sort(input, dim, descending, stable=stable).indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) elements along
    ``dim``, in sorted order (also for ``sorted=False``); of equal elements, the first ones."""
    d = input._wrap_dim(dim)
    size = input._shape[d] if input.dim() else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range (topk of k={k} along dim {d} of size {size})")
    values, indices = sort(input, d, descending=largest)
    if input.dim() == 0:
        return ValuesIndices(values, indices)
    return ValuesIndices(narrow(values, d, 0, k).contiguous(), narrow(indices, d, 0, k).contiguous())
