"""``Categorical(probs=... | logits=...)``: one of ``K`` classes, along the last dim of the parameter."""
from __future__ import annotations

import numpy as np

from .._creation import arange, full
from .._tensor import Size, Tensor
from ..autograd.grad_mode import no_grad
from ..ops import where
from ..random import rand
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits


class Categorical(Distribution):
    """Categorical distribution over ``0 .. K-1``, given by ``probs`` (non-negative, normalised here
    along the last dim) or ``logits`` (unnormalised log-probabilities), not both.

    The parameter has shape ``batch_shape + (K,)``; samples are int64 of ``sample_shape + batch_shape``,
    drawn from learntorch's generator by inverting the cumulative probabilities."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Tensor | None = None, logits: Tensor | None = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param = self.probs
        else:
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits.log_softmax(-1)  # logits - logsumexp(logits)
            self._param = self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = Size(self._param.shape[:-1]) if self._param.dim() > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    @property
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        """Normalised log-probabilities (``log probs``, probs clamped away from 0)."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        """``softmax(logits, -1)``."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @property
    def mean(self) -> Tensor:
        return full(self._extended_shape(), float("nan"), dtype=self.probs.dtype, device=self.probs.device)

    @property
    def variance(self) -> Tensor:
        return full(self._extended_shape(), float("nan"), dtype=self.probs.dtype, device=self.probs.device)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(dim=-1)

    def sample(self, sample_shape: Size | tuple[int, ...] = Size()) -> Tensor:
        """Class indices: the number of cumulative probabilities below a uniform draw in (0, 1]."""
        shape = self._extended_shape(sample_shape)
        k = self._num_events
        with no_grad():
            probs = self.probs.reshape(-1, k)
            upper = (arange(k, device=probs.device).unsqueeze(1) <= arange(k, device=probs.device)).to(probs.dtype)
            cdf = probs @ upper  # cdf[b, j] = sum of probs[b, :j+1]
            n = int(np.prod(shape[:len(shape) - len(self._batch_shape)], dtype=np.int64))
            u = 1 - rand(n, probs.shape[0], 1, dtype=probs.dtype, device=probs.device)
            index = (cdf < u).sum(-1).clamp(max=k - 1)
            return index.reshape(*shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``logits[..., value]``, with ``value`` broadcast against the batch."""
        if self._validate_args:
            self._validate_sample(value)
        chosen = value.long().unsqueeze(-1) == arange(self._num_events, device=self.logits.device)
        return where(chosen, self.logits, 0.0).sum(-1)

    def entropy(self) -> Tensor:
        """``-sum(probs * logits)`` over the classes (logits clamped to the dtype's finite range)."""
        min_real = float(np.finfo(self.logits.dtype.np).min)
        return -(self.logits.clamp(min=min_real) * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """``0 .. K-1`` along a new first dim (expanded over the batch unless ``expand=False``)."""
        values = arange(self._num_events, device=self._param.device)
        values = values.view(-1, *([1] * len(self._batch_shape)))
        return values.expand(-1, *self._batch_shape) if expand else values
