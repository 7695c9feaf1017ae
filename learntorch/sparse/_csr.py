"""The row-compressed (CSR) index of a 2-D COO tensor, built once per tensor for its products.

COO lists each nonzero ``k`` as ``(rows[k], cols[k])`` in any order; a product wants them row by
row. ``CSR`` sorts positions by row (stably, so a coalesced tensor keeps its order) without
moving the values: nonzero ``p`` of row ``r`` (``indptr[r] <= p < indptr[r + 1]``) sits in
column ``cols[p]`` and holds ``values[order[p]]``. The transpose is another CSR over the same
values, which the gradient of a product needs (``dL/dD = Sᵀ @ G``).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np


class CSR:
    """CSR positions of an (n_rows, n_cols) matrix whose nonzero k is at (rows[k], cols[k])."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> None:
        self._rows, self._cols = rows, cols
        self.shape = (n_rows, n_cols)
        self.order = np.argsort(rows, kind="stable").astype(np.int64)
        self.cols = np.ascontiguousarray(cols[self.order])
        self.indptr = np.zeros(n_rows + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=self.indptr[1:])

    @cached_property
    def T(self) -> "CSR":
        """The transpose's CSR, over the same values."""
        return CSR(self._cols, self._rows, self.shape[1], self.shape[0])
