"""Tests of the raw pooling kernels in learntorch.backends.cpu.pool.

Each kernel is compared with a plain Python loop over the windows written here (float64, exact
or tight tolerance), over a grid of kernel sizes, strides, paddings, dilations and ceil_mode.
The tests marked `reference` compare with torch.nn.functional.max_pool2d / avg_pool2d and their
torch.autograd gradients.
"""

import itertools
import math

import numpy as np
import pytest

import learntorch as lt

from learntorch.backends.cpu.pool import (avg_pool2d_backward, avg_pool2d_forward,
                                          max_pool2d_backward, max_pool2d_forward)


def out_size(size, kernel, stride, pad, dilation, ceil_mode):
    """torch's rule, including: with ceil_mode the last window must start inside the input or the
    left padding."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    n = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (n - 1) * stride >= size + pad:
        n -= 1
    return n


def windows(in_hw, kernel, stride, padding, dilation, ceil_mode):
    """For each output pixel (oh, ow): its taps inside the input, and its cell counts inside the
    padded input (torch's count_include_pad divisor, which ignores cells only ceil_mode added)."""
    out_hw = [out_size(*args, ceil_mode) for args in zip(in_hw, kernel, stride, padding, dilation)]
    for oh, ow in itertools.product(range(out_hw[0]), range(out_hw[1])):
        h0, w0 = oh * stride[0] - padding[0], ow * stride[1] - padding[1]
        taps = [(h0 + i * dilation[0], w0 + j * dilation[1])
                for i in range(kernel[0]) for j in range(kernel[1])]
        inside = [(h, w) for h, w in taps if 0 <= h < in_hw[0] and 0 <= w < in_hw[1]]
        padded_count = ((min(h0 + kernel[0], in_hw[0] + padding[0]) - h0)
                        * (min(w0 + kernel[1], in_hw[1] + padding[1]) - w0))
        yield oh, ow, inside, padded_count


def max_pool_reference(x, kernel, stride, padding, dilation, ceil_mode):
    n, c, h, w = x.shape
    oh = out_size(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    ow = out_size(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    y, idx = np.empty((n, c, oh, ow)), np.empty((n, c, oh, ow), np.int64)
    for i, j, inside, _ in windows((h, w), kernel, stride, padding, dilation, ceil_mode):
        for b, ch in itertools.product(range(n), range(c)):
            best, best_index = -math.inf, None
            for ih, iw in inside:
                if x[b, ch, ih, iw] > best or math.isnan(x[b, ch, ih, iw]):
                    best, best_index = x[b, ch, ih, iw], ih * w + iw
            y[b, ch, i, j], idx[b, ch, i, j] = best, best_index
    return y, idx


def avg_pool_reference(x, kernel, stride, padding, ceil_mode, count_include_pad):
    n, c, h, w = x.shape
    oh = out_size(h, kernel[0], stride[0], padding[0], 1, ceil_mode)
    ow = out_size(w, kernel[1], stride[1], padding[1], 1, ceil_mode)
    y = np.empty((n, c, oh, ow))
    for i, j, inside, padded_count in windows((h, w), kernel, stride, padding, (1, 1), ceil_mode):
        divisor = padded_count if count_include_pad else len(inside)
        y[:, :, i, j] = sum(x[:, :, ih, iw] for ih, iw in inside) / divisor
    return y


MAX_GRID = [(k, s, p, d, ceil)
            for k, s, p, d, ceil in itertools.product(
                [(2, 2), (3, 2), (3, 3), (1, 2)], [(1, 1), (2, 2), (2, 3)],
                [(0, 0), (1, 1), (1, 0)], [(1, 1), (2, 1)], [False, True])
            if p[0] <= k[0] // 2 and p[1] <= k[1] // 2]


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", MAX_GRID)
def test_max_pool_grid(kernel, stride, padding, dilation, ceil_mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 8))
    y, idx = max_pool2d_forward(x, kernel, stride, padding, dilation, ceil_mode)
    y_ref, idx_ref = max_pool_reference(x, kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(idx, idx_ref)
    assert idx.dtype == np.int64
    g = rng.standard_normal(y.shape)
    grad_ref = np.zeros_like(x).reshape(6, -1)
    for plane in range(6):  # scatter-add: overlapping windows may pick the same pixel twice
        np.add.at(grad_ref[plane], idx_ref.reshape(6, -1)[plane], g.reshape(6, -1)[plane])
    np.testing.assert_allclose(max_pool2d_backward(g, idx, x.shape), grad_ref.reshape(x.shape),
                               rtol=1e-15, atol=1e-15)


AVG_GRID = [(k, s, p, ceil, cip)
            for k, s, p, ceil, cip in itertools.product(
                [(2, 2), (3, 2), (3, 3)], [(1, 1), (2, 2), (2, 3)], [(0, 0), (1, 1), (1, 0)],
                [False, True], [False, True])
            if p[0] <= k[0] // 2 and p[1] <= k[1] // 2]


@pytest.mark.parametrize("kernel, stride, padding, ceil_mode, count_include_pad", AVG_GRID)
def test_avg_pool_grid(kernel, stride, padding, ceil_mode, count_include_pad):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 8))
    args = (kernel, stride, padding, ceil_mode, count_include_pad)
    y = avg_pool2d_forward(x, *args)
    np.testing.assert_allclose(y, avg_pool_reference(x, *args), rtol=1e-13, atol=1e-15)
    # avg pooling is linear, so its gradient is its transpose: <avg(x), g> == <x, backward(g)>
    g = rng.standard_normal(y.shape)
    grad_x = avg_pool2d_backward(g, x.shape, *args)
    assert grad_x.shape == x.shape
    assert np.vdot(x, grad_x) == pytest.approx(np.vdot(y, g), rel=1e-12)


def test_float32_and_one_plane():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 1, 5, 6)).astype(np.float32)
    y, idx = max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1), True)
    y_ref, idx_ref = max_pool_reference(x.astype(np.float64), (2, 2), (2, 2), (0, 0), (1, 1), True)
    assert y.dtype == np.float32 and y.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_array_equal(idx, idx_ref)
    assert max_pool2d_backward(y, idx, x.shape).dtype == np.float32
    a = avg_pool2d_forward(x, (3, 3), (1, 1), (1, 1), False, False)
    assert a.dtype == np.float32
    np.testing.assert_allclose(a, avg_pool_reference(x.astype(np.float64), (3, 3), (1, 1), (1, 1),
                                                     False, False), rtol=1e-5, atol=1e-6)
    g = avg_pool2d_backward(a, x.shape, (3, 3), (1, 1), (1, 1), False, False)
    assert g.dtype == np.float32 and g.shape == x.shape


