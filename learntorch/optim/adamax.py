"""``Adamax``: Adam with the infinity norm in place of the RMS of gradients."""
from __future__ import annotations

from typing import Any, Iterable

from .._creation import zeros_like
from .._tensor import Tensor
from ._grad import effective_grad
from .optimizer import Optimizer, check_betas, check_nonnegative


class Adamax(Optimizer):
    """Keeps a running mean of the gradient (``exp_avg``) and a decaying maximum of its size (``exp_inf``)::

        exp_avg = beta1 * exp_avg + (1 - beta1) * g
        exp_inf = max(beta2 * exp_inf, |g| + eps)
        p      -= lr / (1 - beta1**t) * exp_avg / exp_inf

    Written with tensor ops (no fused kernel). ``foreach`` is accepted for compatibility and
    changes nothing. ``state["step"]`` is a Python int (PyTorch keeps a 0-d tensor).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 foreach: bool | None = None, *, maximize: bool = False) -> None:
        check_nonnegative(("learning rate", lr), ("epsilon value", eps))
        check_betas(betas)
        check_nonnegative(("weight_decay value", weight_decay))
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize))

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, exp_avg=zeros_like(p), exp_inf=zeros_like(p))
        state["step"] += 1
        beta1, beta2 = group["betas"]
        grad = effective_grad(p, grad, group["weight_decay"], group["maximize"])
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg.add_((grad - exp_avg) * (1 - beta1))
        exp_inf.copy_((exp_inf * beta2).maximum(grad.abs() + group["eps"]))
        clr = group["lr"] / (1 - beta1 ** state["step"])
        p.add_(exp_avg / exp_inf * -clr)
