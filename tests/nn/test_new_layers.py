"""Embedding, LayerNorm, Dropout2d, AdaptiveAvgPool2d, ConvTranspose2d, ELU/SiLU/Softplus, and the F.pad,
F.interpolate, F.normalize, F.one_hot forms: float64 gradchecks (with permuted, sliced and broadcast inputs),
references against torch (same weights: outputs, input and parameter grads, state_dict keys, reprs), and
torch's exception types for bad input; plus the torch.nn.modules import paths and child reassignment."""
import re
import warnings

import numpy as np
import pytest

import learntorch as lt
import learntorch.nn as nn
import learntorch.nn.functional as F
from learntorch.autograd import gradcheck as _gradcheck
from nn_helpers import rand, reference, torch



def gradcheck(fn, inputs):
    """gradcheck of ``(fn(*inputs) * r).sum()`` for a fixed random r: one backward per check."""
    r = rand(*fn(*inputs).shape, seed=7, requires_grad=False)
    return _gradcheck(lambda *a: (fn(*a) * r).sum(), inputs)


def permuted(*shape, seed=0):
    """A non-contiguous float64 leaf of ``shape`` (a transpose of the last two dims)."""
    base = rand(*shape[:-2], shape[-1], shape[-2], seed=seed, requires_grad=False)
    return base.transpose(-1, -2).requires_grad_()


def sliced(*shape, seed=0):
    """A non-contiguous float64 leaf of ``shape`` (every other column of a wider tensor)."""
    base = rand(*shape[:-1], 2 * shape[-1], seed=seed, requires_grad=False)
    return base[..., ::2].requires_grad_()


# ---------------------------------------------------------------- gradchecks
@pytest.mark.parametrize("make", [rand, permuted, sliced])
def test_activation_gradchecks(make):
    x = make(3, 4)
    with lt.no_grad():
        x.add_(0.03)  # away from the kinks at 0
    for fn in (F.elu, lambda a: F.elu(a, 0.5), F.silu, F.softplus, lambda a: F.softplus(a, 2.0, 1.0)):
        assert gradcheck(fn, (x,))


@pytest.mark.parametrize("make", [rand, permuted])
def test_layer_norm_gradcheck(make):
    x = make(2, 3, 4)
    w, b = rand(4, seed=1), rand(4, seed=2)
    assert gradcheck(lambda a, c, d: F.layer_norm(a, (4,), c, d), (x, w, b))
    w2 = rand(3, 4, seed=3)
    assert gradcheck(lambda a, c: F.layer_norm(a, (3, 4), c, None, 1e-3), (x, w2))


def test_embedding_gradcheck_and_padding_row():
    w = rand(5, 3)
    idx = lt.tensor([[0, 2, 2], [4, 1, 0]])
    assert gradcheck(lambda a: F.embedding(idx, a), (w,))
    F.embedding(idx, w, padding_idx=2).sum().backward()  # by design not the forward's derivative: no gradcheck
    assert np.all(w.grad.numpy()[2] == 0) and np.all(w.grad.numpy()[0] == 2)


@pytest.mark.parametrize("size", [1, 2, 3, (2, None), (4, 3)])
@pytest.mark.parametrize("make", [rand, permuted])
def test_adaptive_avg_pool2d_gradcheck(size, make):
    x = make(2, 2, 5, 4)
    assert gradcheck(lambda a: F.adaptive_avg_pool2d(a, size), (x,))


@pytest.mark.parametrize("kwargs", [dict(), dict(stride=2), dict(stride=2, padding=1, output_padding=1),
                                    dict(stride=(2, 1), padding=(0, 1), dilation=2),
                                    dict(stride=3, output_padding=(2, 1))])
def test_conv_transpose2d_gradcheck(kwargs):
    x, w, b = permuted(1, 2, 3, 4), rand(2, 3, 3, 2, seed=1), rand(3, seed=2)
    assert gradcheck(lambda a, c, d: F.conv_transpose2d(a, c, d, **kwargs), (x, w, b))


