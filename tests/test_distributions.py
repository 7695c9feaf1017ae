"""learntorch.distributions: Categorical, Bernoulli, Normal against torch.distributions; sampling
statistics; reparameterised gradients; argument validation."""
import math

import numpy as np
import pytest

import learntorch as lt
from learntorch.autograd import gradcheck
from learntorch.distributions import Bernoulli, Categorical, Distribution, Normal, constraints

RNG = np.random.default_rng(0)
PROBS = RNG.dirichlet(np.ones(4), size=(2, 3))          # batch (2, 3), 4 classes
LOGITS = RNG.standard_normal((2, 3, 4)) * 2
BIN_PROBS = RNG.uniform(0.05, 0.95, size=(2, 3))
BIN_LOGITS = RNG.standard_normal((2, 3)) * 3
LOC, SCALE = RNG.standard_normal((2, 3)), RNG.uniform(0.5, 2.0, size=(2, 3))


def _build(lib, name, kind):
    t = lambda a: lib.tensor(a, dtype=lib.float64)  # noqa: E731
    d = lib.distributions if lib is not lt else __import__("learntorch.distributions").distributions
    if name == "Categorical":
        return d.Categorical(**{kind: t(PROBS if kind == "probs" else LOGITS)})
    if name == "Bernoulli":
        return d.Bernoulli(**{kind: t(BIN_PROBS if kind == "probs" else BIN_LOGITS)})
    return d.Normal(t(LOC), t(SCALE) if kind == "tensor" else 1.5)


CASES = [("Categorical", "probs"), ("Categorical", "logits"), ("Bernoulli", "probs"), ("Bernoulli", "logits"),
         ("Normal", "tensor"), ("Normal", "number")]
VALUES = {"Categorical": [np.array([[0, 1, 3], [2, 2, 0]]), np.array([3]), np.array([[[1]], [[0]]])],
          "Bernoulli": [np.array([[0., 1., 1.], [0., 0., 1.]]), np.array(1.0), np.array([[[1.0]], [[0.0]]])],
          "Normal": [RNG.standard_normal((2, 3)), np.array(0.3), RNG.standard_normal((4, 2, 3))]}


