"""Shape ops. Most are *views*: a new (shape, strides, offset) over the same storage, no copy.

``view`` follows PyTorch's contiguity rule (it raises where no strides can express the new
shape); ``reshape`` is ``view`` when possible and a copy otherwise.
"""
from __future__ import annotations

import operator
from typing import Any, Sequence

import numpy as np

from .._storage import numel, view_strides
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import expanded, sum_to


def make_view(t: Tensor, shape: Sequence[int], strides: Sequence[int], offset: int | None = None) -> Tensor:
    return Tensor._make(t._storage, tuple(shape), tuple(strides), t._offset if offset is None else offset,
                        dtype=t._dtype, device=t._device, base=t)


def _shape_arg(op: str, shape: tuple, what: str = "size") -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(torch.Size(...))`` as a tuple of ints.

    Like PyTorch, only ints (or objects with ``__index__``: NumPy ints, 0-d int tensors) are
    accepted; floats, bools, strings and None raise TypeError instead of being truncated.
    Deliberate difference: PyTorch lets a bool pass among several ints (``reshape(2, True)``);
    here every bool raises."""
    if not shape:
        raise TypeError(f"{op}(): missing the {what} argument; pass ints, e.g. {op}(2, 3) or {op}((2, 3))")
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    out = []
    for pos, s in enumerate(shape):
        try:
            if isinstance(s, (bool, np.bool_)):
                raise TypeError
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{op}(): argument '{what}' must be a tuple of ints, but found element of type "
                            f"{type(s).__name__} ({s!r}) at pos {pos}; convert it with int(...)") from None
    return tuple(out)


def infer_shape(op: str, t: Tensor, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Fill in one ``-1`` and check that the element count is unchanged."""
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred (got shape {list(shape)})")
    known = numel(tuple(s for s in shape if s != -1))
    if -1 in shape:
        if known == 0 or t.numel() % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {t.numel()}")
        shape = tuple(t.numel() // known if s == -1 else s for s in shape)
    if numel(shape) != t.numel() or any(s < 0 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {t.numel()} "
                           f"({op} of a tensor of shape {list(t.shape)})")
    return shape


class View(Function):
    @staticmethod
    def forward(ctx, a, shape):
        strides = view_strides(a._shape, a._strides, shape)
        if strides is None:
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least one dimension "
                f"spans across two contiguous subspaces): input shape {list(a.shape)}, strides "
                f"{list(a._strides)}, requested {list(shape)}. Use .reshape(...) instead (or .contiguous().view(...)).")
        ctx.shape = a._shape
        return make_view(a, shape, strides)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Unsqueeze(Function):
    node_name = "UnsqueezeBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        """A size-1 dim at ``dim``; its stride is PyTorch's: size * stride of the dim after it, or 1 at the end."""
        ctx.shape = a._shape
        stride = a._shape[dim] * a._strides[dim] if dim < a.dim() else 1
        return make_view(a, a._shape[:dim] + (1,) + a._shape[dim:], a._strides[:dim] + (stride,) + a._strides[dim:])

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Squeeze(View):
    node_name = "SqueezeBackward0"


class SqueezeDim(View):  # squeeze(dim); PyTorch names the overloads 0, 1, 2
    node_name = "SqueezeBackward1"


class SqueezeDims(View):
    node_name = "SqueezeBackward2"


def view(a: Tensor, *shape: Any) -> Tensor:
    return View.apply(a, infer_shape("view", a, _shape_arg("view", shape)))


def reshape(a: Tensor, *shape: Any) -> Tensor:
    shape = infer_shape("reshape", a, _shape_arg("reshape", shape))
    if shape == a._shape:
        return a
    if view_strides(a._shape, a._strides, shape) is None:
        a = a.contiguous()
    return View.apply(a, shape)


class Permute(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.inverse = tuple(sorted(range(len(dims)), key=lambda i: dims[i]))
        return make_view(a, [a._shape[d] for d in dims], [a._strides[d] for d in dims])

    @staticmethod
    def backward(ctx, g):
        inv = ctx.inverse
        base = g._base
        if (base is not None and base._storage is g._storage and base._offset == g._offset
                and base._requires_grad == g._requires_grad
                and base._shape == tuple(g._shape[d] for d in inv)
                and base._strides == tuple(g._strides[d] for d in inv)):
            # g is itself a permuted view (e.g. mm's grad for w.t() is (g.T @ x).T): permuting it
            # back gives exactly its base, a row-major tensor that a leaf's .grad keeps without a copy
            return base, None
        return g.permute(*inv), None


def permute(a: Tensor, *dims: Any) -> Tensor:
    dims = _shape_arg("permute", dims, "dims")
    if len(dims) != a.dim():
        raise RuntimeError(f"permute(): number of dims don't match: the tensor has {a.dim()} dims "
                           f"(shape {list(a.shape)}) but {len(dims)} were given ({list(dims)})")
    wrapped = tuple(a._wrap_dim(d) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    return Permute.apply(a, wrapped)


class Transpose(Permute):
    node_name = "TransposeBackward0"


class T(Permute):
    node_name = "TBackward0"


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    dims = list(range(a.dim()))
    d0, d1 = a._wrap_dim(dim0), a._wrap_dim(dim1)
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Transpose.apply(a, tuple(dims)) if d0 != d1 else a


def t(a: Tensor) -> Tensor:
    """Transpose a 2-D tensor; 0-D and 1-D tensors are returned as is."""
    if a.dim() > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.dim()}D "
                           f"(shape {list(a.shape)}); use transpose(dim0, dim1) or .mT for batches")
    return a if a.dim() < 2 else T.apply(a, (1, 0))


class Expand(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a._shape
        return expanded(a, shape)

    @staticmethod
    def backward(ctx, g):
        return sum_to(g, ctx.shape), None


def expand(a: Tensor, *sizes: Any) -> Tensor:
    sizes = _shape_arg("expand", sizes)
    if len(sizes) < a.dim():
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({a.dim()})")
    lead = len(sizes) - a.dim()
    shape = list(sizes)
    for i, s in enumerate(a._shape):
        target = sizes[lead + i]
        if target == -1:
            shape[lead + i] = s
        elif s != target and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({target}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(a.shape)}")
    shape = tuple(shape)
    return a if shape == a._shape else Expand.apply(a, shape)


def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    single = isinstance(dim, (int, np.integer))
    dims = set(range(a.dim())) if dim is None else {a._wrap_dim(d) for d in ((dim,) if single else dim)}
    shape = tuple(s for d, s in enumerate(a._shape) if not (d in dims and s == 1))
    node = Squeeze if dim is None else SqueezeDim if single else SqueezeDims
    return a if shape == a._shape else node.apply(a, shape)


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    return Unsqueeze.apply(a, a._wrap_dim(dim, a.dim() + 1))


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if a.dim() == 0:
        return a.reshape(1)
    s, e = a._wrap_dim(start_dim), a._wrap_dim(end_dim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    return reshape(a, a._shape[:s] + (numel(a._shape[s:e + 1]),) + a._shape[e + 1:])


def unflatten(a: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    d = a._wrap_dim(dim)
    sizes = tuple(sizes)
    if -1 in sizes:
        known = numel(tuple(s for s in sizes if s != -1))
        sizes = tuple(a._shape[d] // max(known, 1) if s == -1 else s for s in sizes)
    if numel(sizes) != a._shape[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of "
                           f"dim {dim} ({a._shape[d]}) in the input tensor")
    return reshape(a, a._shape[:d] + sizes + a._shape[d + 1:])
