"""Each layer and loss against torch.nn with the same weights: forward values, input and parameter grads,
state_dict keys, load_state_dict round trips and repr strings."""
import numpy as np
import pytest

import learntorch as lt
import learntorch.nn as nn
import learntorch.nn.functional as F

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.reference

ATOL = 1e-5


def arr(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def copy_weights(ours, theirs):
    """Copy every parameter and buffer of the torch module into ours (same names)."""
    ours.load_state_dict({k: lt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


def close(a, b, atol=ATOL):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=atol, rtol=1e-4)


def run_both(ours, theirs, x, *extra):
    """Forward both on x (float32), backward a random projection; compare outputs and all grads."""
    xo, xt = lt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo, *(lt.tensor(e) for e in extra)), theirs(xt, *(torch.tensor(e) for e in extra))
    close(yo, yt)
    r = arr(tuple(yt.shape), seed=1)
    (yo * lt.tensor(r)).sum().backward()
    (yt * torch.tensor(r)).sum().backward()
    close(xo.grad, xt.grad)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, tp[name].grad)
    return yo, yt


CONV_CASES = [
    dict(in_channels=2, out_channels=3, kernel_size=3),
    dict(in_channels=2, out_channels=3, kernel_size=3, stride=2, padding=1),
    dict(in_channels=2, out_channels=4, kernel_size=(3, 2), padding=(2, 0), dilation=(1, 2), bias=False),
    dict(in_channels=2, out_channels=2, kernel_size=3, padding="same", dilation=2),
    dict(in_channels=2, out_channels=2, kernel_size=(2, 4), padding="same"),
    dict(in_channels=2, out_channels=2, kernel_size=3, padding="valid"),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kwargs", CONV_CASES)
def test_conv2d(kwargs):
    ours, theirs = nn.Conv2d(**kwargs), torch.nn.Conv2d(**kwargs)
    copy_weights(ours, theirs)
    run_both(ours, theirs, arr((2, 2, 7, 6)))
    assert repr(ours) == repr(theirs)


def test_conv2d_unbatched():
    ours, theirs = nn.Conv2d(2, 3, 3, padding=1), torch.nn.Conv2d(2, 3, 3, padding=1)
    copy_weights(ours, theirs)
    yo, _ = run_both(ours, theirs, arr((2, 5, 5)))
    assert yo.shape == (3, 5, 5)


@pytest.mark.parametrize("cls, kwargs", [
    ("MaxPool2d", dict(kernel_size=2)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("MaxPool2d", dict(kernel_size=2, stride=1, dilation=2)),
    ("AvgPool2d", dict(kernel_size=2)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
])
def test_pooling(cls, kwargs):
    ours, theirs = getattr(nn, cls)(**kwargs), getattr(torch.nn, cls)(**kwargs)
    run_both(ours, theirs, arr((2, 3, 7, 7)))
    run_both(ours, theirs, arr((3, 6, 6)))
    assert repr(ours) == repr(theirs)


def test_max_pool_indices():
    x = arr((1, 2, 5, 5))
    yo, io = F.max_pool2d(lt.tensor(x), 2, return_indices=True)
    yt, it = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    close(yo, yt)
    np.testing.assert_array_equal(io.numpy(), it.numpy())


@pytest.mark.parametrize("cls, shape, kwargs", [
    ("BatchNorm1d", (4, 3), {}),
    ("BatchNorm1d", (4, 3, 5), dict(momentum=0.3)),
    ("BatchNorm2d", (3, 2, 4, 4), {}),
    ("BatchNorm2d", (3, 2, 4, 4), dict(affine=False, eps=1e-3)),
    ("BatchNorm2d", (3, 2, 4, 4), dict(momentum=None)),
    ("BatchNorm2d", (3, 2, 4, 4), dict(track_running_stats=False)),
    ("BatchNorm2d", (3, 2, 4, 4), dict(bias=False)),
])
def test_batchnorm_train_then_eval(cls, shape, kwargs):
    ours, theirs = getattr(nn, cls)(shape[1], **kwargs), getattr(torch.nn, cls)(shape[1], **kwargs)
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(0.5, 1.5)
    copy_weights(ours, theirs)
    for seed in range(2):
        run_both(ours, theirs, arr(shape, seed) * 2 + 1)
    for (name, b), (_, tb) in zip(ours.named_buffers(), theirs.named_buffers()):
        np.testing.assert_allclose(b.numpy(), tb.numpy(), atol=1e-5, err_msg=name)
    ours.eval(), theirs.eval()
    run_both(ours, theirs, arr(shape, 5))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("name, args", [
    ("ReLU", ()), ("LeakyReLU", (0.2,)), ("Sigmoid", ()), ("Tanh", ()), ("GELU", ()), ("GELU", ("tanh",)),
    ("Softmax", (1,)), ("LogSoftmax", (1,)), ("LogSoftmax", (0,)), ("Flatten", ()), ("Flatten", (0, 1)),
    ("Unflatten", (1, (2, 3))), ("Identity", ()),
])
def test_shape_and_activation_modules(name, args):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    run_both(ours, theirs, arr((4, 6)) * 3)
    assert repr(ours) == repr(theirs)


def test_linear():
    ours, theirs = nn.Linear(5, 3), torch.nn.Linear(5, 3)
    copy_weights(ours, theirs)
    run_both(ours, theirs, arr((4, 5)))
    run_both(ours, theirs, arr((2, 4, 5)))
    run_both(ours, theirs, arr((5,)))
    assert repr(ours) == repr(theirs) and repr(nn.Linear(2, 1, bias=False)) == repr(torch.nn.Linear(2, 1, bias=False))


def test_dropout_eval_identity_and_train_scaling():
    d = nn.Dropout(0.25)
    assert repr(d) == repr(torch.nn.Dropout(0.25))
    x = lt.ones(2000, requires_grad=True)
    y = d(x)
    kept = y.detach().numpy() != 0
    assert 0.65 < kept.mean() < 0.85
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, kept)
    d.eval()
    assert d(x) is x


LOSS_CASES = [
    ("CrossEntropyLoss", {}, "index"),
    ("CrossEntropyLoss", dict(reduction="sum"), "index"),
    ("CrossEntropyLoss", dict(reduction="none"), "index"),
    ("CrossEntropyLoss", dict(weight=[0.2, 1.0, 2.0, 0.5]), "index"),
    ("CrossEntropyLoss", dict(ignore_index=1), "index"),
    ("CrossEntropyLoss", dict(label_smoothing=0.1), "index"),
    ("CrossEntropyLoss", dict(label_smoothing=0.2, weight=[0.2, 1.0, 2.0, 0.5], ignore_index=2), "index"),
    ("CrossEntropyLoss", dict(label_smoothing=0.2, reduction="none"), "index"),
    ("CrossEntropyLoss", {}, "probs"),
    ("CrossEntropyLoss", dict(label_smoothing=0.3, weight=[0.2, 1.0, 2.0, 0.5]), "probs"),
    ("CrossEntropyLoss", {}, "spatial"),
    ("NLLLoss", {}, "index"),
    ("NLLLoss", dict(weight=[0.2, 1.0, 2.0, 0.5], reduction="mean"), "index"),
    ("NLLLoss", dict(ignore_index=0, reduction="none"), "index"),
    ("MSELoss", {}, "float"),
    ("MSELoss", dict(reduction="sum"), "float"),
    ("BCEWithLogitsLoss", {}, "binary"),
    ("BCEWithLogitsLoss", dict(pos_weight=[1.0, 2.0, 0.5, 3.0], weight=[1.0, 0.0, 2.0, 1.0]), "binary"),
]


@pytest.mark.parametrize("name, kwargs, target_kind", LOSS_CASES)
def test_losses(name, kwargs, target_kind):
    rng = np.random.default_rng(3)
    x = arr((6, 4)) * 3
    if target_kind == "index":
        target = np.array([0, 1, 2, 3, 1, 2])
    elif target_kind == "probs":
        target = rng.dirichlet(np.ones(4), 6).astype(np.float32)
    elif target_kind == "spatial":
        x = arr((2, 4, 3, 2))
        target = rng.integers(0, 4, (2, 3, 2))
    elif target_kind == "binary":
        target = (rng.random((6, 4)) > 0.5).astype(np.float32)
    else:
        target = arr((6, 4), seed=9)
    ours_kw = {k: lt.tensor(np.float32(v)) if isinstance(v, list) else v for k, v in kwargs.items()}
    theirs_kw = {k: torch.tensor(np.float32(v)) if isinstance(v, list) else v for k, v in kwargs.items()}
    ours, theirs = getattr(nn, name)(**ours_kw), getattr(torch.nn, name)(**theirs_kw)
    if name == "NLLLoss":
        x = torch.log_softmax(torch.tensor(x), 1).numpy()
    run_both(ours, theirs, x, target)
    assert repr(ours) == repr(theirs)


def course_cnn(lib):
    m = lib.nn
    return m.Sequential(m.Conv2d(1, 32, 3, padding=1), m.ReLU(), m.Conv2d(32, 32, 3, padding=1), m.ReLU(),
                        m.Flatten(), m.Linear(32 * 28 * 28, 128), m.ReLU(), m.Linear(128, 10))


def test_course_cnn_state_dict_repr_and_forward():
    ours, theirs = course_cnn(lt), course_cnn(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(v.shape) for v in ours.state_dict().values()] == \
        [tuple(v.shape) for v in theirs.state_dict().values()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert repr(ours) == repr(theirs)
    copy_weights(ours, theirs)
    x, y = arr((2, 1, 28, 28)), np.array([3, 7])
    lo = nn.CrossEntropyLoss()(ours(lt.tensor(x)), lt.tensor(y))
    lt_ = torch.nn.CrossEntropyLoss()(theirs(torch.tensor(x)), torch.tensor(y))
    lo.backward(), lt_.backward()
    close(lo, lt_)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, tp[name].grad, atol=1e-4)


def test_load_state_dict_round_trip():
    ours, theirs = course_cnn(lt), course_cnn(torch)
    sd = ours.state_dict()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in sd.items()})
    fresh = course_cnn(lt)
    result = fresh.load_state_dict({k: lt.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (k, a), (_, b) in zip(fresh.state_dict().items(), sd.items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_default_init_matches_torch_distribution():
    """Linear and Conv2d weights and biases are U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as torch's are."""
    lt.manual_seed(0)
    for ours, theirs, fan_in in ((nn.Linear(400, 300), torch.nn.Linear(400, 300), 400),
                                 (nn.Conv2d(16, 64, 5), torch.nn.Conv2d(16, 64, 5), 16 * 25)):
        bound = 1 / np.sqrt(fan_in)
        for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            for a in (p.detach().numpy(), q.detach().numpy()):
                assert np.abs(a).max() <= bound, name
                assert abs(a.std() - bound / np.sqrt(3)) < 0.2 * bound / np.sqrt(3), name
        w = ours.weight.detach().numpy()
        assert w.max() > 0.99 * bound and w.min() < -0.99 * bound


def test_init_functions_match_torch_bounds():
    w = lt.empty(200, 100)
    for fn, kwargs, bound in [("kaiming_uniform_", dict(nonlinearity="relu"), np.sqrt(6 / 100)),
                              ("xavier_uniform_", {}, np.sqrt(6 / 300))]:
        getattr(nn.init, fn)(w, **kwargs)
        assert w.numpy().max() <= bound and w.numpy().max() > 0.95 * bound
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.numpy().std() - np.sqrt(2 / 200)) < 0.005
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(w.numpy().std() - 2 * np.sqrt(2 / 300)) < 0.005
    for name, param in [("relu", None), ("tanh", None), ("leaky_relu", 0.2), ("sigmoid", None), ("selu", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))
    nn.init.constant_(w, 0.5)
    assert (w.numpy() == 0.5).all()
    assert nn.init._calculate_fan_in_and_fan_out(lt.empty(8, 3, 5, 5)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(8, 3, 5, 5))


def test_module_list_and_nested_repr():
    class Net(nn.Module):
        def __init__(self, lib):
            super().__init__()
            self.blocks = lib.ModuleList([lib.Linear(4, 4) for _ in range(3)] + [lib.ReLU()])
            self.head = lib.Sequential(lib.Linear(4, 2), lib.Dropout(0.1))
            self.bn = lib.BatchNorm1d(2)

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList([torch.nn.Linear(4, 4) for _ in range(3)] + [torch.nn.ReLU()])
            self.head = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.1))
            self.bn = torch.nn.BatchNorm1d(2)

    ours, theirs = Net(nn), TorchNet()
    assert repr(ours).replace("Net(", "X(") == repr(theirs).replace("TorchNet(", "X(")
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_gelu_exact_matches_torch_to_1e6_in_float64():
    x = np.linspace(-8, 8, 4001)
    xo, xt = lt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yo, yt = F.gelu(xo), torch.nn.functional.gelu(xt)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), atol=1e-6, rtol=0)
    yo.sum().backward(), yt.sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), atol=1e-6, rtol=0)


