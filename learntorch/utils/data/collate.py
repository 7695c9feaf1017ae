"""``default_collate``: merge a list of samples into one batch, as PyTorch does.

Tensors are stacked along a new first dimension; NumPy arrays become tensors, then are stacked;
Python floats become a float64 tensor, ints int64, bools bool; strings stay a list; tuples
and lists are transposed (a list of tuples becomes a list of batches); dicts collate by key.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ... import _dtype as dt
from ..._creation import tensor
from ..._tensor import Tensor
from ...ops import stack


def default_collate(batch: list[Any]) -> Any:
    """One batch from a list of samples of the same structure."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "biuf":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                            f"lists; found a numpy array of dtype {elem.dtype}")
        return tensor(np.stack(batch))
    if isinstance(elem, (bool, np.bool_)):
        return tensor(batch, dtype=dt.bool_)
    if isinstance(elem, float):
        return tensor(batch, dtype=dt.float64)
    if isinstance(elem, (int, np.number)):
        return tensor(np.array(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(samples)) for samples in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem).__name__}")
