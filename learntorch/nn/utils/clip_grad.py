"""Gradient clipping: ``clip_grad_norm_`` (rescale all gradients so their joint norm is at most
``max_norm``), ``clip_grad_value_`` (clamp each entry), and the two halves of the first one,
``get_total_norm`` and ``clip_grads_with_norm_``, as ``torch.nn.utils.clip_grad``.

``foreach`` is accepted for compatibility: learntorch has no multi-tensor kernels, so every
gradient is handled in turn whatever its value.
"""
from __future__ import annotations

import math
import types
import warnings
from typing import Iterable, Union

from ..._creation import tensor
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops import stack

TensorOrTensors = Union[Tensor, Iterable[Tensor]]


def _vector_norm(x: Tensor, ord: float) -> Tensor:
    """The ``ord``-norm of all of ``x``'s entries as one vector (a 0-d tensor of ``x``'s dtype)."""
    if ord == math.inf:
        return x.abs().max()
    if ord == -math.inf:
        return x.abs().min()
    if ord == 0:
        return (x != 0).sum().to(x.dtype)
    if ord == 1:
        return x.abs().sum()
    if ord == 2:
        return (x * x).sum().sqrt()
    return (x.abs() ** ord).sum() ** (1.0 / ord)


@no_grad()
def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of the norms of ``tensors``: their joint norm, as if concatenated
    (``float('inf')`` gives the largest absolute entry). 0-d tensor; ``tensor(0.)`` for no tensors."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    first_device = tensors[0].device
    norms = [_vector_norm(t, norm_type).to(first_device) for t in tensors]
    total_norm = _vector_norm(stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total_norm.item()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return total_norm


@no_grad()
def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale every ``p.grad`` in place by ``min(1, max_norm / (total_norm + 1e-6))``."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    clip_coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(clip_coef.to(g.device))


@no_grad()
def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients of ``parameters`` in place so that their joint ``norm_type``-norm is at
    most ``max_norm``; returns the norm they had before (a 0-d tensor). Parameters without a
    gradient are skipped. ``error_if_nonfinite=True`` raises on a NaN or infinite norm."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


@no_grad()
def clip_grad_value_(parameters: TensorOrTensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient entry of ``parameters`` into ``[-clip_value, clip_value]``, in place."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
