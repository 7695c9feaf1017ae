"""BCELoss, BCEWithLogitsLoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss and their F. forms: float64 gradchecks
(in the input and, where torch differentiates it, the target; non-contiguous and broadcast inputs), references
against torch for every reduction, torch's legacy size_average/reduce arguments, and torch's errors."""
import re

import numpy as np
import pytest

import learntorch as lt
import learntorch.nn as nn
import learntorch.nn.functional as F
from learntorch.autograd import gradcheck
from nn_helpers import rand, reference, torch



def probs(*shape, seed=0, requires_grad=True):
    """Values in (0.05, 0.95): inside BCE's domain, away from its clamps."""
    rng = np.random.default_rng(seed)
    return lt.tensor(rng.uniform(0.05, 0.95, shape), dtype=lt.float64, requires_grad=requires_grad)


def transposed(t):
    """The same values, non-contiguous: a transposed copy transposed back."""
    return t.detach().t().contiguous().t().requires_grad_(t.requires_grad)


REDUCTIONS = ["mean", "sum", "none"]


def scalar(loss):
    return loss if loss.dim() == 0 else (loss * rand(*loss.shape, seed=9, requires_grad=False)).sum()


# ---------------------------------------------------------------- gradchecks
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_gradcheck(reduction):
    x, y = transposed(rand(3, 4)), rand(3, 4, seed=1)
    w = probs(3, 4, seed=2, requires_grad=False)
    cases = [lambda a, b: F.l1_loss(a, b, reduction=reduction),
             lambda a, b: F.l1_loss(a, b, reduction=reduction, weight=w),
             lambda a, b: F.mse_loss(a, b, reduction=reduction, weight=w),
             lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction),
             lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=0.3),
             lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=0.0),
             lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=0.7),
             lambda a, b: F.huber_loss(a, b, reduction=reduction, weight=w)]
    for fn in cases:
        assert gradcheck(lambda a, b: scalar(fn(a, b)), (x, y))


def test_regression_losses_broadcast_target_gradcheck():
    x, y = rand(3, 4), rand(4, seed=1)
    with pytest.warns(UserWarning, match="different to the input size"):
        assert gradcheck(lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), (x, y))
    with pytest.warns(UserWarning, match="different to the input size"):
        assert gradcheck(lambda a, b: F.l1_loss(a, b, reduction="sum"), (x, y))


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
def test_kl_div_gradcheck(reduction, log_target):
    logp = F.log_softmax(rand(3, 4), 1).detach().requires_grad_()
    target = F.softmax(rand(3, 4, seed=1), 1).detach()
    if log_target:
        target = target.log()
    target = transposed(target.requires_grad_())
    assert gradcheck(lambda a, b: scalar(F.kl_div(a, b, reduction=reduction, log_target=log_target)), (logp, target))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_gradcheck(reduction):
    x, y = transposed(probs(3, 4)), probs(3, 4, seed=1)
    w = probs(4, seed=3, requires_grad=False)
    assert gradcheck(lambda a, b: scalar(F.binary_cross_entropy(a, b, reduction=reduction)), (x, y))
    assert gradcheck(lambda a: scalar(F.binary_cross_entropy(a, y, w, reduction=reduction)), (x,))


def test_binary_cross_entropy_with_logits_gradcheck_in_target_and_broadcast_weights():
    x, y = transposed(rand(3, 4)), probs(3, 4, seed=1)
    pw, w = probs(4, seed=2, requires_grad=False) * 3, probs(3, 1, seed=3, requires_grad=False)
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, pos_weight=pw), (x, y))


# ---------------------------------------------------------------- behaviour
def test_legacy_size_average_and_reduce_pick_the_reduction():
    x, y = lt.tensor([1.0, -2.0]), lt.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use "
                                         "reduction='sum' instead"):
        assert nn.L1Loss(size_average=False)(x, y).item() == 3.0
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert F.l1_loss(x, y, reduce=False).tolist() == [1.0, 2.0]
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.MSELoss(False)(x, y).item() == 5.0  # positional, as torch's (size_average, reduce, reduction)


def test_bce_clamps_log_at_minus_100():
    loss = F.binary_cross_entropy(lt.tensor([0.0, 1.0]), lt.tensor([1.0, 0.0]), reduction="none")
    assert loss.tolist() == [100.0, 100.0]


