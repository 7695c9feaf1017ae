"""Batched matrix multiplication on the GPU: ``out[n] = a[n] @ b[n]``, shared-memory tiled.

For every matrix ``n`` of the batch the kernel computes this plain-Python loop::

    for i in range(M):
        for j in range(N):
            out[n, i, j] = sum(a[n, i, k] * b[n, k, j] for k in range(K))

Done naively, each thread would read a whole row of ``a`` and column of ``b`` from slow global
memory. The tiled kernel reads each value from global memory once per *block* instead:

1. Each block owns a ``BM x BN`` tile of ``out`` (blockIdx.y, blockIdx.x; blockIdx.z is n).
2. It walks k in steps of ``BK``: the block's threads copy the ``BM x BK`` slice of ``a`` and
   the ``BK x BN`` slice of ``b`` into *shared memory* (on-chip, shared by the block), then
   ``cuda.syncthreads()`` waits until the copies are complete.
3. Every thread then computes a ``TM x TN`` patch of the tile from shared memory, keeping
   its ``TM * TN`` running sums in registers (``cuda.local.array``): per step of k it loads TM
   values of ``a`` and TN of ``b`` and does TM * TN multiply-adds, so arithmetic, not memory,
   sets the pace ("register blocking", the same idea as the CPU kernel's 4x4 blocks).
4. Thread (ty, tx) owns rows ``ty + TY*x`` and columns ``tx + TX*y`` of the tile, so
   neighbouring threads read neighbouring shared-memory words and write neighbouring
   output columns (coalesced stores).

Operands may be strided (stride 0 for a broadcast batch dim): loads go through the strides.
"""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np
from numba import cuda, from_dtype

from ._launch import SIMULATOR


class Tiles(NamedTuple):
    """Tile sizes: a block of (TY, TX) threads computes a (TY*TM, TX*TN) tile of out."""
    TY: int
    TX: int
    TM: int
    TN: int
    BK: int


GPU_TILES = Tiles(TY=16, TX=16, TM=4, TN=4, BK=16)   # 64 x 64 output tiles, 256 threads
SIM_TILES = Tiles(TY=4, TX=4, TM=2, TN=2, BK=4)      # 8 x 8 tiles, 16 threads: the simulator's size
TILES = SIM_TILES if SIMULATOR else GPU_TILES


@cache
def matmul_kernel(dtype: np.dtype, tiles: Tiles = TILES):
    """The tiled kernel for one dtype and tile shape; launch it with ``matmul_launch``.

        out[n, i, j] = sum(a[n, i, k] * b[n, k, j] for k in range(K))    for all n, i, j
    """
    TY, TX, TM, TN, BK = tiles
    BM, BN = TY * TM, TX * TN
    item = from_dtype(np.dtype(dtype))

    @cuda.jit
    def matmul_tiled(out, a, a_off, sa, b, b_off, sb, M, N, K):
        a_tile = cuda.shared.array((BK, BM), item)   # a_tile[k, i] = a[n, i0 + i, k0 + k]
        b_tile = cuda.shared.array((BK, BN), item)   # b_tile[k, j] = b[n, k0 + k, j0 + j]
        acc = cuda.local.array((TM, TN), item)
        a_row = cuda.local.array(TM, item)
        b_col = cuda.local.array(TN, item)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        tid = ty * TX + tx
        n = cuda.blockIdx.z
        i0, j0 = cuda.blockIdx.y * BM, cuda.blockIdx.x * BN
        a_base, b_base = a_off + n * sa[0], b_off + n * sb[0]
        for x in range(TM):
            for y in range(TN):
                acc[x, y] = 0
        for k0 in range(0, K, BK):
            # 1. the block copies its slices of a and b into shared memory (zeros past the edges)
            for e in range(tid, BM * BK, TY * TX):
                i, k = e // BK, e % BK
                a_tile[k, i] = 0
                if i0 + i < M and k0 + k < K:
                    a_tile[k, i] = a[a_base + (i0 + i) * sa[1] + (k0 + k) * sa[2]]
            for e in range(tid, BK * BN, TY * TX):
                k, j = e // BN, e % BN
                b_tile[k, j] = 0
                if k0 + k < K and j0 + j < N:
                    b_tile[k, j] = b[b_base + (k0 + k) * sb[1] + (j0 + j) * sb[2]]
            cuda.syncthreads()
            # 2. each thread multiplies its TM x TN patch out of shared memory and registers
            for k in range(BK):
                for x in range(TM):
                    a_row[x] = a_tile[k, ty + TY * x]
                for y in range(TN):
                    b_col[y] = b_tile[k, tx + TX * y]
                for x in range(TM):
                    for y in range(TN):
                        acc[x, y] += a_row[x] * b_col[y]
            cuda.syncthreads()  # before the next slice overwrites the tiles
        for x in range(TM):
            i = i0 + ty + TY * x
            for y in range(TN):
                j = j0 + tx + TX * y
                if i < M and j < N:
                    out[(n * M + i) * N + j] = acc[x, y]

    return matmul_tiled


def matmul_launch(out, a, a_off: int, sa: tuple, b, b_off: int, sb: tuple, batch: int, m: int, n: int,
                  k: int, tiles: Tiles = TILES) -> None:
    """Launch the tiled kernel: one block per (BM x BN tile of out, matrix of the batch).

    out: flat (batch * m * n,); a, b: flat storages read at offset + strides (sa, sb: 3 ints)."""
    grid = ((n + tiles.TX * tiles.TN - 1) // (tiles.TX * tiles.TN),
            (m + tiles.TY * tiles.TM - 1) // (tiles.TY * tiles.TM), batch)
    matmul_kernel(out.dtype, tiles)[grid, (tiles.TX, tiles.TY)](out, a, a_off, sa, b, b_off, sb, m, n, k)
