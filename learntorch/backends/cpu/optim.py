"""Fused optimizer updates on NumPy arrays: one kernel call per parameter.

Each function updates a parameter and its optimizer state in place, element by element, with
the update of backends/common/optim.py (torch.optim's formulas and order of operations; the
loop each one computes is in that function's docstring). The CUDA kernels run the same
functions, one GPU thread per element.

Arrays: ``param``, ``grad`` and the state buffers are 1-D, C-contiguous, of one size and one
dtype (float32 or float64). A state buffer that the chosen options do not use may be an empty
array; it is not touched. Scalars are Python numbers: ``*_scalars`` converts them (and the
expressions built from them) to the parameter's dtype once per call.

The elements are cut into chunks of ``CHUNK`` that run in parallel (``prange``). Inside a chunk
the loop runs over contiguous slices, which the compiler vectorises. ``fastmath`` stays off, so
results follow IEEE rounding like torch's, and a NaN in a gradient propagates to the parameter
as in torch.
"""
import types

import numpy as np
from numba import njit, prange

from ..common import optim

CHUNK = 32768  # elements per parallel task


def _for_cpu(update):
    """``update`` of common/optim.py compiled for the CPU, with ``np.sqrt`` as its ``sqrt``: it keeps
    a float32 a float32 (and vectorises), where Numba's CPU ``math.sqrt`` would return a float64."""
    f = types.FunctionType(update.__code__, {**update.__globals__, "sqrt": np.sqrt}, update.__name__)
    return njit(inline="always")(f)


sgd, adam, rmsprop, adagrad = (_for_cpu(f) for f in (optim.sgd, optim.adam, optim.rmsprop, optim.adagrad))
sgd_scalars, adam_scalars, rmsprop_scalars, adagrad_scalars = (
    njit(inline="always")(f) for f in (optim.sgd_scalars, optim.adam_scalars, optim.rmsprop_scalars,
                                       optim.adagrad_scalars))


@njit(inline="always")
def _chunk(c, n):
    """The slice ``lo:hi`` of chunk ``c`` of ``n`` elements."""
    return c * CHUNK, min((c + 1) * CHUNK, n)


@njit(parallel=True, fastmath=False, cache=True)
def sgd_step(param: np.ndarray, grad: np.ndarray, momentum_buf: np.ndarray, lr: float,
             momentum: float, dampening: float, nesterov: bool, weight_decay: float,
             first_step: bool) -> None:
    """One step of torch.optim.SGD (``optim.sgd``). param, grad, momentum_buf: (n,); momentum_buf
    may be empty when momentum == 0. first_step: the momentum buffer is still unset."""
    s = sgd_scalars(param.dtype.type, lr, momentum, dampening, weight_decay)
    for c in prange((param.size + CHUNK - 1) // CHUNK):
        lo, hi = _chunk(c, param.size)
        p, g, buf = param[lo:hi], grad[lo:hi], momentum_buf[lo:hi]
        for i in range(hi - lo):
            sgd(i, p, g, buf, s, nesterov, first_step)


@njit(parallel=True, fastmath=False, cache=True)
def adam_step(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray,
              exp_avg_sq: np.ndarray, max_exp_avg_sq: np.ndarray, lr: float, beta1: float,
              beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool,
              amsgrad: bool, step: int) -> None:
    """One step of torch.optim.Adam, or of AdamW when decoupled_weight_decay (``optim.adam``).
    param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq: (n,); max_exp_avg_sq may be empty unless
    amsgrad. step: the step number, counted from 1."""
    s = adam_scalars(param.dtype.type, lr, beta1, beta2, eps, weight_decay, step)
    for c in prange((param.size + CHUNK - 1) // CHUNK):
        lo, hi = _chunk(c, param.size)
        p, g, m, v, vmax = param[lo:hi], grad[lo:hi], exp_avg[lo:hi], exp_avg_sq[lo:hi], max_exp_avg_sq[lo:hi]
        for i in range(hi - lo):
            adam(i, p, g, m, v, vmax, s, decoupled_weight_decay, amsgrad)


@njit(parallel=True, fastmath=False, cache=True)
def rmsprop_step(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray,
                 grad_avg: np.ndarray, momentum_buf: np.ndarray, lr: float, alpha: float,
                 eps: float, weight_decay: float, momentum: float, centered: bool) -> None:
    """One step of torch.optim.RMSprop (``optim.rmsprop``). param, grad, square_avg, grad_avg,
    momentum_buf: (n,); grad_avg may be empty unless centered, momentum_buf unless momentum > 0."""
    s = rmsprop_scalars(param.dtype.type, lr, alpha, eps, weight_decay, momentum)
    for c in prange((param.size + CHUNK - 1) // CHUNK):
        lo, hi = _chunk(c, param.size)
        p, g, sq, ga, buf = param[lo:hi], grad[lo:hi], square_avg[lo:hi], grad_avg[lo:hi], momentum_buf[lo:hi]
        for i in range(hi - lo):
            rmsprop(i, p, g, sq, ga, buf, s, centered)


@njit(parallel=True, fastmath=False, cache=True)
def adagrad_step(param: np.ndarray, grad: np.ndarray, state_sum: np.ndarray, lr: float,
                 lr_decay: float, weight_decay: float, eps: float, step: int) -> None:
    """One step of torch.optim.Adagrad (``optim.adagrad``). param, grad, state_sum: (n,);
    state_sum starts at initial_accumulator_value. step: the step number, counted from 1."""
    s = adagrad_scalars(param.dtype.type, lr, lr_decay, weight_decay, eps, step)
    for c in prange((param.size + CHUNK - 1) // CHUNK):
        lo, hi = _chunk(c, param.size)
        p, g, ssum = param[lo:hi], grad[lo:hi], state_sum[lo:hi]
        for i in range(hi - lo):
            adagrad(i, p, g, ssum, s)
