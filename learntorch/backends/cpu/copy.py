"""Data-movement kernels: strided copy (with cast), fill, and the gather/scatter pair behind
advanced indexing.

``copy_loop`` writes into a strided destination, which is what ``Tensor.copy_`` and
``x[...] = value`` need::

    for i in range(numel): dst[index(dst, i)] = src[index(src, i)]

(Reading a strided tensor into a fresh contiguous one is the ``identity`` map in elementwise.py.)
Indexing with integer tensors or masks turns the index into a list of flat positions
``pos`` (see ops/indexing.py); then::

    gather:       for i in range(len(pos)): out[i] = src[pos[i]]
    scatter_add:  for i in range(len(pos)): out[pos[i]] += src[i]      (indexing's backward)
    scatter:      for i in range(len(pos)): out[pos[i]] = src[i]       (x[idx] = value)

``copy_loop``, ``fill_loop`` and ``gather_loop`` are compiled by ``build.compile_kernel(loop,
parallel)``, on one thread or many; the scatters run on one thread.
"""
from __future__ import annotations

from numba import njit, prange

from .elementwise import row_offset


@njit(inline="always")
def rows_of(shape):
    """``(n, inner, rows)``: the last dim, its length and the number of rows (the other dims)."""
    n = shape.size - 1
    rows = 1
    for d in range(n):
        rows *= shape[d]
    return n, shape[n], rows


def copy_loop(shape, dst, d_off, d_strides, src, s_off, s_strides):
    """``dst[index(dst, i)] = src[index(src, i)]`` for every element of ``shape``."""
    n, inner, rows = rows_of(shape)
    for r in prange(rows):
        i_d = row_offset(r, shape, d_strides, d_off)
        i_s = row_offset(r, shape, s_strides, s_off)
        for j in range(inner):
            dst[i_d + j * d_strides[n]] = src[i_s + j * s_strides[n]]


def fill_loop(shape, dst, d_off, d_strides, value):
    """``dst[index(dst, i)] = value`` for every element of ``shape``."""
    n, inner, rows = rows_of(shape)
    for r in prange(rows):
        i_d = row_offset(r, shape, d_strides, d_off)
        for j in range(inner):
            dst[i_d + j * d_strides[n]] = value


def gather_loop(out, src, pos):
    """``out[i] = src[pos[i]]``."""
    for i in prange(pos.size):
        out[i] = src[pos[i]]


@njit(cache=True)
def scatter_add_loop(out, src, pos):
    """``out[pos[i]] += src[i]``; serial, because positions may repeat."""
    for i in range(pos.size):
        out[pos[i]] += src[i]


@njit(cache=True)
def scatter_loop(out, src, pos):
    """``out[pos[i]] = src[i]``; with repeated positions the last write wins."""
    for i in range(pos.size):
        out[pos[i]] = src[i]
