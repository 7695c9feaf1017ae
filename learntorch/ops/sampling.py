"""``multinomial``: draw category indices from rows of non-negative weights.

With replacement each draw is independent: a uniform number ``u`` in ``[0, total)`` picks the
first category whose running sum of weights exceeds it (``searchsorted`` on the ``cumsum``).
Without replacement, a weighted sample of ``k`` distinct categories is the ``k`` largest keys
``log(u) / w`` (Efraimidis and Spirakis): a heavier weight pulls its key towards 0, and a zero
weight gives ``-inf``, so those are drawn only after every other category (as in PyTorch).

The draws come from learntorch's generator (NumPy's PCG64) on the host: reproducible with
``manual_seed``, not the numbers PyTorch draws.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype as dt
from .._creation import _wrap
from .._tensor import Tensor
from ..random import Generator, _rng


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    """``num_samples`` category indices (int64) per row of ``input`` (1-D or 2-D), each drawn with
    probability proportional to its weight; without ``replacement`` the indices of a row are distinct."""
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dim() not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim (got shape {list(input.shape)})")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype.name}")
    if num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples (got num_samples={num_samples})")
    weights = input.detach()._host_numpy().astype(np.float64).reshape(-1, input.shape[-1])
    categories = weights.shape[1]
    if not replacement and num_samples > categories:
        raise RuntimeError(f"cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                           f"({num_samples} > {categories})")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = weights.sum(1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng("multinomial", generator)
    u = rng.random((weights.shape[0], num_samples if replacement else categories))
    if replacement:
        running = np.cumsum(weights, 1)
        drawn = np.stack([np.searchsorted(row, ui * total, side="right")
                          for row, ui, total in zip(running, u, totals)])
        drawn = np.minimum(drawn, categories - 1)  # u * total rounded up to the total
    else:
        with np.errstate(divide="ignore"):
            keys = np.log(u) / weights
        drawn = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return _wrap(drawn.reshape(input.shape[:-1] + (num_samples,)), dt.int64, input.device)
