"""Constraints: the sets a distribution's parameters and samples live in, as ``torch.distributions.constraints``.

``constraint.check(value)`` gives a bool tensor (True where ``value`` satisfies it, reduced over
the last ``event_dim`` dims); distributions built with ``validate_args`` use it to raise
ValueError on bad parameters and on ``log_prob`` values outside the support.
"""
from __future__ import annotations

from .._tensor import Tensor
from ..ops import logical_and, logical_or


def _all_last(ok: Tensor, dims: int) -> Tensor:
    """``ok.all(dim=-1)`` applied ``dims`` times (True where every entry of the last dims is True)."""
    for _ in range(dims):
        ok = ok.logical_not().sum(-1) == 0
    return ok


class Constraint:
    """A set of values; ``is_discrete`` for integer-valued sets, ``event_dim`` dims checked together."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Tensor) -> Tensor:
        """A bool tensor: True where ``value`` is in the set."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__.lstrip("_") + "()"


class _Real(Constraint):
    """Any real number (NaN is not one)."""

    def check(self, value: Tensor) -> Tensor:
        return value == value


class _Boolean(Constraint):
    """0 or 1."""

    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        return logical_or(value == 0, value == 1)


class GreaterThan(Constraint):
    """``lower_bound < value``."""

    def __init__(self, lower_bound: float) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Tensor) -> Tensor:
        return value > self.lower_bound

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class Interval(Constraint):
    """``lower_bound <= value <= upper_bound``."""

    def __init__(self, lower_bound: float, upper_bound: float) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: Tensor) -> Tensor:
        return logical_and(value >= self.lower_bound, value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class IntegerInterval(Interval):
    """An integer in ``[lower_bound, upper_bound]``."""

    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        return logical_and(super().check(value), value % 1 == 0)

    def __repr__(self) -> str:
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    """Non-negative entries along the last dim that sum to 1 (within 1e-6)."""

    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        return logical_and(_all_last(value >= 0, 1), (value.sum(-1) - 1).abs() < 1e-6)


class IndependentConstraint(Constraint):
    """``base`` checked entrywise, then required of every entry of the last ``reinterpreted_batch_ndims`` dims."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint, self.reinterpreted_batch_ndims = base_constraint, reinterpreted_batch_ndims
        self.is_discrete = base_constraint.is_discrete
        self.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims

    def check(self, value: Tensor) -> Tensor:
        return _all_last(self.base_constraint.check(value), self.reinterpreted_batch_ndims)

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


real = _Real()
real_vector = IndependentConstraint(real, 1)
boolean = _Boolean()
positive = GreaterThan(0.0)
unit_interval = Interval(0.0, 1.0)
simplex = _Simplex()
greater_than = GreaterThan
interval = Interval
integer_interval = IntegerInterval
independent = IndependentConstraint

__all__ = ["Constraint", "boolean", "greater_than", "independent", "integer_interval", "interval", "positive",
           "real", "real_vector", "simplex", "unit_interval"]
