"""Batched matrix multiplication written by hand, the kernel the course reads: ``out[n] = a[n] @ b[n]``.

For every matrix ``n`` in the batch it computes this plain-Python loop::

    for i in range(M):
        for j in range(N):
            out[n, i, j] = sum(a[n, i, k] * b[n, k, j] for k in range(K))

``matmul_tiled`` is the loop above written by hand, made fast by three ideas (the backend's
default, BLAS, is the speed path: fast/matmul_blas.py):

1. Transpose ``b`` once into ``bt`` (``bt[j, k] = b[k, j]``). Then each output
   element is a dot product of two contiguous rows, ``a[i, :]`` and ``bt[j, :]``,
   and the compiler turns the k loop into SIMD instructions.
2. Register blocking: a 4x4 tile of ``out`` is computed at once. Per step of k it
   loads 4 values of ``a`` and 4 of ``bt`` and does 16 multiply-adds with them,
   two per load instead of one per two loads for a single dot product.
3. Cache blocking: the k loop is cut into slices of ``KB`` and the rows of ``bt``
   into groups of ``JB``. One ``JB x KB`` block of ``bt`` fits in the core's L2
   cache and serves every row of ``a`` that the task handles before the next
   block is loaded.

The rows of each output matrix are cut into blocks; every (matrix, row block)
pair is one parallel task, so small batched products use all cores too.
"""
import numpy as np
from numba import njit, prange

KB = 512  # length of a k slice
JB = 128  # rows of bt per cache block: 128 x 512 float32 = 256 KiB (512 KiB float64)
ROWS_MAX = 64  # most rows of out per parallel task
MIN_TASKS = 8  # fewer rows per task until there are this many (2 per thread on 4 cores)
TB = 32  # side of the square tiles in which b is transposed


@njit(parallel=True, fastmath=True, cache=True)
def matmul_tiled(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out[n] = a[n] @ b[n] by a cache-blocked, register-blocked, parallel Numba kernel.

    a (B, M, K), b (B, K, N), out (B, M, N): C-contiguous, one dtype, float32 or float64.

        for n in range(B):
            for i in range(M):
                for j in range(N):
                    out[n, i, j] = sum(a[n, i, k] * b[n, k, j] for k in range(K))
    """
    nbatch, M = a.shape[0], a.shape[1]
    bt = _transpose(b)
    rows = _rows_per_task(nbatch, M)
    row_blocks = (M + rows - 1) // rows
    for task in prange(nbatch * row_blocks):
        n = task // row_blocks
        i0 = (task % row_blocks) * rows
        _matmul_rows(a[n], bt[n], out[n], i0, min(i0 + rows, M))


@njit(cache=True)
def _rows_per_task(nbatch, M):
    """ROWS_MAX, halved (down to 4) while that gives fewer than MIN_TASKS tasks."""
    rows = ROWS_MAX
    while rows > 4 and nbatch * ((M + rows - 1) // rows) < MIN_TASKS:
        rows //= 2
    return rows


@njit(parallel=True, cache=True)
def _transpose(b):
    """bt[n, j, k] = b[n, k, j], copied in TB x TB tiles so reads and writes stay in cache."""
    nbatch, K, N = b.shape
    bt = np.empty((nbatch, N, K), b.dtype)
    col_blocks = (N + TB - 1) // TB
    for task in prange(nbatch * col_blocks):
        n = task // col_blocks
        j0 = (task % col_blocks) * TB
        for k0 in range(0, K, TB):
            for j in range(j0, min(j0 + TB, N)):
                for k in range(k0, min(k0 + TB, K)):
                    bt[n, j, k] = b[n, k, j]
    return bt


@njit(fastmath=True, cache=True)
def _matmul_rows(a, bt, out, i0, i1):
    """out[i0:i1] = a[i0:i1] @ bt.T, one (KB x JB) cache block of bt at a time."""
    K, N = a.shape[1], bt.shape[0]
    out[i0:i1] = 0
    for k0 in range(0, K, KB):
        k1 = min(k0 + KB, K)
        for j0 in range(0, N, JB):
            for i in range(i0, i1, 4):
                for j in range(j0, min(j0 + JB, N), 4):
                    _tile4x4(a, bt, out, i, j, i1, k0, k1)


@njit(fastmath=True, cache=True)
def _tile4x4(a, bt, out, i, j, i_end, k0, k1):
    """out[i:i+4, j:j+4] += a[i:i+4, k0:k1] @ bt[j:j+4, k0:k1].T, as 16 dot products.

    At the edges (rows from i_end on, columns from N on) the last valid row is
    loaded again in place of the missing ones, and those results are not stored.
    """
    N = bt.shape[0]
    a0 = a[i, k0:k1]
    a1 = a[min(i + 1, i_end - 1), k0:k1]
    a2 = a[min(i + 2, i_end - 1), k0:k1]
    a3 = a[min(i + 3, i_end - 1), k0:k1]
    b0 = bt[j, k0:k1]
    b1 = bt[min(j + 1, N - 1), k0:k1]
    b2 = bt[min(j + 2, N - 1), k0:k1]
    b3 = bt[min(j + 3, N - 1), k0:k1]
    s00 = s01 = s02 = s03 = out.dtype.type(0)
    s10 = s11 = s12 = s13 = out.dtype.type(0)
    s20 = s21 = s22 = s23 = out.dtype.type(0)
    s30 = s31 = s32 = s33 = out.dtype.type(0)
    for k in range(k1 - k0):
        x0 = a0[k]; x1 = a1[k]; x2 = a2[k]; x3 = a3[k]  # noqa: E702
        y0 = b0[k]; y1 = b1[k]; y2 = b2[k]; y3 = b3[k]  # noqa: E702
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3  # noqa: E702
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3  # noqa: E702
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3  # noqa: E702
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3  # noqa: E702
    s = ((s00, s01, s02, s03), (s10, s11, s12, s13),
         (s20, s21, s22, s23), (s30, s31, s32, s33))
    for r in range(min(4, i_end - i)):
        for c in range(min(4, N - j)):
            out[i + r, j + c] += s[r][c]
