"""The batched matmul kernels against numpy's ``a @ b``."""
import numpy as np
import pytest

from learntorch.backends.cpu.fast.blas import KIND, thread_setter
from learntorch.backends.cpu.fast.matmul_blas import GEMM_GRAIN, SPLIT_K, matmul_blas
from learntorch.backends.cpu.matmul import matmul_tiled

# (B, M, K, N): edge remainders of the 4x4 tiles, k slices longer than KB (512),
# more than JB (128) columns, task row blocks with remainders, an empty k.
SHAPES = [
    (1, 1, 1, 1),
    (1, 5, 7, 3),
    (3, 5, 7, 3),
    (3, 6, 9, 10),
    (1, 65, 130, 33),
    (2, 3, 600, 130),
    (4, 17, 33, 2),
    (1, 256, 256, 256),
    (1, 16, 4096, 8),  # K >= SPLIT_K * max(M, N): split along K
    (2, 3, 0, 4),
]
RTOL = {np.float32: 1e-4, np.float64: 1e-10}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_tiled_matches_numpy(shape, dtype):
    a, b = _operands(shape, dtype)
    out = np.full(a.shape[:2] + b.shape[2:], np.nan, dtype)
    matmul_tiled(a, b, out)
    _assert_close(out, a @ b, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [s for s in SHAPES if s[2]], ids=lambda s: "x".join(map(str, s)))
def test_blas_matches_numpy(shape, dtype):
    """Every split over 1, 2, 3 and 5 threads (by rows or by columns where out is wider than tall,
    for products of GEMM_GRAIN multiply-adds or more), and the serial calls that a BLAS whose
    threads cannot be set gets (setter 0). (The backend fills out with zeros itself when K is 0:
    BLAS is not called then.)"""
    B, M, K, N = shape
    a, b = _operands(shape, dtype)
    ref = a @ b
    # row-major a; b both row-major and as the transposed view of a row-major (B, N, K) array
    bt = np.ascontiguousarray(np.swapaxes(b, 1, 2))
    layouts = {"row-major": (b.ravel(), (K * N, N, 1)), "transposed": (bt.ravel(), (N * K, 1, K))}
    for name, (b_data, b_strides) in layouts.items():
        for threads, setter in [(1, thread_setter()), (2, thread_setter()), (3, thread_setter()),
                                (5, thread_setter()), (2, 0)]:
            out = np.full(B * M * N, np.nan, dtype)
            matmul_blas(KIND[np.dtype(dtype)], B, M, N, K, a.ravel(), 0, M * K, K, 1, b_data, 0, *b_strides, out,
                        threads, setter)
            _assert_close(out.reshape(B, M, N), ref, dtype, f"{name} b, {threads} threads, setter {setter}")


def test_the_test_shapes_split_by_rows_by_columns_and_along_k():
    big = [(B, M, K, N) for B, M, K, N in SHAPES if B * M * N * K >= GEMM_GRAIN]
    along_k = [B == 1 and K >= SPLIT_K * max(M, N) for B, M, K, N in big]
    assert any(along_k)
    assert any(M >= N for (B, M, K, N), k in zip(big, along_k) if not k)
    assert any(M < N for (B, M, K, N), k in zip(big, along_k) if not k)


def _operands(shape, dtype):
    B, M, K, N = shape
    rng = np.random.default_rng(sum(shape))
    return rng.standard_normal((B, M, K)).astype(dtype), rng.standard_normal((B, K, N)).astype(dtype)


def _assert_close(out, ref, dtype, msg=""):
    scale = max(np.abs(ref).max(initial=0.0), 1.0)
    np.testing.assert_allclose(out, ref, rtol=RTOL[dtype], atol=RTOL[dtype] * scale, err_msg=msg)
