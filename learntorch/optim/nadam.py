"""``NAdam``: Adam with Nesterov momentum (Dozat, 2016), with a momentum-decay schedule."""
from __future__ import annotations

from typing import Any, Iterable

from .._creation import zeros_like
from .._tensor import Tensor
from ._grad import effective_grad
from .optimizer import Optimizer, check_betas, check_nonnegative


class NAdam(Optimizer):
    """Adam whose step looks ahead along the momentum. With ``mu_t = beta1 * (1 - 0.5 * 0.96**(t * psi))``
    (``psi = momentum_decay``) and ``mu_product`` the running product of the ``mu_t``::

        exp_avg    = beta1 * exp_avg + (1 - beta1) * g
        exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g**2
        denom      = sqrt(exp_avg_sq / (1 - beta2**t)) + eps
        p         -= lr * (1 - mu_t) / (1 - mu_product) * g / denom
        p         -= lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * exp_avg / denom

    ``decoupled_weight_decay=True`` shrinks ``p`` by ``lr * weight_decay`` instead of adding
    ``weight_decay * p`` to the gradient (NAdamW). Written with tensor ops (no fused kernel);
    ``foreach`` is accepted and changes nothing. ``state["step"]`` and ``state["mu_product"]``
    are Python numbers (PyTorch keeps 0-d tensors).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        check_nonnegative(("learning rate", lr), ("epsilon value", eps))
        check_betas(betas)
        check_nonnegative(("weight_decay value", weight_decay), ("momentum_decay value", momentum_decay))
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      foreach=foreach, maximize=maximize))

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, mu_product=1.0, exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))
        state["step"] += 1
        step, lr, wd = state["step"], group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if group["decoupled_weight_decay"] and wd != 0:
            p.mul_(1 - lr * wd)
            wd = 0.0
        grad = effective_grad(p, grad, wd, group["maximize"])
        psi = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        state["mu_product"] *= mu
        mu_product = state["mu_product"]
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.add_((grad - exp_avg) * (1 - beta1))
        exp_avg_sq.mul_(beta2).add_(grad * grad * (1 - beta2))
        denom = (exp_avg_sq / (1 - beta2 ** step)).sqrt() + group["eps"]
        p.add_(grad / denom * (-lr * (1.0 - mu) / (1.0 - mu_product)))
        p.add_(exp_avg / denom * (-lr * mu_next / (1.0 - mu_product * mu_next)))
