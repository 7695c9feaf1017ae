"""Batched matrix multiplication by BLAS gemm, as PyTorch hands it to MKL: ``out[n] = a[n] @ b[n]``.

For every matrix ``n`` of the batch these kernels compute what matmul.py's tiled kernel does::

    for i in range(M):
        for j in range(N):
            out[n, i, j] = sum(a[n, i, k] * b[n, k, j] for k in range(K))

``matmul_blas`` hands the matrices to gemm (blas.py): row (or column) blocks of each product are
the parallel tasks, and BLAS runs one thread in each (blas.py says why); a single product with a
long inner dim is split along it instead (``matmul_blas_split_k``). It picks the split itself,
so that a product costs one call from Python.
"""
import numpy as np
from numba import njit, prange

from .blas import gemm, set_blas_threads

GEMM_GRAIN = 64 ** 3  # multiply-adds below which one BLAS call on one thread is fastest
GEMM_MIN_BLOCK = 16  # fewest rows (or columns) of out per parallel BLAS call
SPLIT_K = 8  # a single product with K >= SPLIT_K * max(M, N) is split along K instead


@njit(nogil=True, cache=True)
def matmul_blas(kind, B, M, N, K, a, a_off, a_sb, a_rs, a_cs, b, b_off, b_sb, b_rs, b_cs, out, threads, setter):
    """out[n] = a[n] @ b[n] by BLAS gemm, with SciPy's OpenBLAS kept on one thread meanwhile.

    a (B, M, K) and b (B, K, N): flat storage, offset, and element strides between matrices
    (``*_sb``), rows and columns, each matrix readable by BLAS in place (see blas.py). out:
    the flat, C-contiguous (B, M, N) result. ``kind`` is ``blas.KIND[dtype]``, ``setter`` is
    ``blas.thread_setter()``. A product of GEMM_GRAIN multiply-adds or more is split for
    ``threads`` Numba threads (``matmul_blas_blocks``; the backend passes the size of Numba's
    pool, as ``numba.get_num_threads()`` costs several microseconds): a task per thread, blocks of
    at least GEMM_MIN_BLOCK rows, or columns where ``out`` is wider than tall. A single product
    whose inner dim K is at least SPLIT_K times M and N (``x @ w.t()`` of a wide Linear layer) is
    split along K instead (``matmul_blas_split_k``). Smaller products, and all of them for a BLAS
    whose threads cannot be set (setter 0, BLAS threads by itself), run one gemm per matrix on
    this thread::

        for n in range(B):
            out[n] = a[n] @ b[n]
    """
    before = set_blas_threads(setter, 1)
    if setter != 0 and threads > 1 and B == 1 and K >= SPLIT_K * max(M, N) and M * N * K >= GEMM_GRAIN:
        matmul_blas_split_k(kind, M, N, K, a, a_off, a_rs, a_cs, b, b_off, b_rs, b_cs, out, threads)
    elif setter != 0 and threads > 1 and B * M * N * K >= GEMM_GRAIN:
        by_rows = M >= N
        blocks = min((threads + B - 1) // B, max((M if by_rows else N) // GEMM_MIN_BLOCK, 1))
        matmul_blas_blocks(kind, B, M, N, K, a, a_off, a_sb, a_rs, a_cs, b, b_off, b_sb, b_rs, b_cs, out,
                           blocks, by_rows)
    else:
        for n in range(B):
            gemm(kind, M, N, K, a, a_off + n * a_sb, a_rs, a_cs, b, b_off + n * b_sb, b_rs, b_cs,
                 out, n * M * N, N, False)
    set_blas_threads(setter, before)


@njit(parallel=True, nogil=True, cache=True)
def matmul_blas_blocks(kind, B, M, N, K, a, a_off, a_sb, a_rs, a_cs, b, b_off, b_sb, b_rs, b_cs, out, blocks,
                       by_rows):
    """``matmul_blas``'s parallel loop: each product cut into ``blocks`` blocks of rows of
    ``out`` (``by_rows``) or of columns, one gemm per block and thread (with BLAS on one thread,
    or the threads fight). With ``rows``/``cols`` one block's slice::

        for task in prange(B * blocks):
            n, block = divmod(task, blocks)
            out[n, rows, :] = a[n, rows, :] @ b[n]      (by_rows)
            out[n, :, cols] = a[n] @ b[n, :, cols]      (otherwise)
    """
    length = M if by_rows else N
    size = (length + blocks - 1) // blocks
    for task in prange(B * blocks):
        n = task // blocks
        start = (task % blocks) * size
        stop = min(start + size, length)
        if start >= stop:
            continue
        if by_rows:
            gemm(kind, stop - start, N, K, a, a_off + n * a_sb + start * a_rs, a_rs, a_cs,
                 b, b_off + n * b_sb, b_rs, b_cs, out, n * M * N + start * N, N, False)
        else:
            gemm(kind, M, stop - start, K, a, a_off + n * a_sb, a_rs, a_cs,
                 b, b_off + n * b_sb + start * b_cs, b_rs, b_cs, out, n * M * N + start, N, False)


@njit(parallel=True, nogil=True, cache=True)
def matmul_blas_split_k(kind, M, N, K, a, a_off, a_rs, a_cs, b, b_off, b_rs, b_cs, out, parts):
    """out = a @ b as ``parts`` products over slices of the inner dim, one per thread, then
    summed. Each thread packs only its slice of ``b``, where splitting the rows of ``out`` would
    have every thread pack all of it: for (64, 25088) @ (25088, 128), 2.5 -> 2.1 ms. With
    ``ks`` part p's slice of K and ``partial`` a (parts - 1, M, N) scratch::

        for p in prange(parts):
            (out if p == 0 else partial[p - 1]) = a[:, ks] @ b[ks, :]
        out += partial.sum(0)
    """
    partial = np.empty((parts - 1, M * N), out.dtype)
    size = (K + parts - 1) // parts
    for p in prange(parts):
        k0 = min(p * size, K)
        k1 = min(k0 + size, K)
        target = out if p == 0 else partial[p - 1]
        gemm(kind, M, N, k1 - k0, a, a_off + k0 * a_cs, a_rs, a_cs, b, b_off + k0 * b_rs, b_rs, b_cs,
             target, 0, N, False)
    chunk = (M * N + parts - 1) // parts
    for p in prange(parts):
        for i in range(p * chunk, min((p + 1) * chunk, M * N)):
            total = out[i]
            for q in range(parts - 1):
                total += partial[q, i]
            out[i] = total
