"""Running sums and products along a dim: ``cumsum`` and ``cumprod``.

The backend scans the last dim (its ``scan`` kernel), so the dim is moved there first (a view).
Backward: ``out[j]`` depends on every ``a[i]`` with ``i <= j``, so a cumsum's gradient is the
*reversed* cumsum of ``g`` (``flip``, ``cumsum``, ``flip``); a cumprod's is the reversed cumsum of
``g * out``, divided by ``a`` where no element is 0, else (as in ``prod``) computed without
dividing: ``others[i, j] = prod(a[k] for k <= j, k != i)``, n times the memory.
"""
from __future__ import annotations

from .. import _dtype as dt
from .._creation import arange
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import new_tensor, output
from .elementwise import where
from .rearrange import flip


def _scan(op: str, a: Tensor, dim: int) -> Tensor:
    moved = a.transpose(dim, -1)
    backend = a._backend
    out = output(backend, moved._shape, a._dtype)
    backend.scan(op, moved._array, out)
    return new_tensor(out, a).transpose(dim, -1).contiguous()


def _reverse_cumsum(g: Tensor, dim: int) -> Tensor:
    """``out[i] = sum(g[j] for j >= i)`` along ``dim``."""
    return flip(cumsum(flip(g, dim), dim), dim)


class Cumsum(Function):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return _scan("sum", a, dim)

    @staticmethod
    def backward(ctx, g):
        return _reverse_cumsum(g, ctx.dim), None


class Cumprod(Function):
    @staticmethod
    def forward(ctx, a, dim):
        out = _scan("prod", a, dim)
        ctx.save_for_backward(a, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        if not (a == 0).any().item():
            return _reverse_cumsum(g * out, ctx.dim) / a, None
        moved, gm = a.transpose(ctx.dim, -1), g.transpose(ctx.dim, -1)
        n = moved.shape[-1]
        i, k = arange(n, device=a.device).reshape(n, 1), arange(n, device=a.device)
        others = cumprod(where(i == k, 1.0, moved.unsqueeze(-2)), -1)        # (..., i, j)
        grad = where(k >= i, gm.unsqueeze(-2) * others, 0.0).sum(-1)          # sum over j >= i
        return grad.transpose(ctx.dim, -1), None


def _scan_input(op: str, input: Tensor, dim: int, dtype: dt.dtype | None) -> tuple[Tensor, int]:
    """``input`` in the result's dtype (``dtype``, or int64 for bools and integers, as PyTorch) and
    the wrapped ``dim``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    d = input._wrap_dim(dim)
    target = dt.check_dtype(op, dtype) or (input.dtype if input.dtype.is_floating_point else dt.int64)
    return (input if input.dtype is target else input.to(target)), d


def cumsum(input: Tensor, dim: int, *, dtype: dt.dtype | None = None) -> Tensor:
    """``out[i] = input[0] + ... + input[i]`` along ``dim``; bools and integers sum to int64."""
    a, d = _scan_input("cumsum", input, dim, dtype)
    return a.clone() if a.dim() == 0 else Cumsum.apply(a, d)


def cumprod(input: Tensor, dim: int, *, dtype: dt.dtype | None = None) -> Tensor:
    """``out[i] = input[0] * ... * input[i]`` along ``dim``; bools and integers multiply as int64."""
    a, d = _scan_input("cumprod", input, dim, dtype)
    return a.clone() if a.dim() == 0 else Cumprod.apply(a, d)
