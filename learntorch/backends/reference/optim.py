"""The optimizer updates of the reference backend: torch.optim's formulas on whole arrays.

``param``, ``grad`` and the state buffers are 1-D views of one dtype, updated in place (``[...] =``
writes into the view). Scalars are converted to that dtype first, after any scalar arithmetic
in float64, as torch does; the array arithmetic then runs in the parameter's dtype, in torch's
order of operations, so the results are the CPU backend's bit for bit.
"""
from __future__ import annotations

import math

import numpy as np


def sgd_step(param: np.ndarray, grad: np.ndarray, momentum_buffer: np.ndarray | None, lr: float,
             momentum: float, dampening: float, nesterov: bool, weight_decay: float, first_step: bool) -> None:
    s = param.dtype.type
    g = grad
    if weight_decay != 0:
        g = g + s(weight_decay) * param
    if momentum != 0:
        if first_step:
            momentum_buffer[...] = g
        else:
            momentum_buffer[...] = s(momentum) * momentum_buffer + s(1.0 - dampening) * g
        g = g + s(momentum) * momentum_buffer if nesterov else momentum_buffer
    param[...] = param - s(lr) * g


def adam_step(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray,
              max_exp_avg_sq: np.ndarray | None, lr: float, beta1: float, beta2: float, eps: float,
              weight_decay: float, decoupled_weight_decay: bool, amsgrad: bool, step: int) -> None:
    s = param.dtype.type
    g = grad
    if weight_decay != 0:
        if decoupled_weight_decay:  # AdamW
            param[...] = param * s(1.0 - lr * weight_decay)
        else:
            g = g + s(weight_decay) * param
    exp_avg[...] = s(beta1) * exp_avg + s(1.0 - beta1) * g
    exp_avg_sq[...] = s(beta2) * exp_avg_sq + s(1.0 - beta2) * g * g
    v = exp_avg_sq
    if amsgrad:
        max_exp_avg_sq[...] = np.maximum(max_exp_avg_sq, exp_avg_sq)  # NaN wins
        v = max_exp_avg_sq
    denom = np.sqrt(v) / s(math.sqrt(1.0 - beta2 ** float(step))) + s(eps)
    param[...] = param - s(lr / (1.0 - beta1 ** float(step))) * (exp_avg / denom)


def rmsprop_step(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray, grad_avg: np.ndarray | None,
                 momentum_buffer: np.ndarray | None, lr: float, alpha: float, eps: float, weight_decay: float,
                 momentum: float, centered: bool) -> None:
    s = param.dtype.type
    g = grad
    if weight_decay != 0:
        g = g + s(weight_decay) * param
    square_avg[...] = s(alpha) * square_avg + s(1.0 - alpha) * g * g
    if centered:
        grad_avg[...] = s(alpha) * grad_avg + s(1.0 - alpha) * g
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + s(eps)
    else:
        avg = np.sqrt(square_avg) + s(eps)
    if momentum > 0:
        momentum_buffer[...] = s(momentum) * momentum_buffer + g / avg
        param[...] = param - s(lr) * momentum_buffer
    else:
        param[...] = param - s(lr) * (g / avg)


def adagrad_step(param: np.ndarray, grad: np.ndarray, state_sum: np.ndarray, lr: float, lr_decay: float,
                 weight_decay: float, eps: float, step: int) -> None:
    s = param.dtype.type
    g = grad
    if weight_decay != 0:
        g = g + s(weight_decay) * param
    state_sum[...] = state_sum + g * g
    param[...] = param - s(lr / (1.0 + (step - 1) * lr_decay)) * (g / (np.sqrt(state_sum) + s(eps)))
