"""Backends: one small interface of kernel shapes (see interface.py), one module per device.

``backend_for(device)`` returns the backend that owns a device's storage; ops call its
kernels and never touch storage themselves.
"""
from __future__ import annotations

from .._device import device
from .interface import Backend

_backends: dict[str, Backend] = {}


def backend_for(dev: device) -> Backend:
    if dev.index:  # storage would land on GPU 0 while the tensor says otherwise
        raise RuntimeError(f"CUDA error: invalid device ordinal: learntorch drives one GPU, cuda:0, not {dev}")
    backend = _backends.get(dev.type)
    if backend is None:
        if dev.type == "cpu":
            from .cpu import CPUBackend
            backend = CPUBackend()
        else:
            from .cuda import CUDABackend  # raises a clear RuntimeError without a GPU
            backend = CUDABackend()
        _backends[dev.type] = backend
    return backend
