"""The scan kernel (``cumsum``, ``cumprod``) on the GPU: one thread per row of the last dim, a
running fold as on the CPU (cpu/scan.py)::

    for o in range(rows):                     # one GPU thread each
        acc = init                            # 0 or 1, float64 for floats, int64 for ints
        for k in range(n):
            acc = fold(a[row o][k], acc)
            out[o, k] = acc

Simple rather than fast: a long row is one thread's serial loop (a parallel prefix sum would
split it over a block).
"""
from __future__ import annotations

from functools import cache

from numba import cuda

from ..common.reduce import REDUCE_OPS
from ..common.scalar_ops import BINARY_OPS
from .elementwise import device_function, storage_index


@cache
def scan_kernel(name: str):
    """``out[o, k] = fold of a[o, :k+1]`` with the fold of reduction ``name`` (sum or prod)."""
    fold = device_function(BINARY_OPS[REDUCE_OPS[name]])

    @cuda.jit
    def scan_loop(out, a, a_off, kept_shape, kept_strides, n, stride, init):
        for o in range(cuda.grid(1), out.shape[0], cuda.gridsize(1)):
            base = storage_index(o, kept_shape, kept_strides, a_off)
            acc = init
            for k in range(n):
                acc = fold(a[base + k * stride], acc)
                out[o, k] = acc

    return scan_loop
