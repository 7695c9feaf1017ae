"""RNN, LSTM, GRU and their cells: float64 gradchecks through inputs, initial states and every weight
(LSTM's fused time loop included), references against torch with torch's weights (state_dict keys, outputs,
final states, all gradients, reprs) over layers, directions, batch_first, bias, proj_size and unbatched
input, and torch's exceptions for bad input."""
import math
import re
import warnings

import numpy as np
import pytest

import learntorch as lt
import learntorch.nn as nn
from learntorch.autograd import gradcheck, gradgradcheck
from nn_helpers import rand, reference, torch



def as_function(module, with_state):
    """(input, state..., *parameters) -> one scalar, so that gradcheck perturbs the weights too."""
    names = [name for name, _ in module.named_parameters()]
    r = {}

    def fn(x, *rest):
        states, params = rest[:with_state], rest[with_state:]
        for name, p in zip(names, params):
            module._parameters[name] = p
        out, hidden = module(x, (states[0], states[1]) if with_state == 2 else states[0] if states else None)
        finals = list(hidden) if isinstance(hidden, tuple) else [hidden]
        total = 0
        for k, t in enumerate([out] + finals):  # a fixed random projection of every output
            r.setdefault(k, rand(*t.shape, seed=10 + k, requires_grad=False))
            total = total + (t * r[k]).sum()
        return total
    return fn, [p for _, p in module.named_parameters()]


@pytest.mark.parametrize("cls, kwargs", [
    (nn.LSTM, dict()), (nn.LSTM, dict(num_layers=2, bidirectional=True)), (nn.LSTM, dict(bias=False)),
    (nn.LSTM, dict(proj_size=2)), (nn.GRU, dict(num_layers=2)), (nn.GRU, dict(bidirectional=True, bias=False)),
    (nn.RNN, dict(nonlinearity="tanh", num_layers=2)), (nn.RNN, dict(nonlinearity="relu", bidirectional=True)),
])
def test_recurrent_layers_gradcheck(cls, kwargs):
    lt.manual_seed(0)
    module = cls(3, 4, **kwargs).double()
    directions = 2 if kwargs.get("bidirectional") else 1
    layers = kwargs.get("num_layers", 1)
    x = rand(4, 2, 3)
    hidden = kwargs.get("proj_size", 4)
    states = [rand(layers * directions, 2, hidden, seed=1)]
    if cls is nn.LSTM:
        states.append(rand(layers * directions, 2, 4, seed=2))
    fn, params = as_function(module, len(states))
    assert gradcheck(fn, (x, *states, *params))


def test_lstm_batch_first_non_contiguous_input_gradcheck():
    lt.manual_seed(0)
    module = nn.LSTM(3, 2, batch_first=True, bidirectional=True).double()
    x = rand(5, 2, 3).transpose(0, 1).detach().requires_grad_()  # (batch 2, seq 5, 3), non-contiguous
    fn, params = as_function(module, 0)
    assert gradcheck(fn, (x, *params))


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_gradcheck(cls):
    lt.manual_seed(0)
    cell = cls(3, 4).double()
    x, h, c = rand(2, 3), rand(2, 4, seed=1), rand(2, 4, seed=2)
    params = list(cell.parameters())
    names = [name for name, _ in cell.named_parameters()]

    def fn(a, hh, cc, *ps):
        for name, p in zip(names, ps):
            cell._parameters[name] = p
        out = cell(a, (hh, cc)) if cls is nn.LSTMCell else cell(a, hh)
        return sum((t * t).sum() for t in (out if isinstance(out, tuple) else (out,)))
    assert gradcheck(fn, (x, h, c, *params)) if cls is nn.LSTMCell else \
        gradcheck(lambda a, hh, *ps: fn(a, hh, None, *ps), (x, h, *params))


@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_fused_recurrence_second_derivatives(reverse):
    """create_graph=True replays the fused loop as recorded ops, so double backward is right."""
    from learntorch.nn._lstm_recurrence import LSTMRecurrence
    xproj, h0, c0, w_hh = rand(3, 2, 8), rand(2, 2, seed=1), rand(2, 2, seed=2), rand(8, 2, seed=3)
    r = rand(3, 2, 2, seed=4, requires_grad=False)

    def fn(a, b, c, w):
        out, h, cn = LSTMRecurrence.apply(a, b, c, w, reverse)
        return (out * r).sum() + (h * cn).sum()
    assert gradgradcheck(fn, (xproj, h0, c0, w_hh))
    lstm = nn.LSTM(2, 3, num_layers=2).double()
    assert gradgradcheck(lambda x: (lstm(x)[0] ** 2).sum(), (rand(3, 1, 2),))


