"""Elementwise kernels: ``map`` (unary) and ``zip`` (binary, broadcast), and ``where``.

Every elementwise op in learntorch runs through one of three loops. Written as plain Python,
with ``index(t, i)`` the storage position of element ``i`` of a strided, broadcast tensor::

    map:    for i in range(out.size): out[i] = f(a[index(a, i)])
    zip:    for i in range(out.size): out[i] = f(a[index(a, i)], b[index(b, i)])
    where:  for i in range(out.size): out[i] = a[...] if cond[...] else b[...]

``f`` is chosen by an integer op code (``UNARY_OPS``/``BINARY_OPS``). Each (kernel, op) pair
is its own ``@njit`` function, made by ``map_kernel(op)``/``zip_kernel(op)``; the op code is a
compile-time constant, so Numba folds the ``if op == ...`` chain away and LLVM vectorises the
loop. Numba caches each one on disk (``cache=True``); they compile on first use, once per dtype.
float32 ``exp``, ``sigmoid`` and ``tanh`` swap libm's scalar ``expf``/``tanhf`` for the
vectorisable versions of fast_math.py (float64 keeps ``math.exp``/``math.tanh``).

Storage is a flat 1-D array; a tensor view is (storage, offset, strides). To keep the inner
loop contiguous and cheap, the index arithmetic runs once per *row* (the last dimension), and
rows are split into tiles of ``TILE`` elements that ``prange`` shares between threads.
"""
from __future__ import annotations

import types
from functools import cache

import numpy as np
from numba import float32, njit, prange
from numba.extending import overload

from .. import scalar_ops
from ..scalar_ops import BINARY_OPS, COMPARISONS, UNARY_OPS  # noqa: F401  (re-exported)
from .fast_math import exp_f32, sigmoid_f32, tanh_f32

TILE = 16384
# Below this many elements a kernel runs on one thread: waking the thread pool costs more than
# the loop itself (PyTorch's GRAIN_SIZE). The backend picks with ``parallel=numel >= GRAIN``.
GRAIN = 32768
# reassociation lets LLVM vectorise; no "nnan"/"ninf", so NaN and inf checks survive
FASTMATH = {"reassoc", "contract", "arcp", "nsz"}

# the op codes and scalar functions are shared with the CUDA backend (backends/scalar_ops.py)
scalar_unary = njit(inline="always")(scalar_ops.unary)
binary = njit(inline="always")(scalar_ops.binary)
EXP, SIGMOID, TANH = UNARY_OPS["exp"], UNARY_OPS["sigmoid"], UNARY_OPS["tanh"]


def unary(op, x):
    """``scalar_ops.unary``, but float32 exp, sigmoid and tanh use fast_math's SIMD versions.
    Kernels call it from ``@njit`` code only: its body is chosen by ``_unary`` below."""


@overload(unary, jit_options=dict(fastmath=FASTMATH, error_model="numpy"))
def _unary(op, x):
    """Picks the body by the type of ``x`` when a kernel compiles; LLVM inlines it."""
    if x != float32:
        return scalar_ops.unary

    def unary_f32(op, x):
        if op == EXP:
            return exp_f32(x)
        elif op == SIGMOID:
            return sigmoid_f32(x)
        elif op == TANH:
            return tanh_f32(x)
        return scalar_unary(op, x)
    return unary_f32


def compile_kernel(loop, parallel: bool):
    """``@njit`` a kernel loop, multi-threaded (``prange`` shares it out) or on one thread.

    The one-thread build gets its own name: Numba's disk cache is keyed by the function's
    name and code, not by the ``parallel`` flag, so the two builds must not share an entry.
    Both use NumPy's error model (``1.0 / 0.0`` is ``inf``, not a ZeroDivisionError), which
    ``parallel=True`` implies.
    """
    if not parallel:
        loop.__qualname__ += "_serial"
    return njit(parallel=parallel, fastmath=FASTMATH, error_model="numpy", cache=True)(loop)


def serial_twin(kernel):
    """The one-thread build of a module-level ``@njit(parallel=True)`` kernel, for inputs below
    ``GRAIN`` (its ``prange`` runs as ``range``). It is a copy of the function under the name
    ``<name>_serial``, so that the two builds keep separate disk-cache entries."""
    f = kernel.py_func
    twin = types.FunctionType(f.__code__, f.__globals__, f.__name__ + "_serial", f.__defaults__, f.__closure__)
    twin.__qualname__ = f.__qualname__ + "_serial"
    twin.__doc__ = f.__doc__
    return njit(cache=True)(twin)


