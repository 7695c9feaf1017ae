"""What the reduction kernels of both devices share: the fold of each reduction, its start value,
and the row loop of argmax/argmin.

A reduction folds its elements into an accumulator, ``acc = f(x, acc)``, with ``f`` one of the
zip ops of scalar_ops.py: ``sum`` adds, ``prod`` multiplies, ``max`` and ``min`` keep the larger or
smaller (and a NaN, as torch.max does). ``acc`` starts at ``reduce_init(op, dtype)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

REDUCE_OPS = {"sum": "add", "prod": "mul", "max": "maximum", "min": "minimum"}  # -> the op of BINARY_OPS
ARG_REDUCE_OPS = {"argmax": True, "argmin": False}  # -> whether the row's largest element wins


def reduce_init(op: str, dtype: np.dtype) -> Any:
    """The start value of reduction ``op``: 0, 1, or the lowest (max) or highest (min) value of dtype."""
    if op == "sum":
        return dtype.type(0)
    if op == "prod":
        return dtype.type(1)
    if dtype.kind == "f":
        return dtype.type(-np.inf if op == "max" else np.inf)
    if dtype.kind == "b":
        return dtype.type(op == "min")
    info = np.iinfo(dtype)
    return dtype.type(info.min if op == "max" else info.max)


def scan_init(op: str, dtype: np.dtype) -> Any:
    """The start value of scan ``op`` (sum or prod), in the accumulator's type: float64 for
    floating dtypes (as PyTorch's CPU cumsum), int64 for the others."""
    return (np.float64 if dtype.kind == "f" else np.int64)(0 if op == "sum" else 1)


def arg_reduce_row(a, base, size, stride, largest):
    """The index ``k`` of the first largest (or smallest) of ``a[base + k * stride]``, ``k < size``
    (``size >= 1``); the first NaN wins, as in torch."""
    best = a[base]
    best_k = 0
    for k in range(1, size):
        x = a[base + k * stride]
        if best != best:
            break
        if (x > best if largest else x < best) or x != x:
            best = x
            best_k = k
    return best_k
