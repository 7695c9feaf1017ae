"""Numerically stable softmax and log_softmax (subtract the row max before ``exp``)."""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import Function


class Softmax(Function):
    """``y = exp(x - max) / sum(exp(x - max))``; backward ``y * (g - sum(g * y))``."""

    @staticmethod
    def forward(ctx, x, dim):
        e = (x - x.max(dim, keepdim=True).values).exp()
        y = e / e.sum(dim, keepdim=True)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return y * (g - (g * y).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    """``y = x - max - log(sum(exp(x - max)))``; backward ``g - exp(y) * sum(g)``."""

    @staticmethod
    def forward(ctx, x, dim):
        shifted = x - x.max(dim, keepdim=True).values
        y = shifted - shifted.exp().sum(dim, keepdim=True).log()
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g - y.exp() * g.sum(ctx.dim, keepdim=True), None


def _check(op: str, x: Tensor, dim: int) -> int:
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"{op}: expected a floating point tensor, got {x.dtype.name}; call .float() first")
    return x._wrap_dim(dim)


def softmax(x: Tensor, dim: int) -> Tensor:
    """Softmax along ``dim`` (required, unlike PyTorch's deprecated implicit choice)."""
    return Softmax.apply(x, _check("softmax", x, dim))


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return LogSoftmax.apply(x, _check("log_softmax", x, dim))
