"""CUDA tests: they run under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, set before numba
is imported; tests/test_cuda_simulator.py starts that run) or on a real GPU, and skip otherwise.

Shapes stay tiny: the simulator runs each GPU thread as a Python thread (about 70 µs each)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import learntorch as lt


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    if lt.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="no CUDA device: run with NUMBA_ENABLE_CUDASIM=1 or on a GPU")
    for item in items:
        if "cuda_sim" in item.path.parts:
            item.add_marker(skip)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
