"""Shared by every test: the backend switch.

``LEARNTORCH_BACKEND=reference python -m pytest`` runs the suite with "cpu" tensors on the NumPy
reference backend (learntorch/backends/reference/). Tests marked ``numba_kernels`` check the
Numba CPU kernels themselves (which kernel runs, what it passes BLAS), so they skip there.
"""
from __future__ import annotations

import os
from typing import Any

import pytest

REFERENCE = os.environ.get("LEARNTORCH_BACKEND") == "reference"


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "numba_kernels: checks the Numba CPU kernels themselves; skipped under "
                                       "LEARNTORCH_BACKEND=reference")


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    if not REFERENCE:
        return
    skip = pytest.mark.skip(reason="checks the Numba CPU kernels, and LEARNTORCH_BACKEND=reference runs "
                                   "cpu tensors on the NumPy reference backend")
    for item in items:
        if item.get_closest_marker("numba_kernels"):
            item.add_marker(skip)
