"""Augmented assignment (``+=``, ``-=``, ``*=``, ``/=``) is in place, as in PyTorch."""
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