@njit(cache=True)
def row_offset(row, shape, strides, offset):
    """Storage position of the first element of ``row`` (all dims but the last)."""
    pos = offset
    rest = np.int64(row)  # prange indices arrive as uint64; keep the math signed
    for d in range(shape.size - 2, -1, -1):
        pos += (rest % shape[d]) * strides[d]
        rest //= shape[d]
    return pos


@cache
def map_kernel(op: int, parallel: bool = True):
    """``out[i] = unary(op, a[index(a, i)])`` over a contiguous ``out`` of ``shape``.

    ``parallel=False`` compiles the same loop for one thread (``prange`` acts as ``range``)."""

    def map_loop(out, shape, a, a_off, a_strides):
        inner = shape[shape.size - 1]
        rows = out.size // inner
        tile = TILE if parallel else inner  # one thread: one tile per row
        tiles = (inner + tile - 1) // tile
        sa = a_strides[shape.size - 1]
        for t in prange(rows * tiles):
            r = t // tiles
            j0 = (t - r * tiles) * tile
            j1 = min(j0 + tile, inner)
            ia = row_offset(r, shape, a_strides, a_off)
            # slice the tile first, so the loop index starts at 0: LLVM then knows it is
            # non-negative and emits contiguous vector loads rather than gathers
            n = j1 - j0
            o = out[r * inner + j0:r * inner + j1]
            if sa == 1:
                src = a[ia + j0:ia + j1]
                for j in range(n):
                    o[j] = unary(op, src[j])
            else:
                for j in range(n):
                    o[j] = unary(op, a[ia + (j0 + j) * sa])

    return compile_kernel(map_loop, parallel)


@cache
def zip_kernel(op: int, parallel: bool = True):
    """``out[i] = binary(op, a[index(a, i)], b[index(b, i)])``; broadcast dims have stride 0."""

    def zip_loop(out, shape, a, a_off, a_strides, b, b_off, b_strides):
        inner = shape[shape.size - 1]
        rows = out.size // inner
        tile = TILE if parallel else inner  # one thread: one tile per row
        tiles = (inner + tile - 1) // tile
        sa = a_strides[shape.size - 1]
        sb = b_strides[shape.size - 1]
        for t in prange(rows * tiles):
            r = t // tiles
            j0 = (t - r * tiles) * tile
            j1 = min(j0 + tile, inner)
            ia = row_offset(r, shape, a_strides, a_off)
            ib = row_offset(r, shape, b_strides, b_off)
            n = j1 - j0  # the tile, sliced so that its loop starts at 0 (see map_loop)
            o = out[r * inner + j0:r * inner + j1]
            if sa == 1 and sb == 1:  # the common, vectorisable cases first
                x, y = a[ia + j0:ia + j1], b[ib + j0:ib + j1]
                for j in range(n):
                    o[j] = binary(op, x[j], y[j])
            elif sa == 1 and sb == 0:
                x, yv = a[ia + j0:ia + j1], b[ib]
                for j in range(n):
                    o[j] = binary(op, x[j], yv)
            elif sa == 0 and sb == 1:
                xv, y = a[ia], b[ib + j0:ib + j1]
                for j in range(n):
                    o[j] = binary(op, xv, y[j])
            else:
                for j in range(n):
                    o[j] = binary(op, a[ia + (j0 + j) * sa], b[ib + (j0 + j) * sb])

    return compile_kernel(zip_loop, parallel)


@njit(parallel=True, cache=True)
def where_loop(out, shape, c, c_off, c_strides, a, a_off, a_strides, b, b_off, b_strides):
    """``out[i] = a[index(a, i)] if c[index(c, i)] else b[index(b, i)]``."""
    n = shape.size - 1
    inner = shape[n]
    for r in prange(out.size // inner):
        ic = row_offset(r, shape, c_strides, c_off)
        ia = row_offset(r, shape, a_strides, a_off)
        ib = row_offset(r, shape, b_strides, b_off)
        for j in range(inner):
            out[r * inner + j] = (a[ia + j * a_strides[n]] if c[ic + j * c_strides[n]]
                                  else b[ib + j * b_strides[n]])


where_loop_serial = serial_twin(where_loop)