def _np(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


@pytest.mark.reference
@pytest.mark.parametrize("name,kind", CASES)
def test_log_prob_entropy_and_moments_match_torch(name, kind):
    torch = pytest.importorskip("torch")
    ours, theirs = _build(lt, name, kind), _build(torch, name, kind)
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.event_shape) == tuple(theirs.event_shape)
    for value in VALUES[name]:
        dtype = "int64" if name == "Categorical" else "float64"
        got = ours.log_prob(lt.tensor(value, dtype=getattr(lt, dtype)))
        expected = theirs.log_prob(torch.tensor(value, dtype=getattr(torch, dtype)))
        assert tuple(got.shape) == tuple(expected.shape)
        np.testing.assert_allclose(_np(got), _np(expected), rtol=1e-12, atol=1e-12)
    for attr in ("entropy", "perplexity"):
        np.testing.assert_allclose(_np(getattr(ours, attr)()), _np(getattr(theirs, attr)()), rtol=1e-12)
    for attr in ("mean", "variance", "stddev", "mode"):
        np.testing.assert_allclose(_np(getattr(ours, attr)), _np(getattr(theirs, attr)), rtol=1e-12)
    if name != "Normal":
        np.testing.assert_allclose(_np(ours.probs), _np(theirs.probs), rtol=1e-12)
        np.testing.assert_allclose(_np(ours.logits), _np(theirs.logits), rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(_np(ours.enumerate_support()), _np(theirs.enumerate_support()))
        np.testing.assert_array_equal(_np(ours.enumerate_support(expand=False)),
                                      _np(theirs.enumerate_support(expand=False)))
    assert repr(ours).replace("learntorch", "torch") == repr(theirs)


@pytest.mark.reference
def test_extreme_parameters_match_torch():
    torch = pytest.importorskip("torch")
    probs = [[0.0, 0.3, 0.7], [1.0, 0.0, 0.0]]
    for lib in (lt, torch):
        dists = lib.distributions if lib is torch else __import__("learntorch.distributions").distributions
        c = dists.Categorical(probs=lib.tensor(probs, dtype=lib.float64))
        b = dists.Bernoulli(probs=lib.tensor([0.0, 1.0, 0.5], dtype=lib.float64))
        result = [c.entropy(), c.log_prob(lib.tensor([0, 0])), b.entropy(), b.log_prob(lib.tensor([0.0, 1.0, 1.0], dtype=lib.float64)),
                  dists.Categorical(logits=lib.tensor([-math.inf, 0.0, 1.0], dtype=lib.float64)).entropy()]
        if lib is torch:
            expected = result
        else:
            ours = result
    for got, want in zip(ours, expected):  # entropies of certain outcomes are 0 to within eps
        np.testing.assert_allclose(_np(got), _np(want), rtol=1e-12, atol=1e-15)


def test_sample_shapes_dtypes_and_seeding():
    for name, kind in CASES:
        d = _build(lt, name, kind)
        for sample_shape in [(), (5,), (2, 3)]:
            s = d.sample(sample_shape)
            assert tuple(s.shape) == tuple(sample_shape) + tuple(d.batch_shape) + tuple(d.event_shape)
            assert s.dtype == (lt.int64 if name == "Categorical" else lt.float64)
            assert s.grad_fn is None
        lt.manual_seed(3)
        first = d.sample((4,))
        lt.manual_seed(3)
        assert (d.sample(lt.Size([4])) == first).all().item()


def test_sample_statistics():
    lt.manual_seed(0)
    n = 40000
    probs = np.array([0.1, 0.0, 0.6, 0.3])
    s = Categorical(probs=lt.tensor(probs * 5)).sample((n,)).numpy()  # unnormalised probs are normalised
    freq = np.bincount(s, minlength=4) / n
    np.testing.assert_allclose(freq, probs, atol=4 * math.sqrt(0.25 / n))
    assert freq[1] == 0.0
    s = Categorical(logits=lt.tensor([[0.0, 0.0], [0.0, math.log(3.0)]])).sample((n,)).numpy()
    np.testing.assert_allclose(s.mean(0), [0.5, 0.75], atol=0.01)
    s = Bernoulli(logits=lt.tensor([-1.0, 2.0])).sample((n,)).numpy()
    np.testing.assert_allclose(s.mean(0), 1 / (1 + np.exp([1.0, -2.0])), atol=0.01)
    assert set(np.unique(s)) == {0.0, 1.0}
    s = Normal(lt.tensor([-1.0, 3.0]), lt.tensor([0.5, 2.0])).sample((n,)).numpy()
    np.testing.assert_allclose(s.mean(0), [-1.0, 3.0], atol=0.05)
    np.testing.assert_allclose(s.std(0), [0.5, 2.0], rtol=0.03)


def _seeded_rsample(loc, scale):
    lt.manual_seed(7)
    return Normal(loc, scale).rsample((3,))


def test_rsample_gradcheck():
    loc = lt.randn(2, 3, dtype=lt.float64, requires_grad=True)
    scale = (lt.rand(3, 2, dtype=lt.float64) + 0.5).requires_grad_()
    assert gradcheck(_seeded_rsample, (loc, scale.t()))                       # non-contiguous scale
    assert gradcheck(_seeded_rsample, (loc, lt.tensor([0.7], dtype=lt.float64, requires_grad=True)))  # broadcast
    out = _seeded_rsample(loc, scale.t())
    out.sum().backward()
    lt.manual_seed(7)
    eps = lt.randn(3, 2, 3, dtype=lt.float64)
    np.testing.assert_allclose(out.detach().numpy(), (loc + eps * scale.t()).detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(loc.grad.numpy(), np.full((2, 3), 3.0))
    assert Normal(loc, scale.t()).sample().grad_fn is None


def test_log_prob_and_entropy_gradcheck():
    logits = lt.randn(2, 4, dtype=lt.float64, requires_grad=True)
    probs = (lt.rand(2, 4, dtype=lt.float64) + 0.1).requires_grad_()
    idx = lt.tensor([[3, 0], [1, 1], [0, 2]])
    assert gradcheck(lambda a: Categorical(logits=a).log_prob(idx), [logits])
    assert gradcheck(lambda a: Categorical(probs=a, validate_args=False).log_prob(idx), [probs])
    assert gradcheck(lambda a: Categorical(logits=a).entropy(), [logits])
    x = lt.tensor([1.0, 0.0, 1.0], dtype=lt.float64)
    p = lt.tensor([0.2, 0.5, 0.9], dtype=lt.float64, requires_grad=True)
    assert gradcheck(lambda a: Bernoulli(probs=a).log_prob(x), [p])
    assert gradcheck(lambda a: Bernoulli(logits=a).entropy(), [p])
    loc, scale = lt.randn(3, dtype=lt.float64, requires_grad=True), lt.tensor([0.5, 1.0, 2.0], dtype=lt.float64,
                                                                              requires_grad=True)
    assert gradcheck(lambda m, s: Normal(m, s).log_prob(lt.tensor([0.1, -0.3, 2.0], dtype=lt.float64)),
                     (loc, scale))


def test_validation_errors():
    with pytest.raises(ValueError, match=r"Either `probs` or `logits` must be specified, but not both."):
        Categorical()
    with pytest.raises(ValueError, match=r"Either `probs` or `logits` must be specified, but not both."):
        Bernoulli(probs=lt.tensor(0.5), logits=lt.tensor(0.0))
    with pytest.raises(ValueError, match=r"`probs` parameter must be at least one-dimensional."):
        Categorical(probs=lt.tensor(1.0))
    with pytest.raises(ValueError, match=r"Expected parameter probs \(Tensor of shape \(2,\)\) of distribution "
                                         r"Categorical\(probs: learntorch.Size\(\[2\]\)\) to satisfy the constraint "
                                         r"Simplex\(\), but found invalid values"):
        Categorical(probs=lt.tensor([-0.5, 1.0]))
    with pytest.raises(ValueError, match=r"constraint Interval\(lower_bound=0.0, upper_bound=1.0\)"):
        Bernoulli(probs=lt.tensor([0.5, 1.5]))
    with pytest.raises(ValueError, match=r"constraint Real\(\)"):
        Normal(lt.tensor([math.nan]), 1.0)
    with pytest.raises(ValueError, match=r"GreaterThan\(lower_bound=0.0\)"):
        Normal(0.0, 0.0)
    Normal(0.0, -1.0, validate_args=False)  # no check when asked not to
    d = Normal(lt.zeros(3), 1.0)
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        d.log_prob(0.5)
    with pytest.raises(ValueError, match=r"Value is not broadcastable with batch_shape\+event_shape: "):
        d.log_prob(lt.zeros(2))
    with pytest.raises(ValueError, match=r"to be within the support \(Boolean\(\)\)"):
        Bernoulli(probs=lt.tensor([0.5])).log_prob(lt.tensor([0.5]))
    with pytest.raises(ValueError, match=r"IntegerInterval\(lower_bound=0, upper_bound=1\)"):
        Categorical(logits=lt.zeros(2)).log_prob(lt.tensor(2))
    with pytest.raises(ValueError, match="Input arguments must all be instances of Number, torch.Tensor"):
        Normal([0.0], 1.0)
    with pytest.raises(NotImplementedError, match="has no reparameterised sampler"):
        Categorical(logits=lt.zeros(2)).rsample()


def test_default_validation_switch():
    assert Distribution._validate_args is True
    Distribution.set_default_validate_args(False)
    try:
        assert Bernoulli(probs=lt.tensor([1.5])).probs.item() == 1.5
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Distribution.set_default_validate_args("yes")


def test_constraints():
    x = lt.tensor([[0.2, 0.8], [0.5, 0.6], [math.nan, 1.0]])
    assert constraints.simplex.check(x).tolist() == [True, False, False]
    assert constraints.real_vector.check(x).tolist() == [True, True, False]
    assert constraints.positive.check(lt.tensor([0.0, 1.0])).tolist() == [False, True]
    assert constraints.integer_interval(0, 2).check(lt.tensor([0.0, 1.5, 2.0, 3.0])).tolist() == [True, False, True,
                                                                                                  False]
    assert constraints.integer_interval(0, 2).is_discrete and constraints.simplex.event_dim == 1
