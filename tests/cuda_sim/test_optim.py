"""The fused optimizer kernels on CUDA follow the same trajectory as on the CPU."""
import numpy as np
import pytest

import learntorch as lt
from cuda_helpers import assert_close

OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_optimizer_steps(name, kwargs, rng):
    start = rng.standard_normal((3, 4)).astype(np.float32)
    grads = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(3)]
    params = {}
    for dev in ("cpu", "cuda"):
        p = lt.tensor(start, device=dev, requires_grad=True)
        opt = getattr(lt.optim, name)([p], **kwargs)
        for g in grads:
            p.grad = lt.tensor(g, device=dev)
            opt.step()
        params[dev] = p
    assert_close(params["cuda"], params["cpu"], atol=1e-6, rtol=1e-5)
