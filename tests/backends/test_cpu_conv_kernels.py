"""Tests of the raw conv2d kernels in learntorch.backends.cpu.conv.

The forward pass is compared with a plain NumPy loop over the kernel taps (float64, tight
tolerance). The gradients are checked through the transpose relation that defines them: for
y = conv(x, w) without bias,

    <conv(x, w), g> == <x, backward_input(g, w)> == <w, backward_weight(g, x)>

for random x, w, g, plus a direct comparison with a NumPy reference on one case. The tests marked
`reference` compare with torch.nn.functional.conv2d and torch.autograd.
"""

import itertools

import numba
import numpy as np
import pytest

import learntorch as lt

from learntorch.backends.cpu.conv import (conv2d_backward_bias, conv2d_backward_input,
                                          conv2d_backward_weight, conv2d_forward)


def conv_reference(x, w, b, stride, padding, dilation):
    """y[n, o, oh, ow] = b[o] + sum over c, kh, kw of
    xpad[n, c, oh*sh + kh*dh, ow*sw + kw*dw] * w[o, c, kh, kw], xpad being x zero-padded."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, _, h, width = x.shape
    o, _, kh_size, kw_size = w.shape
    oh = (h + 2 * ph - dh * (kh_size - 1) - 1) // sh + 1
    ow = (width + 2 * pw - dw * (kw_size - 1) - 1) // sw + 1
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    y = np.zeros((n, o, oh, ow))
    for kh in range(kh_size):
        for kw in range(kw_size):
            window = xp[:, :, kh * dh:kh * dh + (oh - 1) * sh + 1:sh,
                        kw * dw:kw * dw + (ow - 1) * sw + 1:sw]
            y += np.einsum("nchw,oc->nohw", window, w[:, :, kh, kw])
    return y if b is None else y + b[None, :, None, None]


def grads_reference(g, x, w, stride, padding, dilation):
    """(grad_x, grad_w) by the same loop, with each product's gradient added where it came from."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    _, _, oh, ow = g.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    grad_xp, grad_w = np.zeros_like(xp), np.zeros_like(w)
    for kh in range(w.shape[2]):
        for kw in range(w.shape[3]):
            rows = slice(kh * dh, kh * dh + (oh - 1) * sh + 1, sh)
            cols = slice(kw * dw, kw * dw + (ow - 1) * sw + 1, sw)
            grad_xp[:, :, rows, cols] += np.einsum("nohw,oc->nchw", g, w[:, :, kh, kw])
            grad_w[:, :, kh, kw] = np.einsum("nohw,nchw->oc", g, xp[:, :, rows, cols])
    return grad_xp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]], grad_w


def random_case(rng, x_shape, w_shape, stride, padding, dilation, dtype=np.float64):
    """Random x, weight and a grad_out g of the output's shape."""
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    out_hw = [(size + 2 * p - d * (k - 1) - 1) // s + 1
              for size, k, s, p, d in zip(x_shape[2:], w_shape[2:], stride, padding, dilation)]
    g = rng.standard_normal((x_shape[0], w_shape[0], *out_hw)).astype(dtype)
    return x, w, g


def assert_close(actual, expected, rel):
    """Largest error at most rel times the largest |expected| (float32 sums of many products)."""
    assert actual.shape == expected.shape
    assert np.abs(actual - expected).max() <= rel * np.abs(expected).max()


GRID = list(itertools.product([(1, 1), (2, 2), (2, 3)],           # stride
                              [(0, 0), (1, 1), (2, 1)],           # padding
                              [(1, 1), (2, 2), (1, 2)]))          # dilation