@pytest.mark.parametrize("act", ["ReLU", "LeakyReLU"])
def test_inplace_activation_in_a_model(act):
    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(4, 5), getattr(lib.nn, act)(inplace=True), lib.nn.Linear(5, 2))
    ours, theirs = build(lt), build(torch)
    copy_weights(ours, theirs)
    run_both(ours, theirs, arr((3, 4)))
    assert repr(ours) == repr(theirs)


def test_grad_fn_names_match_torch():
    x = arr((2, 1, 6, 6))
    for lib in (lt, torch):
        xi = lib.tensor(x, requires_grad=True)
        conv = lib.nn.functional.conv2d(xi, lib.tensor(arr((2, 1, 3, 3))))
        mp, ap = lib.nn.functional.max_pool2d(conv, 2), lib.nn.functional.avg_pool2d(conv, 2)
        loss = lib.nn.functional.cross_entropy(mp.flatten(1), lib.tensor(np.array([1, 0])))
        names = [t.grad_fn.name() for t in (conv, mp, ap, loss)] + [loss.grad_fn.next_functions[0][0].name()]
        if lib is lt:
            ours = names
    assert ours == names == ["ConvolutionBackward0", "MaxPool2DWithIndicesBackward0", "AvgPool2DBackward0",
                             "NllLossBackward0", "LogSoftmaxBackward0"]
