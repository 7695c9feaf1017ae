"""``Bernoulli(probs=... | logits=...)``: a coin that shows 1 with probability ``probs``."""
from __future__ import annotations

from numbers import Number

from .._creation import arange
from .._tensor import Size, Tensor
from ..autograd.grad_mode import no_grad
from ..ops import where
from ..random import rand
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits


def _softplus(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow: ``x + log(1 + exp(-x))`` where ``x > 0``. Both terms pick
    their branch with the same test, so the derivative at 0 is sigmoid(0) = 0.5 (``relu(x) +
    log(1 + exp(-|x|))`` mixes two subgradients there and gets 1)."""
    positive = x > 0
    return where(positive, x, 0.0) + (1 + (-where(positive, x, -x)).exp()).log()


class Bernoulli(Distribution):
    """Bernoulli distribution given by ``probs`` (in [0, 1]) or ``logits`` (log-odds), not both.

    Samples are 0./1. in the parameter's dtype, drawn from learntorch's generator."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs: Tensor | float | None = None, logits: Tensor | float | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            self._param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            self._param = self.logits
        scalar = isinstance(probs if probs is not None else logits, Number)
        super().__init__(Size() if scalar else self._param.size(), validate_args=validate_args)

    @lazy_property
    def logits(self) -> Tensor:
        """Log-odds ``log p - log(1 - p)`` (p clamped away from 0 and 1)."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        """``sigmoid(logits)``."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1. where ``probs > 0.5``, 0. where below, NaN at exactly 0.5."""
        return where(self.probs == 0.5, float("nan"), (self.probs >= 0.5).to(self.probs.dtype))

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Size | tuple[int, ...] = Size()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            probs = self.probs
            return (rand(*shape, dtype=probs.dtype, device=probs.device) < probs).to(probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        """``value * log p + (1 - value) * log(1 - p)``, computed from the logits as
        ``value * logits - softplus(logits)``."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return value.to(logits.dtype) * logits - _softplus(logits)

    def entropy(self) -> Tensor:
        """``-(p log p + (1 - p) log(1 - p))`` = ``softplus(logits) - p * logits``."""
        return _softplus(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """``[0., 1.]`` along a new first dim (expanded over the batch unless ``expand=False``)."""
        values = arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view(-1, *([1] * len(self._batch_shape)))
        return values.expand(-1, *self._batch_shape) if expand else values
