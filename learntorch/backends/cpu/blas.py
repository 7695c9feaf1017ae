"""Calling BLAS ``gemm`` from inside Numba kernels, the way PyTorch calls MKL.

**Layouts.** BLAS is Fortran: its matrices are column-major. A row-major ``(R, C)`` matrix
whose rows start ``ld`` elements apart is, in the same memory, the column-major ``(C, R)``
matrix with leading dimension ``ld``: its transpose. So the row-major product
``out = a @ b`` is the column-major product ``out.T = b.T @ a.T``, and ``gemm`` gets each
operand as it lies in memory::

    unit column stride (row-major, e.g. x):   flag 'n', ld = row stride
    unit row stride (column-major, e.g. w.t()): flag 't', ld = column stride

Rows ``i0:i1`` of ``a`` and ``out`` are the same matrices with their pointers moved by ``i0``
rows and the same ``ld``, so threads can split one product by rows with no copies.

**The call.** ``np.dot`` inside ``@njit`` calls ``numba_xxgemm``, a C helper in Numba that
forwards to SciPy's ``scipy.linalg.cython_blas.sgemm``/``dgemm``, i.e. to the OpenBLAS that
SciPy ships. ``gemm`` below declares that helper as an external function and calls it with
explicit flags and leading dimensions, which ``np.dot`` does not expose.

**Threads.** OpenBLAS has a thread pool of its own. Two pools on the same cores fight (one
spins while the other works), and waking OpenBLAS's sleeping threads costs tens of
microseconds per call. So the matmul kernel runs BLAS single-threaded inside Numba's own
``prange``, one block of rows per thread: ``call_single_threaded`` sets SciPy's OpenBLAS to one
thread for the duration of the call and restores it after. Where SciPy's BLAS is not an
OpenBLAS (0.3.23 or later) whose thread count we can set (``can_set_threads()`` is False), BLAS keeps its
threads and the kernel calls it once per matrix, from one thread.
"""
from __future__ import annotations

import ctypes
import glob
import os
from typing import Any, Callable

import numpy as np
from numba import njit, types

_xxgemm = types.ExternalFunction("numba_xxgemm", types.intc(
    types.char, types.char, types.char,  # kind ('s' float32, 'd' float64), transa, transb
    types.intp, types.intp, types.intp,  # m, n, k: op(A) is (m, k), op(B) is (k, n), C is (m, n)
    types.voidptr, types.voidptr, types.intp,  # alpha, A, lda
    types.voidptr, types.intp,  # B, ldb
    types.voidptr, types.voidptr, types.intp))  # beta, C, ldc
KIND = {np.dtype(np.float32): ord("s"), np.dtype(np.float64): ord("d")}  # gemm's ``kind``
NO_TRANSPOSE, TRANSPOSE = ord("n"), ord("t")


@njit(cache=True)
def gemm(kind, M, N, K, a, a_off, a_rs, a_cs, b, b_off, b_rs, b_cs, out, out_off, out_rs, accumulate):
    """``out[i, j] = sum(a[i, k] * b[k, j] for k in range(K))`` for i < M, j < N; with
    ``accumulate``, ``out[i, j] += ...`` instead.

    Each matrix is flat storage, the offset of its first element, and its element strides:
    ``a`` (M, K) and ``b`` (K, N) have a unit stride in one of their two dims (row stride
    ``*_rs``, column stride ``*_cs``, as ``blas_strides`` returns them); ``out`` (M, N) has unit
    column stride and row stride ``out_rs``. Computed as the column-major ``out.T = b.T @ a.T``."""
    flag_b, ldb = (NO_TRANSPOSE, b_rs) if b_cs == 1 else (TRANSPOSE, b_cs)
    flag_a, lda = (NO_TRANSPOSE, a_rs) if a_cs == 1 else (TRANSPOSE, a_cs)
    scalars = np.empty(2, out.dtype)
    scalars[0] = 1  # alpha
    scalars[1] = 1 if accumulate else 0  # beta: out = alpha * a @ b + beta * out
    _xxgemm(kind, flag_b, flag_a, N, M, K, scalars[0:].ctypes, b[b_off:].ctypes, ldb,
            a[a_off:].ctypes, lda, scalars[1:].ctypes, out[out_off:].ctypes, out_rs)


def blas_strides(rows: int, cols: int, row_stride: int, col_stride: int) -> tuple[int, int] | None:
    """The (row, column) strides to give ``gemm`` for a (rows, cols) matrix, or None when BLAS
    cannot read it in place (neither stride is 1, or the other stride overlaps rows: a
    broadcast). A stride of a length-1 dim is never used, so it is set to what BLAS expects."""
    if cols == 1:
        col_stride = 1
    if rows == 1:
        row_stride = max(cols, 1)
    if col_stride == 1 and row_stride >= cols:
        return row_stride, 1
    if row_stride == 1 and col_stride >= rows:
        return 1, col_stride
    return None


def _openblas_thread_swap() -> ctypes._CFuncPtr | None:
    """``openblas_set_num_threads_local(n)`` of the OpenBLAS that SciPy ships (it sets the
    thread count and returns the previous one; OpenBLAS 0.3.23 and later), or None."""
    import scipy
    import scipy.linalg.cython_blas  # noqa: F401  loads SciPy's BLAS
    base = os.path.dirname(scipy.__file__)
    for path in sorted(glob.glob(base + ".libs/*openblas*") + glob.glob(os.path.join(base, ".dylibs", "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("openblas_set_num_threads_local", "scipy_openblas_set_num_threads_local"):
            swap = getattr(lib, name, None)
            if swap is not None:
                swap.argtypes, swap.restype = [ctypes.c_int], ctypes.c_int
                return swap
    return None


_threads: list = []  # [swap or None], filled on first use


def can_set_threads() -> bool:
    """True when SciPy's BLAS is an OpenBLAS whose thread count ``call_single_threaded`` can set."""
    if not _threads:
        _threads.append(_openblas_thread_swap())
    return _threads[0] is not None


def call_single_threaded(kernel: Callable[..., Any], *args: Any) -> Any:
    """``kernel(*args)`` with SciPy's OpenBLAS on the calling thread only (process-wide: another
    Python thread calling SciPy's BLAS meanwhile also gets one thread)."""
    if not can_set_threads():
        return kernel(*args)
    swap = _threads[0]
    before = swap(1)
    try:
        return kernel(*args)
    finally:
        swap(before)
