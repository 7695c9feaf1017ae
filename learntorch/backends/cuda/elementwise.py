"""Elementwise CUDA kernels: ``map`` (unary), ``zip`` (binary, broadcast) and ``where``.

Each GPU thread computes whole output elements. Written as plain Python, with
``index(t, i)`` the storage position of element ``i`` of a strided, broadcast tensor::

    map:    for i in range(out.size): out[i] = f(a[index(a, i)])
    zip:    for i in range(out.size): out[i] = f(a[index(a, i)], b[index(b, i)])
    where:  for i in range(out.size): out[i] = a[index(a, i)] if cond[index(cond, i)] else b[index(b, i)]

The CPU backend runs the ``for i`` loop on a few cores; here it is split over thousands of
threads (see _launch.py), and each thread works out its own ``index`` from ``i`` by dividing by
the dims (``storage_index`` of backends/common/index.py). Broadcast dims have stride 0, so
``zip`` needs no copies.

``f`` is the scalar function of backends/common/scalar_ops.py that the op names, the same one
the CPU backend compiles: ``map_kernel(name)`` compiles it as a device function and one kernel
that calls it, as minitorch's ``map(fn)`` does. Shapes and strides are passed as tuples: kernel
arguments, not device memory, so a launch copies nothing between host and GPU.
"""
from __future__ import annotations

from functools import cache

from numba import cuda

from ..common import index
from ..common.scalar_ops import BINARY_OPS, UNARY_OPS

_storage_index = cuda.jit(device=True)(index.storage_index)


@cuda.jit(device=True)
def storage_index(i, shape, strides, offset):
    """Storage position of element ``i`` (row-major) of a view (``index.storage_index``)."""
    return _storage_index(i, shape, strides, offset, len(shape))


@cache
def device_function(f):
    """A scalar function of scalar_ops.py compiled for the GPU, once."""
    return cuda.jit(device=True)(f)


@cache
def map_kernel(name: str):
    """``out[i] = f(a[index(a, i)])`` for every element of a contiguous ``out``, ``f = UNARY_OPS[name]``."""
    f = device_function(UNARY_OPS[name])

    @cuda.jit
    def map_loop(out, shape, a, a_off, a_strides):
        for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            out[i] = f(a[storage_index(i, shape, a_strides, a_off)])

    return map_loop


@cache
def zip_kernel(name: str):
    """``out[i] = f(a[index(a, i)], b[index(b, i)])``, ``f = BINARY_OPS[name]``; broadcast dims
    have stride 0."""
    f = device_function(BINARY_OPS[name])

    @cuda.jit
    def zip_loop(out, shape, a, a_off, a_strides, b, b_off, b_strides):
        for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            out[i] = f(a[storage_index(i, shape, a_strides, a_off)], b[storage_index(i, shape, b_strides, b_off)])

    return zip_loop


@cuda.jit
def where_loop(out, shape, c, c_off, c_strides, a, a_off, a_strides, b, b_off, b_strides):
    """``out[i] = a[index(a, i)] if c[index(c, i)] else b[index(b, i)]``."""
    for i in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        if c[storage_index(i, shape, c_strides, c_off)]:
            out[i] = a[storage_index(i, shape, a_strides, a_off)]
        else:
            out[i] = b[storage_index(i, shape, b_strides, b_off)]
