"""Elementwise kernels: ``map`` (unary) and ``zip`` (binary, broadcast), and ``where``.

Every elementwise op in learntorch runs through one of three loops. Written as plain Python,
with ``index(t, i)`` the storage position of element ``i`` of a strided, broadcast tensor::

    map:    for i in range(out.size): out[i] = f(a[index(a, i)])
    zip:    for i in range(out.size): out[i] = f(a[index(a, i)], b[index(b, i)])
    where:  for i in range(out.size): out[i] = a[...] if cond[...] else b[...]

``f`` is a scalar function of backends/common/scalar_ops.py, named by a string (``"exp"``,
``"add"``). ``map_kernel(name)``/``zip_kernel(name)`` make one ``@njit`` loop per op, as
minitorch's ``map(fn)``/``zip(fn)`` do, that closes over the *name*: Numba sees it as a constant
and ``unary(name, x)``/``binary(name, x, y)`` below compile to that one function, which LLVM
inlines and vectorises. (Closing over the name rather than the compiled function keeps the disk
cache working: Numba keys a closure's cache entry by its captured values, and a name is the
same in every process.) Numba caches each loop on disk (``cache=True``); they compile on first
use, once per dtype. float32 ``exp``, ``log``, ``sigmoid``, ``tanh``, ``sin`` and ``cos`` use the
vectorisable versions of fast/fast_math.py and fast/fast_trig.py (float64 keeps libm). The fast
sin/cos are accurate for ``|x| <= TRIG_MAX`` and give NaN beyond; a tile holding NaN results
redoes those elements with libm in a second, scalar loop.

Storage is a flat 1-D array; a tensor view is (storage, offset, strides). To keep the inner
loop contiguous and cheap, the index arithmetic runs once per *row* (the last dimension), and
rows are split into tiles of ``TILE`` elements that ``prange`` shares between threads.
"""
from __future__ import annotations

from functools import cache

import numpy as np
from numba import float32, njit, prange, types
from numba.extending import overload

from ..common import index
from ..common.scalar_ops import BINARY_OPS, UNARY_OPS
from .build import FASTMATH, compile_kernel
from .fast.fast_math import exp_f32, log_f32, sigmoid_f32, tanh_f32
from .fast.fast_trig import cos_f32, sin_f32

TILE = 16384
# the float32 ops with a vectorisable version (fast/): the kernels use it in place of the scalar function
FAST_F32 = {"exp": exp_f32, "log": log_f32, "sigmoid": sigmoid_f32, "tanh": tanh_f32, "sin": sin_f32, "cos": cos_f32}
TRIG = ("sin", "cos")  # fast versions that give NaN beyond TRIG_MAX, for libm to redo
# each scalar function compiled for the CPU; inline="always" puts its body into the calling loop
_UNARY = {name: njit(inline="always")(f) for name, f in UNARY_OPS.items()}
_BINARY = {name: njit(inline="always")(f) for name, f in BINARY_OPS.items()}


def unary(name, x):
    """``UNARY_OPS[name](x)``, or its fast version for a float32 ``x`` (see FAST_F32). Kernels call
    it from ``@njit`` code with a constant ``name``; ``_unary`` picks the body when they compile."""


def libm(name, x):
    """``UNARY_OPS[name](x)``, never the fast version (for the NaNs of the fast sin and cos)."""


def binary(name, x, y):
    """``BINARY_OPS[name](x, y)``, from ``@njit`` code with a constant ``name``."""


def _compiled(name, table, x):
    """The function a kernel's ``unary``/``binary``/``libm`` call compiles to: ``table[name]`` (the
    fast version for a float32 ``x`` when ``table`` is FAST_F32 and has one). ``name`` must be a
    constant; the kernels close over it, so Numba types it as a literal."""
    if not isinstance(name, types.StringLiteral):
        raise TypeError(f"the scalar op of a kernel must be a constant name, got {name}")
    op = name.literal_value
    if table is FAST_F32:
        return FAST_F32[op] if x == float32 and op in FAST_F32 else _UNARY[op]
    return table[op]


_OPTIONS = dict(prefer_literal=True, jit_options=dict(fastmath=FASTMATH, error_model="numpy"))


@overload(unary, **_OPTIONS)
def _unary(name, x):
    f = _compiled(name, FAST_F32, x)
    return lambda name, x: f(x)


@overload(libm, **_OPTIONS)
def _libm(name, x):
    f = _compiled(name, _UNARY, x)
    return lambda name, x: f(x)


@overload(binary, **_OPTIONS)
def _binary(name, x, y):
    f = _compiled(name, _BINARY, x)
    return lambda name, x, y: f(x, y)


_storage_index = njit(inline="always")(index.storage_index)


@njit(inline="always")
def row_offset(row, shape, strides, offset):
    """Storage position of the first element of ``row`` (all dims but the last)."""
    # prange indices arrive as uint64; keep the math signed
    return _storage_index(np.int64(row), shape, strides, offset, shape.size - 1)


