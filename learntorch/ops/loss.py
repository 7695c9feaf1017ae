"""``nll_loss`` as one Function (``NllLossBackward0``): pick each row's target log-probability,
weight it, reduce. Its backward scatters the weights back into a (M, C) gradient."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from .indexing import Gather, ScatterAdd


class NllLoss(Function):
    """loss[m] = -w[m] * logp[m, target[m]] for logp (M, C); ``positions`` = m * C + target[m].

    'sum' adds the losses, 'mean' divides that sum by sum(w), 'none' keeps the (M,) vector."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, logp, positions, w, reduction):
        ctx.save_for_backward(w)
        ctx.positions, ctx.shape, ctx.reduction = positions, logp._shape, reduction
        loss = -(Gather.apply(logp, positions) * w)
        if reduction == "none":
            return loss
        return loss.sum() / w.sum() if reduction == "mean" else loss.sum()

    @staticmethod
    def backward(ctx, g):
        w, = ctx.saved_tensors
        coef = -g * w if ctx.reduction != "mean" else -g * w / w.sum()
        return ScatterAdd.apply(coef, ctx.positions, ctx.shape), None, None, None


def nll_loss_rows(logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
                  reduction: str) -> Tensor:
    """NLL of logp (M, C) at class indices target (M,), int64; rows whose target is ignore_index
    get weight 0. Raises IndexError naming the first out-of-range class index."""
    m, n_classes = logp._shape
    t = target._host_numpy().reshape(-1)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad][0]} is out of bounds: class indices must be in [0, {n_classes - 1}] "
                         f"for an input with {n_classes} classes")
    safe = np.where(valid, t, 0)
    from .._creation import tensor
    mask = tensor(valid, dtype=logp.dtype, device=logp.device)
    w = mask if weight is None else weight[safe] * mask
    return NllLoss.apply(logp, np.arange(m, dtype=np.int64) * n_classes + safe, w, reduction)
