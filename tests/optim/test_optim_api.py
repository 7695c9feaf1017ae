"""The Optimizer API: formulas, state dicts, validation, and failed steps changing nothing."""
import math

import numpy as np
import pytest

import learntorch as lt
from learntorch.optim import SGD, Adagrad, Adam, AdamW, RMSprop


def _quadratic_grads(w, steps, rng):
    """Set w.grad to a fresh random gradient, `steps` times, yielding it."""
    for _ in range(steps):
        g = rng.standard_normal(w.shape)
        w.grad = lt.tensor(g)
        yield g


def test_adam_matches_hand_written_loop():
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal(7)
    w = lt.tensor(p0, requires_grad=True)
    lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.1
    opt = Adam([w], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd)
    p, m, v = p0.copy(), np.zeros(7), np.zeros(7)
    for t, g in enumerate(_quadratic_grads(w, 20, rng), start=1):
        opt.step()
        g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(w.detach().numpy(), p, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(opt.state[w]["exp_avg"].numpy(), m, rtol=1e-12)
    assert opt.state[w]["step"] == 20


def test_sgd_float32_step_and_version_bump():
    w = lt.tensor([1.0, 2.0], requires_grad=True)
    w.grad = lt.tensor([0.5, -1.0])
    version = w._version
    SGD([w], lr=0.1).step()
    np.testing.assert_allclose(w.detach().numpy(), [0.95, 2.1], rtol=1e-6)
    assert w.dtype is lt.float32 and w._version == version + 1 and w.requires_grad


def test_params_without_grad_are_skipped():
    a, b = lt.tensor([1.0], requires_grad=True), lt.tensor([2.0], requires_grad=True)
    a.grad = lt.tensor([1.0])
    opt = Adam([a, b], lr=0.1)
    opt.step()
    assert b.item() == 2.0 and b not in opt.state and opt.state[a]["step"] == 1


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, amsgrad=True), lambda ps: AdamW(ps),
    lambda ps: RMSprop(ps, momentum=0.5, centered=True), lambda ps: Adagrad(ps, initial_accumulator_value=0.1),
], ids=["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_state_dict_round_trip_continues_identically(make, tmp_path):
    rng = np.random.default_rng(2)
    init = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    grads = [[rng.standard_normal(a.shape) for a in init] for _ in range(6)]

    def run(steps, opt_and_params=None):
        params, opt = opt_and_params or (None, None)
        if params is None:
            params = [lt.tensor(a, requires_grad=True) for a in init]
            opt = make(params)
        for gs in steps:
            for p, g in zip(params, gs):
                p.grad = lt.tensor(g, dtype=p.dtype)
            opt.step()
        return params, opt

    reference, _ = run(grads)
    params, opt = run(grads[:3])
    lt.save({"opt": opt.state_dict(), "params": params}, tmp_path / "ckpt.lt")
    ckpt = lt.load(tmp_path / "ckpt.lt")
    resumed_params = [p.detach().clone().requires_grad_() for p in ckpt["params"]]
    resumed = make(resumed_params)
    resumed.load_state_dict(ckpt["opt"])
    assert resumed.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    run(grads[3:], (resumed_params, resumed))
    for a, b in zip(resumed_params, reference):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_state_dict_format_is_pytorchs():
    a, b = lt.zeros(2, requires_grad=True), lt.zeros(3, requires_grad=True)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    a.grad = lt.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"]) == [0] and set(sd["state"][0]) == {"momentum_buffer"}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["momentum"] == 0.9


def test_load_state_dict_validates_and_changes_nothing_on_error():
    w = lt.zeros(3, requires_grad=True)
    opt = Adam([w], lr=0.1)
    w.grad = lt.ones(3)
    opt.step()
    before = opt.state_dict()
    bad_shape = {"state": {0: {"step": 1, "exp_avg": lt.zeros(4), "exp_avg_sq": lt.zeros(3)}},
                 "param_groups": [dict(before["param_groups"][0], lr=0.5)]}
    bad_index = {"state": {5: {}}, "param_groups": before["param_groups"]}
    bad_groups = {"state": {}, "param_groups": before["param_groups"] * 2}
    bad_size = {"state": {}, "param_groups": [dict(before["param_groups"][0], params=[0, 1])]}
    for bad in (bad_shape, bad_index, bad_groups, bad_size, {"state": {}}):
        with pytest.raises(ValueError):
            opt.load_state_dict(bad)
        assert opt.param_groups[0]["lr"] == 0.1 and opt.state[w]["step"] == 1


def test_failed_step_leaves_every_parameter_unchanged():
    a, b = lt.ones(2, requires_grad=True), lt.ones(3, requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    a.grad = lt.ones(2)
    for bad in (lt.ones(4), lt.ones(3, dtype=lt.float64)):
        b.grad = bad
        with pytest.raises(RuntimeError, match="nothing was updated"):
            opt.step()
        assert a.tolist() == [1.0, 1.0] and b.tolist() == [1.0, 1.0, 1.0] and len(opt.state) == 0


def test_nan_gradient_propagates_like_pytorch():
    w = lt.tensor([1.0, 2.0], requires_grad=True)
    w.grad = lt.tensor([float("nan"), 1.0])
    SGD([w], lr=0.1).step()
    assert math.isnan(w.tolist()[0]) and w.tolist()[1] == pytest.approx(1.9)


@pytest.mark.parametrize("make,message", [
    (lambda p: SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: SGD(p, momentum=-0.1), "Invalid momentum value: -0.1"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: Adam(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda p: AdamW(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: RMSprop(p, alpha=-1), "Invalid alpha value: -1"),
    (lambda p: Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda p: SGD([], lr=0.1), "optimizer got an empty parameter list"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_hyperparameters_are_validated(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make([lt.zeros(1, requires_grad=True)])


def test_param_groups_zero_grad_and_closure():
    a, b = lt.ones(2, requires_grad=True), lt.ones(2, requires_grad=True)
    opt = SGD([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.2})
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError):
        SGD(a, lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * b).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 2.0
    assert a.tolist() == pytest.approx([0.9, 0.9]) and b.tolist() == pytest.approx([0.8, 0.8])
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None