@pytest.mark.parametrize("mode, pad", [("constant", (1, 2)), ("constant", (-1, 2, 1, -1)),
                                       ("reflect", (2, 1, 1, 2)), ("replicate", (3, 1, 0, 2)),
                                       ("circular", (1, 2, 2, 0)), ("replicate", (-1, 2))])
def test_pad_gradcheck(mode, pad):
    x = permuted(1, 2, 3, 4) if len(pad) == 4 else permuted(2, 3, 4)
    assert gradcheck(lambda a: F.pad(a, pad, mode=mode), (x,))


@pytest.mark.parametrize("kwargs", [dict(size=(5, 7), mode="nearest"), dict(scale_factor=2, mode="nearest"),
                                    dict(size=(2, 6), mode="nearest-exact"),
                                    dict(size=(5, 7), mode="bilinear", align_corners=False),
                                    dict(size=(5, 2), mode="bilinear", align_corners=True),
                                    dict(scale_factor=1.5, mode="bilinear"), dict(size=(2, 3), mode="area")])
def test_interpolate_gradcheck(kwargs):
    x = permuted(1, 2, 3, 4)
    assert gradcheck(lambda a: F.interpolate(a, **kwargs), (x,))


def test_interpolate_linear_gradcheck():
    x = sliced(2, 2, 5)
    assert gradcheck(lambda a: F.interpolate(a, size=8, mode="linear", align_corners=True), (x,))


@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize_gradcheck(p, dim):
    x = permuted(3, 4)
    assert gradcheck(lambda a: F.normalize(a, p=p, dim=dim), (x,))


def test_normalize_zero_row_gradient_is_finite():
    x = lt.zeros(2, 3, dtype=lt.float64, requires_grad=True)
    F.normalize(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1e12)  # 1 / eps: the denominator is the constant eps there


def test_dropout2d_drops_whole_channels():
    lt.manual_seed(0)
    x = lt.ones(4, 8, 3, 3, dtype=lt.float64, requires_grad=True)
    y = F.dropout2d(x, 0.5)
    per_channel = y.detach().numpy().reshape(4, 8, 9)
    assert np.all((per_channel == 0) | (per_channel == 2)) and np.all(per_channel.std(-1) == 0)
    assert 0 < (per_channel == 0).mean() < 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), per_channel.reshape(4, 8, 3, 3))
    assert F.dropout2d(x, 0.5, training=False) is x
    drop = nn.Dropout2d(0.3).eval()
    assert drop(x) is x


