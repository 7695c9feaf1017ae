"""In-place ops (``add_``, ``mul_``, ``fill_``, ``copy_``, ``x[i] = v``) and the version counter.

Without autograd an in-place op writes into the tensor's storage and bumps its version.
When autograd must record it (the tensor or the other operand requires grad, grad mode is
on), the op is computed out of place from a clone and the result copied back; the tensor's
``grad_fn`` is then *rebased* onto the new node, as PyTorch does.

Deviation from PyTorch: views taken of the tensor *before* such a recorded in-place op keep
their old ``grad_fn``; using one in a recorded op (or backward from it) raises a RuntimeError,
where PyTorch regenerates the view's ``grad_fn`` (``AsStridedBackward0``). Take the
view again after the in-place op. In-place updates under ``no_grad`` (optimizer steps) rewrite
no history, so views of a parameter stay usable.
"""
from __future__ import annotations

from numbers import Number
from typing import Any

from .. import _dtype as dt
from .._creation import as_value_tensor, full, zeros_like
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from . import elementwise
from ._common import broadcast_shapes, operand, sum_to


def check_no_overlap(op: str, a: Tensor) -> None:
    """Refuse to write into a tensor whose elements share memory (an ``expand``-ed view)."""
    if any(stride == 0 and size > 1 for size, stride in zip(a._shape, a._strides)):
        raise RuntimeError(
            f"unsupported operation ({op}): more than one element of the written-to tensor refers to a "
            f"single memory location (shape {list(a.shape)}, strides {list(a._strides)}). Please clone() "
            "the tensor before performing the operation.")


def check_inplace(op: str, a: Tensor, other_requires_grad: bool = False) -> bool:
    """Whether autograd must record this in-place op on ``a``; raise where it can't."""
    if op != "setitem":  # x[key] = v checks the region it writes (see indexing.assign)
        check_no_overlap(op, a)
    if not is_grad_enabled() or not (a.requires_grad or other_requires_grad):
        return False
    if a.is_leaf and a.requires_grad:
        raise RuntimeError(
            f"a leaf Variable that requires grad is being used in an in-place operation ({op}). "
            "Wrap the update in `with learntorch.no_grad():` (as optimizers do), or use an out-of-place op.")
    if a._base is not None:
        raise RuntimeError(
            f"{op}: learntorch does not record in-place operations on views of tensors that require grad "
            "(PyTorch does, through CopySlices). Use the out-of-place form, or clone() the view first.")
    return True


def rebase_history(a: Tensor, result: Tensor) -> Tensor:
    """Copy ``result`` into ``a``'s storage and make ``a`` the output of ``result``'s node."""
    a._backend.copy_(a._array, result._array)
    a._bump_version()
    a._version_counter.rewrites += 1  # views taken before now describe the old history
    a._view_rewrites = a._version_counter.rewrites
    a.grad_fn, a._output_nr, a._requires_grad = result.grad_fn, result._output_nr, result._requires_grad
    return a


def _write(a: Tensor, result: Tensor, op: str) -> Tensor:
    if result._shape != a._shape:
        raise RuntimeError(f"{op}: output with shape {list(a.shape)} doesn't match the broadcast shape "
                           f"{list(result.shape)}")
    if result.dtype.category > a.dtype.category:
        raise RuntimeError(f"{op}: result type {result.dtype.name} can't be cast to the desired output "
                           f"type {a.dtype.name}; convert the tensor first (e.g. x = x.float())")
    a._backend.copy_(a._array, result._array)
    a._bump_version()
    return a


def inplace(a: Tensor, op: Any, *args: Any) -> Tensor:
    """``a.<op>_(*args)``: compute ``op(a, *args)`` and store it in ``a``; ``op`` names an
    elementwise op or is an out-of-place function (``ops.scatter``, ``ops.masked_fill``)."""
    other_requires = any(isinstance(x, Tensor) and x.requires_grad for x in args)
    fn = op if callable(op) else getattr(elementwise, op)
    name = (op.__name__ if callable(op) else op) + "_"
    if check_inplace(name, a, other_requires):
        return rebase_history(a, fn(a.clone(), *args))
    return _write(a, fn(a, *args), name)


