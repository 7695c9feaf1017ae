"""The gradient an update rule starts from, shared by the optimizers written with tensor ops."""
from __future__ import annotations

from .._tensor import Tensor


def effective_grad(p: Tensor, grad: Tensor, weight_decay: float, maximize: bool) -> Tensor:
    """``grad`` negated when maximizing, plus ``weight_decay * p`` (L2 decay), as torch.optim does."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + p * weight_decay
    return grad
