"""``VisionDataset``: what torchvision's datasets share: ``root``, ``transform``/``target_transform``, the repr."""
from __future__ import annotations

import os
from typing import Any, Callable

from learntorch.utils.data import Dataset


class VisionDataset(Dataset[tuple[Any, Any]]):
    """A dataset of (sample, target) pairs under ``root`` (None for generated data); subclasses define
    ``__getitem__`` (passing each pair through ``_transform``) and ``__len__``, and may add ``extra_repr``."""

    def __init__(self, root: str | os.PathLike | None = None, transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None) -> None:
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else None
        self.transform, self.target_transform = transform, target_transform

    def _transform(self, sample: Any, target: Any) -> tuple[Any, Any]:
        """``(transform(sample), target_transform(target))``, each where given."""
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]  # type: ignore[arg-type]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transform is not None:
            body.append(f"Transform: {self.transform}")
        if self.target_transform is not None:
            body.append(f"Target transform: {self.target_transform}")
        return "\n".join([f"Dataset {type(self).__name__}"] + ["    " + line for line in body])
