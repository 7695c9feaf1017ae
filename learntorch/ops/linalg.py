"""Matrix ops: ``mm``, ``bmm``, ``addmm``, ``diag``/``diagonal``, ``tril``/``triu`` and ``norm``.

The products are ``matmul``'s kernels with ``mm``/``bmm``'s stricter checks (no broadcasting, one
dtype). ``diagonal`` is a view (the diagonal of a matrix is every ``rows + 1``-th element), and
its backward writes the gradient into the diagonal of zeros, which is ``diag`` of a vector: the two
are each other's backward. ``tril``/``triu`` keep one side of a diagonal (a mask and ``where``),
and ``norm`` is the vector norm of PyTorch's ``linalg.vector_norm``, with its backward.
"""
from __future__ import annotations

import math
from typing import Any

from .. import _dtype as dt
from .._creation import arange, zeros
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import normalize_dims
from .elementwise import where
from .matmul import BatchMatMul, Mm, matmul
from .reduction import _reduce, _unsqueeze_to
from .shape import make_view


# ---------------------------------------------------------------- products
def _check_dims(op: str, name: str, t: Any, ndim: int, what: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if t.dim() != ndim:
        raise RuntimeError(f"{name} must be a {what} (got a {t.dim()}-D tensor of shape {list(t.shape)})")


def _check_same_dtype(a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}; "
                           "convert one, e.g. b.to(a.dtype)")


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """(n, m) @ (m, p) -> (n, p); no broadcasting, both of one dtype."""
    if getattr(input, "is_sparse", False):  # a sparse.SparseCooTensor: torch.mm(sparse, dense) is sparse.mm
        return input.mm(mat2)
    _check_dims("mm", "self", input, 2, "matrix")
    _check_dims("mm", "mat2", mat2, 2, "matrix")
    _check_same_dtype(input, mat2)
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """(b, n, m) @ (b, m, p) -> (b, n, p), one product per batch entry; no broadcasting."""
    _check_dims("bmm", "batch1", input, 3, "3D tensor")
    _check_dims("bmm", "batch2", mat2, 3, "3D tensor")
    expected = [input.shape[0], input.shape[2]]
    if list(mat2.shape[:2]) != expected:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: {expected} but got: "
                           f"{list(mat2.shape[:2])}. (bmm of {list(input.shape)} and {list(mat2.shape)})")
    _check_same_dtype(input, mat2)
    return BatchMatMul.apply(input, mat2)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to (n, p). With ``beta=0``
    it is ignored (its NaNs don't propagate), as in PyTorch; it then gets no gradient (PyTorch's
    is zeros)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"addmm(): argument 'input' must be Tensor, not {type(input).__name__}")
    product = mm(mat1, mat2)
    if alpha != 1:
        product = product * alpha
    input = input.expand(product.shape)  # it must broadcast to the product's shape, even for beta=0
    if beta == 0:
        return product
    return product + (input if beta == 1 else input * beta)


# ---------------------------------------------------------------- diagonals
def _diagonal_meta(t: Tensor, offset: int, d1: int, d2: int) -> tuple[tuple, tuple, int]:
    """(shape, strides, storage offset) of the diagonal view: dims d1, d2 go, the diagonal comes last."""
    size = max(0, min(t._shape[d1] + min(offset, 0), t._shape[d2] - max(offset, 0)))
    start = t._offset + (offset * t._strides[d2] if offset >= 0 else -offset * t._strides[d1]) if size else t._offset
    kept = [d for d in range(t.dim()) if d not in (d1, d2)]
    return (tuple(t._shape[d] for d in kept) + (size,),
            tuple(t._strides[d] for d in kept) + (t._strides[d1] + t._strides[d2],), start)


class Diagonal(Function):
    """The diagonal ``offset`` of dims ``d1``, ``d2`` as a view; its backward is ``DiagEmbed``."""

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.shape, ctx.args = a._shape, (offset, d1, d2)
        return make_view(a, *_diagonal_meta(a, offset, d1, d2))

    @staticmethod
    def backward(ctx, g):
        return DiagEmbed.apply(g, ctx.shape, *ctx.args), None, None, None


class DiagEmbed(Function):
    """Zeros of ``shape`` with ``v`` written along the diagonal ``offset`` of dims ``d1``, ``d2``;
    its backward is ``Diagonal``."""

    @staticmethod
    def forward(ctx, v, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = zeros(shape, dtype=v.dtype, device=v.device)
        out._backend.copy_(make_view(out, *_diagonal_meta(out, offset, d1, d2))._array, v._array)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args), None, None, None, None


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of dims ``dim1``, ``dim2`` (above it for ``offset > 0``) as a view, in a new
    last dim."""
    d1, d2 = input._wrap_dim(dim1), input._wrap_dim(dim2)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor -> the square matrix with it on diagonal ``diagonal``; a matrix -> a copy of
    its diagonal ``diagonal``."""
    if input.dim() == 1:
        n = input.shape[0] + abs(diagonal)
        return DiagEmbed.apply(input, (n, n), int(diagonal), 0, 1)
    if input.dim() == 2:
        return Diagonal.apply(input, int(diagonal), 0, 1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D (shape {list(input.shape)}); "
                       "use diagonal(input, offset, dim1, dim2) for a batch")


