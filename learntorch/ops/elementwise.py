"""Elementwise ops: unary maps, broadcasting binary zips, comparisons and ``where``.

Each forward calls one backend kernel; each backward is written with differentiable tensor
ops, so ``create_graph=True`` yields second derivatives.
"""
from __future__ import annotations

import math
from typing import Any

from .. import _dtype as dt
from .._creation import scalar_tensor
from .._tensor import Tensor
from ..autograd.function import Function
from ._common import as_operands, broadcast_shapes, check_same_device, new_tensor, operand, output, sum_to
from ._derivatives import ChainRule


# ---------------------------------------------------------------- unary maps
class _Unary(ChainRule):
    """Forward: ``out[i] = f(a[i])`` with the backend's map kernel ``kernel``; backward: the
    chain rule over ``derivatives`` (see ``_derivatives.py``)."""

    kernel = ""
    inputs = ("a",)
    values = ("a", "out")

    @classmethod
    def compute(cls, a: Tensor) -> Tensor:
        out_dtype = a.dtype if a.dtype.is_floating_point or cls.kernel in ("neg", "abs", "relu", "sign") \
            else dt.get_default_dtype()
        if out_dtype is not a.dtype:
            a = a.to(out_dtype)
        backend = a._backend
        out = output(backend, a._shape, a._dtype)
        backend.map(cls.kernel, a._array, out)
        return new_tensor(out, a)

    @classmethod
    def forward(cls, ctx, a):
        out = cls.compute(a)
        cls.save(ctx, a, out)
        return out


class Neg(_Unary):
    kernel, expression, derivatives = "neg", "-a", {"a": "-1"}


class Exp(_Unary):
    kernel, expression, derivatives = "exp", "exp(a)", {"a": "out"}


class Log(_Unary):
    kernel, expression, derivatives = "log", "log(a)", {"a": "1 / a"}


class Log1p(_Unary):
    kernel, expression, derivatives = "log1p", "log1p(a)", {"a": "1 / (1 + a)"}
    node_name = "Log1PBackward0"


class Expm1(_Unary):
    kernel, expression, derivatives = "expm1", "expm1(a)", {"a": "out + 1"}


class Erf(_Unary):
    kernel, expression, derivatives = "erf", "erf(a)", {"a": "2 / math.sqrt(math.pi) * (-a * a).exp()"}


class Erfc(_Unary):
    kernel, expression, derivatives = "erfc", "erfc(a)", {"a": "-2 / math.sqrt(math.pi) * (-a * a).exp()"}


class Sqrt(_Unary):
    kernel, expression, derivatives = "sqrt", "sqrt(a)", {"a": "1 / (2 * out)"}


class Abs(_Unary):
    kernel, expression, derivatives = "abs", "abs(a)", {"a": "a.sign()"}


class Sin(_Unary):
    kernel, expression, derivatives = "sin", "sin(a)", {"a": "a.cos()"}


class Cos(_Unary):
    kernel, expression, derivatives = "cos", "cos(a)", {"a": "-a.sin()"}


class Tanh(_Unary):
    kernel, expression, derivatives = "tanh", "tanh(a)", {"a": "1 - out * out"}


class Sigmoid(_Unary):
    kernel, expression, derivatives = "sigmoid", "sigmoid(a)", {"a": "out * (1 - out)"}


class Sign(_Unary):
    kernel, expression, derivatives = "sign", "sign(a)", {"a": "0"}


class Relu(_Unary):
    """Its backward is the derivative below, ``grad * (out > 0)``, fused into one kernel."""

    kernel, expression, derivatives = "relu", "relu(a)", {"a": "out > 0"}

    @staticmethod
    def backward(ctx, g): return ReluGrad.apply(ctx.saved_tensors[0], g)


class ReluGrad(Function):
    """``grad * (y > 0)`` in one zip kernel; linear in ``grad``, so it is its own backward."""

    node_name = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx, y, g):
        ctx.save_for_backward(y)
        backend = g._backend
        out = output(backend, g._shape, g._dtype)
        backend.zip("relu_grad", y._array, g._array, out)
        return new_tensor(out, g)

    @staticmethod
    def backward(ctx, gg):
        return None, ReluGrad.apply(ctx.saved_tensors[0], gg)


