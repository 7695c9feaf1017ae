"""``SGD``: stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from typing import Any, Iterable

from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import Optimizer, check_nonnegative


class SGD(Optimizer):
    """``p -= lr * g``, where ``g`` is the gradient plus ``weight_decay * p``, smoothed by momentum.

    With momentum, ``buf = momentum * buf + (1 - dampening) * g`` (``buf = g`` on the first step),
    then ``g = buf``, or ``g + momentum * buf`` with ``nesterov``. Each parameter is updated by one
    fused kernel call (``backend.sgd_step_``). NaN gradients propagate into the parameters, as in
    PyTorch; no check is made.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        check_nonnegative(("learning rate", lr), ("momentum value", momentum), ("weight_decay value", weight_decay))
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov))

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        momentum = group["momentum"]
        first_step = momentum != 0 and "momentum_buffer" not in state
        if first_step:
            state["momentum_buffer"] = zeros_like(p)
        buf = state["momentum_buffer"]._array if momentum != 0 else None
        p._backend.sgd_step_(p._array, grad._array, buf, group["lr"], momentum, group["dampening"], group["nesterov"],
                             group["weight_decay"], first_step)
