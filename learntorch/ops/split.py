"""Cutting a tensor into pieces along a dim: ``narrow``, ``split``, ``chunk`` and ``unbind``.

Every piece is a view (a slice or a select, see indexing.py), so nothing is copied and each
piece's gradient flows back into its part of the input.
"""
from __future__ import annotations

import operator
from typing import Any

from .._tensor import Tensor
from .indexing import getitem


def _slice(a: Tensor, dim: int, start: int, stop: int) -> Tensor:
    return getitem(a, (slice(None),) * dim + (slice(start, stop),))


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The view ``input[..., start:start + length, ...]`` along ``dim`` (a negative ``start``
    counts from the end)."""
    d = input._wrap_dim(dim)
    size = input._shape[d]
    start = operator.index(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}). (narrow of "
                           f"dim {d} of shape {list(input.shape)})")
    return _slice(input, d, start, start + length)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views along ``dim``: pieces of ``split_size`` (the last one shorter), or of the listed sizes
    (which must sum to the dim's size)."""
    d = tensor._wrap_dim(dim)
    size = tensor._shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [operator.index(s) for s in split_size_or_sections]
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
    else:
        step = operator.index(split_size_or_sections)
        if step < 0 or (step == 0 and size):
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}"
                               if step < 0 else f"split_size can only be 0 if dimension size is 0, but got "
                                                f"dimension size of {size}")
        sizes = [min(step, size - start) for start in range(0, size, step)] if size else [0]
    pieces, start = [], 0
    for s in sizes:
        pieces.append(_slice(tensor, d, start, start + s))
        start += s
    return tuple(pieces)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` views along ``dim``, each of ``ceil(size / chunks)`` (the last may be shorter)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._shape[input._wrap_dim(dim)]
    return split(input, max(1, -(-size // chunks)), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, without it: ``(x[0], x[1], ...)`` for ``dim=0``."""
    d = input._wrap_dim(dim)
    return tuple(getitem(input, (slice(None),) * d + (i,)) for i in range(input._shape[d]))
