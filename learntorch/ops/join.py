"""``cat`` and ``stack``: copy each input into its slice of one new tensor."""
from __future__ import annotations

from typing import Sequence

from .._tensor import Tensor
from ..autograd.function import Function
from ._common import as_operands, new_tensor, output
from .shape import make_view


class Cat(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        shape = list(tensors[0]._shape)
        shape[dim] = sum(t._shape[dim] for t in tensors)
        first = tensors[0]
        out = new_tensor(output(first._backend, tuple(shape), first._dtype), first)
        start = 0
        ctx.sizes, ctx.dim = [], dim
        for t in tensors:
            n = t._shape[dim]
            region = make_view(out, t._shape, out._strides, out._offset + start * out._strides[dim])
            out._backend.copy_(region._array, t._array)
            ctx.sizes.append(n)
            start += n
        return out

    @staticmethod
    def backward(ctx, g):
        grads, start = [], 0
        for n in ctx.sizes:
            grads.append(g[(slice(None),) * ctx.dim + (slice(start, start + n),)])
            start += n
        return (None, *grads)


def _tensor_list(op: str, tensors: Sequence[Tensor]) -> list[Tensor]:
    """``tensors`` as a list, checked to hold only Tensors (as PyTorch: TypeError otherwise)."""
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a list or tuple of Tensors, not "
                        f"{type(tensors).__name__}; wrap it: {op}([t1, t2])")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got {type(t).__name__}; "
                            "convert numbers and lists with learntorch.tensor(...) first")
    return list(tensors)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing ``dim``; other sizes must match. Mixed dtypes promote (as
    PyTorch); mixed devices raise."""
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.dim() == 0:
            raise RuntimeError(f"cat(): zero-dimensional tensor (at position {i}) cannot be concatenated; "
                               "use stack, or unsqueeze(0) it first")
    tensors = as_operands("cat", *tensors)
    ref = tensors[0]
    d = ref._wrap_dim(dim)
    for i, t in enumerate(tensors):
        if t.dim() != ref.dim():
            raise RuntimeError(f"cat(): Tensors must have same number of dimensions: got {ref.dim()} and {t.dim()} "
                               f"(shapes {list(ref.shape)} and {list(t.shape)} for tensor number 0 and {i} "
                               "in the list); reshape or unsqueeze them first")
        if any(a != b for j, (a, b) in enumerate(zip(t._shape, ref._shape)) if j != d):
            raise RuntimeError(
                f"cat(): Sizes of tensors must match except in dimension {d}. Expected size "
                f"{list(ref.shape)} but got size {list(t.shape)} for tensor number {i} in the list.")
    return Cat.apply(d, *tensors)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shape tensors along a new ``dim``; mixed dtypes promote, as in ``cat``."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i}")
    tensors = as_operands("stack", *tensors)
    return Stack.apply(tensors[0]._wrap_dim(dim, tensors[0].dim() + 1), *tensors)


class Stack(Function):
    """Tensor ``i`` becomes slice ``i`` along the new dim; its gradient is that slice of ``g``."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        return Cat.forward(ctx, dim, *(t.unsqueeze(dim) for t in tensors))

    @staticmethod
    def backward(ctx, g):
        return (None, *(g[(slice(None),) * ctx.dim + (i,)] for i in range(len(ctx.sizes))))
