"""Reduction kernels: ``reduce`` (sum, prod, max, min) and ``arg_reduce`` (argmax, argmin).

The input is viewed as two groups of dims: the kept dims (one output element each) and the
reduced dims. As plain Python::

    for o in range(out.size):                 # parallel over outputs
        acc = init                            # 0 for sum, -inf for max, ...
        for k in range(reduced_size):         # the last reduced dim is the inner loop
            acc = fold(acc, a[index(a, o, k)])
        out[o] = acc

A full reduction of a large tensor has one output, so it runs in two passes: partial results
over tiles in parallel, then a reduction of the partials (see CPUBackend.reduce).

Summing the *rows* of a row-major matrix (``x.sum(0)``, a bias gradient) would make that inner
loop jump a whole row per step. ``column_reduce`` swaps the loops instead, so the inner loop
runs along the contiguous kept dim and vectorises::

    out[:] = init
    for r in range(reduced_size):             # rows, one after the other
        for k in range(out.size):             # contiguous: a vector loop
            out[k] = fold(out[k], a[row(r) + k])
"""
from __future__ import annotations

import math
from functools import cache

import numpy as np
from numba import njit, prange

from .elementwise import FASTMATH, compile_kernel, row_offset

REDUCE_OPS = {"sum": 0, "prod": 1, "max": 2, "min": 3}
ARG_REDUCE_OPS = {"argmax": 0, "argmin": 1}


@njit(inline="always")
def fold(op, acc, x):
    if op == 0:
        return acc + x
    elif op == 1:
        return acc * x
    elif op == 2:  # NaN wins, as in torch.max
        return x if (x > acc or x != x) else acc
    else:
        return x if (x < acc or x != x) else acc


@njit(cache=True)
def kept_offset(o, kept_shape, kept_strides, offset):
    pos = offset
    rest = np.int64(o)  # prange indices arrive as uint64; keep the math signed
    for d in range(kept_shape.size - 1, -1, -1):
        pos += (rest % kept_shape[d]) * kept_strides[d]
        rest //= kept_shape[d]
    return pos


@cache
def reduce_kernel(op: int, parallel: bool = True):
    """``out[o] = fold over the reduced dims of a`` for each kept position ``o``.

    ``parallel=False`` compiles the same loop for one thread, for small inputs."""

    def reduce_loop(out, a, a_off, kept_shape, kept_strides, red_shape, red_strides, init):
        n = red_shape.size - 1
        inner = red_shape[n]
        s = red_strides[n]
        rows = 1
        for d in range(n):
            rows *= red_shape[d]
        for o in prange(out.size):
            base = kept_offset(o, kept_shape, kept_strides, a_off)
            acc = init
            for r in range(rows):
                start = row_offset(r, red_shape, red_strides, base)
                if s == 1:
                    row = a[start:start + inner]
                    for j in range(inner):
                        acc = fold(op, acc, row[j])
                else:
                    for j in range(inner):
                        acc = fold(op, acc, a[start + j * s])
            out[o] = acc

    return compile_kernel(reduce_loop, parallel)


COLUMN_TILE = 256  # kept positions per parallel task


@cache
def column_reduce_kernel(op: int, parallel: bool = True):
    """``out[k] = fold over r of a[row(r) + k]`` where the kept dim ``k`` has stride 1."""

    def column_reduce_loop(out, a, a_off, red_shape, red_strides, init):
        rows = 1
        for d in range(red_shape.size):
            rows *= red_shape[d]
        tiles = (out.size + COLUMN_TILE - 1) // COLUMN_TILE
        for t in prange(tiles):
            k0 = t * COLUMN_TILE
            k1 = min(k0 + COLUMN_TILE, out.size)
            acc = out[k0:k1]
            for j in range(k1 - k0):
                acc[j] = init
            for r in range(rows):
                start = kept_offset(r, red_shape, red_strides, a_off) + k0
                row = a[start:start + (k1 - k0)]
                for j in range(k1 - k0):
                    acc[j] = fold(op, acc[j], row[j])

    return compile_kernel(column_reduce_loop, parallel)


@cache
def arg_reduce_kernel(op: int, parallel: bool = True):
    """``out[o] = k`` where ``a[o, k]`` is the first max (argmax) or min (argmin) of the row.

    ``parallel=False`` compiles the same loop for one thread, for small inputs."""

    def arg_reduce_loop(out, a, a_off, kept_shape, kept_strides, size, stride):
        for o in prange(out.size):
            base = kept_offset(o, kept_shape, kept_strides, a_off)
            best = a[base]
            best_k = 0
            for k in range(1, size):
                x = a[base + k * stride]
                if best != best:
                    break
                if (x > best if op == 0 else x < best) or x != x:
                    best = x
                    best_k = k
            out[o] = best_k

    return compile_kernel(arg_reduce_loop, parallel)
