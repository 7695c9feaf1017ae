"""Backends: one small interface of kernel shapes (see interface.py), one module per device.

``backend_for(device)`` returns the backend that owns a device's storage; ops call its
kernels and never touch storage themselves. "cpu" tensors run on the Numba backend (cpu/),
or on the NumPy reference backend (reference/) when the environment variable
``LEARNTORCH_BACKEND=reference`` is set before the first kernel runs.
"""
from __future__ import annotations

import os

from .._device import device
from .interface import Backend

_backends: dict[str, Backend] = {}


def backend_for(dev: device) -> Backend:
    if dev.index:  # storage would land on GPU 0 while the tensor says otherwise
        raise RuntimeError(f"CUDA error: invalid device ordinal: learntorch drives one GPU, cuda:0, not {dev}")
    backend = _backends.get(dev.type)
    if backend is None:
        backend = _backends[dev.type] = _make_backend(dev.type)
    return backend


def _make_backend(device_type: str) -> Backend:
    if device_type == "cuda":
        from .cuda import CUDABackend  # raises a clear RuntimeError without a GPU
        return CUDABackend()
    choice = os.environ.get("LEARNTORCH_BACKEND", "cpu")
    if choice == "reference":
        from .reference import ReferenceBackend
        return ReferenceBackend()
    if choice != "cpu":
        raise RuntimeError(f"LEARNTORCH_BACKEND={choice!r}: expected 'cpu' (the Numba kernels, the default) "
                           "or 'reference' (the NumPy reference backend)")
    from .cpu import CPUBackend
    return CPUBackend()
