"""nn.utils: gradient clipping and parameter/vector conversion, against torch.nn.utils."""
import math

import numpy as np
import pytest

import learntorch as lt
import learntorch.nn as nn
from learntorch.autograd import gradcheck
from learntorch.nn.utils import (clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm,
                                 parameters_to_vector, vector_to_parameters)

SHAPES = [(3, 4), (5,), (2, 1, 3)]


def _params_with_grads(lib, scale=1.0, dtype="float64"):
    rng = np.random.default_rng(0)
    params = []
    for shape in SHAPES:
        p = lib.tensor(rng.standard_normal(shape), dtype=getattr(lib, dtype), requires_grad=True)
        p.grad = lib.tensor(rng.standard_normal(shape) * scale, dtype=getattr(lib, dtype))
        params.append(p)
    params.append(lib.zeros(2, dtype=getattr(lib, dtype), requires_grad=True))  # no grad: skipped
    return params


@pytest.mark.reference
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, 0.5, 0, math.inf, -math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    ours, theirs = _params_with_grads(lt), _params_with_grads(torch)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.dim() == 0 and total.dtype == lt.float64
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for p, q in zip(ours[:-1], theirs[:-1]):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert ours[-1].grad is None


@pytest.mark.reference
def test_clip_grad_value_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _params_with_grads(lt), _params_with_grads(torch)
    assert clip_grad_value_(ours, 0.7) is None
    torch.nn.utils.clip_grad_value_(theirs, 0.7)
    for p, q in zip(ours[:-1], theirs[:-1]):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    assert max(p.grad.abs().max().item() for p in ours[:-1]) == 0.7


def test_clip_grad_norm_scales_to_max_norm():
    params = _params_with_grads(lt, scale=10.0, dtype="float32")
    before = get_total_norm([p.grad for p in params if p.grad is not None])
    total = clip_grad_norm_(iter(params), max_norm=1.0, foreach=True)
    assert total.item() == pytest.approx(before.item()) and total.dtype == lt.float32
    after = get_total_norm([p.grad for p in params if p.grad is not None])
    assert after.item() == pytest.approx(1.0, rel=1e-5)


def test_single_tensor_and_no_grads():
    p = lt.tensor([3.0, 4.0], requires_grad=True)
    p.grad = lt.tensor([3.0, 4.0])
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    q = lt.zeros(2, requires_grad=True)
    total = clip_grad_norm_([q], 1.0)
    assert total.item() == 0.0 and total.dim() == 0 and q.grad is None
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_((x for x in []), 1.0)


def test_split_clipping_equals_clip_grad_norm():
    a, b = _params_with_grads(lt), _params_with_grads(lt)
    clip_grad_norm_(a, 0.3, norm_type=3.0)
    total = get_total_norm([p.grad for p in b if p.grad is not None], norm_type=3.0)
    clip_grads_with_norm_(b, 0.3, total)
    for p, q in zip(a[:-1], b[:-1]):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_nonfinite_norm(bad):
    p = lt.ones(3, requires_grad=True)
    p.grad = lt.tensor([1.0, bad, 2.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                           "non-finite.*error_if_nonfinite=False"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert p.grad[0].item() == 1.0  # nothing was scaled
    assert not math.isfinite(clip_grad_norm_([p], 1.0).item())  # without the check it scales anyway


@pytest.mark.reference
def test_parameters_to_vector_and_back_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _params_with_grads(lt), _params_with_grads(torch)
    vec, tvec = parameters_to_vector(ours), torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(vec.detach().numpy(), tvec.detach().numpy())
    new = np.arange(vec.numel(), dtype=np.float64)
    vector_to_parameters(lt.tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for p, q in zip(ours, theirs):
        assert p.shape == tuple(q.shape) and p.requires_grad
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_vector_round_trip_on_a_module_and_gradient():
    lt.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    vec = parameters_to_vector(model.parameters())
    assert vec.shape == (3 * 4 + 4 + 4 * 2 + 2,) and vec.requires_grad
    vector_to_parameters(vec.detach() * 0 + 1, model.parameters())
    assert all((p == 1).all().item() for p in model.parameters())
    ws = [lt.randn(2, 3, dtype=lt.float64, requires_grad=True), lt.randn(4, dtype=lt.float64, requires_grad=True)]
    assert gradcheck(lambda a, b: parameters_to_vector([a, b.t() if b.dim() > 1 else b]) ** 2, ws)
    assert gradcheck(lambda a: parameters_to_vector([a.t(), a[:, 1:]]), [ws[0]])  # non-contiguous views


def test_conversion_errors():
    p = lt.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        vector_to_parameters([1.0, 2.0], [p])
    with pytest.raises(RuntimeError):
        vector_to_parameters(lt.zeros(1), [p])  # too short for the parameter


def test_nn_utils_namespace():
    assert nn.utils.clip_grad_norm_ is clip_grad_norm_
    assert nn.utils.parameters_to_vector is parameters_to_vector
    import learntorch.nn.utils.clip_grad as cg
    assert cg.clip_grad_value_ is clip_grad_value_
