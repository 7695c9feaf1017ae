"""conv2d, max_pool2d and avg_pool2d on CUDA equal the CPU kernels, forward and backward."""
import numpy as np
import pytest

import learntorch.nn.functional as F
from cuda_helpers import check_op


@pytest.mark.parametrize("stride,padding,dilation", [(1, 1, 1), (2, 0, 1), ((1, 2), (2, 1), (2, 1))])
def test_conv2d(stride, padding, dilation, rng):
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    check_op(lambda x_, w_, b_: F.conv2d(x_, w_, b_, stride, padding, dilation), x, w, b, atol=1e-4)


def test_conv2d_no_bias_float64(rng):
    x = rng.standard_normal((1, 2, 5, 5))
    w = rng.standard_normal((3, 2, 3, 3))
    check_op(lambda x_, w_: F.conv2d(x_, w_, padding=1), x, w)


@pytest.mark.parametrize("kernel,stride,padding", [(2, 2, 0), (3, 1, 1), (3, 2, 1)])
def test_max_pool2d(kernel, stride, padding, rng):
    x = rng.standard_normal((2, 2, 6, 5)).astype(np.float32)
    check_op(lambda x_: F.max_pool2d(x_, kernel, stride, padding), x)  # overlapping windows: atomics


@pytest.mark.parametrize("kernel,stride,padding,include", [(2, 2, 0, True), (3, 1, 1, False), (3, 2, 1, True)])
def test_avg_pool2d(kernel, stride, padding, include, rng):
    x = rng.standard_normal((2, 2, 6, 5)).astype(np.float32)
    check_op(lambda x_: F.avg_pool2d(x_, kernel, stride, padding, count_include_pad=include), x)
