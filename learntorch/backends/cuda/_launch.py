"""Launch configuration shared by the CUDA kernels: how many threads, how many blocks.

A kernel launch ``kernel[blocks, threads](...)`` starts ``blocks * threads`` GPU threads. The
1-D kernels here use *grid-stride loops*, so any grid size covers any number of elements::

    for i in range(cuda.grid(1), n, cuda.gridsize(1)):   # this thread's elements
        out[i] = ...

On a real GPU, blocks of 256 threads, up to 4096 of them (about 30 per SM of an H100), keep every
SM busy.
Under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) each GPU thread is a Python thread
costing about 70 µs, so the same kernels launch fewer, smaller blocks there: the grid-stride loops
make the results identical, only the schedule changes.
"""
from __future__ import annotations

from numba import config

SIMULATOR: bool = bool(config.ENABLE_CUDASIM)

THREADS = 32 if SIMULATOR else 256           # threads per block of the 1-D kernels
MAX_BLOCKS = 4 if SIMULATOR else 4096        # more elements than blocks * THREADS: threads loop
REDUCE_THREADS = 16 if SIMULATOR else 128    # threads per block in tree reductions (a power of 2)


def grid_1d(n: int) -> tuple[int, int]:
    """``(blocks, threads)`` for a grid-stride kernel over ``n`` elements (n >= 1)."""
    return min(MAX_BLOCKS, (n + THREADS - 1) // THREADS), THREADS
