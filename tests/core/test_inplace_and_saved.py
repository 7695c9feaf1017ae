"""Augmented assignment is in place, as in PyTorch; saved outputs make no reference cycles."""
import numpy as np
import pytest

import learntorch as torch


def test_sgd_update_with_isub_keeps_the_leaf():
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    same = w
    with torch.no_grad():
        w -= 0.5 * w.grad
    assert w is same and w.is_leaf and w.requires_grad
    assert w.tolist() == [0.0, 0.0, 0.0]
    assert w._version == 1


def test_augmented_ops_write_into_shared_storage():
    a = torch.ones(2, 3)
    view = a[0]
    a += 1
    a *= 3
    a /= 2
    assert a.tolist() == [[3.0] * 3] * 2
    assert view.tolist() == [3.0] * 3  # the view sees the in-place writes


def test_augmented_op_on_leaf_requiring_grad_raises():
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w += 1


def test_augmented_true_division_of_int_tensor_raises():
    i = torch.arange(3)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i /= 2


def test_saved_outputs_make_no_reference_cycle():
    """ReLU/tanh/exp save their output; the graph must still be freed without the garbage collector."""
    import gc
    import weakref
    x = torch.randn(10, requires_grad=True)
    gc.disable()
    try:
        nodes = []
        for op in (torch.relu, torch.tanh, torch.exp, torch.sigmoid):
            y = op(x)
            nodes.append(weakref.ref(y.grad_fn))
            del y
        assert all(ref() is None for ref in nodes)
    finally:
        gc.enable()


def test_saved_output_is_rebuilt_with_its_node_for_double_backward():
    x = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
    y = x.tanh()
    g, = torch.autograd.grad(y.sum(), x, create_graph=True)   # 1 - tanh(x)^2, through the saved output
    gg, = torch.autograd.grad(g.sum(), x)                      # -2 tanh(x) (1 - tanh(x)^2)
    t = x.detach().tanh()
    assert torch.allclose(gg, -2 * t * (1 - t * t))


# ---------------------------------------------------------------- in-place ops inside a graph
def _add_(x, s):
    y = x * 2
    y.add_(s)
    return y * x


def _mul_(x, s):
    y = x * 1
    y.mul_(s)
    return y * y


def _zero_(x, s):
    y = x * 1
    y.zero_()
    return y + x * s


def _fill_number(x, s):
    y = x * 1
    y.fill_(1.5)
    return y * x + s


def _fill_tensor(x, s):
    y = x * 1
    y.fill_(s.sum())
    return y * x


def _copy_(x, s):
    y = x * 1
    y.copy_(s)
    return y * x


def _copy_broadcast(x, s):
    y = (x * 1).reshape(1, 3).expand(2, 3).contiguous()
    y.copy_(s[:1] * x)
    return y.sin()


def _copy_constant(x, s):
    y = x * 1
    y.copy_((s * 0).detach() + 2.0)  # a constant source: no gradient flows into s
    return y * x


def _setitem(x, s):
    y = x * 1
    y[1:] = s[:2] * 3
    return y * x


def _setitem_scalar(x, s):
    y = x * 1
    y[0] = 5.0
    return y.exp() + s


IN_GRAPH = [_add_, _mul_, _zero_, _fill_number, _fill_tensor, _copy_, _copy_broadcast, _copy_constant,
            _setitem, _setitem_scalar]


def _inputs(lib):
    x = lib.tensor([0.5, -1.25, 2.0], dtype=lib.float64, requires_grad=True)
    s = lib.tensor([1.5, 0.25, -0.75], dtype=lib.float64, requires_grad=True)
    return x, s


@pytest.mark.reference
@pytest.mark.parametrize("fn", IN_GRAPH, ids=lambda fn: fn.__name__)
def test_inplace_inside_graph_matches_torch(fn):
    reference = pytest.importorskip("torch")
    x, s = _inputs(torch)
    tx, ts = _inputs(reference)
    out, tout = fn(x, s), fn(tx, ts)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    for ours, theirs in ((x.grad, tx.grad), (s.grad, ts.grad)):
        if theirs is None:
            assert ours is None or not ours.numpy().any()
        else:
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", IN_GRAPH, ids=lambda fn: fn.__name__)
def test_inplace_inside_graph_gradcheck(fn):
    x, s = _inputs(torch)
    assert torch.autograd.gradcheck(fn, (x, s))
    assert torch.autograd.gradgradcheck(fn, (x, s))


@pytest.mark.reference
def test_zero_and_fill_on_non_leaf_match_torch():
    reference = pytest.importorskip("torch")
    for lib in (torch, reference):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.zero_()
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
        v = lib.tensor(3.0, requires_grad=True)
        y = x * 1
        y.fill_(v)
        assert y.grad_fn.name() == "FillBackward3" and y.tolist() == [3.0, 3.0]
        y.sum().backward()
        assert v.grad.item() == 2.0


@pytest.mark.reference
def test_fill_with_tensor_into_tensor_without_grad_matches_torch():
    reference = pytest.importorskip("torch")
    for lib in (torch, reference):
        v = lib.tensor(2.0, dtype=lib.float32, requires_grad=True)
        y = lib.zeros(3, dtype=lib.float64)
        y.fill_(v)
        assert y.requires_grad and not y.is_leaf
        (y * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
        assert v.grad.dtype == lib.float32 and v.grad.item() == 6.0


def test_fill_with_a_non_number_raises_type_error():
    y = torch.ones(2)
    with pytest.raises(TypeError, match="fill_.*number.*str"):
        y.fill_("a")
    with pytest.raises(RuntimeError, match="0-dimension"):
        y.fill_(torch.ones(2))


@pytest.mark.reference
def test_copy_into_non_leaf_keeps_autograd_as_in_torch():
    reference = pytest.importorskip("torch")
    for lib in (torch, reference):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y.copy_(lib.ones(2))
        assert y.requires_grad and y.grad_fn.name().endswith("CopyBackwards")
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]


@pytest.mark.reference
def test_copy_gradient_goes_back_to_source_shape_and_dtype():
    reference = pytest.importorskip("torch")
    for lib in (torch, reference):
        src = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float32, requires_grad=True)
        y = lib.zeros(2, 3, dtype=lib.float64)
        y.copy_(src)
        (y * 2).sum().backward()
        assert src.grad.dtype == lib.float32 and src.grad.tolist() == [4.0, 4.0, 4.0]