# ---------------------------------------------------------------- triangles
def _triangle(op: str, a: Tensor, diagonal: int) -> Tensor:
    """Bool (rows, cols): where ``tril`` (or ``triu``) keeps the last two dims of ``a``."""
    if a.dim() < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions (got shape {list(a.shape)})")
    rows, cols = a._shape[-2:]
    above = arange(cols, device=a.device) - arange(rows, device=a.device).reshape(rows, 1)  # col - row
    return above <= diagonal if op == "tril" else above >= diagonal


class Tril(Function):
    """The elements on and below diagonal ``k`` (``col - row <= k``); zeros above."""

    op = "tril"

    @classmethod
    def forward(cls, ctx, a, k):
        ctx.k = k
        return where(_triangle(cls.op, a, k), a, zeros((), dtype=a.dtype, device=a.device))

    @classmethod
    def backward(cls, ctx, g):
        return cls.apply(g, ctx.k), None


class Triu(Tril):
    """The elements on and above diagonal ``k`` (``col - row >= k``); zeros below."""

    op = "triu"


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims: zeros where ``col - row > diagonal``."""
    _triangle("tril", input, diagonal)
    return Tril.apply(input, int(diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims: zeros where ``col - row < diagonal``."""
    _triangle("triu", input, diagonal)
    return Triu.apply(input, int(diagonal))


# ---------------------------------------------------------------- norms
class VectorNorm(Function):
    """``(sum |a|^p)^(1/p)`` over ``dims``; ``p = inf`` is ``max |a|``, ``-inf`` ``min |a|``, 0 the
    count of non-zeros. The backward is PyTorch's: 0 where the norm is 0 (not NaN), and for
    ``p = ±inf`` the gradient shared evenly by the elements that tie for the max."""

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, a, p, dims, keepdim):
        ctx.p, ctx.dims = p, dims
        magnitude = a.abs()
        if math.isinf(p):
            op = "max" if p > 0 else "min"
            out = _reduce(op, magnitude, dims, keepdim)
        elif p == 0:
            out = (a != 0).to(a.dtype).sum(dims, keepdim)
        elif p == 1:
            out = magnitude.sum(dims, keepdim)
        elif p == 2:
            out = (a * a).sum(dims, keepdim).sqrt()
        else:
            out = (magnitude ** p).sum(dims, keepdim) ** (1.0 / p)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, norm = ctx.saved_tensors
        p, dims = ctx.p, ctx.dims
        g, norm = _unsqueeze_to(g, a._shape, dims), _unsqueeze_to(norm, a._shape, dims)
        if p == 0:
            return g * 0.0 * a, None, None, None
        if p == 1:
            return g * a.sign(), None, None, None
        if math.isinf(p):
            hit = ((a.abs() == norm) | (a != a)).to(a.dtype)
            return a.sign() * (g / hit.sum(dims, keepdim=True)) * hit, None, None, None
        zero = norm == 0
        safe = where(zero, 1.0, norm)
        scale = where(zero, 0.0, g / (safe if p == 2 else safe ** (p - 1)))
        return (a if p == 2 else a * a.abs() ** (p - 2)) * scale, None, None, None


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: dt.dtype | None = None) -> Tensor:
    """The vector ``p``-norm of ``input`` over ``dim`` (all elements when None): ``p`` a number,
    ``inf``, ``-inf``, or ``'fro'`` (the 2-norm; over two dims, the Frobenius norm of matrices).

    Differs from PyTorch: ``p='nuc'`` (the nuclear norm, a sum of singular values) raises.
    """
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{input.dtype.name}; convert first, e.g. x.float().norm()")
    if dtype is not None:
        input = input.to(dtype)
    if p == "fro":
        p = 2
    elif isinstance(p, str):
        raise RuntimeError(f"norm(): p={p!r} is not supported by learntorch (it needs an SVD); use a number, "
                           "inf, -inf or 'fro'")
    dims = normalize_dims("norm", input, dim)
    if math.isinf(p) and any(input._shape[d] == 0 for d in dims):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor because the "
                           f"operation does not have an identity (shape {list(input.shape)})")
    return VectorNorm.apply(input, float(p), dims, keepdim)
