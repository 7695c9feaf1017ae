"""The scan kernel (``cumsum``, ``cumprod``): a running fold along each row of the last dim::

    for o in range(rows):                     # parallel over rows
        acc = init                            # 0 for sum, 1 for prod
        for k in range(n):
            acc = fold(a[row o][k], acc)      # add or mul of scalar_ops.py
            out[o, k] = acc

``acc`` has the type of ``init``: float64 for floating tensors (as PyTorch's CPU cumsum
accumulates), int64 for integers; each result is rounded to the output's dtype as it is stored.
"""
from __future__ import annotations

from functools import cache

from numba import prange

from ..common.reduce import REDUCE_OPS
from .build import compile_kernel
from .reduce import fold, kept_offset


@cache
def scan_kernel(name: str, parallel: bool = True):
    """``out[o, k] = fold of a[o, :k+1]`` with the fold of reduction ``name`` (sum or prod)."""
    op = REDUCE_OPS[name]

    def scan_loop(out, a, a_off, kept_shape, kept_strides, n, stride, init):
        for o in prange(out.shape[0]):
            base = kept_offset(o, kept_shape, kept_strides, a_off)
            acc = init
            for k in range(n):
                acc = fold(op, acc, a[base + k * stride])
                out[o, k] = acc

    return compile_kernel(scan_loop, parallel)
