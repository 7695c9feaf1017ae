"""Fused optimizer updates on NumPy arrays: one kernel call per parameter.

Each function updates a parameter and its optimizer state in place, element by
element, with the formulas and the order of operations of torch.optim (torch 2.x,
the single-tensor code path that ``foreach=False`` selects). The elementwise
loop of each update is shown in its docstring.

Arrays: ``param``, ``grad`` and the state buffers are 1-D, C-contiguous, of one
size and one dtype (float32 or float64). A state buffer that the chosen options
do not use may be an empty array; it is not touched.

Scalars are Python numbers. Scalar expressions such as ``lr / (1 - beta1**step)``
are computed in float64, as torch computes them in Python, then converted to
the parameter's dtype; the elementwise arithmetic runs in that dtype.

The elements are cut into chunks of ``CHUNK`` that run in parallel (``prange``).
Inside a chunk the loop runs over contiguous slices, which the compiler
vectorises. ``fastmath`` stays off, so results follow IEEE rounding like
torch's, and a NaN in a gradient propagates to the parameter as in torch.
"""
import math

import numpy as np
from numba import njit, prange

CHUNK = 32768  # elements per parallel task


@njit(cache=True)
def _num_chunks(n):
    """How many CHUNK-sized pieces cover n elements."""
    return (n + CHUNK - 1) // CHUNK


@njit(parallel=True, fastmath=False, cache=True)
def sgd_step(param: np.ndarray, grad: np.ndarray, momentum_buf: np.ndarray, lr: float,
             momentum: float, dampening: float, nesterov: bool, weight_decay: float,
             first_step: bool) -> None:
    """One step of torch.optim.SGD. param, grad, momentum_buf: (n,); momentum_buf may
    be empty when momentum == 0. first_step: the momentum buffer is still unset.

        for i in range(n):
            g = grad[i]
            if weight_decay != 0:
                g = g + weight_decay * param[i]
            if momentum != 0:
                if first_step:
                    momentum_buf[i] = g
                else:
                    momentum_buf[i] = momentum * momentum_buf[i] + (1 - dampening) * g
                if nesterov:
                    g = g + momentum * momentum_buf[i]
                else:
                    g = momentum_buf[i]
            param[i] -= lr * g
    """
    dt = param.dtype.type
    lr_, mom, wd = dt(lr), dt(momentum), dt(weight_decay)
    keep = dt(1.0 - dampening)
    n = param.size
    for c in prange(_num_chunks(n)):
        lo, hi = c * CHUNK, min((c + 1) * CHUNK, n)
        p, g, buf = param[lo:hi], grad[lo:hi], momentum_buf[lo:hi]
        for i in range(hi - lo):
            gi = g[i]
            if weight_decay != 0:
                gi = gi + wd * p[i]
            if momentum != 0:
                if first_step:
                    b = gi
                else:
                    b = mom * buf[i] + keep * gi
                buf[i] = b
                if nesterov:
                    gi = gi + mom * b
                else:
                    gi = b
            p[i] -= lr_ * gi


@njit(parallel=True, fastmath=False, cache=True)
def adam_step(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
              exp_avg_sq: np.ndarray, max_exp_avg_sq: np.ndarray, lr: float, beta1: float,
              beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool,
              amsgrad: bool, step: int) -> None:
    """One step of torch.optim.Adam, or of AdamW when decoupled_weight_decay.
    param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq: (n,); max_exp_avg_sq may be empty
    unless amsgrad. step: the step number, counted from 1.

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        for i in range(n):
            g = grad[i]
            if weight_decay != 0:
                if decoupled_weight_decay:                 # AdamW
                    param[i] *= 1 - lr * weight_decay
                else:                                      # Adam: L2 penalty
                    g = g + weight_decay * param[i]
            exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
            exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
            v = exp_avg_sq[i]
            if amsgrad:
                max_exp_avg_sq[i] = np.maximum(max_exp_avg_sq[i], v)  # NaN wins, as in torch
                v = max_exp_avg_sq[i]
            denom = sqrt(v) / sqrt(bias_correction2) + eps
            param[i] -= (lr / bias_correction1) * (exp_avg[i] / denom)
    """
    dt = param.dtype.type
    b1, b2, eps_, wd = dt(beta1), dt(beta2), dt(eps), dt(weight_decay)
    one_minus_b1, one_minus_b2 = dt(1.0 - beta1), dt(1.0 - beta2)
    decay = dt(1.0 - lr * weight_decay)
    step_size = dt(lr / (1.0 - beta1 ** float(step)))
    bc2_sqrt = dt(math.sqrt(1.0 - beta2 ** float(step)))
    n = param.size
    for c in prange(_num_chunks(n)):
        lo, hi = c * CHUNK, min((c + 1) * CHUNK, n)
        p, g, m, v, vmax = param[lo:hi], grad[lo:hi], exp_avg[lo:hi], exp_avg_sq[lo:hi], max_exp_avg_sq[lo:hi]
        for i in range(hi - lo):
            gi = g[i]
            if weight_decay != 0:
                if decoupled_weight_decay:
                    p[i] *= decay
                else:
                    gi = gi + wd * p[i]
            mi = b1 * m[i] + one_minus_b1 * gi
            vi = b2 * v[i] + one_minus_b2 * gi * gi
            m[i] = mi
            v[i] = vi
            if amsgrad:
                vi = np.maximum(vmax[i], vi)
                vmax[i] = vi
            denom = np.sqrt(vi) / bc2_sqrt + eps_
            p[i] -= step_size * (mi / denom)


