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

import math
from functools import cache

from numba import cuda

from ..cpu.elementwise import BINARY_OPS, UNARY_OPS  # the op codes are shared with the CPU backend

__all__ = ["BINARY_OPS", "UNARY_OPS", "map_kernel", "zip_kernel", "where_loop", "storage_index"]


@cuda.jit(device=True)
def storage_index(i, shape, strides, offset):
    """Storage position of element ``i`` (row-major) of a view: peel off the last dim first."""
    pos = offset
    for d in range(len(shape) - 1, -1, -1):
        pos += (i % shape[d]) * strides[d]
        i //= shape[d]
    return pos


@cuda.jit(device=True)
def unary(op, x):
    """The scalar function behind map op ``op`` (the codes of ``UNARY_OPS``)."""
    if op == 0:
        return x
    elif op == 1:
        return -x
    elif op == 2:
        return math.exp(x)
    elif op == 3:
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    elif op == 4:
        return math.sqrt(x) if x >= 0 else math.nan
    elif op == 5:
        return abs(x)
    elif op == 6:
        return math.sin(x)
    elif op == 7:
        return math.cos(x)
    elif op == 8:
        return math.tanh(x)
    elif op == 9:  # sigmoid, stable for large |x|
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        z = math.exp(x)
        return z / (1.0 + z)
    elif op == 10:
        return 0 if x < 0 else x  # NaN stays NaN, as in torch.relu
    elif op == 11:
        return 1 if x > 0 else (-1 if x < 0 else 0)
    else:
        return not x


@cuda.jit(device=True)
def binary(op, x, y):
    """The scalar function behind zip op ``op`` (the codes of ``BINARY_OPS``)."""
    if op == 0:
        return x + y
    elif op == 1:
        return x - y
    elif op == 2:
        return x * y
    elif op == 3:
        return x / y
    elif op == 4:
        return x ** y
    elif op == 5:  # maximum/minimum propagate NaN, as torch does
        return x if (x > y or x != x) else y
    elif op == 6:
        return x if (x < y or x != x) else y
    elif op == 7:  # relu backward: pass the gradient y where the output x is positive
        return y if x > 0 else 0
    elif op == 8:
        return x == y
    elif op == 9:
        return x != y
    elif op == 10:
        return x < y
    elif op == 11:
        return x <= y
    elif op == 12:
        return x > y
    elif op == 13:
        return x >= y
    elif op == 14:
        return bool(x) and bool(y)
    else:
        return bool(x) or bool(y)


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
