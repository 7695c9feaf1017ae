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
     "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or",
     "floor_divide", "trunc_divide", "remainder", "floor_divide_int", "trunc_divide_int", "remainder_int"])}
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
    elif op == 15:
        return bool(x) or bool(y)
    elif op == 16:  # floor_divide of floats: Python's //, which rounds as PyTorch's div_floor
        return x / y if y == 0 else x // y
    elif op == 17:  # trunc_divide of floats; math.trunc would give an int (wrong past 2**63)
        quotient = x / y
        if quotient - quotient != 0:  # inf or nan
            return quotient
        return math.copysign(abs(quotient) - abs(quotient) % 1.0, quotient)
    elif op == 18:  # remainder of floats: Python's % (the sign of y), but a zero keeps x's sign
        if y == 0:
            return x / y * 0
        mod = x % y
        return mod if mod != 0 else math.copysign(0.0, x)
    # integer division: the op checks y != 0 first; y == -1 is apart because MIN // -1 overflows
    # (it wraps to MIN, as in PyTorch, where the CPU's division instruction would trap)
    elif op == 19:  # floor_divide of ints
        return -x if y == -1 else x // y
    elif op == 20:  # trunc_divide of ints: toward zero
        if y == -1:
            return -x
        quotient = x // y
        return quotient + 1 if quotient < 0 and quotient * y != x else quotient
    else:  # remainder of ints: the sign of y
        return x - x if y == -1 else x % y
