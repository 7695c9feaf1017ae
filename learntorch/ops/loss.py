"""``nll_loss`` as one Function (``NllLossBackward0``): pick each row's target log-probability,
weight it, reduce. Its backward scatters the weights back into a (M, C) gradient."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .._creation import arange, tensor
from .._tensor import Tensor
from ..autograd.function import Function
from .elementwise import where
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
    if target.device.type != "cpu":
        return NllLoss.apply(logp, *_device_positions(logp, target, weight, ignore_index), reduction)
    t = target._host_numpy().reshape(-1)
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad][0]} is out of bounds: class indices must be in [0, {n_classes - 1}] "
                         f"for an input with {n_classes} classes")
    safe = np.where(valid, t, 0)
    mask = tensor(valid, dtype=logp.dtype, device=logp.device)
    w = mask if weight is None else weight[safe] * mask
    return NllLoss.apply(logp, np.arange(m, dtype=np.int64) * n_classes + safe, w, reduction)


def _device_positions(logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int) -> tuple:
    """(positions, w) as above for tensors on a GPU, computed there with tensor ops: the targets
    never travel to the host, except for one bool (``.item()``) saying whether one is out of range."""
    m, n_classes = logp._shape
    valid = target != ignore_index
    if (valid & ((target < 0) | (target >= n_classes))).any().item():
        t = target.cpu().numpy()
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
        raise IndexError(f"Target {t[bad][0]} is out of bounds: class indices must be in [0, {n_classes - 1}] "
                         f"for an input with {n_classes} classes")
    safe = where(valid, target, 0)
    mask = valid.to(logp.dtype)
    w = mask if weight is None else Gather.apply(weight, safe) * mask
    return _row_starts(m, n_classes, logp.device) + safe, w


@lru_cache(maxsize=16)
def _row_starts(m: int, n_classes: int, device: Any) -> Tensor:
    """``[0, C, 2C, ...]`` (M,) int64 on ``device``: copied over once per batch size, then reused."""
    return arange(0, m * n_classes, n_classes, device=device)
