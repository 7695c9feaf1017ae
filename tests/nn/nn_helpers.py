"""Helpers for the nn tests of the recurrent layers, the new layers and the new losses: seeded float64
inputs, and the ``reference`` mark for comparisons against PyTorch."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import learntorch as lt

try:
    import torch
except ImportError:  # the reference tests skip
    torch = None


def reference(test: Callable) -> Callable:
    """Marks a comparison against PyTorch (``-m reference``), skipped when torch is not installed."""
    return pytest.mark.reference(pytest.mark.skipif(torch is None, reason="needs torch")(test))


def rand(*shape: int, seed: int = 0, requires_grad: bool = True) -> Any:
    """A float64 standard-normal tensor, the same for the same shape and seed."""
    rng = np.random.default_rng(seed + sum(shape))
    return lt.tensor(rng.standard_normal(shape), dtype=lt.float64, requires_grad=requires_grad)
