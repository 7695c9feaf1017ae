"""The sort kernel on the GPU: one thread per row of the last dim, each running the stable merge
sort of backends/common/sort.py (the CPU runs the same function, one row per core)::

    for o in range(rows):                     # one GPU thread each
        idx = sort_row(a, row o)              # positions of the row in sorted order
        indices[o, :] = idx
        values[o, :] = a[row o][idx]

The merge sort's scratch is a global array of the rows' size (a thread has no room of its own for
a row). Simple rather than fast: a row is sorted by one thread, so a few long rows leave most of
the GPU idle (PyTorch sorts a row with a whole block, by a bitonic or radix sort).
"""
from __future__ import annotations

from numba import cuda

from ..common import sort as common
from .elementwise import storage_index

sort_row = cuda.jit(device=True)(common.sort_row)


@cuda.jit
def sort_loop(values, indices, scratch, a, a_off, kept_shape, kept_strides, n, stride, descending):
    """``values[o]``, ``indices[o]``: row ``o`` of ``a`` (``n`` elements ``stride`` apart) sorted."""
    for o in range(cuda.grid(1), values.shape[0], cuda.gridsize(1)):
        base = storage_index(o, kept_shape, kept_strides, a_off)
        idx = indices[o]
        sort_row(a, base, n, stride, descending, idx, scratch[o])
        for k in range(n):
            values[o, k] = a[base + idx[k] * stride]
