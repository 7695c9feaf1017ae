"""A training step on CUDA tensors moves no data between host and GPU: storage stays on the device.

The only read-back is nll_loss's one-bool check that every target is a valid class (PyTorch checks
that on the device, with an assert that stops the program)."""
import numpy as np

import learntorch as lt
import learntorch.nn as nn
from learntorch.backends.cuda import CUDABackend


def test_training_step_stays_on_the_device(monkeypatch, rng):
    lt.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3)).to("cuda")
    opt = lt.optim.Adam(model.parameters(), lr=0.01)
    x = lt.tensor(rng.standard_normal((5, 4)).astype(np.float32), device="cuda")
    y = lt.tensor([0, 2, 1, 1, 0], device="cuda")

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x) * 2 + 1, y)
        loss.backward()
        opt.step()

    step()  # the first step makes the optimizer state and caches nll_loss's row offsets
    counts = {"to_host": 0, "to_device": 0}
    to_numpy, from_numpy = CUDABackend.to_numpy, CUDABackend.from_numpy

    def counting(name, fn):
        def wrapper(*args):
            counts[name] += 1
            return fn(*args)
        return wrapper

    monkeypatch.setattr(CUDABackend, "to_numpy", counting("to_host", to_numpy))
    monkeypatch.setattr(CUDABackend, "from_numpy", counting("to_device", from_numpy))
    step()
    assert counts == {"to_host": 1, "to_device": 0}, counts
