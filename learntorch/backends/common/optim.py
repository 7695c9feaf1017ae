"""One element of each fused optimizer update, with the formulas and the order of operations of
torch.optim (torch 2.x, the single-tensor path that ``foreach=False`` selects).

``sgd(i, ...)`` and friends update element ``i`` of a parameter and of its optimizer state in
place; the CPU kernels (cpu/optim.py) call them over chunks of the flat arrays, the CUDA kernels
(cuda/optim.py) once per GPU thread. A state buffer that the chosen options do not use may be
an empty array: it is not touched.

Scalar expressions such as ``lr / (1 - beta1**step)`` are computed in float64, as torch computes
them in Python, by the ``*_scalars`` functions, which return them converted to the parameter's
dtype ``dt``; the elementwise arithmetic then runs in that dtype, and a NaN in a gradient reaches
the parameter as in torch.

``sqrt`` must keep that dtype too. ``math.sqrt`` does on the GPU (and under the simulator), but
Numba's CPU ``math.sqrt`` turns a float32 into a float64, a 3x slower RMSprop step: cpu/optim.py
compiles these functions with ``np.sqrt`` as their ``sqrt``.
"""
from __future__ import annotations

import math

sqrt = math.sqrt  # the square root of the updates, in its argument's dtype (see above)


def sgd_scalars(dt, lr, momentum, dampening, weight_decay):
    """``(lr, momentum, 1 - dampening, weight_decay)`` in dtype ``dt``."""
    return dt(lr), dt(momentum), dt(1.0 - dampening), dt(weight_decay)


def sgd(i, param, grad, momentum_buf, s, nesterov, first_step):
    """torch.optim.SGD, element ``i``; ``s = sgd_scalars(...)``; ``first_step``: the momentum
    buffer is still unset (it may be empty when momentum == 0).

        g = grad[i] + weight_decay * param[i]                  (if weight_decay != 0)
        if momentum != 0:
            buf[i] = g if first_step else momentum * buf[i] + (1 - dampening) * g
            g = g + momentum * buf[i] if nesterov else buf[i]
        param[i] -= lr * g
    """
    lr, momentum, keep, weight_decay = s
    g = grad[i]
    if weight_decay != 0:
        g = g + weight_decay * param[i]
    if momentum != 0:
        b = g if first_step else momentum * momentum_buf[i] + keep * g
        momentum_buf[i] = b
        g = g + momentum * b if nesterov else b
    param[i] -= lr * g


def adam_scalars(dt, lr, beta1, beta2, eps, weight_decay, step):
    """``(beta1, beta2, 1 - beta1, 1 - beta2, eps, weight_decay, 1 - lr * weight_decay,
    lr / (1 - beta1**step), sqrt(1 - beta2**step))`` in dtype ``dt``; ``step`` counts from 1."""
    return (dt(beta1), dt(beta2), dt(1.0 - beta1), dt(1.0 - beta2), dt(eps), dt(weight_decay),
            dt(1.0 - lr * weight_decay), dt(lr / (1.0 - beta1 ** float(step))),
            dt(math.sqrt(1.0 - beta2 ** float(step))))


def adam(i, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, s, decoupled_weight_decay, amsgrad):
    """torch.optim.Adam, or AdamW when ``decoupled_weight_decay``, element ``i``;
    ``s = adam_scalars(...)``; ``max_exp_avg_sq`` may be empty unless amsgrad.

        g = grad[i]
        if weight_decay != 0:
            if decoupled_weight_decay: param[i] *= 1 - lr * weight_decay     # AdamW
            else: g = g + weight_decay * param[i]                           # Adam: L2 penalty
        exp_avg[i] = beta1 * exp_avg[i] + (1 - beta1) * g
        exp_avg_sq[i] = beta2 * exp_avg_sq[i] + (1 - beta2) * g * g
        v = exp_avg_sq[i]
        if amsgrad: v = max_exp_avg_sq[i] = max(max_exp_avg_sq[i], v)       # NaN wins
        param[i] -= lr / (1 - beta1**step) * (exp_avg[i] / (sqrt(v) / sqrt(1 - beta2**step) + eps))
    """
    beta1, beta2, one_minus_b1, one_minus_b2, eps, weight_decay, decay, step_size, bc2_sqrt = s
    g = grad[i]
    if weight_decay != 0:
        if decoupled_weight_decay:
            param[i] *= decay
        else:
            g = g + weight_decay * param[i]
    m = beta1 * exp_avg[i] + one_minus_b1 * g
    v = beta2 * exp_avg_sq[i] + one_minus_b2 * g * g
    exp_avg[i] = m
    exp_avg_sq[i] = v
    if amsgrad:
        old = max_exp_avg_sq[i]
        v = old if (old > v or old != old) else v
        max_exp_avg_sq[i] = v
    param[i] -= step_size * (m / (sqrt(v) / bc2_sqrt + eps))


def rmsprop_scalars(dt, lr, alpha, eps, weight_decay, momentum):
    """``(lr, alpha, 1 - alpha, eps, weight_decay, momentum)`` in dtype ``dt``."""
    return dt(lr), dt(alpha), dt(1.0 - alpha), dt(eps), dt(weight_decay), dt(momentum)


def rmsprop(i, param, grad, square_avg, grad_avg, momentum_buf, s, centered):
    """torch.optim.RMSprop, element ``i``; ``s = rmsprop_scalars(...)``; ``grad_avg`` may be
    empty unless centered, ``momentum_buf`` unless momentum > 0. All state starts at zero.

        g = grad[i] + weight_decay * param[i]                  (if weight_decay != 0)
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
    lr, alpha, one_minus_alpha, eps, weight_decay, momentum = s
    g = grad[i]
    if weight_decay != 0:
        g = g + weight_decay * param[i]
    sq = alpha * square_avg[i] + one_minus_alpha * g * g
    square_avg[i] = sq
    if centered:
        ga = alpha * grad_avg[i] + one_minus_alpha * g
        grad_avg[i] = ga
        avg = sqrt(sq - ga * ga) + eps
    else:
        avg = sqrt(sq) + eps
    if momentum > 0:
        b = momentum * momentum_buf[i] + g / avg
        momentum_buf[i] = b
        param[i] -= lr * b
    else:
        param[i] -= lr * (g / avg)


def adagrad_scalars(dt, lr, lr_decay, weight_decay, eps, step):
    """``(lr / (1 + (step - 1) * lr_decay), weight_decay, eps)`` in dtype ``dt``; ``step`` counts from 1."""
    return dt(lr / (1.0 + (step - 1) * lr_decay)), dt(weight_decay), dt(eps)


def adagrad(i, param, grad, state_sum, s):
    """torch.optim.Adagrad, element ``i``; ``s = adagrad_scalars(...)``; ``state_sum`` starts at
    initial_accumulator_value.

        g = grad[i] + weight_decay * param[i]                  (if weight_decay != 0)
        state_sum[i] += g * g
        param[i] -= clr * (g / (sqrt(state_sum[i]) + eps))     # clr = lr / (1 + (step - 1) * lr_decay)
    """
    clr, weight_decay, eps = s
    g = grad[i]
    if weight_decay != 0:
        g = g + weight_decay * param[i]
    total = state_sum[i] + g * g
    state_sum[i] = total
    param[i] -= clr * (g / (sqrt(total) + eps))
