"""``make_grid`` and ``save_image``, as ``torchvision.utils``: tile a batch of images into one, write it as a PNG."""
from __future__ import annotations

import math
import os
from typing import IO, Any, Sequence

import numpy as np
from PIL import Image

import learntorch as lt
from learntorch import Tensor


def _normalized(images: Tensor, value_range: tuple[float, float] | None) -> Tensor:
    """``images`` clamped to ``value_range`` (default: their own min and max) and mapped onto [0, 1]."""
    low, high = value_range if value_range is not None else (float(images.min()), float(images.max()))
    return (images.clamp(min=low, max=high) - low) / max(high - low, 1e-5)


@lt.no_grad()
def make_grid(tensor: Tensor | Sequence[Tensor], nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Tensor:
    """(B, C, H, W) images (or a list of (C, H, W)) -> one (C', ceil(B / nrow) * (H + padding) + padding,
    min(nrow, B) * (W + padding) + padding) image, ``nrow`` per row, row-major, ``padding`` pixels of
    ``pad_value`` around each. One-channel images become three (C' = 3), as torchvision's do; a single
    image comes back as it is (C, H, W) without padding. ``normalize`` maps ``value_range`` (default: the
    min and max, of all images or of each with ``scale_each``) onto [0, 1], clamping outside it."""
    if not isinstance(tensor, Tensor):
        if not isinstance(tensor, list):
            raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
        for t in tensor:
            if not isinstance(t, Tensor):
                raise TypeError(f"tensor or list of tensors expected, got a list containing {type(t)}")
        tensor = lt.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.shape[0] == 1:
            tensor = lt.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() != 4:
        raise ValueError(f"make_grid: expected images (B, C, H, W), (C, H, W) or (H, W), got shape "
                         f"{list(tensor.shape)}")
    if tensor.shape[1] == 1:
        tensor = lt.cat((tensor, tensor, tensor), 1)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            tensor = lt.stack([_normalized(t, value_range) for t in tensor], dim=0)
        else:
            tensor = _normalized(tensor, value_range)
    if tensor.shape[0] == 1:
        return tensor.squeeze(0)
    nmaps, channels, h, w = tensor.shape
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(nmaps / xmaps))
    height, width = h + padding, w + padding
    grid = lt.full((channels, height * ymaps + padding, width * xmaps + padding), pad_value, dtype=tensor.dtype,
                   device=tensor.device)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        grid[:, y * height + padding:(y + 1) * height, x * width + padding:(x + 1) * width] = tensor[k]
    return grid


@lt.no_grad()
def save_image(tensor: Tensor | Sequence[Tensor], fp: str | os.PathLike | IO[bytes], format: str | None = None,
               **kwargs: Any) -> None:
    """Write images in [0, 1] to ``fp`` (the format from its extension, or ``format`` for a file object) with
    Pillow; a batch is tiled by ``make_grid(tensor, **kwargs)`` first. Values become ``round(255 * v)``,
    clamped to [0, 255]."""
    grid = make_grid(tensor, **kwargs)
    values = (grid * 255 + 0.5).clamp(0, 255).permute(1, 2, 0).cpu().numpy()
    Image.fromarray(values.astype(np.uint8)).save(fp, format=format)  # truncating after + 0.5 rounds
