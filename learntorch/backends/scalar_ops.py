"""The scalar functions behind every elementwise kernel, shared by the CPU and CUDA backends.

Each backend compiles these plain-Python functions for its device (``njit(inline="always")``
on the CPU, ``cuda.jit(device=True)`` on the GPU) and calls them from its map/zip loops with a
constant op code, so the ``if op == ...`` chain folds away at compile time.
"""
import math

UNARY_OPS = {name: code for code, name in enumerate(
    ["identity", "neg", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
     "sign", "logical_not"])}
BINARY_OPS = {name: code for code, name in enumerate(
    ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "relu_grad",
     "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or"])}
COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_not"}


def unary(op, x):
    """The scalar function behind map op ``op`` (the codes of ``UNARY_OPS``)."""
    if op == 0:
        return x
    elif op == 1:
        return -x
    elif op == 2:
        return math.exp(x)
    elif op == 3:
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    elif op == 4:
        return math.sqrt(x) if x >= 0 else math.nan
    elif op == 5:
        return abs(x)
    elif op == 6:
        return math.sin(x)
    elif op == 7:
        return math.cos(x)
    elif op == 8:
        return math.tanh(x)
    elif op == 9:  # sigmoid, stable for large |x|
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        z = math.exp(x)
        return z / (1.0 + z)
    elif op == 10:
        return 0 if x < 0 else x  # NaN stays NaN, as in torch.relu
    elif op == 11:
        return 1 if x > 0 else (-1 if x < 0 else 0)
    else:
        return not x


def binary(op, x, y):
    """The scalar function behind zip op ``op`` (the codes of ``BINARY_OPS``)."""
    if op == 0:
        return x + y
    elif op == 1:
        return x - y
    elif op == 2:
        return x * y
    elif op == 3:
        return x / y
    elif op == 4:
        return x ** y
    elif op == 5:  # maximum/minimum propagate NaN, as torch does
        return x if (x > y or x != x) else y
    elif op == 6:
        return x if (x < y or x != x) else y
    elif op == 7:  # relu backward: pass the gradient y where the output x is positive
        return y if x > 0 else 0
    elif op == 8:
        return x == y
    elif op == 9:
        return x != y
    elif op == 10:
        return x < y
    elif op == 11:
        return x <= y
    elif op == 12:
        return x > y
    elif op == 13:
        return x >= y
    elif op == 14:
        return bool(x) and bool(y)
    else:
        return bool(x) or bool(y)