def _unary(cls: type[_Unary]):
    def op(a: Tensor) -> Tensor:
        if not isinstance(a, Tensor):
            raise TypeError(f"{cls.kernel}(): argument 'input' must be Tensor, not {type(a).__name__}")
        if a.dtype is dt.bool_ and cls.kernel in ("neg", "sign"):
            raise RuntimeError(f"{cls.kernel}: not supported on bool tensors; use logical_not() or .long() first")
        if a.dtype is dt.bool_ and cls.kernel == "abs":  # PyTorch's error types
            raise NotImplementedError("\"abs\" not implemented for 'Bool'; convert first, e.g. x.long().abs()")
        if a.dtype is dt.bool_ and cls.kernel == "relu":
            raise RuntimeError("Boolean inputs not supported for relu; convert first, e.g. x.float().relu()")
        return cls.apply(a)
    op.__name__ = cls.kernel
    op.__doc__ = f"Elementwise ``{cls.kernel}``; differentiable."
    return op


neg, exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu, sign = (
    _unary(c) for c in (Neg, Exp, Log, Sqrt, Abs, Sin, Cos, Tanh, Sigmoid, Relu, Sign))
log1p, expm1, erf, erfc = (_unary(c) for c in (Log1p, Expm1, Erf, Erfc))


# ---------------------------------------------------------------- binary zips
class _Binary(ChainRule):
    """Forward: ``out[i] = f(a[i], b[i])`` over the broadcast shape, with the zip kernel;
    backward: the chain rule over ``derivatives``, each gradient summed back to its input's shape."""

    kernel = ""
    inputs = ("a", "b")
    values = ("a", "b")

    @classmethod
    def zip_op(cls, dtype: dt.dtype) -> str:
        """The backend's zip op for operands of ``dtype``."""
        return cls.kernel

    @classmethod
    def compute(cls, a: Tensor, b: Tensor, out_dtype: dt.dtype | None = None) -> Tensor:
        shape = a._shape if a._shape == b._shape else broadcast_shapes(cls.kernel, a._shape, b._shape)
        out_dtype = out_dtype or a.dtype
        backend = a._backend
        out = output(backend, shape, out_dtype)
        backend.zip(cls.zip_op(a.dtype), operand(a, shape), operand(b, shape), out)
        return new_tensor(out, a)

    @classmethod
    def forward(cls, ctx, a, b):
        cls.save(ctx, a, b)
        ctx.shapes = (a._shape, b._shape)
        return cls.compute(a, b)

    @classmethod
    def backward(cls, ctx, g):
        ga, gb = super().backward(ctx, g)
        sa, sb = ctx.shapes
        return None if ga is None else sum_to(ga, sa), None if gb is None else sum_to(gb, sb)


class Add(_Binary):
    kernel, expression, derivatives = "add", "a+b", {"a": "1", "b": "1"}


class Sub(_Binary):
    kernel, expression, derivatives = "sub", "a-b", {"a": "1", "b": "-1"}


class Mul(_Binary):
    kernel, expression, derivatives = "mul", "a*b", {"a": "b", "b": "a"}


class Div(_Binary):
    kernel, expression, derivatives = "div", "a/b", {"a": "1 / b", "b": "-a / (b * b)"}


class Pow(_Binary):
    """``a ** b`` of two tensors; 0 ** b is constant in ``a`` where b = 0 and in ``b`` where b >= 0."""

    kernel, expression = "pow", "a**b"
    node_name = "PowBackward1"  # tensor ** tensor (see pow for the Python-number forms)
    values = ("a", "b", "out")
    derivatives = {"a": "where(b == 0, 0.0, b * a ** (b - 1))",
                   "b": "where((a == 0) & (b >= 0), 0.0, out * log(a))"}

    @classmethod
    def forward(cls, ctx, a, b):
        out = cls.compute(a, b)
        cls.save(ctx, a, b, out)
        ctx.shapes = (a._shape, b._shape)
        return out


class Maximum(_Binary):
    """PyTorch's rule: ties split the gradient; where a NaN makes both comparisons false, both
    sides get all of it."""

    kernel, expression = "maximum", "maximum(a, b)"
    derivatives = {"a": "1 - (a < b).to(a.dtype) - (a == b).to(a.dtype) * 0.5",
                   "b": "1 - (a > b).to(a.dtype) - (a == b).to(a.dtype) * 0.5"}


class Minimum(_Binary):
    """As Maximum: ties split, NaN sends the gradient to both."""

    kernel, expression = "minimum", "minimum(a, b)"
    derivatives = {"a": "1 - (a > b).to(a.dtype) - (a == b).to(a.dtype) * 0.5",
                   "b": "1 - (a < b).to(a.dtype) - (a == b).to(a.dtype) * 0.5"}


