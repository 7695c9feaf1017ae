"""Helpers shared by the distributions: broadcasting parameters, lazily derived parameters, and the
conversions between probabilities and logits, as ``torch.distributions.utils``."""
from __future__ import annotations

from numbers import Number
from typing import Any, Callable

import numpy as np

from .. import _dtype as dt
from .._creation import tensor
from .._tensor import Size, Tensor


def broadcast_shape(*shapes: tuple[int, ...]) -> Size:
    """The shape all ``shapes`` broadcast to, or a ValueError naming them."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(-ndim, 0):
        sizes = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(sizes) > 1:
            raise ValueError(f"shapes {[tuple(s) for s in shapes]} are not broadcastable (dim {i} has sizes "
                             f"{sorted(sizes)})")
        out.append(sizes.pop() if sizes else 1)
    return Size(out)


def broadcast_all(*values: Tensor | Number) -> tuple[Tensor, ...]:
    """Tensors of one broadcast shape: numbers become tensors of the first tensor's dtype and device
    (the default dtype when all are numbers), and tensors are expanded (views, gradients flow)."""
    if not all(isinstance(v, (Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects implementing "
                         "__torch_function__.")
    first = next((v for v in values if isinstance(v, Tensor)), None)
    dtype = first.dtype if first is not None else dt.get_default_dtype()
    device = first.device if first is not None else None
    values = tuple(v if isinstance(v, Tensor) else tensor(v, dtype=dtype, device=device) for v in values)
    shape = broadcast_shape(*(v.shape for v in values))
    return tuple(v if v.shape == shape else v.expand(*shape) for v in values)


class lazy_property:
    """A property computed on first access and then stored on the instance (so ``probs`` given at
    construction and ``logits`` derived from it on demand, or the other way round)."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.fn(instance)
        setattr(instance, self.fn.__name__, value)
        return value


def clamp_probs(probs: Tensor) -> Tensor:
    """``probs`` clamped into ``[eps, 1 - eps]`` (``eps`` the dtype's machine epsilon)."""
    eps = float(np.finfo(probs.dtype.np).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-probabilities (``is_binary``: log-odds ``log p - log(1 - p)``) of clamped ``probs``."""
    p = clamp_probs(probs)
    return p.log() - (1 - p).log() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """``sigmoid(logits)`` (``is_binary``) or ``softmax(logits, -1)``."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)