@njit(inline="always")
def tiling(out, shape, tile):
    """``(inner, tile, tiles, count)``: the row length, the tile length, the tiles per row and the
    tile count of a loop over ``out`` (of ``shape``) in tiles of ``tile`` elements (0: a whole row)."""
    inner = shape[shape.size - 1]
    tile = tile if tile else inner
    tiles = (inner + tile - 1) // tile
    return inner, tile, tiles, out.size // inner * tiles


@njit(inline="always")
def tile_span(t, inner, tile, tiles):
    """``(r, j0, j1)``: tile ``t`` is elements ``j0:j1`` of row ``r``."""
    r = t // tiles
    j0 = (t - r * tiles) * tile
    return r, j0, min(j0 + tile, inner)


@cache
def map_kernel(name: str, parallel: bool = True):
    """``out[i] = unary(name, a[index(a, i)])`` over a contiguous ``out`` of ``shape``.

    ``parallel=False`` compiles the same loop for one thread (``prange`` acts as ``range``)."""
    # fast_trig's sin/cos give NaN for |x| > TRIG_MAX (float64 NaN results are recomputed, too);
    # a constant, so Numba prunes the ``if trig`` block from the kernels of other ops
    trig = name in TRIG

    def map_loop(out, shape, a, a_off, a_strides):
        inner, tile, tiles, count = tiling(out, shape, TILE if parallel else 0)  # one thread: one tile per row
        sa = a_strides[shape.size - 1]
        for t in prange(count):
            r, j0, j1 = tile_span(t, inner, tile, tiles)
            ia = row_offset(r, shape, a_strides, a_off)
            # slice the tile first, so the loop index starts at 0: LLVM then knows it is
            # non-negative and emits contiguous vector loads rather than gathers
            n = j1 - j0
            o = out[r * inner + j0:r * inner + j1]
            if sa == 1:
                src = a[ia + j0:ia + j1]
                for j in range(n):
                    o[j] = unary(name, src[j])
            else:
                for j in range(n):
                    o[j] = unary(name, a[ia + (j0 + j) * sa])
            if trig:  # redo the NaNs with libm: |x| > TRIG_MAX (rare: count them first), or NaN, inf
                nans = 0
                for j in range(n):
                    nans += o[j] != o[j]
                if nans:
                    for j in range(n):
                        if o[j] != o[j]:
                            o[j] = libm(name, a[ia + (j0 + j) * sa])

    return compile_kernel(map_loop, parallel)


@cache
def zip_kernel(name: str, parallel: bool = True):
    """``out[i] = binary(name, a[index(a, i)], b[index(b, i)])``; broadcast dims have stride 0."""

    def zip_loop(out, shape, a, a_off, a_strides, b, b_off, b_strides):
        inner, tile, tiles, count = tiling(out, shape, TILE if parallel else 0)  # see map_loop
        sa = a_strides[shape.size - 1]
        sb = b_strides[shape.size - 1]
        for t in prange(count):
            r, j0, j1 = tile_span(t, inner, tile, tiles)
            ia = row_offset(r, shape, a_strides, a_off)
            ib = row_offset(r, shape, b_strides, b_off)
            n = j1 - j0  # the tile, sliced so that its loop starts at 0 (see map_loop)
            o = out[r * inner + j0:r * inner + j1]
            if sa == 1 and sb == 1:  # the common, vectorisable cases first
                x, y = a[ia + j0:ia + j1], b[ib + j0:ib + j1]
                for j in range(n):
                    o[j] = binary(name, x[j], y[j])
            elif sa == 1 and sb == 0:
                x, yv = a[ia + j0:ia + j1], b[ib]
                for j in range(n):
                    o[j] = binary(name, x[j], yv)
            elif sa == 0 and sb == 1:
                xv, y = a[ia], b[ib + j0:ib + j1]
                for j in range(n):
                    o[j] = binary(name, xv, y[j])
            else:
                for j in range(n):
                    o[j] = binary(name, a[ia + (j0 + j) * sa], b[ib + (j0 + j) * sb])

    return compile_kernel(zip_loop, parallel)


def where_loop(out, shape, c, c_off, c_strides, a, a_off, a_strides, b, b_off, b_strides):
    """``out[i] = a[index(a, i)] if c[index(c, i)] else b[index(b, i)]``; compiled by
    ``compile_kernel(where_loop, parallel)``."""
    n = shape.size - 1
    inner = shape[n]
    for r in prange(out.size // inner):
        ic = row_offset(r, shape, c_strides, c_off)
        ia = row_offset(r, shape, a_strides, a_off)
        ib = row_offset(r, shape, b_strides, b_off)
        for j in range(inner):
            out[r * inner + j] = (a[ia + j * a_strides[n]] if c[ic + j * c_strides[n]]
                                  else b[ib + j * b_strides[n]])
