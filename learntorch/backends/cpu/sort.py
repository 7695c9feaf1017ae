"""The sort kernel: each row of the last dim sorted, values and positions, by the stable merge
sort of backends/common/sort.py. As plain Python::

    for o in range(rows):                     # parallel over rows
        idx = sort_row(a, row o)              # the positions k of the row, in sorted order
        indices[o, :] = idx
        values[o, :] = a[row o][idx]

Each row sorts on its own thread with its own scratch; the ops layer moves the sorted dim last
(a view) before calling it, so ``sort(dim=0)`` and ``topk`` need nothing else.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..common import sort as common
from .reduce import kept_offset

sort_row = njit(inline="always")(common.sort_row)


def sort_loop(values, indices, a, a_off, kept_shape, kept_strides, n, stride, descending):
    """``values[o]``, ``indices[o]``: row ``o`` of ``a`` (``n`` elements ``stride`` apart) sorted."""
    for o in prange(values.shape[0]):
        base = kept_offset(o, kept_shape, kept_strides, a_off)
        idx = indices[o]
        sort_row(a, base, n, stride, descending, idx, np.empty(n, np.int64))
        for k in range(n):
            values[o, k] = a[base + idx[k] * stride]
