"""``RMSprop``: divide the gradient by a running root mean square of recent gradients."""
from __future__ import annotations

from typing import Any, Iterable

from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import Optimizer, check_nonnegative


class RMSprop(Optimizer):
    """``square_avg = alpha * square_avg + (1 - alpha) * g**2``, then ``p -= lr * g / (sqrt(square_avg) + eps)``.

    ``centered`` subtracts the square of the running mean gradient (``grad_avg``) under the root;
    ``momentum`` accumulates the scaled steps in ``momentum_buffer``. One fused kernel call per
    parameter (``backend.rmsprop_step_``); ``state["step"]`` is a Python int. NaN gradients
    propagate into the parameters, as in PyTorch; no check is made.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        check_nonnegative(("learning rate", lr), ("epsilon value", eps), ("momentum value", momentum),
                          ("weight_decay value", weight_decay), ("alpha value", alpha))
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered))

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, square_avg=zeros_like(p))
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = zeros_like(p)
        state["step"] += 1
        grad_avg = state["grad_avg"]._array if group["centered"] else None
        buf = state["momentum_buffer"]._array if group["momentum"] > 0 else None
        p._backend.rmsprop_step_(p._array, grad._array, state["square_avg"]._array, grad_avg, buf, group["lr"],
                                 group["alpha"], group["eps"], group["weight_decay"], group["momentum"],
                                 group["centered"])
