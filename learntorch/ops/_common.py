"""Shared checks and helpers for the ops: operands, broadcasting, devices, summing grads back."""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import _dtype as dt
from .._creation import scalar_tensor
from .._storage import contiguous_strides, numel
from .._tensor import Tensor
from ..backends.interface import Backend, Strided


@functools.lru_cache(maxsize=1024)  # a training loop broadcasts the same few shapes every step
def broadcast_shapes(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """PyTorch's broadcasting: align on the right; sizes must match or be 1."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(-ndim, 0):
        sizes = [s[i] if len(s) >= -i else 1 for s in shapes]
        distinct = {s for s in sizes if s != 1}
        if len(distinct) > 1:
            raise RuntimeError(_broadcast_error(op, shapes))
        out.append(distinct.pop() if distinct else 1)
    return tuple(out)


def _broadcast_error(op: str, shapes: tuple[tuple[int, ...], ...]) -> str:
    """PyTorch's message for shapes that don't broadcast, naming the first conflicting pair of
    sizes found from the right (as PyTorch) and every operand's shape."""
    ndim = max(len(s) for s in shapes)
    for dim in range(ndim - 1, -1, -1):
        sizes = [s[dim - ndim] if len(s) >= ndim - dim else 1 for s in shapes]
        first = next((k for k, size in enumerate(sizes) if size != 1), None)
        other = None if first is None else next(
            (k for k, size in enumerate(sizes) if size not in (1, sizes[first])), None)
        if other is not None:
            break
    message = (f"{op}: The size of tensor a ({sizes[first]}) must match the size of tensor b ({sizes[other]}) "
               f"at non-singleton dimension {dim}")
    listed = " and ".join(str(list(s)) for s in shapes) if len(shapes) == 2 else \
        ", ".join(f"{list(s)} (operand {k})" for k, s in enumerate(shapes))
    if len(shapes) > 2:
        message += f", where a is operand {first} and b is operand {other}"
    return (f"{message}. Shapes {listed} don't broadcast: counted from the right, each pair of sizes must "
            "be equal or one of them 1")


def broadcast_strides(t: Tensor, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``t``'s strides for viewing it with ``shape``: new leading dims and broadcast dims get stride 0."""
    lead = len(shape) - t.dim()
    return (0,) * lead + tuple(0 if size == 1 and target != 1 else st
                               for size, st, target in zip(t._shape, t._strides, shape[lead:]))


def expanded(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """A view of ``t`` with ``shape`` (broadcast dims get stride 0, no copy)."""
    if t._shape == shape:
        return t
    return Tensor._make(t._storage, shape, broadcast_strides(t, shape), t._offset, dtype=t._dtype, device=t._device,
                        base=t)


def operand(t: Tensor, shape: tuple[int, ...] | None = None) -> Strided:
    """``t`` as a kernel argument, broadcast to ``shape`` (no copy)."""
    if shape is None or t._shape == shape:
        return t._array
    return Strided(t._storage, shape, broadcast_strides(t, shape), t._offset, t._dtype)


def output(backend: Backend, shape: tuple[int, ...], dtype: dt.dtype) -> Strided:
    """A fresh, contiguous kernel output of ``shape`` and ``dtype``, allocated by ``backend``."""
    # tuple.__new__: Strided(...) without the NamedTuple's Python-level __new__ (twice as fast)
    return tuple.__new__(Strided, (backend.empty(numel(shape), dtype), shape, contiguous_strides(shape), 0, dtype))


def check_same_device(op: str, *tensors: Tensor) -> None:
    devices = {t._device for t in tensors}
    if len(devices) > 1:
        names = sorted((str(d) for d in devices), reverse=True)
        raise RuntimeError(
            f"Expected all tensors to be on the same device, but found at least two devices, "
            f"{names[0]} and {names[1]}! (in {op}; move them with .to(device) first)")


def as_operands(op: str, *args: Any, dtype: dt.dtype | None = None) -> list[Tensor]:
    """Turn Python scalars into 0-d tensors and cast everything to the promoted dtype."""
    tensors = [a for a in args if isinstance(a, Tensor)]
    if not tensors:
        raise TypeError(f"{op}: expected at least one Tensor argument")
    for a in args:
        if not isinstance(a, (Tensor, bool, int, float)):
            if not isinstance(a, (np.integer, np.floating, np.bool_)):
                raise TypeError(
                    f"{op}(): unsupported operand type {type(a).__name__}; expected a Tensor or a number")
    check_same_device(op, *tensors)
    target = dtype or dt.result_type(*args)
    dev = tensors[0]._device
    out = []
    for a in args:
        if isinstance(a, Tensor):
            out.append(a if a._dtype is target else a.to(target))
        else:
            out.append(scalar_tensor(a, target, dev))
    return out


def sum_to(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum a broadcast gradient back to ``shape`` (the reverse of broadcasting)."""
    if g._shape == tuple(shape):
        return g
    lead = g.dim() - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g._shape[lead + i] != 1)
    out = g.sum(dim=dims, keepdim=True) if dims else g
    return out.reshape(tuple(shape)) if out._shape != tuple(shape) else out


def new_tensor(out: Strided, like: Tensor) -> Tensor:
    """The tensor over a kernel's output ``out`` (made by ``output``), on ``like``'s device."""
    return Tensor._wrap(out, like._device)


def normalize_dims(op: str, t: Tensor, dim: Any) -> tuple[int, ...]:
    """``None`` or an empty sequence means all dims (as in PyTorch); an int or a sequence of
    ints is wrapped and checked."""
    dims = None if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return tuple(range(t.dim()))
    wrapped = tuple(t._wrap_dim(d) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"{op}: dim {wrapped} appears multiple times in the list of dims")
    return tuple(sorted(wrapped))
