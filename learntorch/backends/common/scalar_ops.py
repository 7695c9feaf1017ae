"""The scalar function behind every elementwise op, written once as plain Python.

A map kernel computes ``out[i] = f(a[i])`` and a zip kernel ``out[i] = f(a[i], b[i])`` for one of
these functions ``f``: the CPU backend compiles ``f`` into its loop with ``njit``, the CUDA backend
with ``cuda.jit(device=True)`` (see cpu/elementwise.py and cuda/elementwise.py). The decorators
register each function under its name (a trailing ``_`` dropped: ``abs_`` is ``"abs"``, so the
builtin stays usable here), which is the name the ops layer asks a backend for::

    backend.map("exp", a, out)        ->  out[i] = exp(a[i])
    backend.zip("add", a, b, out)     ->  out[i] = add(a[i], b[i])

Adding an elementwise op is one function here; nothing else in the backends keeps a list.
The functions take and return scalars of the tensors' dtype (a comparison returns a bool), and use
only what both Numba targets compile: arithmetic, comparisons and the ``math`` module.
"""
from __future__ import annotations

import math
from typing import Callable

UNARY_OPS: dict[str, Callable] = {}   # name -> f(x), for map
BINARY_OPS: dict[str, Callable] = {}  # name -> f(x, y), for zip
COMPARISONS: set[str] = set()         # the ops whose result is a bool


def _register(table: dict[str, Callable], returns_bool: bool) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        name = fn.__name__.rstrip("_")
        table[name] = fn
        if returns_bool:
            COMPARISONS.add(name)
        return fn
    return register


unary, binary = _register(UNARY_OPS, False), _register(BINARY_OPS, False)
unary_bool, binary_bool = _register(UNARY_OPS, True), _register(BINARY_OPS, True)


# ------------------------------------------------------------------------------------ map: f(x)

@unary
def identity(x):
    return x


@unary
def neg(x):
    return -x


@unary
def exp(x):
    return math.exp(x)


@unary
def log(x):
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


@unary
def log1p(x):
    """``log(1 + x)``, exact for tiny ``|x|`` (where ``1 + x`` would round to 1)."""
    return math.log1p(x) if x > -1 else (-math.inf if x == -1 else math.nan)


@unary
def expm1(x):
    """``e^x - 1``, exact for tiny ``|x|``."""
    return math.expm1(x)


@unary
def erf(x):
    """The error function, ``2/sqrt(pi) * integral of e^(-t^2) from 0 to x``."""
    return math.erf(x)


@unary
def erfc(x):
    """``1 - erf(x)``, without the cancellation for large ``x``."""
    return math.erfc(x)


@unary
def sqrt(x):
    return math.sqrt(x) if x >= 0 else math.nan


@unary
def abs_(x):
    return abs(x)


@unary
def sin(x):
    return math.sin(x)


@unary
def cos(x):
    return math.cos(x)


@unary
def tanh(x):
    return math.tanh(x)


@unary
def sigmoid(x):
    """``1 / (1 + e^-x)``, stable for large ``|x|``: ``e^x / (1 + e^x)`` below 0."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@unary
def relu(x):
    return 0 if x < 0 else x  # NaN stays NaN, as in torch.relu


@unary
def sign(x):
    return 1 if x > 0 else (-1 if x < 0 else 0)


@unary_bool
def logical_not(x):
    return not x


# ---------------------------------------------------------------------------------- zip: f(x, y)

@binary
def add(x, y):
    return x + y


@binary
def sub(x, y):
    return x - y


@binary
def mul(x, y):
    return x * y


@binary
def div(x, y):
    return x / y


@binary
def pow_(x, y):
    return x ** y


@binary
def maximum(x, y):
    return x if (x > y or x != x) else y  # NaN propagates, as in torch


@binary
def minimum(x, y):
    return x if (x < y or x != x) else y


@binary
def relu_grad(x, y):
    """relu's backward: pass the gradient ``y`` where the output ``x`` is positive."""
    return y if x > 0 else 0


@binary_bool
def eq(x, y):
    return x == y


@binary_bool
def ne(x, y):
    return x != y


@binary_bool
def lt(x, y):
    return x < y


@binary_bool
def le(x, y):
    return x <= y


@binary_bool
def gt(x, y):
    return x > y


@binary_bool
def ge(x, y):
    return x >= y


@binary_bool
def logical_and(x, y):
    return bool(x) and bool(y)


@binary_bool
def logical_or(x, y):
    return bool(x) or bool(y)


@binary
def floor_divide(x, y):
    """Floats: Python's ``//``, which rounds as PyTorch's div_floor."""
    return x / y if y == 0 else x // y


@binary
def trunc_divide(x, y):
    """Floats, toward zero; ``math.trunc`` would give an int (wrong past 2**63)."""
    quotient = x / y
    if quotient - quotient != 0:  # inf or nan
        return quotient
    return math.copysign(abs(quotient) - abs(quotient) % 1.0, quotient)


@binary
def remainder(x, y):
    """Floats: Python's ``%`` (the sign of y), but a zero keeps x's sign."""
    if y == 0:
        return x / y * 0
    mod = x % y
    return mod if mod != 0 else math.copysign(0.0, x)


# Integer division: the op checks y != 0 first; y == -1 is apart because MIN // -1 overflows
# (it wraps to MIN, as in PyTorch, where the CPU's division instruction would trap).

@binary
def floor_divide_int(x, y):
    return -x if y == -1 else x // y


@binary
def trunc_divide_int(x, y):
    """Toward zero."""
    if y == -1:
        return -x
    quotient = x // y
    return quotient + 1 if quotient < 0 and quotient * y != x else quotient


@binary
def remainder_int(x, y):
    """The sign of y."""
    return x - x if y == -1 else x % y
