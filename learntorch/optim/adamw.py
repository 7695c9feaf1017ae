"""``AdamW``: Adam with decoupled weight decay."""
from __future__ import annotations

from typing import Iterable

from .._tensor import Tensor
from .adam import Adam


class AdamW(Adam):
    """Adam, but weight decay shrinks the parameter directly, ``p *= 1 - lr * weight_decay``,
    instead of entering the gradient (and so the moment estimates). Default ``weight_decay=1e-2``.
    One fused kernel call per parameter; NaN gradients propagate, as in PyTorch.
    """

    _decoupled = True

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
