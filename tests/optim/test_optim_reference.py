"""Optimizer trajectories against torch.optim: 100 steps of least squares in float64."""
import numpy as np
import pytest

import learntorch as lt
import learntorch.optim as lt_optim

pytestmark = pytest.mark.reference
torch = pytest.importorskip("torch")

STEPS = 100
CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.01, momentum=0.9, centered=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
]


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These tensors are tiny: on a busy machine each parallel kernel launch waits milliseconds for
    its threads, which would dominate 100 steps. The arithmetic is the same on one thread."""
    numba = pytest.importorskip("numba")
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(threads)


def _problem():
    rng = np.random.default_rng(0)
    return tuple(rng.standard_normal(shape) for shape in ((32, 5), (32, 3), (5, 3), (3,)))


def _run(lib, optim_cls, kwargs):
    """Fit y ~ x @ w + b for STEPS steps; returns the trajectory of w and b (as NumPy)."""
    x, y, w0, b0 = _problem()
    x, y = lib.tensor(x), lib.tensor(y)
    w = lib.tensor(w0, requires_grad=True)
    b = lib.tensor(b0, requires_grad=True)
    opt = optim_cls([{"params": [w]}, {"params": [b]}], **kwargs)
    trajectory = []
    for _ in range(STEPS):
        opt.zero_grad()
        ((x @ w + b - y) ** 2).mean().backward()
        opt.step()
        trajectory.append(np.concatenate([w.detach().numpy().ravel(), b.detach().numpy().ravel()]))
    return np.array(trajectory)


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch(name, kwargs):
    ours = _run(lt, getattr(lt_optim, name), kwargs)
    theirs = _run(torch, getattr(torch.optim, name), kwargs)
    assert np.abs(ours[0] - ours[-1]).max() > 1e-3  # the parameters moved
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)