def test_one_hot():
    out = F.one_hot(lt.tensor([[0, 2], [1, 0]]))
    assert out.dtype is lt.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[[[0, 2], [1, 0]]])
    assert F.one_hot(lt.tensor([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]


def test_embedding_max_norm_renormalises_looked_up_rows_in_place():
    emb = nn.Embedding(4, 3, max_norm=1.0)
    with lt.no_grad():
        emb.weight.copy_(lt.tensor([[3.0, 4.0, 0.0], [0.1, 0.0, 0.0], [0.0, 0.0, 5.0], [1.0, 1.0, 1.0]]))
    emb(lt.tensor([0, 1, 0]))
    norms = np.linalg.norm(emb.weight.detach().numpy(), axis=1)
    np.testing.assert_allclose(norms[:2], [1.0, 0.1], rtol=1e-5)
    assert norms[2] == 5.0  # rows not looked up are left alone


def test_embedding_from_pretrained_freezes():
    w = lt.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad and emb(lt.tensor([1])).tolist() == [[3.0, 4.0]]
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad


# ---------------------------------------------------------------- torch.nn.modules and child reassignment
def test_modules_import_paths():
    from learntorch.nn.modules.conv import ConvTranspose2d
    from learntorch.nn.modules.loss import _Loss
    from learntorch.nn.modules.module import Module
    from learntorch.nn.modules.rnn import LSTM
    from learntorch.nn.modules.sparse import Embedding
    from learntorch.nn.modules.utils import _pair
    assert (ConvTranspose2d, _Loss, Module, LSTM, Embedding) == (nn.ConvTranspose2d, nn.modules.loss._Loss,
                                                                 nn.Module, nn.LSTM, nn.Embedding)
    assert _pair(3) == (3, 3) and nn.modules.Linear is nn.Linear


def test_reassigned_child_and_parameter_keep_their_place():
    model = nn.Sequential()
    model.a, model.b, model.c = nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)
    model.a = nn.Linear(2, 2, bias=False)
    assert [name for name, _ in model.named_children()] == ["a", "b", "c"]
    assert list(model.state_dict()) == ["a.weight", "c.weight", "c.bias"]
    lin = nn.Linear(2, 2)
    lin.weight = nn.Parameter(lt.zeros(2, 2))
    assert [name for name, _ in lin.named_parameters()] == ["weight", "bias"]


# ---------------------------------------------------------------- bad input: torch's exception types
def test_layer_errors():
    with pytest.raises(RuntimeError, match=re.escape("Given normalized_shape=[4], expected input with shape [*, 4], "
                                                     "but got input of size[3, 5]")):
        nn.LayerNorm(4)(lt.ones(3, 5))
    with pytest.raises(RuntimeError, match=re.escape("weight of shape [4] and normalized_shape = [5]")):
        F.layer_norm(lt.ones(3, 5), (5,), lt.ones(4))
    with pytest.raises(IndexError, match="index out of range in self: embedding has 10 rows"):
        nn.Embedding(10, 3)(lt.tensor([10]))
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long"):
        nn.Embedding(10, 3)(lt.tensor([1.0]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(AssertionError, match=re.escape("expected to be 2-dimensional, got shape [3]")):
        nn.Embedding.from_pretrained(lt.ones(3))
    with pytest.raises(RuntimeError, match=re.escape("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                                                     "[3, 4]")):
        nn.AdaptiveAvgPool2d(2)(lt.ones(3, 4))
    with pytest.raises(RuntimeError, match="output_size must be 2"):
        F.adaptive_avg_pool2d(lt.ones(1, 3, 5, 4), (1, 2, 3))
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"), \
            pytest.warns(UserWarning, match="Received a 1-D input to dropout2d"):
        F.dropout2d(lt.ones(3), 0.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout2d(1.5)
    for fn in (F.elu, F.silu, F.softplus):
        with pytest.raises(NotImplementedError, match="not implemented for 'int64'"):
            fn(lt.tensor([1, 2]))


def test_conv_transpose2d_errors():
    with pytest.raises(RuntimeError, match=re.escape("Given transposed=1, weight of size [4, 3, 3, 3], expected "
                                                     "input[1, 2, 5, 5] to have 4 channels, but got 2 channels")):
        nn.ConvTranspose2d(4, 3, 3)(lt.ones(1, 2, 5, 5))
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation, but got "
                                           "output_padding_height: 1"):
        nn.ConvTranspose2d(4, 3, 3, output_padding=1)(lt.ones(1, 4, 5, 5))
    with pytest.raises(RuntimeError, match=re.escape("Expected 3D (unbatched) or 4D (batched) input to "
                                                     "conv_transpose2d, but got input of size: [4, 5]")):
        nn.ConvTranspose2d(4, 3, 3)(lt.ones(4, 5))
    with pytest.raises(ValueError, match=re.escape("requested an output size of (20, 20), but valid sizes range "
                                                   "from [11, 11] to [12, 12]")):
        nn.ConvTranspose2d(4, 3, 3, stride=2)(lt.ones(1, 4, 5, 5), output_size=(20, 20))
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(4, 3, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.ConvTranspose2d(4, 3, 3, groups=2)


def test_functional_errors():
    with pytest.raises(RuntimeError, match=re.escape("padding (3, 3) at dimension 2 of input [1, 1, 3]")):
        F.pad(lt.ones(1, 1, 3), (3, 3), mode="reflect")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 1D input tensor"):
        F.pad(lt.ones(3), (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(lt.ones(1, 2, 3), (1,))
    with pytest.raises(RuntimeError, match="padding length 6 and input of dimension 2"):
        F.pad(lt.ones(2, 3), (1,) * 6)
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(lt.ones(1, 2, 3), (1, 1), mode="foo")
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(lt.ones(1, 2, 3), (4, 1), mode="circular")
    with pytest.raises(NotImplementedError, match="Got 3D input, but bilinear mode needs 4D input"):
        F.interpolate(lt.ones(1, 2, 3), size=4, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners option can only be set with the interpolating modes"):
        F.interpolate(lt.ones(1, 2, 3, 3), size=4, align_corners=True)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F.interpolate(lt.ones(1, 2, 3, 3), size=4, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(lt.ones(1, 2, 3, 3))
    with pytest.raises(ValueError, match=re.escape("spatial dimensions of [3, 3] and output size of (4, 4, 4)")):
        F.interpolate(lt.ones(1, 2, 3, 3), size=(4, 4, 4))
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor of type LongTensor"):
        F.one_hot(lt.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Class values must be non-negative"):
        F.one_hot(lt.tensor([-1, 2]))
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(lt.tensor([1, 5]), 3)


# ---------------------------------------------------------------- references against torch
def arr(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def close(a, b, atol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=atol, rtol=1e-4)


def run_both(ours, theirs, x, *, call=lambda m, x: m(x), grads=True):
    """Copy torch's weights into ours; compare state_dict keys, outputs, and input and parameter grads."""
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: lt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    xo = lt.tensor(x, requires_grad=grads and x.dtype.kind == "f")
    xt = torch.tensor(x, requires_grad=grads and x.dtype.kind == "f")
    yo, yt = call(ours, xo), call(theirs, xt)
    close(yo, yt)
    r = arr(tuple(yt.shape), seed=1)
    (yo * lt.tensor(r)).sum().backward()
    (yt * torch.tensor(r)).sum().backward()
    if xt.requires_grad:
        close(xo.grad, xt.grad)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        if p.requires_grad:
            close(p.grad, tp[name].grad)
    assert repr(ours) == repr(theirs)


@reference
@pytest.mark.parametrize("args", [(4,), ((3, 4),), (4, 1e-3, False), (4, 1e-5, True, False)])
def test_layer_norm_reference(args):
    run_both(nn.LayerNorm(*args), torch.nn.LayerNorm(*args), arr((2, 3, 4)) * 3 + 1)


@reference
@pytest.mark.parametrize("kwargs", [dict(), dict(padding_idx=1), dict(padding_idx=-1)])
def test_embedding_reference(kwargs):
    idx = np.array([[0, 1, 4], [1, 1, 3]])
    run_both(nn.Embedding(5, 3, **kwargs), torch.nn.Embedding(5, 3, **kwargs), idx)
    if kwargs:
        assert np.all(nn.Embedding(5, 3, **kwargs).weight.detach().numpy()[kwargs["padding_idx"] % 5] == 0)


@reference
@pytest.mark.parametrize("size", [1, (2, 3), (3, None), 4])
def test_adaptive_avg_pool2d_reference(size):
    run_both(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), arr((2, 3, 7, 5)))
    run_both(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), arr((3, 6, 9)))


@reference
@pytest.mark.parametrize("kwargs", [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1, output_padding=1),
                                    dict(kernel_size=(2, 4), stride=(1, 2), dilation=(2, 1), bias=False),
                                    dict(kernel_size=4, stride=2, padding=1)])
def test_conv_transpose2d_reference(kwargs):
    run_both(nn.ConvTranspose2d(2, 3, **kwargs), torch.nn.ConvTranspose2d(2, 3, **kwargs), arr((2, 2, 5, 4)))


@reference
def test_conv_transpose2d_output_size_and_init_reference():
    call = (lambda m, x: m(x, output_size=[12, 11]))
    run_both(nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, stride=2), arr((1, 2, 5, 5)),
             call=call)
    lt.manual_seed(0)
    w = nn.ConvTranspose2d(8, 4, 3).weight.detach().numpy()
    bound = 1 / np.sqrt(4 * 9)  # kaiming_uniform(a=sqrt 5): fan_in = weight.size(1) * k * k, as torch
    assert w.shape == (8, 4, 3, 3) and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound


@reference
@pytest.mark.parametrize("name, args", [("ELU", ()), ("ELU", (0.4,)), ("SiLU", ()), ("Softplus", ()),
                                        ("Softplus", (2.0, 1.0)), ("LeakyReLU", (0.2,))])
def test_activation_reference(name, args):
    run_both(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), arr((3, 5)) * 4)


@reference
def test_inplace_activations_reference():
    for name in ("elu", "silu", "leaky_relu"):
        x = arr((2, 3))
        xo, xt = lt.tensor(x), torch.tensor(x)
        getattr(F, name)(xo, inplace=True)
        getattr(torch.nn.functional, name)(xt, inplace=True)
        close(xo, xt)


@reference
@pytest.mark.parametrize("mode, pad", [("constant", (1, 2, 0, 3)), ("constant", (-1, 2)), ("reflect", (2, 1, 1, 2)),
                                       ("replicate", (3, 1, 0, 2)), ("circular", (1, 2, 2, 0)),
                                       ("reflect", (-1, 2)), ("replicate", (-1, 2)), ("circular", (-1, 2))])
def test_pad_reference(mode, pad):
    x = arr((1, 2, 3, 4) if len(pad) == 4 else (2, 3, 4))
    value = {"value": 1.5} if mode == "constant" else {}
    run_both(nn.Identity(), torch.nn.Identity(), x, call=lambda m, a: (F if isinstance(a, lt.Tensor) else
                                                                       torch.nn.functional).pad(a, pad, mode, **value))


@reference
@pytest.mark.parametrize("shape, kwargs", [
    ((1, 2, 3, 4), dict(size=(5, 7))), ((1, 2, 3, 4), dict(scale_factor=2)), ((1, 2, 5, 4), dict(size=(2, 3))),
    ((1, 2, 3, 4), dict(scale_factor=(1.5, 2.5))), ((1, 2, 7), dict(size=3)),
    ((1, 2, 3, 4), dict(size=(5, 7), mode="nearest-exact")), ((1, 2, 3, 4), dict(size=(5, 7), mode="bilinear")),
    ((1, 2, 5, 4), dict(size=(2, 3), mode="bilinear")),
    ((1, 2, 3, 4), dict(size=(5, 7), mode="bilinear", align_corners=True)),
    ((1, 2, 3, 4), dict(scale_factor=1.7, mode="bilinear")),
    ((1, 2, 3, 4), dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 5), dict(size=9, mode="linear")), ((2, 3, 5), dict(size=2, mode="linear", align_corners=True)),
    ((1, 2, 7, 5), dict(size=(3, 2), mode="area")), ((1, 2, 2, 2, 3), dict(scale_factor=2)),
])
def test_interpolate_reference(shape, kwargs):
    run_both(nn.Identity(), torch.nn.Identity(), arr(shape),
             call=lambda m, a: (F if isinstance(a, lt.Tensor) else torch.nn.functional).interpolate(a, **kwargs))


@reference
@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, 0), (3.0, -1), (float("inf"), 1)])
def test_normalize_reference(p, dim):
    x = arr((3, 4))
    x[1] = 0.0
    run_both(nn.Identity(), torch.nn.Identity(), x,
             call=lambda m, a: (F if isinstance(a, lt.Tensor) else torch.nn.functional).normalize(a, p, dim))


@reference
def test_one_hot_reference():
    idx = np.array([[0, 3], [2, 2]])
    assert F.one_hot(lt.tensor(idx)).tolist() == torch.nn.functional.one_hot(torch.tensor(idx)).tolist()
    assert F.one_hot(lt.tensor(idx), 6).tolist() == torch.nn.functional.one_hot(torch.tensor(idx), 6).tolist()


def test_dropout2d_three_dim_input_warns_as_torch():
    x = lt.ones(2, 3, 4)
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(x, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout2d(lt.ones(2, 3, 4, 4), 0.5)
