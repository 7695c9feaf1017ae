"""Finite-difference checks (float64, tiny shapes) of conv, pooling, batch norm, GELU and the losses."""
import numpy as np
import pytest

import learntorch as torch
import learntorch.nn as nn
import learntorch.nn.functional as F
from learntorch.autograd import gradcheck as _gradcheck, gradgradcheck


def gradcheck(fn, inputs):
    """gradcheck of ``(fn(*inputs) * r).sum()`` for a fixed random ``r``: every Jacobian entry still
    counts, and autograd needs one backward instead of one per output element."""
    r = rand(*fn(*inputs).shape, requires_grad=False, seed=7)
    return _gradcheck(lambda *a: (fn(*a) * r).sum(), inputs)


def rand(*shape, requires_grad=True, seed=0):
    rng = np.random.default_rng(seed + sum(shape))
    return torch.tensor(rng.standard_normal(shape), dtype=torch.float64, requires_grad=requires_grad)


@pytest.mark.parametrize("x_shape, w_shape, kwargs, bias", [
    ((1, 2, 5, 5), (3, 2, 3, 3), dict(stride=2), True),
    ((2, 2, 4, 4), (2, 2, 3, 3), dict(padding=0), False),
    ((1, 1, 4, 4), (2, 1, 3, 3), dict(padding=1), True),
    ((1, 2, 3, 3), (2, 2, 2, 2), dict(padding=2), True),
    ((1, 1, 6, 6), (2, 1, 2, 2), dict(dilation=2), False),
    ((1, 2, 5, 4), (2, 2, 3, 2), dict(stride=(2, 1), padding=(1, 0)), True),
    ((1, 1, 6, 6), (1, 1, 3, 3), dict(stride=2), False),  # the last row and column are never read
])
def test_conv2d_gradcheck(x_shape, w_shape, kwargs, bias):
    x, w = rand(*x_shape), rand(*w_shape)
    b = rand(w_shape[0]) if bias else None
    inputs = (x, w, b) if bias else (x, w)
    assert gradcheck(lambda *a: F.conv2d(a[0], a[1], a[2] if bias else None, **kwargs), inputs)


def test_conv2d_double_backward():
    x, w = rand(1, 1, 4, 4), rand(2, 1, 2, 2)
    assert gradgradcheck(lambda a, b: F.conv2d(a, b, None, stride=2, padding=1), (x, w))


def test_conv2d_same_padding_even_kernel_gradcheck():
    x, w = rand(1, 1, 4, 3), rand(1, 1, 2, 2)
    assert gradcheck(lambda a, b: F.conv2d(a, b, padding="same"), (x, w))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=2, stride=1, dilation=2), dict(kernel_size=2, ceil_mode=True)])
def test_max_pool2d_gradcheck(kwargs):
    x = rand(1, 2, 5, 5)
    assert gradcheck(lambda a: F.max_pool2d(a, **kwargs), (x,))


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
                                    dict(kernel_size=2, ceil_mode=True)])
def test_avg_pool2d_gradcheck(kwargs):
    x = rand(1, 2, 5, 5)
    assert gradcheck(lambda a: F.avg_pool2d(a, **kwargs), (x,))


def test_pool_double_backward():
    x = rand(1, 1, 4, 4)
    assert gradgradcheck(lambda a: F.max_pool2d(a, 2), (x,))
    assert gradgradcheck(lambda a: F.avg_pool2d(a, 3, 1, 1), (x,))


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 2), (2, 2, 2, 2)])
def test_batch_norm_train_gradcheck(shape):
    x, w, b = rand(*shape), rand(shape[1]), rand(shape[1])
    rm, rv = torch.zeros(shape[1], dtype=torch.float64), torch.ones(shape[1], dtype=torch.float64)
    assert gradcheck(lambda a, c, d: F.batch_norm(a, rm, rv, c, d, training=True), (x, w, b))


def test_batch_norm_eval_gradcheck():
    x, w = rand(3, 2, 2, 2), rand(2)
    rm, rv = rand(2, requires_grad=False), rand(2, requires_grad=False).abs() + 0.5
    assert gradcheck(lambda a, c: F.batch_norm(a, rm, rv, c, None, training=False), (x, w))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradcheck(approximate):
    x = rand(7) * 2
    x = x.detach().requires_grad_()
    assert gradcheck(lambda a: F.gelu(a, approximate=approximate), (x,))


def test_activation_gradchecks():
    x = rand(2, 5) + 0.05  # keep away from the kink at 0
    x = x.detach().requires_grad_()
    for fn in (lambda a: F.leaky_relu(a, 0.2), F.sigmoid, F.tanh, lambda a: F.softmax(a, 1),
               lambda a: F.log_softmax(a, 0)):
        assert gradcheck(fn, (x,))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradcheck(reduction):
    x = rand(4, 3)
    t = torch.tensor([0, 2, 1, 2])
    w = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    assert gradcheck(lambda a: F.cross_entropy(a, t, reduction=reduction), (x,))
    assert gradcheck(lambda a: F.cross_entropy(a, t, w, reduction=reduction, ignore_index=1,
                                               label_smoothing=0.1), (x,))


def test_cross_entropy_spatial_and_probabilities_gradcheck():
    x = rand(2, 3, 2, 2)
    t = torch.tensor([[[0, 1], [2, 1]], [[1, 1], [0, 2]]])
    assert gradcheck(lambda a: F.cross_entropy(a, t), (x,))
    p = F.softmax(rand(2, 3, requires_grad=False), 1)
    assert gradcheck(lambda a: F.cross_entropy(a, p, label_smoothing=0.2), (rand(2, 3),))


def test_nll_mse_bce_gradcheck():
    x, y = rand(3, 4), rand(3, 4, requires_grad=False)
    t = torch.tensor([3, 0, 1])
    assert gradcheck(lambda a: F.nll_loss(F.log_softmax(a, 1), t), (x,))
    assert gradcheck(lambda a, b: F.mse_loss(a, b), (x, rand(3, 4, seed=1)))
    labels = (y > 0).double()
    pw = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=torch.float64)
    assert gradcheck(lambda a: F.binary_cross_entropy_with_logits(a, labels), (x,))
    assert gradcheck(lambda a: F.binary_cross_entropy_with_logits(a, labels, pos_weight=pw, reduction="sum"), (x,))


def test_modules_gradcheck_through_parameters():
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 2, 3, padding=1).double()
    lin = nn.Linear(8, 3).double()
    x = rand(1, 2, 2, 2)
    assert gradcheck(lambda a, w: F.linear(F.conv2d(a, w, conv.bias, padding=1).relu().flatten(1), lin.weight,
                                           lin.bias), (x, conv.weight))