def _ready_operands(a: Any, b: Any) -> tuple[Tensor, Tensor] | None:
    """The common cases, which need no promotion, checked first: two tensors of one dtype on
    one device, or a floating tensor and a Python number (which takes the tensor's dtype).
    None for anything else (``as_operands`` then converts and checks)."""
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            return (a, b) if a._dtype is b._dtype and a._device == b._device else None
        if type(b) in (float, int) and a._dtype.is_floating_point:
            return a, scalar_tensor(b, a._dtype, a._device)
    elif type(a) in (float, int) and isinstance(b, Tensor) and b._dtype.is_floating_point:
        return scalar_tensor(a, b._dtype, b._device), b
    return None


def _binary(cls: type[_Binary], float_only: bool = False):
    def op(a: Any, b: Any) -> Tensor:
        ready = _ready_operands(a, b)
        if ready is not None and (not float_only or ready[0]._dtype.is_floating_point or cls is Pow):
            return cls.apply(*ready)
        dtype = None
        if float_only:  # true division and pow of ints by floats give floats
            r = dt.result_type(*(x for x in (a, b)))
            dtype = r if r.is_floating_point or cls is Pow else dt.get_default_dtype()
        a, b = as_operands(cls.kernel, a, b, dtype=dtype)
        return cls.apply(a, b)
    op.__name__ = cls.kernel
    op.__doc__ = f"Elementwise ``{cls.kernel}`` with broadcasting and type promotion; differentiable."
    return op


add, sub, mul, maximum, minimum = (_binary(c) for c in (Add, Sub, Mul, Maximum, Minimum))
true_divide = _binary(Div, float_only=True)
_pow = _binary(Pow, float_only=True)
_sub = sub


def sub(a: Any, b: Any) -> Tensor:
    """Elementwise ``a - b`` with broadcasting and type promotion; differentiable."""
    if any(isinstance(x, bool) or isinstance(x, Tensor) and x.dtype is dt.bool_ for x in (a, b)):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _sub(a, b)


def pow(a: Any, b: Any) -> Tensor:
    """Elementwise ``a ** b`` with broadcasting and type promotion; differentiable. As in
    PyTorch, a Python-number exponent or base is no input of the node: ``x ** 2`` records
    PowBackward0 with one edge, ``2 ** x`` PowBackward2, ``x ** y`` PowBackward1."""
    if isinstance(a, Tensor) and not a.dtype.is_floating_point and isinstance(b, int) and b < 0:
        raise RuntimeError(f"Integers to negative integer powers are not allowed (a {a.dtype.name} tensor "
                           f"** {b}); convert first, e.g. x.float() ** {b}")
    if isinstance(a, Tensor) and type(b) in (int, float):
        dtype = dt.result_type(a, b)
        return PowScalarExponent.apply(a if a._dtype is dtype else a.to(dtype), b)
    if type(a) in (int, float) and isinstance(b, Tensor):
        dtype = dt.result_type(a, b)
        return PowScalarBase.apply(a, b if b._dtype is dtype else b.to(dtype))
    return _pow(a, b)


class PowScalarExponent(ChainRule):
    """``a ** e`` for a Python number ``e`` (no input edge for it)."""

    node_name = "PowBackward0"
    inputs, values, constants = ("a", "e"), ("a",), ("e",)
    expression, derivatives = "a**e", {"a": "0.0 if e == 0 else e * a ** (e - 1)"}

    @classmethod
    def forward(cls, ctx, a, exponent):
        cls.save(ctx, a)
        ctx.e = exponent
        return Pow.compute(a, scalar_tensor(exponent, a._dtype, a._device))


class PowScalarBase(ChainRule):
    """``c ** b`` for a Python number ``c``: log(c) is -inf at c = 0, where the gradient is 0 for
    b >= 0 (0 ** b is constant there), and no real number for c < 0."""

    node_name = "PowBackward2"
    inputs, values, constants = ("c", "b"), ("b", "out"), ("c",)
    expression = "c**b"
    derivatives = {"b": "out * math.log(c) if c > 0 else where(b >= 0, 0.0, out * -math.inf) if c == 0 "
                        "else out * math.nan"}

    @classmethod
    def forward(cls, ctx, base, b):
        out = Pow.compute(scalar_tensor(base, b._dtype, b._device), b)
        cls.save(ctx, b, out)
        ctx.c = base
        return out


