"""In-place ops (``add_``, ``mul_``, ``fill_``, ``copy_``, ``x[i] = v``) and the version counter.

Without autograd an in-place op writes into the tensor's storage and bumps its version.
When autograd must record it (the tensor or the other operand requires grad, grad mode is
on), the op is computed out of place from a clone and the result copied back; the tensor's
``grad_fn`` is then *rebased* onto the new node, as PyTorch does.
"""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled


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
    a._backend.copy_(a, result)
    a._bump_version()
    a.grad_fn, a._output_nr, a._requires_grad = result.grad_fn, result._output_nr, result._requires_grad
    return a


def _write(a: Tensor, result: Tensor, op: str) -> Tensor:
    if result._shape != a._shape:
        raise RuntimeError(f"{op}: output with shape {list(a.shape)} doesn't match the broadcast shape "
                           f"{list(result.shape)}")
    if result.dtype.category > a.dtype.category:
        raise RuntimeError(f"{op}: result type {result.dtype.name} can't be cast to the desired output "
                           f"type {a.dtype.name}; convert the tensor first (e.g. x = x.float())")
    a._backend.copy_(a, result)
    a._bump_version()
    return a


def inplace(a: Tensor, op: str, *args: Any) -> Tensor:
    """``a.<op>_(*args)``: compute ``op(a, *args)`` and store it in ``a``."""
    from .. import ops
    other_requires = any(isinstance(x, Tensor) and x.requires_grad for x in args)
    fn = getattr(ops, op)
    if check_inplace(op + "_", a, other_requires):
        return rebase_history(a, fn(a.clone(), *args))
    return _write(a, fn(a, *args), op + "_")


def fill_(a: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.dim()} dimensions.")
        value = value.item()
    if check_inplace("fill_", a):
        return rebase_history(a, a * 0 + value)
    a._backend.fill_(a, value)
    a._bump_version()
    return a


def copy_(a: Tensor, src: Any) -> Tensor:
    """Copy ``src`` (broadcast, cast and moved as needed) into ``a``."""
    from ._common import broadcast_shapes, expanded
    from .._creation import as_value_tensor
    src = as_value_tensor(src, a)
    shape = broadcast_shapes("copy_", a._shape, src._shape)
    if shape != a._shape:
        raise RuntimeError(f"copy_: the source of shape {list(src.shape)} can't be broadcast to the "
                           f"destination's shape {list(a.shape)}")
    if check_inplace("copy_", a, src.requires_grad):
        return rebase_history(a, src.to(a.dtype).expand(a._shape).clone())
    if src.device != a.device:
        src = src.to(a.device)
    a._backend.copy_(a, expanded(src.detach() if src.requires_grad else src, shape))
    a._bump_version()
    return a
