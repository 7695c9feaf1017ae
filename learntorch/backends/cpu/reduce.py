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

A sum folds its rows in blocks of BLOCK_ROWS and adds the blocks' sums pairwise (see
``carry_block``), so that a float32 column sum over millions of rows stays accurate.
"""
from __future__ import annotations

from functools import cache

import numpy as np
from numba import njit, prange

from ..common import reduce as common
from ..common.reduce import ARG_REDUCE_OPS, REDUCE_OPS  # noqa: F401  (the backend's names)
from .build import compile_kernel
from .elementwise import _storage_index, binary, row_offset


@njit(inline="always")
def fold(op, acc, x):
    """``acc`` with ``x`` folded in: ``BINARY_OPS[op](x, acc)``, ``op`` the zip op of a
    reduction (``REDUCE_OPS``), a constant."""
    return binary(op, x, acc)


@njit(inline="always")
def kept_offset(o, kept_shape, kept_strides, offset):
    """Storage position of kept element ``o`` (all of ``kept_shape``'s dims)."""
    # prange indices arrive as uint64; keep the math signed
    return _storage_index(np.int64(o), kept_shape, kept_strides, offset, kept_shape.size)


arg_reduce_row = njit(inline="always")(common.arg_reduce_row)


LEVELS = 48  # partials of 1, 2, 4, ... blocks: room for 2**48 blocks


@njit(inline="always")
def carry_block(op, levels, filled, block):
    """Add the partial results of one more block to the binary counter ``levels``.

    ``levels[i]`` (when ``filled[i]``) holds the fold of ``2**i`` blocks; as in a binary
    counter, a new block merges with equal-sized partials until it finds a free level. Each
    element then goes through ``log2(blocks)`` folds at most, the same as pairwise summation,
    so a float sum's rounding error grows like ``log(rows)`` rather than ``rows``."""
    level = 0
    while filled[level]:
        for j in range(block.size):
            block[j] = fold(op, levels[level, j], block[j])
        filled[level] = False
        level += 1
    levels[level, :] = block
    filled[level] = True


SUM_BLOCK = 4096  # elements a sum adds one after the other (in SIMD lanes) before a pairwise step


@njit(inline="always")
def blocked_sum(a, base, rows, inner, s, red_shape, red_strides, init, levels, filled, block):
    """The sum of one output's ``rows x inner`` elements: blocks of about SUM_BLOCK elements
    added in order, and the blocks' sums added pairwise (``carry_block``; ``levels``,
    ``filled`` and ``block`` are this output's scratch)."""
    acc = init
    count = 0
    for r in range(rows):
        start = row_offset(r, red_shape, red_strides, base)
        for c0 in range(0, inner, SUM_BLOCK):
            c1 = min(c0 + SUM_BLOCK, inner)
            if s == 1:
                row = a[start + c0:start + c1]
                for j in range(c1 - c0):
                    acc += row[j]
            else:
                for j in range(c0, c1):
                    acc += a[start + j * s]
            count += c1 - c0
            if count >= SUM_BLOCK:
                block[0] = acc
                carry_block("add", levels, filled, block)
                acc = init
                count = 0
    for level in range(LEVELS):
        if filled[level]:
            acc += levels[level, 0]
    return acc


@cache
def reduce_kernel(name: str, parallel: bool = True):
    """``out[o] = fold over the reduced dims of a`` for each kept position ``o``.

    A sum of more than SUM_BLOCK elements per output goes through ``blocked_sum`` (with a
    scratch row of levels per output), so its float rounding error grows like ``log(n)``.
    ``parallel=False`` compiles the same loop for one thread, for small inputs."""
    op, is_sum = REDUCE_OPS[name], name == "sum"

    def reduce_loop(out, a, a_off, kept_shape, kept_strides, red_shape, red_strides, init):
        n = red_shape.size - 1
        inner = red_shape[n]
        s = red_strides[n]
        rows = 1
        for d in range(n):
            rows *= red_shape[d]
        pairwise = is_sum and rows * inner > SUM_BLOCK
        scratch = out.size if pairwise else 0
        levels = np.empty((scratch, LEVELS, 1), out.dtype)
        filled = np.zeros((scratch, LEVELS), np.bool_)
        block = np.empty((scratch, 1), out.dtype)
        for o in prange(out.size):
            base = kept_offset(o, kept_shape, kept_strides, a_off)
            if pairwise:
                out[o] = blocked_sum(a, base, rows, inner, s, red_shape, red_strides, init,
                                     levels[o], filled[o], block[o])
                continue
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
BLOCK_ROWS = 128  # rows folded one after the other into a block's partial results


@cache
def column_reduce_kernel(name: str, parallel: bool = True):
    """``out[k] = fold over r of a[row(r) + k]`` where the kept dim ``k`` has stride 1.

    For a sum, the rows go in blocks of BLOCK_ROWS: a vector loop folds a block's rows into
    ``block``, the blocks' results combine pairwise (``carry_block``), then ``out`` folds the
    levels. prod, max and min take all rows as one block, in order (max and min are exact
    anyway, and prod then rounds as NumPy's does)."""
    op, is_sum = REDUCE_OPS[name], name == "sum"

    def column_reduce_loop(out, a, a_off, red_shape, red_strides, init):
        rows = 1
        for d in range(red_shape.size):
            rows *= red_shape[d]
        block_rows = BLOCK_ROWS if is_sum else max(rows, 1)
        one_dim = red_shape.size == 1  # then row r starts at r * stride, without a division
        tiles = (out.size + COLUMN_TILE - 1) // COLUMN_TILE
        for t in prange(tiles):
            k0 = t * COLUMN_TILE
            width = min(k0 + COLUMN_TILE, out.size) - k0
            levels = np.empty((LEVELS, width), out.dtype)
            filled = np.zeros(LEVELS, np.bool_)
            block = np.empty(width, out.dtype)
            for r0 in range(0, rows, block_rows):
                block[:] = init
                for r in range(r0, min(r0 + block_rows, rows)):
                    start = k0 + (a_off + r * red_strides[0] if one_dim else
                                  kept_offset(r, red_shape, red_strides, a_off))
                    row = a[start:start + width]
                    for j in range(width):
                        block[j] = fold(op, block[j], row[j])
                carry_block(op, levels, filled, block)
            acc = out[k0:k0 + width]
            acc[:] = init
            for level in range(LEVELS):
                if filled[level]:
                    for j in range(width):
                        acc[j] = fold(op, acc[j], levels[level, j])

    return compile_kernel(column_reduce_loop, parallel)


@cache
def arg_reduce_kernel(name: str, parallel: bool = True):
    """``out[o] = k`` where ``a[o, k]`` is the first max (argmax) or min (argmin) of the row
    (``arg_reduce_row`` of backends/common/reduce.py).

    A row of ``size == 0`` has no element to point at: the kernel then writes 0 and reads
    nothing (the ops raise before they get here). ``parallel=False`` compiles the same loop
    for one thread, for small inputs."""
    largest = ARG_REDUCE_OPS[name]

    def arg_reduce_loop(out, a, a_off, kept_shape, kept_strides, size, stride):
        if size == 0:
            out[:] = 0
            return
        for o in prange(out.size):
            out[o] = arg_reduce_row(a, kept_offset(o, kept_shape, kept_strides, a_off), size, stride, largest)

    return compile_kernel(arg_reduce_loop, parallel)
