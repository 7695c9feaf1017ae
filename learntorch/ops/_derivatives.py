"""Derivatives as data: an elementwise Function states each input's local derivative as a
formula, and ``ChainRule`` turns that one source into its backward and into what the backprop
stepper shows (``learntorch.viz.BackpropStepper``)::

    class Sigmoid(_Unary):
        kernel = "sigmoid"
        expression = "sigmoid(a)"                 # what forward computes
        derivatives = {"a": "out * (1 - out)"}    # d(expression)/da

A formula is a Python expression over Tensors. It may name the tensors the forward offers
(``values``: the inputs ``a``, ``b`` and the output ``out``; the forward saves only those the
formulas name, so ``a + b`` saves nothing), the numbers it keeps on ``ctx`` (``constants``, as
``e`` in ``a ** e``), Tensor methods (``a.cos()``) and any function of the module that defines
the Function (``where``, ``log``, ``math``). Each formula is compiled once, when the class is
created, into ``grad * (formula)``: the chain rule, written as Tensor ops, so
``create_graph=True`` differentiates it again.
"""
from __future__ import annotations

import ast
import sys
from typing import Any, Callable

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad


def chain_rule(local: str) -> str:
    """``grad × local`` as an expression; a local derivative of 1, -1 or ``1 / x`` gives
    ``grad``, ``-grad`` or ``grad / x`` (one kernel, not a multiplication by a constant)."""
    tree = ast.parse(local, mode="eval").body
    if isinstance(tree, ast.Constant) and tree.value == 1:
        return "grad"
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub) and ast.unparse(tree.operand) == "1":
        return "-grad"
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div) and ast.unparse(tree.left) == "1":
        return f"grad / ({ast.unparse(tree.right)})"
    return f"grad * ({local})"


def is_constant(formula: str) -> bool:
    """True for a formula that names no value (``1``, ``-1``, ``0``): it has no numbers to show."""
    return not any(isinstance(n, ast.Name) for n in ast.walk(ast.parse(formula, mode="eval")))


class ChainRule(Function):
    """A Function whose backward is ``grad × d(expression)/d(input)`` for each input, from its
    ``derivatives`` table (subclasses that need a fused kernel may still write ``backward``)."""

    inputs: tuple[str, ...] = ()       # the forward's arguments, named as in the formulas
    values: tuple[str, ...] = ()       # the tensors the forward offers to save(), named
    constants: tuple[str, ...] = ()    # numbers the forward keeps on ctx (ctx.<name>), named
    expression = ""                    # what forward computes, over the inputs: "a*b"
    derivatives: dict[str, str] = {}   # input -> d(expression)/d(input), over values and constants
    saved: tuple[str, ...] = ()        # the values the formulas name: what save() keeps, in order
    _local: tuple[Callable | None, ...] = ()  # per input: (saved..., constants...) -> local derivative
    _chain: tuple[Callable | None, ...] = ()  # per input: (grad, saved..., constants...) -> gradient

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        named = {n.id for f in cls.derivatives.values() for n in ast.walk(ast.parse(f, mode="eval"))
                 if isinstance(n, ast.Name)}
        cls.saved = tuple(v for v in cls.values if v in named)
        cls._keep = tuple(i for i, v in enumerate(cls.values) if v in named)
        namespace = vars(sys.modules[cls.__module__])  # live: names defined later in the module resolve
        params = ", ".join(cls.saved + cls.constants)

        def compiled(params: str, text: str | None) -> Callable | None:
            return None if text is None else eval(f"lambda {params}: {text}", namespace)

        formulas = [cls.derivatives.get(name) for name in cls.inputs]
        cls._local = tuple(compiled(params, f) for f in formulas)
        cls._chain = tuple(compiled(f"grad, {params}", f and chain_rule(f)) for f in formulas)

    @classmethod
    def save(cls, ctx: Any, *tensors: Any) -> None:
        """Save, of ``tensors`` (one per name in ``values``), those the formulas name."""
        ctx.save_for_backward(*[tensors[i] for i in cls._keep])

    @classmethod
    def _values(cls, ctx: Any) -> tuple:
        saved = ctx.saved_tensors
        return saved + tuple(getattr(ctx, k) for k in cls.constants) if cls.constants else saved

    @classmethod
    def backward(cls, ctx: Any, grad: Any) -> tuple:
        values = cls._values(ctx)
        return tuple(f(grad, *values) if f is not None and need else None
                     for f, need in zip(cls._chain, ctx.needs_input_grad))

    @classmethod
    def local_derivatives(cls, ctx: Any) -> list[tuple[str, str, Any]]:
        """``(input, formula, value)`` for each input with a derivative: the numbers the stepper
        shows (value None for a constant formula such as ``1``)."""
        values = cls._values(ctx)
        with no_grad():
            return [(name, cls.derivatives[name], None if is_constant(cls.derivatives[name]) else f(*values))
                    for name, f in zip(cls.inputs, cls._local) if f is not None]
