"""Storage: the flat block of memory a tensor views, plus the version counter its views share.

A tensor is ``(storage, shape, strides, offset)``: element ``(i0, i1, ...)`` lives at
``storage[offset + i0*strides[0] + i1*strides[1] + ...]``. Views (``view``, ``permute``,
slicing, ``expand``...) make a new tensor over the same storage with other strides. In-place
ops bump the shared version counter, which is how autograd notices that a tensor it saved for
backward has since been overwritten.
"""
from __future__ import annotations

import functools
import math


class VersionCounter:
    """Shared by a tensor and its views: ``value`` counts in-place writes (checked by saved
    tensors); ``rewrites`` counts the recorded in-place ops that gave the base a new ``grad_fn``
    (checked by views created before, whose own ``grad_fn`` still points at the old graph)."""

    __slots__ = ("value", "rewrites")

    def __init__(self) -> None:
        self.value = 0
        self.rewrites = 0


@functools.lru_cache(maxsize=1024)  # every new tensor asks: a loop costs more than the lookup
def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Row-major strides, in elements: ``(2, 3, 4) -> (12, 4, 1)``."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def is_contiguous(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """True when the layout is row-major; dims of size 1 may have any stride, as in PyTorch."""
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size == 0:
            return True
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def view_strides(shape: tuple[int, ...], strides: tuple[int, ...],
                 new_shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """Strides that show ``new_shape`` over the same memory, or None when no view can.

    PyTorch's rule: ``new_shape`` must split or merge only dims that are laid out contiguously
    with respect to each other (each merged chunk has ``stride[i] == stride[i+1] * size[i+1]``).
    """
    if numel(shape) == 0 or not shape:
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_numel = 1
    tensor_numel = 1
    chunk_base_stride = strides[-1] if strides else 1
    for d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[d]
        # a chunk ends where the next-outer dim is not contiguous with this one
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (chunk_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = chunk_numel * chunk_base_stride
                chunk_numel *= new_shape[view_d]
                view_d -= 1
            if chunk_numel != tensor_numel:
                return None
            if d > 0:
                chunk_base_stride = strides[d - 1]
                tensor_numel = 1
                chunk_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)
