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
float32 ``exp``, ``log``, ``sigmoid``, ``tanh``, ``sin`` and ``cos`` swap libm's scalar calls
for the vectorisable versions of fast_math.py and fast_trig.py (float64 keeps libm). The fast
sin/cos are accurate for ``|x| <= TRIG_MAX`` and give NaN beyond; a tile holding NaN results
redoes those elements with libm in a second, scalar loop.

Storage is a flat 1-D array; a tensor view is (storage, offset, strides). To keep the inner
loop contiguous and cheap, the index arithmetic runs once per *row* (the last dimension), and
rows are split into tiles of ``TILE`` elements that ``prange`` shares between threads.
"""
from __future__ import annotations

import math
import types
from functools import cache

import numpy as np
from numba import float32, njit, prange
from numba.core.types import IntegerLiteral
from numba.extending import overload

from .. import scalar_ops
from ..scalar_ops import BINARY_OPS, COMPARISONS, UNARY_OPS  # noqa: F401  (re-exported)
from .fast_math import exp_f32, log_f32, sigmoid_f32, tanh_f32
from .fast_trig import cos_f32, sin_f32

TILE = 16384
# Below this many elements a kernel runs on one thread: waking the thread pool costs more than
# the loop itself (PyTorch's GRAIN_SIZE). The backend picks with ``parallel=numel >= GRAIN``.
GRAIN = 32768
# reassociation lets LLVM vectorise; no "nnan"/"ninf", so NaN and inf checks survive
FASTMATH = {"reassoc", "contract", "arcp", "nsz"}

# the op codes and scalar functions are shared with the CUDA backend (backends/scalar_ops.py)
binary = njit(inline="always")(scalar_ops.binary)
# the float32 ops with a vectorisable version (fast_math.py, fast_trig.py), by op code
FAST_F32 = {UNARY_OPS["exp"]: exp_f32, UNARY_OPS["log"]: log_f32, UNARY_OPS["sigmoid"]: sigmoid_f32,
            UNARY_OPS["tanh"]: tanh_f32, UNARY_OPS["sin"]: sin_f32, UNARY_OPS["cos"]: cos_f32}
SIN, COS = UNARY_OPS["sin"], UNARY_OPS["cos"]


def unary(op, x):
    """``scalar_ops.unary``, but float32 exp, log, sigmoid, tanh, sin and cos use the SIMD
    versions of fast_math/fast_trig. Kernels call it from ``@njit`` code only: its body is
    chosen by ``_unary`` below."""


# A kernel's ``op`` is a constant, so with ``prefer_literal`` the overload below first sees it as
# a literal type (its value known when the kernel compiles). Where that value needs no special
# body it returns None, and Numba types the call again with ``op`` an int64: that one generic
# body is compiled once and shared by every kernel, instead of once per op code.
@overload(unary, prefer_literal=True, jit_options=dict(fastmath=FASTMATH, error_model="numpy"))
def _unary(op, x):
    """Picks the body when a kernel compiles: the fast function for a float32 op that has one
    (and only that one is compiled), else ``scalar_ops.unary``; LLVM inlines it."""
    if isinstance(op, IntegerLiteral):
        fast = FAST_F32.get(op.literal_value) if x == float32 else None
        return None if fast is None else (lambda op, x: fast(x))
    return scalar_ops.unary


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
    # fast_trig's sin/cos give NaN for |x| > TRIG_MAX (float64 NaN results are recomputed, too);
    # a constant, so Numba prunes the ``if trig`` block from the kernels of other ops
    trig = op in (SIN, COS)

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
            if trig:  # redo the NaNs with libm: |x| > TRIG_MAX (rare: count them first), or NaN, inf
                nans = 0
                for j in range(n):
                    nans += o[j] != o[j]
                if nans:
                    for j in range(n):
                        if o[j] != o[j]:
                            x = a[ia + (j0 + j) * sa]
                            o[j] = math.sin(x) if op == SIN else math.cos(x)

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
