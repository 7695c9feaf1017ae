"""``Adam``: adaptive moment estimation (with L2 weight decay and the AMSGrad variant)."""
from __future__ import annotations

from typing import Any, Iterable

from .._creation import zeros_like
from .._tensor import Tensor
from .optimizer import Optimizer, check_betas, check_nonnegative


class Adam(Optimizer):
    """Keeps running means of the gradient (``exp_avg``) and its square (``exp_avg_sq``), and steps

        p -= lr / (1 - beta1**t) * exp_avg / (sqrt(exp_avg_sq) / sqrt(1 - beta2**t) + eps)

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2; see AdamW for the decoupled
    form); ``amsgrad`` uses the running maximum of ``exp_avg_sq``. One fused kernel call per
    parameter (``backend.adam_step_``). ``state["step"]`` is a Python int (PyTorch keeps a 0-d
    tensor). NaN gradients propagate into the parameters, as in PyTorch; no check is made.
    """

    _decoupled = False

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False) -> None:
        check_nonnegative(("learning rate", lr), ("epsilon value", eps), ("weight_decay value", weight_decay))
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, exp_avg=zeros_like(p), exp_avg_sq=zeros_like(p))
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros_like(p)
        state["step"] += 1
        beta1, beta2 = group["betas"]
        max_sq = state["max_exp_avg_sq"]._array if "max_exp_avg_sq" in state else None
        p._backend.adam_step_(p._array, grad._array, state["exp_avg"]._array, state["exp_avg_sq"]._array, max_sq,
                              group["lr"], beta1, beta2, group["eps"], group["weight_decay"], self._decoupled,
                              group["amsgrad"], state["step"])
