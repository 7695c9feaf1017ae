"""``Adadelta``: per-coordinate steps scaled by running RMS of gradients and of past updates."""
from __future__ import annotations

from typing import Any, Iterable

from .._creation import zeros_like
from .._tensor import Tensor
from ._grad import effective_grad
from .optimizer import Optimizer, check_nonnegative


class Adadelta(Optimizer):
    """Keeps running means of the squared gradient (``square_avg``) and squared update (``acc_delta``)::

        square_avg = rho * square_avg + (1 - rho) * g**2
        delta      = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
        acc_delta  = rho * acc_delta + (1 - rho) * delta**2
        p         -= lr * delta

    Written with tensor ops (no fused kernel). ``foreach`` is accepted for compatibility and
    changes nothing. ``state["step"]`` is a Python int (PyTorch keeps a 0-d tensor).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0.0, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        check_nonnegative(("learning rate", lr))
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(("epsilon value", eps), ("weight_decay value", weight_decay))
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize))

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, square_avg=zeros_like(p), acc_delta=zeros_like(p))
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        grad = effective_grad(p, grad, group["weight_decay"], group["maximize"])
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg.mul_(rho).add_(grad * grad * (1 - rho))
        delta = (acc_delta + eps).sqrt() / (square_avg + eps).sqrt() * grad
        acc_delta.mul_(rho).add_(delta * delta * (1 - rho))
        p.add_(delta, alpha=-group["lr"])
