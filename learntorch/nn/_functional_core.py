"""The two ``nn.functional`` primitives that other functional modules build on: ``linear`` and ``dropout``.

``functional.py`` re-exports them; ``_functional_attention.py`` uses them without importing
``functional`` (which imports the attention functions), so no import circle forms.
"""
from __future__ import annotations

from typing import Sequence

from .._tensor import Tensor
from ..random import rand


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: input (*, in), weight (out, in), bias (out,) -> (*, out)."""
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.name} and "
                           f"{weight.dtype.name}: convert the input (x.to({weight.dtype!r})) or the layer")
    if input.dim() <= 2:
        out = input @ weight.t()
    else:  # one matrix product over all leading dims, reported as PyTorch does: (N*T x in)
        out = (input.reshape(-1, input.shape[-1]) @ weight.t()).reshape(*input.shape[:-1], weight.shape[0])
    return out if bias is None else out + bias


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); identity when not training."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    mask = _dropout_mask(input, input.shape, p)
    return input.mul_(mask) if inplace else input * mask


def _dropout_mask(input: Tensor, shape: Sequence[int], p: float) -> Tensor:
    """0 with probability p, else 1/(1-p); of ``shape`` (broadcast against ``input``)."""
    keep = rand(*shape, dtype=input.dtype, device=input.device) < (1.0 - p)
    return keep.to(input.dtype) * (1.0 / (1.0 - p)) if p < 1.0 else keep.to(input.dtype)
