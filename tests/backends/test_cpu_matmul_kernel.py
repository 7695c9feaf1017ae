"""The batched matmul kernels against numpy's ``a @ b``."""
import numpy as np
import pytest

from learntorch.backends.cpu.matmul import matmul_blas, matmul_tiled

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
    (2, 3, 0, 4),
]
RTOL = {np.float32: 1e-4, np.float64: 1e-10}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", [matmul_blas, matmul_tiled], ids=["blas", "tiled"])
def test_matmul_matches_numpy(kernel, shape, dtype):
    if kernel is matmul_blas:
        pytest.importorskip("scipy", reason="np.dot inside @njit needs scipy's BLAS")
    B, M, K, N = shape
    rng = np.random.default_rng(sum(shape))
    a = rng.standard_normal((B, M, K)).astype(dtype)
    b = rng.standard_normal((B, K, N)).astype(dtype)
    out = np.full((B, M, N), np.nan, dtype)
    kernel(a, b, out)
    ref = a @ b
    scale = max(np.abs(ref).max(initial=0.0), 1.0)
    np.testing.assert_allclose(out, ref, rtol=RTOL[dtype], atol=RTOL[dtype] * scale)