@pytest.mark.parametrize("stride, padding, dilation", GRID)
def test_grid_forward_and_transpose_relation(stride, padding, dilation):
    rng = np.random.default_rng(0)
    x, w, g = random_case(rng, (2, 3, 7, 9), (4, 3, 3, 2), stride, padding, dilation)
    b = rng.standard_normal(4)
    y = conv2d_forward(x, w, b, stride, padding, dilation)
    np.testing.assert_allclose(y, conv_reference(x, w, b, stride, padding, dilation),
                               rtol=1e-12, atol=1e-12)
    y_no_bias = conv2d_forward(x, w, None, stride, padding, dilation)
    grad_x = conv2d_backward_input(g, w, x.shape, stride, padding, dilation)
    grad_w = conv2d_backward_weight(g, x, w.shape, stride, padding, dilation)
    assert grad_x.shape == x.shape and grad_w.shape == w.shape
    inner = np.vdot(y_no_bias, g)
    assert np.vdot(x, grad_x) == pytest.approx(inner, rel=1e-12, abs=1e-12)
    assert np.vdot(w, grad_w) == pytest.approx(inner, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", [
    ((1, 1, 5, 5), (1, 1, 1, 1), (1, 1), (0, 0), (1, 1)),    # N = C = O = 1, 1x1 kernel
    ((1, 1, 28, 28), (32, 1, 3, 3), (1, 1), (1, 1), (1, 1)),  # conv1 of the CNN, one image
    ((2, 32, 6, 5), (5, 32, 3, 3), (1, 1), (1, 1), (1, 1)),   # K = 288, O not a multiple of 4
    ((2, 3, 5, 6), (4, 3, 1, 1), (2, 1), (2, 2), (1, 1)),    # padding beyond the kernel's reach
    ((1, 2, 4, 4), (3, 2, 5, 5), (1, 1), (2, 2), (1, 1)),    # kernel larger than the input
    ((3, 2, 8, 8), (5, 2, 3, 3), (3, 3), (0, 0), (1, 1)),    # stride skips input rows
    ((2, 5, 9, 10), (7, 5, 2, 4), (3, 1), (0, 2), (2, 1)),   # everything non-square
    ((2, 3, 11, 1), (2, 3, 3, 1), (2, 1), (1, 0), (1, 1)),   # width 1
])
def test_special_shapes(x_shape, w_shape, stride, padding, dilation):
    rng = np.random.default_rng(1)
    x, w, g = random_case(rng, x_shape, w_shape, stride, padding, dilation)
    b = rng.standard_normal(w_shape[0])
    np.testing.assert_allclose(conv2d_forward(x, w, b, stride, padding, dilation),
                               conv_reference(x, w, b, stride, padding, dilation),
                               rtol=1e-12, atol=1e-12)
    grad_x, grad_w = grads_reference(g, x, w, stride, padding, dilation)
    np.testing.assert_allclose(conv2d_backward_input(g, w, x.shape, stride, padding, dilation),
                               grad_x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv2d_backward_weight(g, x, w.shape, stride, padding, dilation),
                               grad_w, rtol=1e-12, atol=1e-11)
    np.testing.assert_allclose(conv2d_backward_bias(g), g.sum(axis=(0, 2, 3)), rtol=1e-12)


