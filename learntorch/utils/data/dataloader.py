"""``DataLoader``: iterate over a dataset in batches.

Samples are loaded in the main process (``num_workers`` is accepted and ignored). With the
default collate, a dataset that implements ``_get_batch`` (``TensorDataset``, MNIST with
``ToTensor``) builds each batch in one indexing operation instead of sample by sample.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from ..._creation import tensor
from ...random import Generator
from .collate import default_collate
from .dataset import Dataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


class DataLoader:
    """Batches of ``dataset``: ``for x, y in DataLoader(ds, batch_size=64, shuffle=True): ...``.

    ``shuffle`` draws a new order each epoch (reproducible with ``generator``); ``drop_last``
    drops a final short batch; ``sampler`` or ``batch_sampler`` choose the indices yourself.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Sequence[int] | None = None,
                 batch_sampler: Sampler | Sequence[Sequence[int]] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, generator: Generator | None = None) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.generator = generator
        self.collate_fn = collate_fn if collate_fn is not None else default_collate

    def __len__(self) -> int:
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is None:  # batch_size=None: samples one by one, not collated
            for idx in self.sampler:
                yield self.dataset[idx]
            return
        get_batch = getattr(self.dataset, "_get_batch", None) if self.collate_fn is default_collate else None
        for indices in self.batch_sampler:
            batch = get_batch(tensor(list(indices))) if get_batch is not None and len(indices) else None
            if batch is None:
                batch = self.collate_fn([self.dataset[i] for i in indices])
            yield batch
