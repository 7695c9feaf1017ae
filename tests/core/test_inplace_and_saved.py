"""Augmented assignment is in place, as in PyTorch; saved outputs make no reference cycles."""
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