def test_parameter_names_shapes_init_and_flatten_parameters():
    lstm = nn.LSTM(3, 8, num_layers=2, bidirectional=True, proj_size=2)
    shapes = {name: tuple(p.shape) for name, p in lstm.named_parameters()}
    assert list(shapes)[:5] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    assert shapes["weight_ih_l1_reverse"] == (32, 4) and shapes["weight_hh_l1"] == (32, 2)
    assert shapes["weight_hr_l1_reverse"] == (2, 8)
    assert all(np.abs(p.detach().numpy()).max() <= 1 / math.sqrt(8) for p in lstm.parameters())
    assert lstm.flatten_parameters() is None
    assert [len(ws) for ws in lstm.all_weights] == [5, 5, 5, 5]
    assert [name for name, _ in nn.GRU(2, 3, bias=False).named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    cell = nn.LSTMCell(2, 3, bias=False)
    assert cell.bias_ih is None and tuple(cell.weight_hh.shape) == (12, 3)


def test_dropout_between_layers_only_while_training():
    lt.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = lt.randn(5, 2, 3)
    lstm.eval()
    a, b = lstm(x)[0].detach(), lstm(x)[0].detach()
    assert np.array_equal(a.numpy(), b.numpy())
    lstm.train()
    assert not np.array_equal(lstm(x)[0].detach().numpy(), a.detach().numpy())
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)


def test_unbatched_input_and_omitted_states():
    lstm = nn.LSTM(3, 4, num_layers=2)
    out, (h, c) = lstm(lt.randn(5, 3))
    assert out.shape == (5, 4) and h.shape == (2, 4) and c.shape == (2, 4)
    out, h = nn.GRU(3, 4, batch_first=True, bidirectional=True)(lt.randn(5, 3), lt.zeros(2, 4))
    assert out.shape == (5, 8) and h.shape == (2, 4)
    assert nn.RNNCell(3, 4)(lt.randn(3)).shape == (4,)


# ---------------------------------------------------------------- bad input
def test_recurrent_errors():
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        nn.LSTM(3, 4)(lt.zeros(1, 2, 3, 3))
    with pytest.raises(ValueError, match="RNN: Expected input to be 2D or 3D, got 1D tensor instead"):
        nn.RNN(3, 4)(lt.zeros(3))
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 3, got 5"):
        nn.GRU(3, 4)(lt.zeros(2, 2, 5))
    with pytest.raises(RuntimeError, match=re.escape("Expected hidden size (2, 3, 4), got [1, 3, 4]")):
        nn.GRU(3, 4, num_layers=2)(lt.zeros(5, 3, 3), lt.zeros(1, 3, 4))
    with pytest.raises(RuntimeError, match=re.escape("Expected hidden[1] size (1, 3, 4), got [1, 2, 4]")):
        nn.LSTM(3, 4)(lt.zeros(5, 3, 3), (lt.zeros(1, 3, 4), lt.zeros(1, 2, 4)))
    with pytest.raises(RuntimeError, match=re.escape("For batched 3-D input, hx and cx should also be 3-D but got "
                                                     "(2-D, 3-D)")):
        nn.LSTM(3, 4)(lt.zeros(5, 3, 3), (lt.zeros(3, 4), lt.zeros(1, 3, 4)))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D tensor"):
        nn.RNN(3, 4)(lt.zeros(5, 3), lt.zeros(1, 1, 4))
    with pytest.raises(ValueError, match=re.escape("RNN input dtype (learntorch.float64) does not match weight "
                                                   "dtype (learntorch.float32)")):
        nn.LSTM(3, 4)(lt.zeros(5, 2, 3, dtype=lt.float64))
    with pytest.raises(ValueError, match="dropout should be a number in range \\[0, 1\\]"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM, not RNN or GRU"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'."):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError, match="hidden_size should be of type int, got: float"):
        nn.LSTM(3, 4.0)


def test_cell_errors():
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D instead"):
        nn.LSTMCell(3, 4)(lt.zeros(1, 2, 3))
    with pytest.raises(ValueError, match=re.escape("GRUCell: Expected hidden to be 1D or 2D, got 3D instead")):
        nn.GRUCell(3, 4)(lt.zeros(2, 3), lt.zeros(1, 2, 4))
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 5 expected 3"):
        nn.RNNCell(3, 4)(lt.zeros(2, 5))
    with pytest.raises(RuntimeError, match="Input batch size 2 doesn't match hidden0 batch size 3"):
        nn.RNNCell(3, 4)(lt.zeros(2, 3), lt.zeros(3, 4))
    with pytest.raises(RuntimeError, match="hidden1 has inconsistent hidden_size: got 5, expected 4"):
        nn.LSTMCell(3, 4)(lt.zeros(2, 3), (lt.zeros(2, 4), lt.zeros(2, 5)))


