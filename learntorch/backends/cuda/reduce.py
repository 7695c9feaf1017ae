"""Reduction kernels: ``reduce`` (sum, prod, max, min) as a shared-memory tree, and ``arg_reduce``.

The input is viewed as kept dims (one output each) and reduced dims. As plain Python::

    for o in range(out.size):
        acc = init                           # 0 for sum, -inf for max, ...
        for k in range(reduced_size):
            acc = fold(acc, a[index(a, o, k)])
        out[o] = acc

On the GPU one *block* of ``R`` threads (R = REDUCE_THREADS, a power of 2) reduces one output:

1. thread t folds the elements k = t, t + R, t + 2R, ... into its own ``acc``;
2. it writes ``acc`` to ``partial[t]``, an array in the block's fast *shared* memory;
3. a tree: R/2 threads each fold ``partial[t + R/2]`` into ``partial[t]``, then R/4 threads,
   ... until ``partial[0]`` holds the result. ``cuda.syncthreads()`` between the steps waits
   for the whole block, so nobody reads a value before it is written.

One output with a long reduction (``x.sum()`` of a big tensor) would keep only one block busy,
so there the work is split in two passes: ``split`` blocks per output each reduce a slice into
a partial result, and a second launch of the same kernel reduces the partials
(see CUDABackend.reduce).
"""
from __future__ import annotations

from functools import cache

import numpy as np
from numba import cuda, from_dtype

from ..common import reduce as common
from ..common.reduce import ARG_REDUCE_OPS, REDUCE_OPS
from ..common.scalar_ops import BINARY_OPS
from ._launch import REDUCE_THREADS
from .elementwise import device_function, storage_index

arg_reduce_row = cuda.jit(device=True)(common.arg_reduce_row)


@cache
def reduce_kernel(name: str, dtype: np.dtype):
    """``out[o * split + s] = fold over slice s of the reduced dims of a`` (split slices per output).

    Launch with ``out.size`` blocks of REDUCE_THREADS threads: block b reduces output b // split,
    slice b % split, which is the elements k = s*R + t, s*R + t + split*R, ... of its row.
    Each fold is ``acc = f(x, acc)`` with ``f`` the zip op of the reduction (``REDUCE_OPS``)."""
    fold = device_function(BINARY_OPS[REDUCE_OPS[name]])
    R = REDUCE_THREADS
    item = from_dtype(np.dtype(dtype))

    @cuda.jit
    def reduce_loop(out, a, a_off, kept_shape, kept_strides, red_shape, red_strides, red_size, split, init):
        partial = cuda.shared.array(R, item)
        t = cuda.threadIdx.x
        for b in range(cuda.blockIdx.x, out.size, cuda.gridDim.x):
            base = storage_index(b // split, kept_shape, kept_strides, a_off)
            acc = init
            for k in range((b % split) * R + t, red_size, split * R):
                acc = fold(a[storage_index(k, red_shape, red_strides, base)], acc)
            partial[t] = acc
            cuda.syncthreads()
            step = R // 2
            while step > 0:
                if t < step:
                    partial[t] = fold(partial[t + step], partial[t])
                cuda.syncthreads()
                step //= 2
            if t == 0:
                out[b] = partial[0]
            cuda.syncthreads()  # partial is reused by this block's next output

    return reduce_loop


@cache
def arg_reduce_kernel(name: str):
    """``out[o] = k`` where ``a[o, k]`` is the first max (argmax) or min (argmin); one thread per
    row, each running ``arg_reduce_row`` of backends/common/reduce.py::

        for o in range(out.size):
            best, best_k = a[o, 0], 0
            for k in range(1, size):
                if best is NaN: break                 # the first NaN wins, as in torch
                if a[o, k] beats best or a[o, k] is NaN: best, best_k = a[o, k], k
            out[o] = best_k

    A row of ``size == 0`` has no element to point at: the kernel then writes 0 and reads nothing.
    """
    largest = ARG_REDUCE_OPS[name]

    @cuda.jit
    def arg_reduce_loop(out, a, a_off, kept_shape, kept_strides, size, stride):
        for o in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            if size == 0:
                out[o] = 0
            else:
                out[o] = arg_reduce_row(a, storage_index(o, kept_shape, kept_strides, a_off), size, stride, largest)

    return arg_reduce_loop
