"""Copies that rearrange or repeat elements: ``flip`` and ``repeat``.

``flip`` reads the elements in reversed order along some dims: a list of flat positions, read by
indexing's ``gather`` kernel (its backward adds the gradient back through the same positions).
``repeat`` tiles a tensor: each dim ``d`` of size ``s`` becomes a pair of dims ``(r, s)``, the
``r`` copies made by ``expand`` (a view), then flattened back to ``r * s`` (the one copy).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from .indexing import Gather
from .shape import _shape_arg


class Flip(Gather):
    node_name = "FlipBackward0"


def flip(input: Tensor, *dims: Any) -> Tensor:
    """A copy of ``input`` with the order of elements reversed along ``dims``."""
    dims = _shape_arg("flip", dims, "dims")
    wrapped = {input._wrap_dim(d) for d in dims}
    if len(wrapped) != len(dims):
        raise RuntimeError(f"flip(): dims has duplicates, original flip dims size={len(dims)}, but unique flip dims "
                           f"size={len(wrapped)}")
    if not wrapped or input.numel() == 0:
        return input.clone()
    grid = np.arange(input.numel(), dtype=np.int64).reshape(input._shape)
    return Flip.apply(input, grid[tuple(slice(None, None, -1) if d in wrapped else slice(None)
                                        for d in range(input.dim()))])


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """``input`` tiled ``sizes[d]`` times along each dim (extra leading sizes add new dims)."""
    sizes = _shape_arg("repeat", sizes, "repeats")
    if len(sizes) < input.dim():
        raise RuntimeError(f"Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           f"tensor (repeat{tuple(sizes)} of shape {list(input.shape)})")
    if any(r < 0 for r in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeats {list(sizes)}")
    shape = (1,) * (len(sizes) - input.dim()) + input._shape
    pairs = tuple(n for s in shape for n in (1, s))
    tiled = tuple(n for r, s in zip(sizes, shape) for n in (r, s))
    return input.reshape(pairs).expand(tiled).reshape(tuple(r * s for r, s in zip(sizes, shape)))
