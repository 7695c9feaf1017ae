"""Learning-rate schedulers against torch.optim.lr_scheduler, and their state dicts."""
import numpy as np
import pytest

import learntorch as lt
from learntorch.optim import SGD
from learntorch.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR

SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=5)),
]


def _lrs(sched_cls, opt, kwargs, epochs=25):
    sched = sched_cls(opt, **kwargs)
    lrs = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    return lrs


@pytest.mark.reference
@pytest.mark.parametrize("name,kwargs", SCHEDULERS)
def test_schedules_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    import learntorch.optim.lr_scheduler as ours
    ours_opt = SGD([{"params": [lt.zeros(1, requires_grad=True)]},
                    {"params": [lt.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1)
    torch_opt = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                                 {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1)
    expected = _lrs(getattr(torch.optim.lr_scheduler, name), torch_opt, kwargs)
    np.testing.assert_allclose(_lrs(getattr(ours, name), ours_opt, kwargs), expected, rtol=1e-12, atol=1e-15)


def test_closed_forms():
    opt = SGD([lt.zeros(1, requires_grad=True)], lr=1.0)
    np.testing.assert_allclose(_lrs(StepLR, opt, dict(step_size=2, gamma=0.1), 5),
                               [[1.0], [1.0], [0.1], [0.1], [0.01], [0.01]])
    opt = SGD([lt.zeros(1, requires_grad=True)], lr=1.0)
    assert [lr for [lr] in _lrs(ExponentialLR, opt, dict(gamma=0.5), 3)] == pytest.approx([1, 0.5, 0.25, 0.125])
    opt = SGD([lt.zeros(1, requires_grad=True)], lr=1.0)
    lrs = _lrs(CosineAnnealingLR, opt, dict(T_max=4), 4)
    assert [lr for [lr] in lrs] == pytest.approx([1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 0.0], abs=1e-12)


def test_state_dict_resumes():
    opt = SGD([lt.zeros(1, requires_grad=True)], lr=1.0)
    sched = StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    opt2 = SGD([lt.zeros(1, requires_grad=True)], lr=1.0)
    opt2.load_state_dict(opt.state_dict())
    sched2 = StepLR(opt2, step_size=99)
    sched2.load_state_dict(state)
    sched.step()
    sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr() == [0.25]
