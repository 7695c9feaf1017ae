"""Reductions: sum, mean, prod, max/min (values and indices), argmax/argmin, var, std, all, any."""
from __future__ import annotations

from typing import Any, NamedTuple

from .. import _dtype as dt
from .._creation import arange, zeros
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import new_tensor, normalize_dims, output
from .elementwise import maximum, minimum, where


def _out_shape(t: Tensor, dims: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    return tuple(1 if d in dims else s for d, s in enumerate(t._shape) if keepdim or d not in dims)


def _reduce(op: str, a: Tensor, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    """The backend's ``reduce`` kernel (sum, prod, max, min) over ``dims``."""
    backend = a._backend
    out = output(backend, _out_shape(a, dims, keepdim), a._dtype)
    backend.reduce(op, a._array, dims, out)
    return new_tensor(out, a)


def _arg_reduce(op: str, a: Tensor, dim: int, keepdim: bool) -> Tensor:
    """The backend's ``arg_reduce`` kernel (argmax, argmin) along ``dim``: int64 indices."""
    backend = a._backend
    out = output(backend, _out_shape(a, (dim,), keepdim), dt.int64)
    backend.arg_reduce(op, a._array, dim, out)
    return new_tensor(out, a)


def _unsqueeze_to(g: Tensor, shape: tuple[int, ...], dims: tuple[int, ...]) -> Tensor:
    """Put back the reduced dims (as size 1) so ``g`` broadcasts against the input."""
    kept = tuple(1 if d in dims else s for d, s in enumerate(shape))
    return g.reshape(kept) if g._shape != kept else g


class Sum(Function):
    derivative_text = "d sum(a)/da = 1 for every element: the gradient is copied back to each"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims = a._shape, dims
        return _reduce("sum", a, dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        return _unsqueeze_to(g, ctx.shape, ctx.dims).expand(ctx.shape), None, None


class Mean(Function):
    derivative_text = "d mean(a)/da = 1/n for every element"

    @staticmethod
    def forward(ctx, a, dims, keepdim, count):
        ctx.shape, ctx.dims, ctx.count = a._shape, dims, count
        total = _reduce("sum", a, dims, keepdim)
        return total / count if count else total * float("nan")

    @staticmethod
    def backward(ctx, g):
        return _unsqueeze_to(g, ctx.shape, ctx.dims).expand(ctx.shape) / ctx.count, None, None, None


# PyTorch names the node after the overload: SumBackward0 for sum(), SumBackward1 for sum(dim)
class SumDim(Sum):
    node_name = "SumBackward1"


class MeanDim(Mean):
    node_name = "MeanBackward1"


class Prod(Function):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        out = _reduce("prod", a, dims, keepdim)
        ctx.save_for_backward(a, out)
        ctx.dims = dims
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        g = _unsqueeze_to(g, a._shape, ctx.dims)
        out = _unsqueeze_to(out, a._shape, ctx.dims)
        is_zero = a == 0
        if not is_zero.any().item():
            return g * out / a, None, None
        return g * _prod_of_others(a, ctx.dims), None, None


def _prod_of_others(a: Tensor, dims: tuple[int, ...]) -> Tensor:
    """``others[i] = prod(a[j] for j != i)`` along ``dims``, without dividing (``a`` may hold zeros).

    The reduced dims are moved last and flattened to size ``n``; row ``i`` of an ``(n, n)`` grid
    is ``a`` with element ``i`` replaced by 1, and its product is ``others[i]``. Being a product
    (no ``out / a``), it stays exact and differentiable at zeros, so double backward is right
    too; it costs ``n`` times the memory, which is why it only runs when ``a`` has zeros.
    """
    kept = [d for d in range(a.dim()) if d not in dims]
    order = kept + list(dims)
    moved = a.permute(*order)
    n = 1
    for d in dims:
        n *= a._shape[d]
    rows = moved.reshape(moved._shape[:len(kept)] + (n,)).unsqueeze(-2)      # (..., 1, n)
    diagonal = arange(n, device=a.device) == arange(n, device=a.device).reshape(n, 1)  # (n, n)
    others = where(diagonal, 1.0, rows).prod(-1)                             # (..., n)
    inverse = sorted(range(len(order)), key=lambda i: order[i])
    return others.reshape(moved._shape).permute(*inverse)


class MaxMin(Function):
    """Values of max/min along ``dim``; the gradient goes to the position of ``indices``."""

    @staticmethod
    def forward(ctx, a, dim, keepdim, op, indices):
        values = _reduce(op, a, (dim,), keepdim)
        ctx.save_for_backward(indices)
        ctx.shape, ctx.dim = a._shape, dim
        return values

    @staticmethod
    def backward(ctx, g):
        indices, = ctx.saved_tensors
        dim = ctx.dim
        positions = arange(ctx.shape[dim], device=g.device).reshape(
            tuple(-1 if d == dim else 1 for d in range(len(ctx.shape))))
        hit = (positions == _unsqueeze_to(indices, ctx.shape, (dim,))).to(g.dtype)
        return _unsqueeze_to(g, ctx.shape, (dim,)) * hit, None, None, None, None


class MaxMinAll(Function):
    """max()/min() of all elements; ties share the gradient evenly, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, op):
        out = _reduce(op, a, tuple(range(a.dim())), False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        hit = (a == out).to(g.dtype)
        return g * hit / hit.sum(), None


# PyTorch's node names: MaxBackward0 for max(dim), MaxBackward1 for max() of all elements
class MaxDim(MaxMin):
    node_name = "MaxBackward0"


class MinDim(MaxMin):
    node_name = "MinBackward0"


class MaxAll(MaxMinAll):
    node_name = "MaxBackward1"


class MinAll(MaxMinAll):
    node_name = "MinBackward1"


class ValuesIndices(NamedTuple):
    """What ``max(dim)``/``min(dim)`` return: ``.values`` and ``.indices``."""
    values: Tensor
    indices: Tensor


def _as_int64(a: Tensor) -> Tensor:
    """sum and prod count bools and integers of every width in int64, as in PyTorch."""
    return a if a.dtype.is_floating_point or a.dtype is dt.int64 else a.to(dt.int64)


def sum(a: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: dt.dtype | None = None) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or None for all); bools and ints sum to int64."""
    dims = normalize_dims("sum", a, dim)
    a = _as_int64(a) if dtype is None else a.to(dtype)
    return (Sum if dim is None else SumDim).apply(a, dims, keepdim)


def mean(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Mean over ``dim``; floating tensors only, as in PyTorch."""
    if not a.dtype.is_floating_point:
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {a.dtype.legacy} ({a.dtype.name}). Convert first, e.g. x.float().mean()")
    dims = normalize_dims("mean", a, dim)
    count = 1
    for d in dims:
        count *= a._shape[d]
    return (Mean if dim is None else MeanDim).apply(a, dims, keepdim, count)


def prod(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return Prod.apply(_as_int64(a), normalize_dims("prod", a, dim), keepdim)


def _max_min(op: str, a: Tensor, dim: Any, keepdim: bool) -> Any:
    if isinstance(dim, Tensor):  # max(a, b) as torch.max(input, other)
        return (maximum if op == "max" else minimum)(a, dim)
    if dim is None:
        if a.numel() == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return (MaxAll if op == "max" else MinAll).apply(a, op)
    d = a._wrap_dim(dim)
    if a.dim() and a._shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    indices = _arg_reduce("arg" + op, a, d, keepdim) if a.dim() else zeros((), dtype=dt.int64, device=a.device)
    values = (MaxDim if op == "max" else MinDim).apply(a, d, keepdim, op, indices) if a.dim() else a.clone()
    return ValuesIndices(values, indices)


def max(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``max(a)`` -> the largest element; ``max(a, dim)`` -> ``(values, indices)``; bools stay bool."""
    return _max_min("max", a, dim, keepdim)


def min(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``min(a)`` -> the smallest element; ``min(a, dim)`` -> ``(values, indices)``."""
    return _max_min("min", a, dim, keepdim)


def _arg(op: str, a: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    """argmax/argmin: int64 indices of shape ``a.shape`` without ``dim`` (a 0-d result for ``dim=None``)."""
    if a.dtype is dt.bool_:
        raise RuntimeError(f"{op}(): does not support bool input; convert first, e.g. x.long().{op}()")
    d = None if dim is None else a._wrap_dim(dim)
    if d is None or a.dim() == 0:  # a 0-d tensor has one element, at index 0, whatever the dim
        if a.numel() == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        out = _arg_reduce(op, a.reshape(-1), 0, False)
        return out.reshape((1,) * a.dim()) if keepdim else out
    if a._shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    return _arg_reduce(op, a, d, keepdim)


def argmax(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the first maximum (of the flattened tensor when ``dim`` is None)."""
    return _arg("argmax", a, dim, keepdim)


def argmin(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg("argmin", a, dim, keepdim)


def _variance_args(op: str, a: Tensor, dim: Any, unbiased: Any, correction: Any) -> tuple[tuple[int, ...], Any]:
    """The reduced dims and the correction of var/std, from PyTorch's three signatures:
    ``(dim=None, *, correction=1, keepdim=False)``, ``(dim, unbiased, keepdim=False)`` and ``(unbiased)``."""
    if isinstance(dim, bool):  # x.var(False): the legacy var(unbiased)
        if unbiased is not None:
            raise TypeError(f"{op}(): got unbiased twice (as the first argument and as the second)")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either unbiased or correction, not both "
                        f"(unbiased=False is correction=0, unbiased=True is correction=1)")
    if unbiased is not None and not isinstance(unbiased, bool):
        raise TypeError(f"{op}(): argument 'unbiased' (position 2) must be bool, not {type(unbiased).__name__}; "
                        f"keepdim is keyword-only there: x.{op}(dim, keepdim=True)")
    if not a.dtype.is_floating_point:
        raise RuntimeError(f"{op}(): expected a floating point tensor, got {a.dtype.name}; call .float() first")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return normalize_dims(op, a, dim), correction


def _divisor(a: Tensor, dims: tuple[int, ...], correction: Any) -> Any:
    """``max(0, n - correction)`` for ``n`` elements per result, as in PyTorch (0 gives inf or nan)."""
    n = 1
    for d in dims:
        n *= a._shape[d]
    return n - correction if n > correction else 0


def _centered(a: Tensor, dims: tuple[int, ...]) -> Tensor:
    """``a - mean(a, dims)``, of ``a``'s shape."""
    return a - mean(a, dims, keepdim=True)


def var(a: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """Variance over ``dim``, with Bessel's correction (``correction=1``) by default.

    As in PyTorch, a second positional argument is the legacy ``unbiased`` (``x.var(0, False)``
    is the biased variance over dim 0), ``x.var(False)`` is ``x.var(unbiased=False)``, and
    ``keepdim`` is the third positional argument or a keyword.
    """
    dims, correction = _variance_args("var", a, dim, unbiased, correction)
    return Var.apply(a, dims, keepdim, correction)


class Var(Function):
    """``sum((a - mean)^2) / (n - correction)``; backward ``g * 2 (a - mean) / (n - correction)``.

    As in PyTorch, the divisor is ``max(0, n - correction)``: too few elements give inf (0/0
    gives nan), and the gradient is inf there too. The backward skips the mean's own path (its
    contribution sums to zero), which is why it is one node rather than a chain of ops.
    """

    @staticmethod
    def forward(ctx, a, dims, keepdim, correction):
        ctx.dims, ctx.divisor = dims, _divisor(a, dims, correction)
        ctx.save_for_backward(a)
        centered = _centered(a, dims)
        return sum(centered * centered, dims, keepdim) / ctx.divisor

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return _unsqueeze_to(g, a._shape, ctx.dims) * _centered(a, ctx.dims) * 2 / ctx.divisor, None, None, None


def std(a: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    """Standard deviation, ``sqrt(var)``; the same signatures as ``var``."""
    dims, correction = _variance_args("std", a, dim, unbiased, correction)
    return Std.apply(a, dims, keepdim, correction)


class Std(Function):
    """``sqrt(var)``; backward ``g * (a - mean) / (divisor * std)``, and 0 where std is 0.

    A constant slice has std 0, where ``sqrt``'s derivative is infinite and the chain rule gives
    ``inf * 0 = nan``; PyTorch's std_backward masks those positions to 0, and so does this one,
    dividing by 1 instead of 0 there so that double backward stays finite too.
    """

    @staticmethod
    def forward(ctx, a, dims, keepdim, correction):
        ctx.dims, ctx.divisor = dims, _divisor(a, dims, correction)
        centered = _centered(a, dims)
        out = (sum(centered * centered, dims, keepdim) / ctx.divisor).sqrt()
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, out = ctx.saved_tensors
        out = _unsqueeze_to(out, a._shape, ctx.dims)
        zero = out == 0
        scale = where(zero, 0.0, _unsqueeze_to(g, a._shape, ctx.dims) / where(zero, 1.0, out))
        return scale * _centered(a, ctx.dims) / ctx.divisor, None, None, None


def all(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether every element (over ``dim``: an int, a tuple, or None for all) is non-zero; bool."""
    return _reduce("min", a.to(dt.bool_), normalize_dims("all", a, dim), keepdim)


def any(a: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether some element (over ``dim``: an int, a tuple, or None for all) is non-zero; bool."""
    return _reduce("max", a.to(dt.bool_), normalize_dims("any", a, dim), keepdim)