def test_float32_matches_float64_reference():
    rng = np.random.default_rng(2)
    args = ((1, 1), (1, 1), (1, 1))
    x, w, g = random_case(rng, (3, 8, 10, 9), (6, 8, 3, 3), *args, dtype=np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    x64, w64, g64 = (a.astype(np.float64) for a in (x, w, g))
    y = conv2d_forward(x, w, b, *args)
    grad_x, grad_w = grads_reference(g64, x64, w64, *args)
    gx = conv2d_backward_input(g, w, x.shape, *args)
    gw = conv2d_backward_weight(g, x, w.shape, *args)
    gb = conv2d_backward_bias(g)
    assert y.dtype == gx.dtype == gw.dtype == gb.dtype == np.float32
    assert_close(y, conv_reference(x64, w64, b, *args), 1e-6)
    assert_close(gx, grad_x, 1e-6)
    assert_close(gw, grad_w, 1e-6)
    assert_close(gb, g64.sum(axis=(0, 2, 3)), 1e-6)


def test_non_contiguous_inputs_and_scratch_reuse():
    """Views are accepted, and a call with other shapes in between does not disturb the result."""
    rng = np.random.default_rng(3)
    args = ((1, 1), (1, 1), (1, 1))
    x = rng.standard_normal((5, 4, 6, 3)).transpose(0, 3, 1, 2)  # (5, 3, 4, 6), not contiguous
    w = rng.standard_normal((2, 3, 3, 3))
    first = conv2d_forward(x, w, None, *args)
    conv2d_forward(rng.standard_normal((2, 7, 12, 12)), rng.standard_normal((9, 7, 2, 2)), None,
                   (2, 2), (0, 0), (1, 1))
    np.testing.assert_array_equal(conv2d_forward(x, w, None, *args), first)
    np.testing.assert_allclose(first, conv_reference(x, w, None, *args), rtol=1e-12, atol=1e-12)


def test_one_thread_gives_the_same_result():
    rng = np.random.default_rng(4)
    args = ((1, 1), (1, 1), (1, 1))
    x, w, g = random_case(rng, (3, 4, 6, 7), (5, 4, 3, 3), *args)
    results = []
    threads = numba.get_num_threads()
    try:
        for n_threads in (1, threads):
            numba.set_num_threads(n_threads)
            results.append((conv2d_forward(x, w, None, *args),
                            conv2d_backward_input(g, w, x.shape, *args),
                            conv2d_backward_weight(g, x, w.shape, *args)))
    finally:
        numba.set_num_threads(threads)
    for one, many in zip(*results):
        np.testing.assert_allclose(one, many, rtol=1e-12, atol=1e-12)


def test_bad_shapes_raise_before_the_kernel():
    """The kernels check nothing (a backend never sees bad input): ops/conv.py and the autograd
    engine raise first, with torch's exception type."""
    F = lt.nn.functional
    x = lt.zeros(1, 2, 4, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="channels"):
        F.conv2d(x, lt.zeros(3, 5, 3, 3))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.conv2d(x, lt.zeros(3, 2, 5, 5))
    with pytest.raises(RuntimeError, match="Mismatch in shape"):  # what reaches backward_input
        F.conv2d(x, lt.zeros(3, 2, 3, 3)).backward(lt.zeros(1, 3, 3, 3))
    with pytest.raises(RuntimeError, match="Mismatch in shape"):  # what reaches backward_weight
        F.conv2d(x.detach(), lt.zeros(3, 2, 3, 3, requires_grad=True), padding=1).backward(lt.zeros(1, 3, 2, 2))
    with pytest.raises(RuntimeError, match="floating point"):
        F.conv2d(x.detach().long(), lt.zeros(3, 2, 3, 3).long())


@pytest.mark.reference
@pytest.mark.parametrize("dtype, x_shape, w_shape, stride, padding, dilation", [
    (np.float64, (2, 3, 9, 8), (4, 3, 3, 3), (1, 1), (1, 1), (1, 1)),
    (np.float64, (2, 3, 9, 8), (4, 3, 2, 3), (2, 1), (2, 0), (1, 2)),
    (np.float32, (4, 32, 28, 28), (32, 32, 3, 3), (1, 1), (1, 1), (1, 1)),  # conv2 of the CNN
    (np.float32, (4, 1, 28, 28), (32, 1, 3, 3), (1, 1), (1, 1), (1, 1)),    # conv1 of the CNN
    (np.float32, (2, 6, 15, 13), (8, 6, 5, 3), (3, 2), (2, 1), (2, 1)),
])
def test_against_torch(dtype, x_shape, w_shape, stride, padding, dilation):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x, w, g = random_case(rng, x_shape, w_shape, stride, padding, dilation, dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    xt, wt, bt = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    yt = torch.nn.functional.conv2d(xt, wt, bt, stride, padding, dilation)
    yt.backward(torch.from_numpy(g))
    rel = 1e-13 if dtype == np.float64 else 1e-5
    assert_close(conv2d_forward(x, w, b, stride, padding, dilation), yt.detach().numpy(), rel)
    assert_close(conv2d_backward_input(g, w, x.shape, stride, padding, dilation),
                 xt.grad.numpy(), rel)
    assert_close(conv2d_backward_weight(g, x, w.shape, stride, padding, dilation),
                 wt.grad.numpy(), rel)
    assert_close(conv2d_backward_bias(g), bt.grad.numpy(), rel)
