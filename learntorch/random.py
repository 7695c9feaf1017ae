"""Random numbers: ``manual_seed``, ``Generator``, ``rand``, ``randn``, ``randint``, ``randperm``.

Differs from PyTorch: the bits come from NumPy's PCG64, so ``manual_seed(0)`` gives
reproducible numbers, but not the same numbers as ``torch.manual_seed(0)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as dt
from ._creation import _check_int, _check_tensor, _size, _wrap
from ._tensor import Tensor


class Generator:
    """A seedable source of random numbers (``learntorch.Generator().manual_seed(0)``)."""

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> "Generator":
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))._seed

    def get_state(self) -> dict:
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self._rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator, for reproducible runs."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def _rng(fn: str, generator: Any) -> np.random.Generator:
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"{fn}(): argument 'generator' must be learntorch.Generator, not "
                        f"{type(generator).__name__}; pass learntorch.Generator().manual_seed(seed) or None")
    return generator._rng


def _float_dtype(fn: str, dtype: Any) -> dt.dtype:
    """The dtype of a ``rand``/``randn`` result: floating only, as in PyTorch."""
    dtype = dt.check_dtype(fn, dtype) or dt.get_default_dtype()
    if not dtype.is_floating_point:
        raise NotImplementedError(f"{fn}(): not implemented for dtype {dtype}; use a floating dtype "
                                  "(learntorch.float32 or learntorch.float64), or randint for integers")
    return dtype


def rand(*size: Any, generator: Generator | None = None, dtype: dt.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    dtype, shape = _float_dtype("rand", dtype), _size(size, "rand")
    return _wrap(_rng("rand", generator).random(shape), dtype, device, requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: dt.dtype | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dtype, shape = _float_dtype("randn", dtype), _size(size, "randn")
    return _wrap(_rng("randn", generator).standard_normal(shape), dtype, device, requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), *, generator: Generator | None = None,
            dtype: dt.dtype | None = None, device: Any = None) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` starts at 0.

    Differs from PyTorch: ``size`` may also be a single int."""
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    low, high = _check_int("randint", "low", low), _check_int("randint", "high", high)
    if high <= low:
        raise RuntimeError(f"randint(): random_ expects 'from' to be less than 'to', but got from={low} >= to={high}; "
                           "the range is [low, high), so high must exceed low")
    shape = _size((size,) if isinstance(size, int) else (tuple(size),), "randint")
    dtype = dt.check_dtype("randint", dtype) or dt.int64
    return _wrap(_rng("randint", generator).integers(low, high, size=shape), dtype, device)


def randperm(n: int, *, generator: Generator | None = None, dtype: dt.dtype | None = None,
             device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    n = _check_int("randperm", "n", n)
    if n < 0:
        raise RuntimeError(f"randperm(): Trying to create tensor with negative dimension {n}: [{n}]; n must be >= 0")
    dtype = dt.check_dtype("randperm", dtype) or dt.int64
    return _wrap(_rng("randperm", generator).permutation(n), dtype, device)


def rand_like(t: Tensor, *, generator: Generator | None = None, dtype: dt.dtype | None = None) -> Tensor:
    t = _check_tensor("rand_like", t)
    return rand(*t.shape, generator=generator, dtype=dt.check_dtype("rand_like", dtype) or t.dtype, device=t.device)


def randn_like(t: Tensor, *, generator: Generator | None = None, dtype: dt.dtype | None = None) -> Tensor:
    t = _check_tensor("randn_like", t)
    return randn(*t.shape, generator=generator, dtype=dt.check_dtype("randn_like", dtype) or t.dtype,
                 device=t.device)


def randint_like(t: Tensor, low: int, high: int | None = None, *, generator: Generator | None = None) -> Tensor:
    t = _check_tensor("randint_like", t)
    return randint(low, high, t.shape, generator=generator, dtype=t.dtype, device=t.device)
