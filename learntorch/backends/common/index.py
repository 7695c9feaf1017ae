"""Where element ``i`` of a strided view lives in its flat storage, and how to make views simpler.

A tensor view is (storage, offset, shape, strides). Its element ``i`` (counted row-major) is at::

    storage_index(i, shape, strides, offset, len(shape))

Every strided kernel on both devices finds its elements with this loop; the CPU kernels call it
once per row (``dims = len(shape) - 1``: the position of row ``i``'s first element) and walk the
row by its last stride, the CUDA kernels once per element.
"""
from __future__ import annotations

import functools

import numpy as np


def storage_index(i, shape, strides, offset, dims):
    """Storage position of element ``i`` of the first ``dims`` dims of a view (row-major): peel
    one dim off the back at a time, ``i % size`` is the index along it, ``i // size`` the rest."""
    pos = offset
    for d in range(dims - 1, -1, -1):
        pos += (i % shape[d]) * strides[d]
        i //= shape[d]
    return pos


@functools.lru_cache(maxsize=4096)  # a training loop asks about the same few layouts every step
def coalesce(shape: tuple[int, ...], *strides: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Merge dims that are contiguous in every operand, and drop size-1 dims.

    ``(64, 32, 28, 28)`` contiguous becomes ``(1605632,)``: the kernels' inner loop is then
    as long as possible. Returns int64 arrays ``shape, strides_0, strides_1, ...`` (never empty),
    memoised: the kernels only read them.
    """
    dims = [d for d in range(len(shape)) if shape[d] != 1]
    out_shape: list[int] = []
    out_strides: list[list[int]] = [[] for _ in strides]
    for d in dims:
        if out_shape and all(st[-1] == s[d] * shape[d] for st, s in zip(out_strides, strides)):
            out_shape[-1] *= shape[d]
            for st, s in zip(out_strides, strides):
                st[-1] = s[d]
        else:
            out_shape.append(shape[d])
            for st, s in zip(out_strides, strides):
                st.append(s[d])
    if not out_shape:
        return (np.ones(1, np.int64),) + tuple(np.zeros(1, np.int64) for _ in strides)
    return (np.array(out_shape, np.int64),) + tuple(np.array(st, np.int64) for st in out_strides)
