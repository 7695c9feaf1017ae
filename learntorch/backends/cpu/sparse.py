"""Sparse x dense products on the CPU: Numba loops over CSR rows, shared out over threads.

The operands are those of backends/reference/sparse.py (the specification): a sparse (M, K)
matrix as CSR over its COO tensor's values (nonzero ``p`` of row ``r``, ``indptr[r] <= p <
indptr[r + 1]``, sits in column ``cols[p]`` and holds ``values[order[p]]``) and C-ordered dense
matrices. Each thread owns whole rows of the output, so no two threads write one element.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from .build import compile_kernel, parallel


def spmm_loop(indptr, cols, order, values, dense, out):
    """out (M, N) = S @ dense (K, N): ``out[r, :] = sum over row r's p of values[order[p]] * dense[cols[p], :]``."""
    n = dense.shape[1]
    for r in prange(out.shape[0]):
        for j in range(n):
            out[r, j] = 0
        for p in range(indptr[r], indptr[r + 1]):
            v = values[order[p]]
            c = cols[p]
            for j in range(n):
                out[r, j] += v * dense[c, j]


def sampled_dot_loop(indptr, cols, order, a, b, out):
    """out (nnz,): ``out[order[p]] = sum_j a[r, j] * b[cols[p], j]`` for each nonzero p of row r."""
    n = a.shape[1]
    for r in prange(len(indptr) - 1):
        for p in range(indptr[r], indptr[r + 1]):
            k = order[p]
            c = cols[p]
            out[k] = 0
            for j in range(n):
                out[k] += a[r, j] * b[c, j]


def spmm(indptr: np.ndarray, cols: np.ndarray, order: np.ndarray, values: np.ndarray,
         dense: np.ndarray) -> np.ndarray:
    """(M, N) = S (M, K) @ dense (K, N)."""
    out = np.empty((len(indptr) - 1, dense.shape[1]), dense.dtype)
    compile_kernel(spmm_loop, parallel(len(cols) * dense.shape[1]))(indptr, cols, order, values, dense, out)
    return out


def sampled_dot(indptr: np.ndarray, cols: np.ndarray, order: np.ndarray, a: np.ndarray,
                b: np.ndarray) -> np.ndarray:
    """(nnz,): row r of ``a`` dotted with row ``cols[p]`` of ``b`` at each nonzero p of row r."""
    out = np.empty(len(cols), a.dtype)
    compile_kernel(sampled_dot_loop, parallel(len(cols) * a.shape[1]))(indptr, cols, order, a, b, out)
    return out