def test_loss_errors():
    with pytest.raises(ValueError, match="batchmean is not a valid value for reduction"):
        F.l1_loss(lt.ones(2), lt.ones(2), reduction="batchmean")
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        F.kl_div(lt.ones(2), lt.ones(2), reduction="bogus")
    with pytest.raises(ValueError, match="bogus is not a valid value for reduction"):
        nn.HuberLoss(reduction="bogus")
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"
    with pytest.raises(RuntimeError, match="smooth_l1_loss does not support negative values for beta"):
        F.smooth_l1_loss(lt.ones(2), lt.ones(2), beta=-1.0)
    with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values for delta"):
        nn.HuberLoss(delta=0.0)(lt.ones(2), lt.ones(2))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        nn.BCELoss()(lt.tensor([0.5, 1.5]), lt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=re.escape("Using a target size (learntorch.Size([3])) that is different to "
                                                   "the input size (learntorch.Size([2])) is deprecated")):
        nn.BCELoss()(lt.tensor([0.5, 0.5]), lt.tensor([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match=re.escape("Weights and input must have the same size: weight [2], input "
                                                   "[2, 2]")):
        F.l1_loss(lt.ones(2, 2), lt.ones(2, 2), weight=lt.ones(2))
    with pytest.raises(RuntimeError, match="expected floating point input and target"):
        F.binary_cross_entropy(lt.tensor([0.5]), lt.tensor([1]))


# ---------------------------------------------------------------- references against torch
def both(fn_name, *arrays, **kwargs):
    """Our F.<fn_name> and torch's on the same float64 arrays: compare the loss and every input's gradient."""
    ours = [lt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    lo = getattr(F, fn_name)(*ours, **kwargs)
    lt_ = getattr(torch.nn.functional, fn_name)(*theirs, **kwargs)
    np.testing.assert_allclose(lo.detach().numpy(), lt_.detach().numpy(), rtol=1e-10, atol=1e-12)
    r = np.random.default_rng(5).standard_normal(tuple(lt_.shape))
    (lo * lt.tensor(r)).sum().backward()
    (lt_ * torch.tensor(r)).sum().backward()
    for a, b in zip(ours, theirs):
        finite = np.isfinite(b.grad.numpy())  # torch: nan for kl_div's target gradient where target == 0
        np.testing.assert_allclose(a.grad.numpy()[finite], b.grad.numpy()[finite], rtol=1e-9, atol=1e-12)
        assert np.isfinite(a.grad.numpy()).all()


def arrays(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((4, 5)) * 2, rng.standard_normal((4, 5)) * 2


@reference
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_reference(reduction):
    x, y = arrays()
    both("l1_loss", x, y, reduction=reduction)
    for beta in (1.0, 0.5, 0.0):
        both("smooth_l1_loss", x, y, reduction=reduction, beta=beta)
    for delta in (1.0, 0.3, 2.5):
        both("huber_loss", x, y, reduction=reduction, delta=delta)


@reference
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression_losses_reference(name, reduction):
    x, y = arrays()
    w = np.random.default_rng(3).uniform(0.1, 1, (4, 5))
    xo, yo = lt.tensor(x, requires_grad=True), lt.tensor(y)
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y)
    lo = getattr(F, name)(xo, yo, reduction=reduction, weight=lt.tensor(w))
    ltt = getattr(torch.nn.functional, name)(xt, yt, reduction=reduction, weight=torch.tensor(w))
    np.testing.assert_allclose(lo.detach().numpy(), ltt.detach().numpy(), rtol=1e-10)
    lo.sum().backward()
    ltt.sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10)


@reference
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
def test_kl_div_reference(reduction, log_target):
    rng = np.random.default_rng(0)
    logp = np.log(rng.dirichlet(np.ones(5), 4))
    target = rng.dirichlet(np.ones(5), 4)
    target[0, 1] = 0.0  # a zero-probability class contributes 0
    if log_target:
        target = np.log(target + 1e-3)
    both("kl_div", logp, target, reduction=reduction, log_target=log_target)


@reference
def test_kl_div_mean_warns_as_torch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        nn.KLDivLoss()(lt.zeros(2, 3), lt.ones(2, 3) / 3)


@reference
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_reference(reduction):
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0.01, 0.99, (4, 5)), rng.uniform(0, 1, (4, 5))
    both("binary_cross_entropy", x, y, reduction=reduction)
    w = rng.uniform(0.5, 2, (5,))
    xo, xt = lt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lo = nn.BCELoss(lt.tensor(w), reduction=reduction)(xo, lt.tensor(y))
    ltt = torch.nn.BCELoss(torch.tensor(w), reduction=reduction)(xt, torch.tensor(y))
    np.testing.assert_allclose(lo.detach().numpy(), ltt.detach().numpy(), rtol=1e-10)
    lo.sum().backward()
    ltt.sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9)


@reference
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_reference(reduction):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 5)) * 5, rng.uniform(0, 1, (4, 5))
    both("binary_cross_entropy_with_logits", x, y, reduction=reduction)
    pw = rng.uniform(0.5, 3, (5,))
    xo, xt = lt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    lo = nn.BCEWithLogitsLoss(pos_weight=lt.tensor(pw), reduction=reduction)(xo, lt.tensor(y))
    ltt = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pw), reduction=reduction)(xt, torch.tensor(y))
    np.testing.assert_allclose(lo.detach().numpy(), ltt.detach().numpy(), rtol=1e-10)
    lo.sum().backward()
    ltt.sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9)


@reference
def test_loss_module_reprs_and_signatures_match_torch():
    import inspect
    for name in ("L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "BCELoss", "BCEWithLogitsLoss", "MSELoss",
                 "CrossEntropyLoss", "NLLLoss"):
        ours, theirs = getattr(nn, name), getattr(torch.nn, name)
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), name
        assert repr(ours()) == repr(theirs())
    for name in ("l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "mse_loss", "cross_entropy", "nll_loss"):
        ours, theirs = getattr(F, name), getattr(torch.nn.functional, name)
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), name
