"""``Adagrad``: per-element learning rates from the sum of all past squared gradients."""
from __future__ import annotations

from typing import Any, Iterable

from .._creation import full_like
from .._tensor import Tensor
from .optimizer import Optimizer, check_nonnegative


class Adagrad(Optimizer):
    """``sum += g**2``, then ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)``.

    ``sum`` starts at ``initial_accumulator_value``; the state is created for every parameter up
    front, as in PyTorch. One fused kernel call per parameter (``backend.adagrad_step_``);
    ``state["step"]`` is a Python int. NaN gradients propagate, as in PyTorch; no check is made.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> None:
        check_nonnegative(("learning rate", lr), ("lr_decay value", lr_decay), ("weight_decay value", weight_decay),
                          ("initial_accumulator_value value", initial_accumulator_value), ("epsilon value", eps))
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value))

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self.state[p] = {"step": 0, "sum": full_like(p, group["initial_accumulator_value"])}

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        state["step"] += 1
        p._backend.adagrad_step_(p._array, grad._array, state["sum"]._array, group["lr"], group["lr_decay"], group["weight_decay"],
                                 group["eps"], state["step"])
