"""Datasets: ``Dataset``, ``TensorDataset``, ``Subset`` and ``random_split``.

A map-style dataset has ``__len__`` and ``__getitem__(i)``. A dataset may also define
``_get_batch(indices)``, returning a whole collated batch at once (or ``None`` to decline);
``DataLoader`` uses it, with the default collate, instead of fetching samples one by one.
"""
from __future__ import annotations

import math
from typing import Any, Generic, Sequence, TypeVar

from ..._creation import as_tensor
from ..._dtype import int64
from ..._tensor import Tensor
from ...random import Generator, default_generator, randperm

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """Base class of map-style datasets: subclasses implement ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def _get_batch(self, indices: Tensor) -> Any:
        """A collated batch for ``indices`` (int64 tensor), or None to fetch samples one by one."""
        return None


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Sample ``i`` is ``tuple(t[i] for t in tensors)``; all tensors share their first dimension."""

    def __init__(self, *tensors: Tensor) -> None:
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _get_batch(self, indices: Tensor) -> list[Tensor]:
        """One gather per tensor instead of a stack of single samples."""
        return [t[indices] for t in self.tensors]


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._index_tensor: tuple[Sequence[int], Tensor] | None = None

    def __getitem__(self, idx: int) -> T_co:
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)

    def _get_batch(self, indices: Tensor) -> Any:
        get_batch = getattr(self.dataset, "_get_batch", None)
        if get_batch is None:
            return None
        if self._index_tensor is None or self._index_tensor[0] is not self.indices:
            self._index_tensor = (self.indices, as_tensor(self.indices, dtype=int64))
        return get_batch(self._index_tensor[1][indices])


def random_split(dataset: Dataset[T_co], lengths: Sequence[int | float],
                 generator: Generator | None = None) -> list[Subset[T_co]]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1 (the
    remainder left by flooring goes one by one to the first subsets, as in PyTorch).
    """
    n = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(n, generator=generator or default_generator).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + int(length)]))
        start += int(length)
    return subsets
