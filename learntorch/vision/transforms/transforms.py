"""Image transforms: ``ToTensor``, ``Normalize``, ``Compose``, ``Lambda``, as ``torchvision.transforms``.

Images come in as NumPy arrays (uint8, HxW or HxWxC; anything with ``__array__``, such as a PIL
image, works too). ``ToTensor`` and ``Normalize`` also have a ``_batch`` form, which a dataset
(MNIST) uses to transform a whole batch at once inside the DataLoader.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._creation import tensor
from .._tensor import Tensor


class ToTensor:
    """uint8 HxW or HxWxC array -> float32 CxHxW tensor in [0, 1] (other dtypes are not scaled)."""

    def __call__(self, pic: Any) -> Tensor:
        if isinstance(pic, Tensor):
            raise TypeError("pic should be PIL Image or ndarray. Got Tensor")
        arr = np.asarray(pic)
        if arr.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
        return self._batch(arr[None])[0]

    def _batch(self, pics: np.ndarray) -> Tensor:
        """(B, H, W) or (B, H, W, C) array -> (B, C, H, W) tensor."""
        arr = pics[..., None] if pics.ndim == 3 else pics
        arr = arr.transpose(0, 3, 1, 2)
        if arr.dtype == np.uint8:
            return tensor(arr.astype(np.float32) / np.float32(255))
        return tensor(np.ascontiguousarray(arr))

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` for each channel ``c`` of a (..., C, H, W) float tensor."""

    def __init__(self, mean: Sequence[float] | float, std: Sequence[float] | float, inplace: bool = False) -> None:
        if np.any(np.asarray(std, dtype=np.float64) == 0):
            raise ValueError(f"std evaluated to zero, leading to division by zero (std={std}).")
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, t: Tensor) -> Tensor:
        if not isinstance(t, Tensor) or t.dim() < 3:
            raise TypeError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                            f"{getattr(t, 'shape', type(t).__name__)}")
        if not t.dtype.is_floating_point:
            raise TypeError(f"Input tensor should be a float tensor. Got {t.dtype}.")
        mean = tensor(self.mean, dtype=t.dtype).reshape(-1, 1, 1)
        std = tensor(self.std, dtype=t.dtype).reshape(-1, 1, 1)
        out = (t - mean) / std
        return t.copy_(out) if self.inplace else out

    _batch = __call__  # (B, C, H, W) broadcasts against (C, 1, 1) as one image does

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def _batch(self, x: Any) -> Any:
        """The whole batch through each transform's ``_batch``; None if one has none."""
        if not all(hasattr(t, "_batch") for t in self.transforms):
            return None
        for t in self.transforms:
            x = t._batch(x)
        return x

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class Lambda:
    """Apply a user function: ``Lambda(lambda x: x * 2)``."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, x: Any) -> Any:
        return self.lambd(x)

    def __repr__(self) -> str:
        return "Lambda()"
