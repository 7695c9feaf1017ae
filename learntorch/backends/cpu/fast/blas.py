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
microseconds per call. So the kernels run BLAS single-threaded inside Numba's own ``prange``,
one block of rows per thread: they set SciPy's OpenBLAS to one thread for their duration and
restore it after, with ``set_blas_threads(thread_setter(), 1)``. ``thread_setter()`` is the
address of OpenBLAS's ``openblas_set_num_threads_local`` (0.3.23 or later), passed to the
kernels as an argument, so the compiled kernels stay cacheable. Where SciPy's BLAS is not such
an OpenBLAS it is 0: ``set_blas_threads`` does nothing, BLAS keeps its threads, and the kernels
call it once per matrix, from one thread.
"""
from __future__ import annotations

import ctypes
import glob
import os

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

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


def _find_thread_setter() -> int:
    """The address of ``openblas_set_num_threads_local`` in the OpenBLAS that SciPy ships, or 0."""
    import scipy
    import scipy.linalg.cython_blas  # noqa: F401  loads SciPy's BLAS
    base = os.path.dirname(scipy.__file__)
    for path in sorted(glob.glob(base + ".libs/*openblas*") + glob.glob(os.path.join(base, ".dylibs", "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("openblas_set_num_threads_local", "scipy_openblas_set_num_threads_local"):
            if hasattr(lib, name):
                return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value
    return 0


_setter: list[int] = []  # [address or 0], filled on first use


def thread_setter() -> int:
    """What the kernels take as ``setter``: the address of SciPy's OpenBLAS's
    ``openblas_set_num_threads_local(n)`` (sets the thread count, returns the previous one), or
    0 where SciPy's BLAS has none."""
    if not _setter:
        _setter.append(_find_thread_setter())
    return _setter[0]


def can_set_threads() -> bool:
    """True when the kernels can keep SciPy's BLAS on one thread (``thread_setter()`` is not 0)."""
    return thread_setter() != 0


@intrinsic
def _call_int_function(typingctx, address, n):
    """``((int (*)(int)) address)(n)``: a call through a C function pointer."""
    def codegen(context, builder, signature, args):
        function = builder.inttoptr(args[0], ir.FunctionType(ir.IntType(32), [ir.IntType(32)]).as_pointer())
        return builder.call(function, [args[1]])
    return types.intc(types.intp, types.intc), codegen


@njit(inline="always")
def set_blas_threads(setter, n):
    """Set SciPy's OpenBLAS to ``n`` threads and return the count before (process-wide: another
    Python thread calling SciPy's BLAS meanwhile gets the same count). With ``setter`` 0 (see
    ``thread_setter``), do nothing and return 0."""
    if setter == 0:
        return np.intc(0)
    return _call_int_function(setter, n)