# ---------------------------------------------------------------- references against torch
def run_both(cls_name, args, kwargs, x, state=None, call_kwargs=None):
    """Same weights in both libraries: compare state_dict keys, outputs, final states and every gradient."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: 'LSTM with projections is not supported with oneDNN'
        theirs = getattr(torch.nn, cls_name)(*args, **kwargs)
        ours = getattr(nn, cls_name)(*args, **kwargs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        ours.load_state_dict({k: lt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
        xo, xt = lt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        so = st = None
        if state is not None:
            so = tuple(lt.tensor(s, requires_grad=True) for s in state)
            st = tuple(torch.tensor(s, requires_grad=True) for s in state)
        yo = ours(xo, so if so is None or len(so) == 2 else so[0])
        yt = theirs(xt, st if st is None or len(st) == 2 else st[0])
    flat_o = [yo] if isinstance(yo, lt.Tensor) else [yo[0], *(yo[1] if isinstance(yo[1], tuple) else [yo[1]])]
    flat_t = [yt] if isinstance(yt, torch.Tensor) else [yt[0], *(yt[1] if isinstance(yt[1], tuple) else [yt[1]])]
    total_o, total_t = 0, 0
    for k, (a, b) in enumerate(zip(flat_o, flat_t)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-5, rtol=1e-4)
        r = np.random.default_rng(k).standard_normal(tuple(b.shape)).astype(np.float32)
        total_o = total_o + (a * lt.tensor(r)).sum()
        total_t = total_t + (b * torch.tensor(r)).sum()
    total_o.backward()
    total_t.backward()
    pairs = [(xo, xt)] + (list(zip(so, st)) if so is not None else [])
    pairs += [(p, dict(theirs.named_parameters())[name]) for name, p in ours.named_parameters()]
    for a, b in pairs:
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-5, rtol=1e-4)
    assert repr(ours) == repr(theirs)


LAYER_CASES = [dict(), dict(num_layers=2), dict(bidirectional=True), dict(bias=False),
               dict(num_layers=2, bidirectional=True, batch_first=True), dict(num_layers=3, dropout=0.3)]


@reference
@pytest.mark.parametrize("kwargs", LAYER_CASES)
@pytest.mark.parametrize("cls_name", ["LSTM", "GRU", "RNN"])
def test_layers_reference(cls_name, kwargs):
    x = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    if not kwargs.get("dropout"):
        run_both(cls_name, (4, 6), kwargs, x)
    else:  # dropout is random: compare in eval mode, where it is off in both
        theirs = getattr(torch.nn, cls_name)(4, 6, **kwargs).eval()
        ours = getattr(nn, cls_name)(4, 6, **kwargs).eval()
        ours.load_state_dict({k: lt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
        np.testing.assert_allclose(ours(lt.tensor(x))[0].detach().numpy(),
                                   theirs(torch.tensor(x))[0].detach().numpy(), atol=1e-5)


@reference
@pytest.mark.parametrize("cls_name, state_shapes", [("LSTM", [(2, 3, 6), (2, 3, 6)]), ("GRU", [(2, 3, 6)]),
                                                    ("RNN", [(2, 3, 6)])])
def test_layers_with_initial_state_reference(cls_name, state_shapes):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3, 4)).astype(np.float32)
    state = [rng.standard_normal(s).astype(np.float32) for s in state_shapes]
    run_both(cls_name, (4, 6), dict(bidirectional=True), x, state)


@reference
def test_relu_rnn_proj_lstm_and_unbatched_reference():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 3, 4)).astype(np.float32)
    run_both("RNN", (4, 6, 2, "relu"), {}, x)
    run_both("LSTM", (4, 6), dict(proj_size=3, num_layers=2, bidirectional=True), x)
    run_both("LSTM", (4, 6), dict(num_layers=2), x[:, 0])
    run_both("GRU", (4, 6), dict(batch_first=True), x[0], [rng.standard_normal((1, 6)).astype(np.float32)])


@reference
@pytest.mark.parametrize("cls_name, args", [("RNNCell", (4, 6)), ("RNNCell", (4, 6, True, "relu")),
                                            ("LSTMCell", (4, 6)), ("GRUCell", (4, 6)), ("GRUCell", (4, 6, False))])
def test_cells_reference(cls_name, args):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    states = [rng.standard_normal((3, 6)).astype(np.float32) for _ in range(2 if cls_name == "LSTMCell" else 1)]
    run_both(cls_name, args, {}, x, states)
    run_both(cls_name, args, {}, x[0])
