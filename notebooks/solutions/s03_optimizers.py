"""Answers for 03_optimizers."""
import math

import numpy as np


# Exercise 1: one Adam step on NumPy arrays
def my_adam_step(p, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p, m, v


# Exercise 2: linear warm-up, then cosine decay to 0
def warmup_cosine(step, base_lr, warmup, total):
    if step < warmup:
        return base_lr * step / warmup
    progress = (step - warmup) / (total - warmup)
    return base_lr * (1 + math.cos(math.pi * progress)) / 2
