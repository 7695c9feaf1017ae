"""Fused optimizer updates on the GPU: one kernel launch per parameter, one thread per element.

Each kernel updates a parameter and its optimizer state in place with the formulas and the
order of operations of torch.optim (the single-tensor path), exactly as the CPU kernels in
cpu/optim.py do; the loop each one computes is in its docstring. "Fused" means one pass over
memory per parameter, where a composition of tensor ops would launch a kernel and write a
temporary array for every ``+``, ``*`` and ``sqrt``.

Arrays are flat, of one size and dtype; a state buffer that the chosen options do not use is
an empty array and is not touched. Scalars arrive already converted to the parameter's dtype
(scalar expressions such as ``lr / (1 - beta1**step)`` are computed in float64 on the host, as
torch computes them in Python), so the arithmetic runs in the parameter's dtype as on the CPU.
"""
from __future__ import annotations

import math

from numba import cuda


@cuda.jit
def sgd_kernel(param, grad, buf, lr, momentum, keep, nesterov, weight_decay, first_step):
    """torch.optim.SGD; keep = 1 - dampening.

        for i in range(n):
            g = grad[i] + weight_decay * param[i]             (if weight_decay != 0)
            if momentum != 0:
                buf[i] = g if first_step else momentum * buf[i] + keep * g
                g = g + momentum * buf[i] if nesterov else buf[i]
            param[i] -= lr * g
    """
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        g = grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        if momentum != 0:
            b = g if first_step else momentum * buf[i] + keep * g
            buf[i] = b
            g = g + momentum * b if nesterov else b
        param[i] -= lr * g


@cuda.jit
def adam_kernel(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, beta1, beta2, one_minus_b1, one_minus_b2,
                eps, weight_decay, decay, decoupled, amsgrad, step_size, bc2_sqrt):
    """torch.optim.Adam (AdamW when decoupled); step_size = lr / (1 - beta1**step),
    bc2_sqrt = sqrt(1 - beta2**step), decay = 1 - lr * weight_decay.

        for i in range(n):
            g = grad[i]
            if weight_decay != 0:
                if decoupled: param[i] *= decay               # AdamW
                else: g = g + weight_decay * param[i]         # Adam: L2 penalty
            exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
            exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
            v = exp_avg_sq[i]
            if amsgrad: v = max_exp_avg_sq[i] = max(max_exp_avg_sq[i], v)
            param[i] -= step_size * (exp_avg[i] / (sqrt(v) / bc2_sqrt + eps))
    """
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        g = grad[i]
        if weight_decay != 0:
            if decoupled:
                param[i] *= decay
            else:
                g = g + weight_decay * param[i]
        m = beta1 * exp_avg[i] + one_minus_b1 * g
        v = beta2 * exp_avg_sq[i] + one_minus_b2 * g * g
        exp_avg[i] = m
        exp_avg_sq[i] = v
        if amsgrad:
            old = max_exp_avg_sq[i]
            v = old if (old > v or old != old) else v   # NaN wins, like np.maximum
            max_exp_avg_sq[i] = v
        param[i] -= step_size * (m / (math.sqrt(v) / bc2_sqrt + eps))


@cuda.jit
def rmsprop_kernel(param, grad, square_avg, grad_avg, buf, lr, alpha, one_minus_alpha, eps, weight_decay,
                   momentum, centered):
    """torch.optim.RMSprop.

        for i in range(n):
            g = grad[i] + weight_decay * param[i]             (if weight_decay != 0)
            square_avg[i] = alpha * square_avg[i] + (1 - alpha) * g * g
            if centered:
                grad_avg[i] = alpha * grad_avg[i] + (1 - alpha) * g
                avg = sqrt(square_avg[i] - grad_avg[i] ** 2) + eps
            else:
                avg = sqrt(square_avg[i]) + eps
            if momentum > 0:
                buf[i] = momentum * buf[i] + g / avg
                param[i] -= lr * buf[i]
            else:
                param[i] -= lr * (g / avg)
    """
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        g = grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        s = alpha * square_avg[i] + one_minus_alpha * g * g
        square_avg[i] = s
        if centered:
            ga = alpha * grad_avg[i] + one_minus_alpha * g
            grad_avg[i] = ga
            avg = math.sqrt(s - ga * ga) + eps
        else:
            avg = math.sqrt(s) + eps
        if momentum > 0:
            b = momentum * buf[i] + g / avg
            buf[i] = b
            param[i] -= lr * b
        else:
            param[i] -= lr * (g / avg)


@cuda.jit
def adagrad_kernel(param, grad, state_sum, clr, weight_decay, eps):
    """torch.optim.Adagrad; clr = lr / (1 + (step - 1) * lr_decay).

        for i in range(n):
            g = grad[i] + weight_decay * param[i]             (if weight_decay != 0)
            state_sum[i] += g * g
            param[i] -= clr * (g / (sqrt(state_sum[i]) + eps))
    """
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        g = grad[i]
        if weight_decay != 0:
            g = g + weight_decay * param[i]
        s = state_sum[i] + g * g
        state_sum[i] = s
        param[i] -= clr * (g / (math.sqrt(s) + eps))