# ---------------------------------------------------------------- rounded division and remainder
class _IntegerTwin(_Binary):
    """A zip whose kernel has an integer twin, ``<kernel>_int``, picked by the operands' dtype."""

    @classmethod
    def zip_op(cls, dtype: dt.dtype) -> str:
        return cls.kernel if dtype.is_floating_point else cls.kernel + "_int"


class FloorDivide(_IntegerTwin):
    """``floor(a / b)``: piecewise constant, so both gradients are 0 (PyTorch's DivBackward2)."""

    kernel, expression, derivatives = "floor_divide", "a//b", {"a": "0", "b": "0"}
    node_name = "DivBackward2"


class TruncDivide(FloorDivide):
    """``trunc(a / b)``, rounded toward zero; gradients 0, as FloorDivide."""

    kernel, expression = "trunc_divide", "trunc(a/b)"
    node_name = "DivBackward2"


class Remainder(_IntegerTwin):
    """``a - floor(a / b) * b`` (Python's ``%``)."""

    kernel, expression, derivatives = "remainder", "a%b", {"a": "1", "b": "-(a // b)"}


def _rounding_operands(op: str, a: Any, b: Any) -> list[Tensor]:
    """``a`` and ``b`` promoted to one dtype; bools and an integer division by zero raise, as in
    PyTorch (integers have no inf or nan to give)."""
    a, b = as_operands(op, a, b)
    if a.dtype is dt.bool_:
        raise NotImplementedError(f"\"{op}\" not implemented for 'Bool'; convert first, e.g. x.long()")
    if not a.dtype.is_floating_point and (b == 0).any().item():
        raise RuntimeError(f"ZeroDivisionError: {op}() of {a.dtype.name} tensors by zero; integers have no "
                           f"inf or nan for it: convert first, e.g. x.float()")
    return [a, b]


def floor_divide(a: Any, b: Any) -> Tensor:
    """``floor(a / b)`` elementwise (Python's ``//``) with broadcasting and type promotion.

    Its gradients are 0 (as ``div(rounding_mode='floor')``); PyTorch's floor_divide has no
    derivative formula and raises in backward instead.
    """
    return FloorDivide.apply(*_rounding_operands("floor_divide", a, b))


def remainder(a: Any, b: Any) -> Tensor:
    """``a - floor(a / b) * b`` elementwise (Python's ``%``: the sign of ``b``); differentiable."""
    return Remainder.apply(*_rounding_operands("remainder", a, b))


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``a / b`` with broadcasting and type promotion (ints give floats); differentiable.

    ``rounding_mode='trunc'`` rounds the quotient toward zero and ``'floor'`` down, keeping
    integer dtypes; those results are piecewise constant and get zero gradients, as in PyTorch.
    """
    if rounding_mode is None:
        return true_divide(a, b)
    if rounding_mode == "floor":
        return FloorDivide.apply(*_rounding_operands("div", a, b))
    if rounding_mode == "trunc":
        return TruncDivide.apply(*_rounding_operands("div", a, b))
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                       f"{rounding_mode!r}")


def clamp(a: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``min(max(a, min), max)``; the gradient flows to ``a`` where ``min <= a <= max``.

    Tensor bounds broadcast and get the gradient where they are the result; at a tie
    (``a == min``) it goes to ``a``, as in PyTorch (so not ``maximum``'s even split). The
    result has the promoted dtype of ``a`` and the bounds (an int tensor clamped to 2.5 is float).
    """
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    dtype = dt.result_type(a, *(bound for bound in (min, max) if bound is not None))
    out = a if dtype is a.dtype else a.to(dtype)
    if not isinstance(min, Tensor) and not isinstance(max, Tensor):
        return Clamp.apply(out, min, max)  # number bounds: one node, as in PyTorch
    if min is not None:
        out, lo = as_operands("clamp", out, min, dtype=dtype)
        out = where(out < lo, lo, out)
    if max is not None:
        out, hi = as_operands("clamp", out, max, dtype=dtype)
        out = where(out > hi, hi, out)
    return out


