"""A tiny MLP and a one-conv CNN train on "cuda" with the same code and the same losses as on CPU."""
import copy

import numpy as np
import pytest

import learntorch as lt
import learntorch.nn as nn


def _train(model: nn.Module, device: str, x: np.ndarray, y: np.ndarray, make_opt, steps: int) -> list[float]:
    model = copy.deepcopy(model).to(device)
    opt = make_opt(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    inputs, targets = lt.tensor(x).to(device), lt.tensor(y).to(device)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert all(p.device.type == device.split(":")[0] for p in model.parameters())
    return losses


@pytest.mark.parametrize("make_opt", [lambda p: lt.optim.SGD(p, lr=0.5, momentum=0.9),
                                      lambda p: lt.optim.Adam(p, lr=0.05)], ids=["sgd", "adam"])
def test_mlp_trains_like_cpu(make_opt, rng):
    lt.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    x = rng.standard_normal((6, 4)).astype(np.float32)
    y = rng.integers(0, 3, 6)
    cpu = _train(model, "cpu", x, y, make_opt, 4)
    gpu = _train(model, "cuda", x, y, make_opt, 4)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-5, atol=1e-6)
    assert gpu[-1] < gpu[0]


def test_cnn_trains_like_cpu(rng):
    lt.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(2 * 3 * 3, 3))
    x = rng.standard_normal((3, 1, 6, 6)).astype(np.float32)
    y = np.array([0, 2, 1])
    make_opt = lambda p: lt.optim.Adam(p, lr=0.05)  # noqa: E731
    cpu = _train(model, "cpu", x, y, make_opt, 3)
    gpu = _train(model, "cuda", x, y, make_opt, 3)
    np.testing.assert_allclose(gpu, cpu, rtol=1e-5, atol=1e-6)
    assert gpu[-1] < gpu[0]


def test_raw_tensors_manual_sgd(rng):
    """Without nn: a linear model, its gradient, and an update under no_grad, all on the GPU."""
    x = lt.tensor(rng.standard_normal((8, 3)).astype(np.float32), device="cuda")
    y = x @ lt.tensor([[1.0], [-2.0], [0.5]], device="cuda")
    w = lt.zeros(3, 1, device="cuda", requires_grad=True)
    losses = []
    for _ in range(5):
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        with lt.no_grad():
            w.sub_(0.3 * w.grad)
            w.grad.zero_()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