@njit(parallel=True, fastmath=False, cache=True)
def rmsprop_step(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray,
                 grad_avg: np.ndarray, momentum_buf: np.ndarray, lr: float, alpha: float,
                 eps: float, weight_decay: float, momentum: float, centered: bool) -> None:
    """One step of torch.optim.RMSprop. param, grad, square_avg, grad_avg, momentum_buf: (n,);
    grad_avg may be empty unless centered, momentum_buf unless momentum > 0. All state
    starts at zero.

        for i in range(n):
            g = grad[i]
            if weight_decay != 0:
                g = g + weight_decay * param[i]
            square_avg[i] = alpha * square_avg[i] + (1 - alpha) * g * g
            if centered:
                grad_avg[i] = alpha * grad_avg[i] + (1 - alpha) * g
                avg = sqrt(square_avg[i] - grad_avg[i] * grad_avg[i]) + eps
            else:
                avg = sqrt(square_avg[i]) + eps
            if momentum > 0:
                momentum_buf[i] = momentum * momentum_buf[i] + g / avg
                param[i] -= lr * momentum_buf[i]
            else:
                param[i] -= lr * (g / avg)
    """
    dt = param.dtype.type
    lr_, a, eps_, wd, mom = dt(lr), dt(alpha), dt(eps), dt(weight_decay), dt(momentum)
    one_minus_a = dt(1.0 - alpha)
    n = param.size
    for c in prange(_num_chunks(n)):
        lo, hi = c * CHUNK, min((c + 1) * CHUNK, n)
        p, g, sq, ga, buf = param[lo:hi], grad[lo:hi], square_avg[lo:hi], grad_avg[lo:hi], momentum_buf[lo:hi]
        for i in range(hi - lo):
            gi = g[i]
            if weight_decay != 0:
                gi = gi + wd * p[i]
            s = a * sq[i] + one_minus_a * gi * gi
            sq[i] = s
            if centered:
                gai = a * ga[i] + one_minus_a * gi
                ga[i] = gai
                avg = np.sqrt(s - gai * gai) + eps_
            else:
                avg = np.sqrt(s) + eps_
            if momentum > 0:
                b = mom * buf[i] + gi / avg
                buf[i] = b
                p[i] -= lr_ * b
            else:
                p[i] -= lr_ * (gi / avg)


@njit(parallel=True, fastmath=False, cache=True)
def adagrad_step(param: np.ndarray, grad: np.ndarray, state_sum: np.ndarray, lr: float,
                 lr_decay: float, weight_decay: float, eps: float, step: int) -> None:
    """One step of torch.optim.Adagrad. param, grad, state_sum: (n,); state_sum starts at
    initial_accumulator_value. step: the step number, counted from 1.

        clr = lr / (1 + (step - 1) * lr_decay)
        for i in range(n):
            g = grad[i]
            if weight_decay != 0:
                g = g + weight_decay * param[i]
            state_sum[i] += g * g
            param[i] -= clr * (g / (sqrt(state_sum[i]) + eps))
    """
    dt = param.dtype.type
    clr = dt(lr / (1.0 + (step - 1) * lr_decay))
    eps_, wd = dt(eps), dt(weight_decay)
    n = param.size
    for c in prange(_num_chunks(n)):
        lo, hi = c * CHUNK, min((c + 1) * CHUNK, n)
        p, g, ssum = param[lo:hi], grad[lo:hi], state_sum[lo:hi]
        for i in range(hi - lo):
            gi = g[i]
            if weight_decay != 0:
                gi = gi + wd * p[i]
            s = ssum[i] + gi * gi
            ssum[i] = s
            p[i] -= clr * (gi / (np.sqrt(s) + eps_))
