"""The fused optimizer kernels against NumPy re-implementations of torch's formulas,
and against torch.optim itself (marked ``reference``)."""
import numpy as np
import pytest

from learntorch.backends.cpu.optim import CHUNK, adagrad_step, adam_step, rmsprop_step, sgd_step

N = 2 * CHUNK + 3  # three parallel chunks, the last one short

# (torch.optim class name, its keyword arguments), every default spelled out.
CASES = [
    ("SGD", dict(lr=0.05, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, nesterov=False, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.0, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, amsgrad=False)),
    ("AdamW", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-8, weight_decay=0.01, momentum=0.9, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, eps=1e-10, initial_accumulator_value=0.1)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


# ---------------------------------------------------------------- the kernels, run over steps
# Each runner takes the initial parameter and an iterable of gradients, and returns the final
# parameter and the state, keyed as in torch's optimizer.state[p] (None where torch has none).

def kernel_sgd(p, grads, lr, momentum, dampening, nesterov, weight_decay):
    p = p.copy()
    buf = np.zeros_like(p) if momentum != 0 else np.empty(0, p.dtype)
    for t, g in enumerate(grads):
        sgd_step(p, g, buf, lr, momentum, dampening, nesterov, weight_decay, t == 0)
    return p, {"momentum_buffer": buf if momentum != 0 else None}


def kernel_adam(p, grads, lr, betas, eps, weight_decay, amsgrad, decoupled=False):
    p = p.copy()
    m, v = np.zeros_like(p), np.zeros_like(p)
    vmax = np.zeros_like(p) if amsgrad else np.empty(0, p.dtype)
    for t, g in enumerate(grads, start=1):
        adam_step(p, g, m, v, vmax, lr, betas[0], betas[1], eps, weight_decay, decoupled, amsgrad, t)
    return p, {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax if amsgrad else None}


def kernel_adamw(p, grads, **kw):
    return kernel_adam(p, grads, decoupled=True, **kw)


def kernel_rmsprop(p, grads, lr, alpha, eps, weight_decay, momentum, centered):
    p = p.copy()
    sq = np.zeros_like(p)
    ga = np.zeros_like(p) if centered else np.empty(0, p.dtype)
    buf = np.zeros_like(p) if momentum > 0 else np.empty(0, p.dtype)
    for g in grads:
        rmsprop_step(p, g, sq, ga, buf, lr, alpha, eps, weight_decay, momentum, centered)
    return p, {"square_avg": sq, "grad_avg": ga if centered else None,
               "momentum_buffer": buf if momentum > 0 else None}


def kernel_adagrad(p, grads, lr, lr_decay, weight_decay, eps, initial_accumulator_value):
    p = p.copy()
    s = np.full_like(p, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        adagrad_step(p, g, s, lr, lr_decay, weight_decay, eps, t)
    return p, {"sum": s}


KERNEL = {"SGD": kernel_sgd, "Adam": kernel_adam, "AdamW": kernel_adamw,
          "RMSprop": kernel_rmsprop, "Adagrad": kernel_adagrad}


# ---------------------------------------------------------------- torch's formulas in NumPy

def numpy_sgd(p, grads, lr, momentum, dampening, nesterov, weight_decay):
    buf = None
    for g in grads:
        if weight_decay != 0:
            g = g + weight_decay * p
        if momentum != 0:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p, {"momentum_buffer": buf}


def numpy_adam(p, grads, lr, betas, eps, weight_decay, amsgrad, decoupled=False):
    b1, b2 = betas
    m, v = np.zeros_like(p), np.zeros_like(p)
    vmax = np.zeros_like(p) if amsgrad else None
    for t, g in enumerate(grads, start=1):
        if weight_decay != 0:
            if decoupled:
                p = p * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if amsgrad:
            vmax = np.maximum(vmax, v)
        denom = np.sqrt(vmax if amsgrad else v) / (1 - b2 ** t) ** 0.5 + eps
        p = p - (lr / (1 - b1 ** t)) * (m / denom)
    return p, {"exp_avg": m, "exp_avg_sq": v, "max_exp_avg_sq": vmax}


def numpy_adamw(p, grads, **kw):
    return numpy_adam(p, grads, decoupled=True, **kw)


def numpy_rmsprop(p, grads, lr, alpha, eps, weight_decay, momentum, centered):
    sq = np.zeros_like(p)
    ga = np.zeros_like(p) if centered else None
    buf = np.zeros_like(p) if momentum > 0 else None
    for g in grads:
        if weight_decay != 0:
            g = g + weight_decay * p
        sq = alpha * sq + (1 - alpha) * g * g
        if centered:
            ga = alpha * ga + (1 - alpha) * g
            avg = np.sqrt(sq - ga * ga) + eps
        else:
            avg = np.sqrt(sq) + eps
        if momentum > 0:
            buf = momentum * buf + g / avg
            p = p - lr * buf
        else:
            p = p - lr * (g / avg)
    return p, {"square_avg": sq, "grad_avg": ga, "momentum_buffer": buf}


def numpy_adagrad(p, grads, lr, lr_decay, weight_decay, eps, initial_accumulator_value):
    s = np.full_like(p, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        if weight_decay != 0:
            g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        p = p - clr * (g / (np.sqrt(s) + eps))
    return p, {"sum": s}


NUMPY = {"SGD": numpy_sgd, "Adam": numpy_adam, "AdamW": numpy_adamw,
         "RMSprop": numpy_rmsprop, "Adagrad": numpy_adagrad}


# ---------------------------------------------------------------- helpers

def random_grads(dtype, steps, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(N).astype(dtype) for _ in range(steps)]


def start_param(dtype):
    return np.random.default_rng(0).standard_normal(N).astype(dtype)


def assert_same(got, want, rtol, atol):
    p, state = got
    p_ref, state_ref = want
    np.testing.assert_allclose(p, p_ref, rtol=rtol, atol=atol)
    for key, ref in state_ref.items():
        if ref is None:
            assert state[key] is None, key
        else:
            np.testing.assert_allclose(state[key], ref, rtol=rtol, atol=atol, err_msg=key)


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,cfg", CASES, ids=IDS)
def test_kernel_matches_numpy_formula(name, cfg, dtype):
    p0, grads = start_param(dtype), random_grads(dtype, steps=5)
    got = KERNEL[name](p0, grads, **cfg)
    want = NUMPY[name](p0, grads, **cfg)
    assert got[0].dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_same(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("name,cfg", CASES, ids=IDS)
def test_nan_gradient_propagates(name, cfg):
    grads = random_grads(np.float64, steps=3)
    grads[0][7] = np.nan
    p, _ = KERNEL[name](start_param(np.float64), grads, **cfg)
    assert np.isnan(p[7])
    assert np.isfinite(np.delete(p, 7)).all()


@pytest.mark.reference
@pytest.mark.parametrize("name,cfg", CASES, ids=IDS)
def test_kernel_matches_torch_over_100_steps(name, cfg):
    torch = pytest.importorskip("torch")
    steps = 100
    p0 = start_param(np.float64)
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(N) for _ in range(steps)]

    p_t = torch.nn.Parameter(torch.from_numpy(p0.copy()))
    opt = getattr(torch.optim, name)([p_t], foreach=False, **cfg)
    for g in grads:
        p_t.grad = torch.from_numpy(g)
        opt.step()
    state_t = {key: value.numpy() for key, value in opt.state[p_t].items()
               if key != "step" and value is not None}

    p, state = KERNEL[name](p0, grads, **cfg)
    np.testing.assert_allclose(p, p_t.detach().numpy(), rtol=0, atol=1e-5)
    for key, value in state_t.items():
        np.testing.assert_allclose(state[key], value, rtol=0, atol=1e-5, err_msg=key)
