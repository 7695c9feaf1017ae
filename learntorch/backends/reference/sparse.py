"""Sparse x dense products in plain NumPy: the specification of backends/cpu/sparse.py.

A sparse (M, K) matrix comes as CSR over its COO tensor's values: nonzero ``p`` of row ``r``
(``indptr[r] <= p < indptr[r + 1]``) sits in column ``cols[p]`` and holds ``values[order[p]]``.
"""
from __future__ import annotations

import numpy as np


def _rows(indptr: np.ndarray) -> np.ndarray:
    """The row of each CSR position."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def spmm(indptr: np.ndarray, cols: np.ndarray, order: np.ndarray, values: np.ndarray,
         dense: np.ndarray) -> np.ndarray:
    """(M, N) = S (M, K) @ dense (K, N): ``out[r] = sum(values[order[p]] * dense[cols[p]])`` over row r."""
    out = np.zeros((len(indptr) - 1, dense.shape[1]), dense.dtype)
    np.add.at(out, _rows(indptr), values[order][:, None] * dense[cols])
    return out


def sampled_dot(indptr: np.ndarray, cols: np.ndarray, order: np.ndarray, a: np.ndarray,
                b: np.ndarray) -> np.ndarray:
    """(nnz,): ``out[order[p]] = a[r] . b[cols[p]]`` for nonzero p of row r; a (M, N), b (K, N)."""
    out = np.empty(len(cols), a.dtype)
    out[order] = np.einsum("ij,ij->i", a[_rows(indptr)], b[cols])
    return out
