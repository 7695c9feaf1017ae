"""Reductions (shared-memory tree, one and two passes) and the tiled matmul equal the CPU backend."""
import numpy as np
import pytest

import learntorch as lt
from cuda_helpers import assert_close, check_op
from learntorch.backends.cuda import matmul as cuda_matmul


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 2), -1])
def test_sum_mean(dim, rng):
    a = rng.standard_normal((3, 4, 5)).astype(np.float32)
    check_op(lambda x: x.sum(dim) if dim is not None else x.sum(), a)
    check_op(lambda x: x.mean(dim) if dim is not None else x.mean(), a)


def test_max_min_prod_argmax_strided(rng):
    a = rng.standard_normal((4, 6)).astype(np.float32)
    check_op(lambda x: x.t().max(1).values, a)
    check_op(lambda x: x.min(0).values, a)
    check_op(lambda x: x.max(), a)
    check_op(lambda x: x[:, ::2].prod(1), a)
    check_op(lambda x: x.t().argmax(1), a, grad=False)
    check_op(lambda x: x.argmin(), a, grad=False)
    check_op(lambda x: x.var(1) + x.std(0).sum(), a, atol=1e-4)


def test_bool_and_int_reductions(rng):
    a = rng.integers(-3, 3, (5, 4))
    check_op(lambda x: x.sum(0), a, grad=False)
    check_op(lambda x: x.max(1).values, a, grad=False)
    check_op(lambda x: (x > 0).any(), a, grad=False)
    check_op(lambda x: (x > -3).all(), a, grad=False)


def test_two_pass_full_reduction(rng):
    a = rng.standard_normal(700).astype(np.float32)  # longer than REDUCE_THREADS * 16: several blocks
    check_op(lambda x: x.sum(), a, atol=1e-4)
    check_op(lambda x: x.max(), a)
    check_op(lambda x: x.reshape(2, 350).sum(1), a, atol=1e-4)


def test_empty_reduction():
    assert_close(lt.zeros(0, 3, device="cuda").sum(0), lt.zeros(0, 3).sum(0))


@pytest.mark.parametrize("shapes", [((5, 7), (7, 3)), ((2, 3, 9), (9, 4)), ((2, 1, 4, 5), (3, 5, 2)), ((6,), (6, 2))])
def test_matmul(shapes, rng):
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    check_op(lambda x, y: x @ y, a, b, atol=1e-4)


def test_matmul_transposed_and_int(rng):
    a = rng.standard_normal((6, 9)).astype(np.float64)
    check_op(lambda x: x.t() @ x, a)
    ints = rng.integers(-4, 4, (3, 5))
    check_op(lambda x: x @ x.t(), ints, grad=False)


def test_matmul_gpu_tile_sizes(rng):
    """The tile shape a real GPU uses (64 x 64 tiles, 256 threads), on one small product with edges."""
    from numba import cuda
    a = rng.standard_normal((1, 20, 70)).astype(np.float32)
    b = rng.standard_normal((1, 70, 18)).astype(np.float32)
    out = cuda.device_array(20 * 18, np.float32)
    cuda_matmul.matmul_launch(out, cuda.to_device(a.ravel()), 0, (1400, 70, 1), cuda.to_device(b.ravel()), 0,
                              (1260, 18, 1), 1, 20, 18, 70, cuda_matmul.GPU_TILES)
    np.testing.assert_allclose(out.copy_to_host().reshape(20, 18), a[0] @ b[0], rtol=1e-4, atol=1e-4)