class Fill(Function):
    """``a.fill_(number)`` recorded out of place: every element becomes the value, so ``a``'s old
    value gets a zero gradient. Nothing is saved, so later writes into ``a`` don't break backward."""

    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx: Any, a: Tensor, value: Any) -> Tensor:
        return full(a._shape, value.item() if isinstance(value, Tensor) else value, dtype=a._dtype,
                    device=a._device)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        return zeros_like(g) if ctx.needs_input_grad[0] else None, None


class FillWithTensor(Fill):
    """``a.fill_(v)`` with a 0-d tensor ``v``: ``v`` receives the sum of the gradient."""

    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx: Any, a: Tensor, value: Tensor) -> Tensor:
        ctx.value_meta = (value._dtype, value._device)
        return Fill.forward(ctx, a, value)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        grad_a, _ = Fill.backward(ctx, g)
        if not ctx.needs_input_grad[1]:
            return grad_a, None
        dtype, device = ctx.value_meta
        return grad_a, g.sum().to(dtype).to(device)


class Zero(Fill):
    """``a.zero_()`` recorded out of place."""

    node_name = "ZeroBackward0"

    @staticmethod
    def forward(ctx: Any, a: Tensor) -> Tensor:
        return Fill.forward(ctx, a, 0)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Tensor:
        return Fill.backward(ctx, g)[0]


class Copy(Function):
    """``a.copy_(src)`` recorded out of place: ``a``'s old value gets a zero gradient; ``src`` gets
    the gradient summed back to its shape, in its dtype and on its device."""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx: Any, a: Tensor, src: Tensor) -> Tensor:
        ctx.src_meta = (src._shape, src._dtype, src._device)
        return src.to(a._device).to(a._dtype).expand(a._shape).clone()

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple:
        shape, dtype, device = ctx.src_meta
        grad_a = zeros_like(g) if ctx.needs_input_grad[0] else None
        grad_src = sum_to(g, shape).to(dtype).to(device) if ctx.needs_input_grad[1] else None
        return grad_a, grad_src


def _fill_value(value: Any) -> Any:
    """Check ``fill_``'s value: a Python number or a 0-d tensor."""
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        return value
    if not isinstance(value, Number):
        raise TypeError(f"fill_(): argument 'value' must be a number or a 0-dimensional tensor, not "
                        f"{type(value).__name__}")
    return value


def fill_(a: Tensor, value: Any) -> Tensor:
    """Set every element of ``a`` to ``value`` (a number or a 0-d tensor)."""
    value = _fill_value(value)
    value_is_tensor = isinstance(value, Tensor)
    if check_inplace("fill_", a, value_is_tensor and value.requires_grad):
        fill = FillWithTensor if value_is_tensor else Fill
        return rebase_history(a, fill.apply(a, value))
    a._backend.fill_(a._array, dt.wrap_scalar(value.item(), a.dtype) if value_is_tensor
                     else dt.cast_value("fill_", value, a.dtype))
    a._bump_version()
    return a


def zero_(a: Tensor) -> Tensor:
    """Set every element of ``a`` to zero."""
    if check_inplace("zero_", a):
        return rebase_history(a, Zero.apply(a))
    a._backend.fill_(a._array, 0)
    a._bump_version()
    return a


def copy_(a: Tensor, src: Any) -> Tensor:
    """Copy ``src`` (broadcast, cast and moved as needed) into ``a``."""
    if not isinstance(src, Tensor):
        src = as_value_tensor(src, a)
    shape = broadcast_shapes("copy_", a._shape, src._shape)
    if shape != a._shape:
        raise RuntimeError(f"copy_: the source of shape {list(src.shape)} can't be broadcast to the "
                           f"destination's shape {list(a.shape)}")
    if check_inplace("copy_", a, src.requires_grad):
        return rebase_history(a, Copy.apply(a, src))
    src = src.detach() if src.requires_grad else src
    if src.device != a.device:
        src = src.to(a.device)
    a._backend.copy_(a._array, operand(src if src.dtype is a.dtype else src.to(a.dtype), shape))
    a._bump_version()
    return a
