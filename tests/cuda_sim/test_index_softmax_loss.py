"""gather / scatter_add (advanced indexing and its backward), cat, softmax and the losses."""
import numpy as np
import pytest

import learntorch as lt
import learntorch.nn.functional as F
from cuda_helpers import assert_close, check_op


def test_advanced_indexing_and_repeated_backward(rng):
    a = rng.standard_normal((5, 3)).astype(np.float32)
    check_op(lambda x: x[[0, 2, 2, 4]], a)  # repeated rows: the backward adds atomically
    check_op(lambda x: x[lt.tensor([1, 1, 3], device=x.device), 2], a)
    check_op(lambda x: x[x > 0], a)


def test_advanced_setitem(rng):
    a = rng.standard_normal((4, 3)).astype(np.float32)
    for dev in ("cpu", "cuda"):
        t = lt.tensor(a, device=dev)
        t[[0, 3]] = lt.tensor([1.0, 2.0, 3.0], device=dev)
        t[t < -0.5] = 0.0
        ref = t if dev == "cpu" else ref
    assert_close(t, ref)


def test_cat_stack(rng):
    a, b = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((1, 3)).astype(np.float32)
    check_op(lambda x, y: lt.cat([x, y * 2], 0), a, b)
    check_op(lambda x, y: lt.stack([x[0], y[0]], 1), a, b)


def test_softmax_log_softmax(rng):
    a = rng.standard_normal((3, 5)).astype(np.float32)
    check_op(lambda x: F.softmax(x, dim=1), a)
    check_op(lambda x: F.log_softmax(x, dim=0), a)


def test_cross_entropy_nll_mse(rng):
    logits = rng.standard_normal((4, 5)).astype(np.float32)
    target = np.array([1, 0, 4, 4])
    check_op(lambda x, t: F.cross_entropy(x, t), logits, target)
    check_op(lambda x, t: F.cross_entropy(x, t, reduction="sum", ignore_index=0), logits, target)
    check_op(lambda x, t: F.nll_loss(F.log_softmax(x, dim=1), t, reduction="none"), logits, target)
    y = rng.standard_normal((4, 5)).astype(np.float32)
    check_op(lambda x, t: F.mse_loss(x, t), logits, y)


def test_weighted_cross_entropy_and_bad_target(rng):
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    weight = np.array([0.5, 2.0, 1.0], np.float32)
    check_op(lambda x, t, w: F.cross_entropy(x, t, weight=w), logits, np.array([2, 0, 1, 1]), weight)
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(lt.tensor(logits, device="cuda"), lt.tensor([0, 3, 1, 1], device="cuda"))
