"""Fused optimizer updates on the GPU: one kernel launch per parameter, one thread per element.

Each kernel runs the update of backends/common/optim.py (torch.optim's formulas and order of
operations, the loop each computes is in that function's docstring) for its thread's elements,
the same function the CPU kernels (cpu/optim.py) run. "Fused" means one pass over memory per
parameter, where a composition of tensor ops would launch a kernel and write a temporary array
for every ``+``, ``*`` and ``sqrt``.

Arrays are flat, of one size and dtype; a state buffer that the chosen options do not use is
an empty array and is not touched. ``s`` is the tuple of scalars that ``optim.*_scalars``
computes on the host (in float64, as torch computes them in Python) and converts to the
parameter's dtype, so the arithmetic runs in the parameter's dtype as on the CPU.
"""
from __future__ import annotations

from numba import cuda

from ..common import optim

sgd = cuda.jit(device=True)(optim.sgd)
adam = cuda.jit(device=True)(optim.adam)
rmsprop = cuda.jit(device=True)(optim.rmsprop)
adagrad = cuda.jit(device=True)(optim.adagrad)


@cuda.jit
def sgd_kernel(param, grad, momentum_buf, s, nesterov, first_step):
    """torch.optim.SGD (``optim.sgd``) for every element."""
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        sgd(i, param, grad, momentum_buf, s, nesterov, first_step)


@cuda.jit
def adam_kernel(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, s, decoupled, amsgrad):
    """torch.optim.Adam, AdamW when decoupled (``optim.adam``), for every element."""
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        adam(i, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, s, decoupled, amsgrad)


@cuda.jit
def rmsprop_kernel(param, grad, square_avg, grad_avg, momentum_buf, s, centered):
    """torch.optim.RMSprop (``optim.rmsprop``) for every element."""
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        rmsprop(i, param, grad, square_avg, grad_avg, momentum_buf, s, centered)


@cuda.jit
def adagrad_kernel(param, grad, state_sum, s):
    """torch.optim.Adagrad (``optim.adagrad``) for every element."""
    for i in range(cuda.grid(1), param.size, cuda.gridsize(1)):
        adagrad(i, param, grad, state_sum, s)
