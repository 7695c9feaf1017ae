"""Elementwise CUDA kernels: ``map`` (unary), ``zip`` (binary, broadcast) and ``where``.

Each GPU thread computes whole output elements. Written as plain Python, with
``index(t, i)`` the storage position of element ``i`` of a strided, broadcast tensor::

    map:    for i in range(out.size): out[i] = f(a[index(a, i)])
    zip:    for i in range(out.size): out[i] = f(a[index(a, i)], b[index(b, i)])
    where:  for i in range(out.size): out[i] = a[index(a, i)] if cond[index(cond, i)] else b[index(b, i)]

The CPU backend runs the ``for i`` loop on a few cores; here it is split over thousands of
threads (see _launch.py), and each thread works out its own ``index`` from ``i`` by dividing by
the dims (``storage_index``). Broadcast dims have stride 0, so ``zip`` needs no copies.

``f`` is picked by the same op codes as the CPU backend (``UNARY_OPS``/``BINARY_OPS``);
``map_kernel(op)`` compiles one kernel per op, where the code is a constant that the compiler
folds. Shapes and strides are passed as tuples: kernel arguments, not device memory, so a
launch copies nothing between host and GPU.
"""
from __future__ import annotations

from functools import cache

from numba import cuda

from .. import scalar_ops
from ..scalar_ops import BINARY_OPS, UNARY_OPS  # the op codes are shared with the CPU backend

__all__ = ["BINARY_OPS", "UNARY_OPS", "map_kernel", "zip_kernel", "where_loop", "storage_index"]


@cuda.jit(device=True)
def storage_index(i, shape, strides, offset):
    """Storage position of element ``i`` (row-major) of a view: peel off the last dim first."""
    pos = offset
    for d in range(len(shape) - 1, -1, -1):
        pos += (i % shape[d]) * strides[d]
        i //= shape[d]
    return pos


unary = cuda.jit(device=True)(scalar_ops.unary)
binary = cuda.jit(device=True)(scalar_ops.binary)


@cache
def map_kernel(op: int):
    """``out[i] = unary(op, a[index(a, i)])`` for every element of a contiguous ``out``."""

    @cuda.jit
    def map_loop(out, shape, a, a_off, a_strides):
        for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            out[i] = unary(op, a[storage_index(i, shape, a_strides, a_off)])

    return map_loop


@cache
def zip_kernel(op: int):
    """``out[i] = binary(op, a[index(a, i)], b[index(b, i)])``; broadcast dims have stride 0."""

    @cuda.jit
    def zip_loop(out, shape, a, a_off, a_strides, b, b_off, b_strides):
        for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            out[i] = binary(op, a[storage_index(i, shape, a_strides, a_off)],
                            b[storage_index(i, shape, b_strides, b_off)])

    return zip_loop


@cuda.jit
def where_loop(out, shape, c, c_off, c_strides, a, a_off, a_strides, b, b_off, b_strides):
    """``out[i] = a[index(a, i)] if c[index(c, i)] else b[index(b, i)]``."""
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        if c[storage_index(i, shape, c_strides, c_off)]:
            out[i] = a[storage_index(i, shape, a_strides, a_off)]
        else:
            out[i] = b[storage_index(i, shape, b_strides, b_off)]
