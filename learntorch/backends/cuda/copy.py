"""Data-movement kernels on the GPU: strided copy (with cast), fill, gather, scatter_add, scatter.

One thread per element, in grid-stride loops (see _launch.py)::

    copy:         for i in range(numel): dst[index(dst, i)] = src[index(src, i)]
    fill:         for i in range(numel): dst[index(dst, i)] = value
    gather:       for i in range(len(pos)): out[i] = src[pos[i]]
    scatter_add:  for i in range(len(pos)): out[pos[i]] += src[i]
    scatter:      for i in range(len(pos)): out[pos[i]] = src[i]

``scatter_add`` runs its iterations at the same time, and two of them may hit the same
position (``x[[0, 0]]``'s backward): a plain ``out[p] += v`` would then lose one of the adds
(both threads read the old value). ``cuda.atomic.add`` makes each read-add-write one
indivisible step. ``scatter`` with repeated positions keeps one of the writes, unspecified
which (PyTorch says the same of CUDA index_put_).
"""
from __future__ import annotations

from numba import cuda

from .elementwise import storage_index


@cuda.jit
def copy_loop(numel, shape, dst, d_off, d_strides, src, s_off, s_strides):
    """``dst[index(dst, i)] = src[index(src, i)]`` for every element of ``shape``."""
    for i in range(cuda.grid(1), numel, cuda.gridsize(1)):
        dst[storage_index(i, shape, d_strides, d_off)] = src[storage_index(i, shape, s_strides, s_off)]


@cuda.jit
def fill_loop(numel, shape, dst, d_off, d_strides, value):
    """``dst[index(dst, i)] = value`` for every element of ``shape``."""
    for i in range(cuda.grid(1), numel, cuda.gridsize(1)):
        dst[storage_index(i, shape, d_strides, d_off)] = value


@cuda.jit
def gather_loop(out, src, src_off, pos):
    """``out[i] = src[src_off + pos[i]]``."""
    for i in range(cuda.grid(1), pos.size, cuda.gridsize(1)):
        out[i] = src[src_off + pos[i]]


@cuda.jit
def scatter_add_loop(out, src, src_off, pos):
    """``out[pos[i]] += src[src_off + i]``, atomically, because positions may repeat."""
    for i in range(cuda.grid(1), pos.size, cuda.gridsize(1)):
        cuda.atomic.add(out, pos[i], src[src_off + i])


@cuda.jit
def scatter_loop(out, src, src_off, pos):
    """``out[pos[i]] = src[src_off + i]``."""
    for i in range(cuda.grid(1), pos.size, cuda.gridsize(1)):
        out[pos[i]] = src[src_off + i]
