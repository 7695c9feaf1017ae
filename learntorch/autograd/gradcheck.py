"""``gradcheck`` and ``gradgradcheck``: compare autograd with float64 central differences over
the full Jacobian, as ``torch.autograd.gradcheck`` does.

For ``y = f(x)`` the Jacobian column for input element ``x_j`` is numerically
``(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)``; autograd gives row ``i`` as the gradient of
``y_i``. Both must agree within ``atol + rtol * |numerical|``.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._creation import zeros_like
from .._tensor import Tensor
from ..random import randn
from .engine import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


def _tensors(inputs: Any) -> tuple:
    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _flat_outputs(out: Any) -> list:
    return [out] if isinstance(out, Tensor) else [o for o in out if isinstance(o, Tensor)]


def _numerical_jacobian(fn: Callable, inputs: tuple, x: Any, eps: float) -> np.ndarray:
    """Columns d(outputs)/d(x_j) by central differences, perturbing ``x`` in place."""
    flat = x.detach()
    view = flat._as_numpy()
    columns = []
    for j in np.ndindex(*view.shape):
        orig = view[j].item()
        with no_grad():
            view[j] = orig + eps
            plus = np.concatenate([o._host_numpy().reshape(-1).astype(np.float64)
                                   for o in _flat_outputs(fn(*inputs))])
            view[j] = orig - eps
            minus = np.concatenate([o._host_numpy().reshape(-1).astype(np.float64)
                                    for o in _flat_outputs(fn(*inputs))])
            view[j] = orig
        columns.append((plus - minus) / (2 * eps))
    n_out = sum(o.numel() for o in _flat_outputs(fn(*inputs)))
    return np.stack(columns, axis=1) if columns else np.zeros((n_out, 0))


def _analytical_jacobian(fn: Callable, inputs: tuple, x: Any) -> np.ndarray:
    outputs = _flat_outputs(fn(*inputs))
    rows = []
    for oi, out in enumerate(outputs):
        for i in range(out.numel()):
            g = zeros_like(out)
            g.reshape(-1)[i] = 1.0
            if not out.requires_grad:
                rows.append(np.zeros(x.numel()))
                continue
            gx, = autograd_grad(out, x, g, retain_graph=True, allow_unused=True)
            rows.append(np.zeros(x.numel()) if gx is None else gx._host_numpy().reshape(-1).astype(np.float64))
    return np.stack(rows) if rows else np.zeros((0, x.numel()))


def gradcheck(fn: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True when autograd's Jacobian of ``fn`` at ``inputs`` matches finite differences.

    Inputs that require grad must be float64 (float32 differences are too coarse).
    """
    inputs = _tensors(inputs)
    for x in inputs:
        if hasattr(x, "requires_grad") and x.requires_grad and x.dtype.name != "float64":
            raise ValueError(f"gradcheck: input of dtype {x.dtype.name} requires grad; use float64 "
                             "inputs (x.double()) so that finite differences are accurate")
    for k, x in enumerate(inputs):
        if not (hasattr(x, "requires_grad") and x.requires_grad):
            continue
        numerical = _numerical_jacobian(fn, inputs, x, eps)
        analytical = _analytical_jacobian(fn, inputs, x)
        if numerical.shape != analytical.shape or not np.allclose(analytical, numerical, atol=atol, rtol=rtol):
            if not raise_exception:
                return False
            diff = np.abs(analytical - numerical).max() if numerical.shape == analytical.shape else "shape"
            raise RuntimeError(
                f"Jacobian mismatch for output 0 with respect to input {k} (max difference {diff}),\n"
                f"numerical:{numerical}\nanalytical:{analytical}\n")
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Sequence | None = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """gradcheck of the first derivative: checks second derivatives (double backward)."""
    inputs = _tensors(inputs)
    outputs = _flat_outputs(fn(*inputs))
    if grad_outputs is None:
        grad_outputs = [randn(*o.shape, dtype=o.dtype).requires_grad_() for o in outputs]

    def first_derivative(*args: Any) -> tuple:
        xs = args[:len(inputs)]
        gos = args[len(inputs):]
        with enable_grad():  # the numerical pass calls this under no_grad
            outs = _flat_outputs(fn(*xs))
            grads = autograd_grad(outs, [x for x in xs if isinstance(x, Tensor) and x.requires_grad],
                                  list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
