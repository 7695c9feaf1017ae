"""Random numbers: ``manual_seed``, ``Generator``, ``rand``, ``randn``, ``randint``, ``randperm``.

Differs from PyTorch: the bits come from NumPy's PCG64, so ``manual_seed(0)`` gives
reproducible numbers, but not the same numbers as ``torch.manual_seed(0)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as dt
from ._creation import _size, _wrap
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


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng


def rand(*size: Any, generator: Generator | None = None, dtype: dt.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    dtype = dtype or dt.get_default_dtype()
    return _wrap(_rng(generator).random(_size(size)), dtype, device, requires_grad)


def randn(*size: Any, generator: Generator | None = None, dtype: dt.dtype | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dtype = dtype or dt.get_default_dtype()
    return _wrap(_rng(generator).standard_normal(_size(size)), dtype, device, requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), *, generator: Generator | None = None,
            dtype: dt.dtype | None = None, device: Any = None) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` starts at 0."""
    if isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _wrap(_rng(generator).integers(low, high, size=_size((size,) if isinstance(size, int) else (tuple(size),))),
                 dtype or dt.int64, device)


def randperm(n: int, *, generator: Generator | None = None, dtype: dt.dtype | None = None,
             device: Any = None) -> Tensor:
    return _wrap(_rng(generator).permutation(n), dtype or dt.int64, device)


def rand_like(t: Tensor, *, generator: Generator | None = None, dtype: dt.dtype | None = None) -> Tensor:
    return rand(*t.shape, generator=generator, dtype=dtype or t.dtype, device=t.device)


def randn_like(t: Tensor, *, generator: Generator | None = None, dtype: dt.dtype | None = None) -> Tensor:
    return randn(*t.shape, generator=generator, dtype=dtype or t.dtype, device=t.device)


def randint_like(t: Tensor, low: int, high: int | None = None, *, generator: Generator | None = None) -> Tensor:
    return randint(low, high, t.shape, generator=generator, dtype=t.dtype, device=t.device)