def test_max_pool_ties_nan_and_minus_inf():
    x = np.array([[[[1.0, 1.0, -np.inf, -np.inf],
                    [0.0, 1.0, -np.inf, -np.inf],
                    [np.nan, 2.0, 3.0, np.nan],
                    [4.0, np.nan, 3.0, 3.0]]]])
    y, idx = max_pool2d_forward(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    # ties keep the first maximum in scan order, all -inf keeps the first cell, NaN wins (the last
    # NaN seen, as in torch)
    np.testing.assert_array_equal(idx[0, 0], [[0, 2], [13, 11]])
    np.testing.assert_array_equal(y[0, 0], [[1.0, -np.inf], [np.nan, np.nan]])


def test_bad_arguments_raise_before_the_kernel():
    """The kernels check nothing (a backend never sees bad input): ops/pool.py raises first, with
    torch's exception type."""
    F = lt.nn.functional
    x = lt.zeros(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="pad should be at most half"):  # padding more than half the kernel
        F.max_pool2d(x, (2, 2), (2, 2), (2, 2), (1, 1), False)
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.avg_pool2d(x, (3, 3), (1, 1), (2, 0), False, True)
    with pytest.raises(RuntimeError, match="Output size is too small"):  # output would be empty
        F.max_pool2d(x, (5, 5), (1, 1), (0, 0), (1, 1), False)
    with pytest.raises(RuntimeError, match="floating point"):
        F.avg_pool2d(x.int(), (2, 2), (2, 2), (0, 0), False, True)


@pytest.mark.reference
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", [
    ((2, 2), (2, 2), (0, 0), (1, 1), False),
    ((3, 3), (2, 2), (1, 1), (1, 1), True),
    ((3, 2), (1, 2), (1, 0), (2, 1), True),
    ((2, 3), (3, 2), (1, 1), (1, 1), True),
])
def test_against_torch(dtype, kernel, stride, padding, dilation, ceil_mode):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 9, 8)).astype(dtype)
    xt = torch.from_numpy(x).requires_grad_()
    yt, it = functional.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode,
                                   return_indices=True)
    g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
    yt.backward(torch.from_numpy(g))
    y, idx = max_pool2d_forward(x, kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_array_equal(idx, it.numpy())
    np.testing.assert_allclose(max_pool2d_backward(g, idx, x.shape), xt.grad.numpy(), rtol=1e-6)
    if dilation != (1, 1):
        return
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    for count_include_pad in (False, True):
        xt.grad = None
        yt = functional.avg_pool2d(xt, kernel, stride, padding, ceil_mode, count_include_pad)
        yt.backward(torch.from_numpy(g))
        args = (kernel, stride, padding, ceil_mode, count_include_pad)
        np.testing.assert_allclose(avg_pool2d_forward(x, *args), yt.detach().numpy(), **tol)
        np.testing.assert_allclose(avg_pool2d_backward(g, x.shape, *args), xt.grad.numpy(), **tol)
