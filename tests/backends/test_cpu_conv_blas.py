"""The stride-1 convolutions of conv_blas.py (one BLAS matrix product per kernel tap) against
conv.py's hand-written kernels, which test_cpu_conv_kernels.py checks against a plain loop; and
when conv.py hands its products to them."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import learntorch as lt
from learntorch.backends import cpu
from learntorch.backends.cpu import conv
from learntorch.backends.cpu.fast import blas, conv_blas


@pytest.fixture
def always_blas(monkeypatch):
    """conv.py takes the BLAS path for every case, even where conv_blas.suits would not."""
    monkeypatch.setattr(conv_blas, "suits", lambda *args: True)

CASES = [  # x shape, weight shape
    ((2, 8, 7, 9), (5, 8, 3, 3)),
    ((3, 9, 6, 5), (4, 9, 2, 3)),  # non-square kernel, odd sizes
    ((1, 3, 5, 6), (2, 3, 1, 1)),  # one image for two threads; 1x1 kernel; few channels
    ((2, 16, 4, 4), (3, 16, 5, 5)),  # kernel larger than the input
]


def _case(x_shape, w_shape, stride, padding, dilation, dtype=np.float64):
    rng = np.random.default_rng(sum(x_shape) + sum(w_shape))
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    y = conv.conv2d_forward(x, w, b, stride, padding, dilation)
    g = rng.standard_normal(y.shape).astype(dtype)
    return x, w, b, y, g


def _valid(x_shape, w_shape, padding, dilation) -> bool:
    """The dilated kernel fits the padded input (else both modules raise the same ValueError)."""
    return all(x_shape[2 + i] + 2 * padding[i] > dilation[i] * (w_shape[2 + i] - 1) for i in range(2))


@pytest.mark.parametrize("x_shape, w_shape, padding, dilation", [
    (x, w, p, d) for (x, w), p, d in itertools.product(CASES, [(0, 0), (1, 1), (2, 1)], [(1, 1), (2, 1)])
    if _valid(x, w, p, d)])
def test_stride_1_matches_conv_py(x_shape, w_shape, padding, dilation, always_blas):
    x, w, b, y, g = _case(x_shape, w_shape, (1, 1), padding, dilation)
    args = ((1, 1), padding, dilation)
    np.testing.assert_allclose(conv.conv2d_forward(x, w, b, *args, blas=True), y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.conv2d_backward_input(g, w, x.shape, *args, blas=True),
                               conv.conv2d_backward_input(g, w, x.shape, *args), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.conv2d_backward_weight(g, x, w.shape, *args, blas=True),
                               conv.conv2d_backward_weight(g, x, w.shape, *args), rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("stride", [(2, 2), (2, 3), (3, 1)])
def test_grad_x_of_a_strided_conv(stride, always_blas):
    """grad_x is a stride-1 convolution whatever the forward stride, so it runs here too."""
    x, w, b, y, g = _case((2, 8, 9, 10), (4, 8, 3, 3), stride, (1, 1), (1, 1))
    np.testing.assert_allclose(conv.conv2d_backward_input(g, w, x.shape, stride, (1, 1), (1, 1), blas=True),
                               conv.conv2d_backward_input(g, w, x.shape, stride, (1, 1), (1, 1)),
                               rtol=1e-12, atol=1e-12)


def test_float32_on_the_course_cnn_shapes(always_blas):
    x, w, b, y, g = _case((8, 32, 28, 28), (32, 32, 3, 3), (1, 1), (1, 1), (1, 1), np.float32)
    scale = np.abs(y).max()
    got = conv.conv2d_forward(x, w, b, (1, 1), (1, 1), (1, 1), blas=True)
    assert got.dtype == np.float32 and np.abs(got - y).max() <= 1e-5 * scale
    gw = conv.conv2d_backward_weight(g, x, w.shape, (1, 1), (1, 1), (1, 1), blas=True)
    ref = conv.conv2d_backward_weight(g, x, w.shape, (1, 1), (1, 1), (1, 1))
    assert np.abs(gw - ref).max() <= 1e-4 * np.abs(ref).max()


@pytest.mark.parametrize("kernel", ["blas", "numba"])
@pytest.mark.numba_kernels
def test_the_backend_picks_blas_for_stride_1_with_enough_channels(kernel, monkeypatch):
    calls = []
    for name in ("run_conv", "weight_grad"):
        original = getattr(conv_blas, name)
        monkeypatch.setattr(conv_blas, name, lambda *a, _f=original, _n=name: calls.append(_n) or _f(*a))
    before = cpu.get_matmul_kernel()
    cpu.set_matmul_kernel(kernel)
    try:
        layer = lt.nn.Conv2d(8, 8, 3, padding=1)
        x = lt.randn(4, 8, 6, 6, requires_grad=True)
        layer(x).sum().backward()
        n_stride_1 = len(calls)
        strided = lt.nn.Conv2d(8, 4, 3, stride=2)
        strided(lt.randn(4, 8, 7, 7)).sum().backward()  # stride 2, and grad_w only: conv.py's kernels
    finally:
        cpu.set_matmul_kernel(before)
    expected = ["run_conv", "run_conv", "weight_grad"] if kernel == "blas" and blas.can_set_threads() else []
    assert sorted(calls) == expected and n_stride_1 == len(calls)
