"""Copies between dtypes and devices, and ``clone``."""
from __future__ import annotations

from .. import _dtype as dt
from .._device import device as Device
from .._tensor import Tensor
from ..backends import backend_for
from ..autograd.function import Function
from ._common import new_tensor, output


def _identity(a: Tensor, dtype: dt.dtype) -> Tensor:
    """A contiguous copy of ``a`` in ``dtype``: the backend's ``identity`` map."""
    backend = a._backend
    out = output(backend, a._shape, dtype)
    backend.map("identity", a._array, out)
    return new_tensor(out, a)


class Clone(Function):
    """A contiguous copy (the backend's ``identity`` map)."""

    @staticmethod
    def forward(ctx, a):
        return _identity(a, a.dtype)

    @staticmethod
    def backward(ctx, g):
        return g


class Cast(Function):
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = a.dtype
        if a.dtype.is_floating_point and dtype.category == 1 and dtype is not dt.int64:
            # truncate to int64, then wrap around, as PyTorch (a direct cast is undefined out of range)
            a = _identity(a, dt.int64)
        return _identity(a, dtype)

    @staticmethod
    def backward(ctx, g):
        return (g.to(ctx.dtype) if ctx.dtype.is_floating_point else None), None


class ToDevice(Function):
    """Copy to another device: through the host, the only place transfers happen."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a: Tensor, device: Device):
        ctx.device = a.device
        host = a._backend.to_numpy(a._array)  # a NumPy array on the host, copied off a GPU if needed
        storage = backend_for(device).from_numpy(host)
        return Tensor._make(storage, a._shape, dtype=a.dtype, device=device)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.device), None


def is_floating(t: Tensor) -> bool:
    return t.dtype in (dt.float32, dt.float64)