class Clamp(Function):
    """Clamp to Python-number bounds (either may be None); the gradient is masked where a bound
    was hit."""

    node_name = "ClampBackward1"  # PyTorch's name for clamp with number bounds

    @staticmethod
    def forward(ctx, a, lo, hi):
        out = a
        for bound, kernel in ((lo, Maximum), (hi, Minimum)):
            if bound is not None:
                out = kernel.compute(out, as_operands("clamp", out, bound, dtype=a.dtype)[1])
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return out

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        inside = None
        if ctx.lo is not None:
            inside = a >= ctx.lo
        if ctx.hi is not None:
            inside = a <= ctx.hi if inside is None else inside & (a <= ctx.hi)
        return g * inside.to(g.dtype), None, None


# ---------------------------------------------------------------- comparisons and where
def _compare(kernel: str):
    def op(a: Any, b: Any) -> Tensor:
        a, b = as_operands(kernel, a, b)
        return _compare_compute(kernel, a, b)
    op.__name__ = kernel
    op.__doc__ = f"Elementwise ``{kernel}``; returns a bool tensor (not differentiable)."
    return op


def _compare_compute(kernel: str, a: Tensor, b: Tensor) -> Tensor:
    shape = broadcast_shapes(kernel, a._shape, b._shape)
    backend = a._backend
    out = output(backend, shape, dt.bool_)
    backend.zip(kernel, operand(a, shape), operand(b, shape), out)
    return new_tensor(out, a)


eq, ne, lt, le, gt, ge, logical_and, logical_or = (
    _compare(k) for k in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or"))


def logical_not(a: Tensor) -> Tensor:
    """Elementwise ``not``; returns a bool tensor."""
    backend = a._backend
    out = output(backend, a._shape, dt.bool_)
    backend.map("logical_not", a._array, out)
    return new_tensor(out, a)


def logical_xor(a: Any, b: Any) -> Tensor:
    """Elementwise ``bool(a) != bool(b)`` with broadcasting; returns a bool tensor."""
    return ne(*(x.to(dt.bool_) if isinstance(x, Tensor) else bool(x) for x in (a, b)))


def isnan(a: Tensor) -> Tensor:
    return ne(a, a)


class Where(Function):
    """``out[i] = a[i] if cond[i] else b[i]``, broadcasting all three. ``cond`` comes as a keyword:
    it is not differentiable, so it is no input edge of the node (as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, b, *, cond):
        shape = broadcast_shapes("where", cond._shape, a._shape, b._shape)
        ctx.save_for_backward(cond)
        ctx.shapes = (a._shape, b._shape)
        backend = a._backend
        out = output(backend, shape, a._dtype)
        backend.where(operand(cond, shape), operand(a, shape), operand(b, shape), out)
        return new_tensor(out, a)

    @staticmethod
    def backward(ctx, g):
        cond, = ctx.saved_tensors
        sa, sb = ctx.shapes
        return (sum_to(where(cond, g, 0.0), sa) if ctx.needs_input_grad[0] else None,
                sum_to(where(cond, 0.0, g), sb) if ctx.needs_input_grad[1] else None)


def where(cond: Tensor, a: Any, b: Any) -> Tensor:
    """Pick from ``a`` where ``cond`` is true, else from ``b``; differentiable in ``a`` and ``b``."""
    if not isinstance(cond, Tensor) or cond.dtype is not dt.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, "
                           f"but got a tensor with dtype {getattr(cond, 'dtype', type(cond).__name__)}")
    for value in (a, b):  # as PyTorch, a number must fit the result's dtype (no wrap-around)
        if not isinstance(value, Tensor):
            dt.cast_value("where", value, dt.result_type(a, b))
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = scalar_tensor(a, dt.result_type(a, b), cond.device)
    a, b = as_operands("where", a, b)
    check_same_device("where", cond, a)
    return Where.apply(a, b, cond=cond)


def isclose(a: Tensor, b: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """``|a - b| <= atol + rtol * |b|`` elementwise (a bool tensor), as ``torch.isclose``."""
    b = as_operands("isclose", a, b)[1]
    finite = logical_and(eq(sub(a, a), 0), eq(sub(b, b), 0))  # x - x is NaN for inf and NaN
    within = le(abs(sub(a, b)), add(mul(abs(b), rtol), atol))
    close = logical_or(eq(a, b), logical_and(finite, within))  # equal infinities are close
    if equal_nan:
        close = logical_or(close, logical_and(ne(a, a), ne(b, b)))
    return close


def allclose(a: Tensor, b: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
    """True when every element of ``a`` is close to ``b`` (see ``isclose``)."""
    return bool(isclose(a, b, rtol, atol, equal_nan).all().item())
