"""The elementwise math of the reference backend: the shared scalar functions, on whole arrays.

``unary(name)`` and ``binary(name)`` return a function of arrays that computes what the scalar
function ``name`` of ``backends/common/scalar_ops.py`` computes on one element. For most names
that is a NumPy function from the tables below (tests/backends/test_backends_vs_reference.py
checks each against its scalar function, value by value); a name without an entry runs the
scalar function itself, element by element (``elementwise``): slow, but a new op needs nothing
here. Where NumPy's own ufunc differs from the scalar function at an edge (the sign of NaN,
which of two equal values ``maximum`` keeps, a zero divisor), the entry spells the scalar
function's rule out with ``np.where``.

Integer division never sees a zero divisor (the ops raise first); ``y == -1`` is apart because
``MIN // -1`` overflows: it wraps to ``MIN``, as in PyTorch.
"""
from __future__ import annotations

from functools import cache, partial
from typing import Callable

import numpy as np
from numba import njit

from ..common import scalar_ops

Array = np.ndarray


def unary(name: str) -> Callable[[Array], Array]:
    """``out = f(x)`` on arrays, for the scalar function ``name``."""
    return UNARY.get(name) or partial(elementwise, scalar_ops.UNARY_OPS[name])


def binary(name: str) -> Callable[[Array, Array], Array]:
    """``out = f(x, y)`` on arrays (broadcast), for the scalar function ``name``."""
    return BINARY.get(name) or partial(elementwise, scalar_ops.BINARY_OPS[name])


def elementwise(fn: Callable, *arrays: Array) -> Array:
    """``fn`` applied element by element, compiled by Numba as the kernels compile it: float32 math
    stays float32, int64 math wraps, and ``math.cos(inf)`` is NaN (Python's math module raises)."""
    compiled = _compiled(fn)
    arrays = np.broadcast_arrays(*arrays)
    results = [compiled(*xs) for xs in zip(*(a.flat for a in arrays))]
    return np.array(results).reshape(arrays[0].shape)


@cache
def _compiled(fn: Callable) -> Callable:
    return njit(error_model="numpy")(fn)  # NumPy's error model: 1 / 0 is inf, not an exception


def _sigmoid(x: Array) -> Array:
    """1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: neither form overflows on its side."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def _floor_divide(x: Array, y: Array) -> Array:
    return np.where(y == 0, x / y, np.floor_divide(x, y))


def _remainder(x: Array, y: Array) -> Array:
    """The sign of y (Python's %), but a zero result keeps x's sign; x % 0 is NaN."""
    mod = np.remainder(x, y)
    return np.where(y == 0, x / y * 0, np.where(mod != 0, mod, np.copysign(0.0, x)))


def _floor_divide_int(x: Array, y: Array) -> Array:
    safe = np.where(y == -1, 1, y)
    return np.where(y == -1, -x, x // safe)


def _trunc_divide_int(x: Array, y: Array) -> Array:
    safe = np.where(y == -1, 1, y)
    quotient = x // safe
    rounded_down = (quotient < 0) & (quotient * safe != x)  # floor went past zero: step back
    return np.where(y == -1, -x, quotient + rounded_down)


def _remainder_int(x: Array, y: Array) -> Array:
    safe = np.where(y == -1, 1, y)
    return np.where(y == -1, 0, x % safe)


UNARY: dict[str, Callable[[Array], Array]] = {
    "identity": lambda x: x,
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,  # log(0) = -inf, log(x < 0) = NaN
    "sqrt": np.sqrt,  # sqrt(x < 0) = NaN
    "abs": np.abs,
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.where(x < 0, 0, x),  # NaN stays NaN
    "sign": lambda x: np.where(x > 0, 1, np.where(x < 0, -1, 0)),  # sign(NaN) = 0, as in torch
    "logical_not": np.logical_not,
}

BINARY: dict[str, Callable[[Array, Array], Array]] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.true_divide,
    "pow": np.power,
    "maximum": lambda x, y: np.where((x > y) | (x != x), x, y),  # NaN wins; a tie keeps y
    "minimum": lambda x, y: np.where((x < y) | (x != x), x, y),
    "relu_grad": lambda x, y: np.where(x > 0, y, 0),  # x: relu's output, y: the gradient
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
    "logical_and": np.logical_and,
    "logical_or": np.logical_or,
    "floor_divide": _floor_divide,
    "trunc_divide": lambda x, y: np.trunc(x / y),
    "remainder": _remainder,
    "floor_divide_int": _floor_divide_int,
    "trunc_divide_int": _trunc_divide_int,
    "remainder_int": _remainder_int,
}
