"""The tensor side of ``transforms.functional``: images are (..., C, H, W) tensors, built from Tensor ops only.

Float images hold values in [0, 1]; integer images in [0, 255] (they are resized and blended in float32,
then rounded back). Resizing is two matrix products, ``rows @ img @ cols.T``, whose (out, in) weight
matrices hold each output pixel's interpolation weights (PyTorch's, antialiased or not).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

import learntorch as lt
from learntorch import Tensor
from learntorch.nn import functional as F


def _check_image(img: Tensor, op: str) -> None:
    if img.dim() < 2:
        raise TypeError(f"{op}: a tensor image must have at least 2 dimensions (..., H, W), got shape "
                        f"{list(img.shape)}")


def get_dimensions(img: Tensor) -> list[int]:
    """[channels, height, width] of a (..., C, H, W) or (H, W) tensor."""
    _check_image(img, "get_dimensions")
    channels = 1 if img.dim() == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def _bound(img: Tensor) -> float:
    return 1.0 if img.dtype.is_floating_point else 255.0


def _to_float(img: Tensor) -> Tensor:
    return img if img.dtype.is_floating_point else img.float()


def _back(out: Tensor, like: Tensor) -> Tensor:
    """``out`` (float) in ``like``'s dtype: integer images are rounded (halves up) and clamped to [0, 255]."""
    if like.dtype.is_floating_point:
        return out
    return (out + 0.5).clamp(0, 255).to(like.dtype)


def _index(img: Tensor, dim: int, index: Sequence[int]) -> Tensor:
    """``img`` with dim ``dim`` (negative) replaced by its entries at ``index``."""
    where = (Ellipsis, lt.tensor(list(index), device=img.device)) + (slice(None),) * (-dim - 1)
    return img[where]


def _linear_weights(n_in: int, n_out: int, antialias: bool) -> np.ndarray:
    """(n_out, n_in) weights of (bi)linear resizing along one dim, as PyTorch computes them (align_corners=False):
    output pixel i is centred at ``scale * (i + 0.5)`` in input coordinates (``scale = n_in / n_out``), and
    weighs input pixel j by the triangle ``1 - |j + 0.5 - centre| / support``, normalised; ``support`` is
    ``scale`` when shrinking with ``antialias``, else 1 (plain bilinear: the two nearest pixels)."""
    scale = n_in / n_out
    support = max(scale, 1.0) if antialias else 1.0
    weights = np.zeros((n_out, n_in))
    for i in range(n_out):
        centre = scale * (i + 0.5)
        lo, hi = max(int(centre - support + 0.5), 0), min(int(centre + support + 0.5), n_in)
        taps = np.maximum(0.0, 1.0 - np.abs(np.arange(lo, hi) + 0.5 - centre) / support)
        weights[i, lo:hi] = taps / taps.sum()
    return weights


def resize(img: Tensor, size: list[int], interpolation: str = "bilinear", antialias: bool = True) -> Tensor:
    """(..., C, H, W) -> (..., C, h, w), ``size = [h, w]``; ``interpolation``: ``"bilinear"``, ``"nearest"``
    (source index floor(i * H / h)) or ``"nearest-exact"`` (floor((i + 0.5) * H / h))."""
    _check_image(img, "resize")
    h, w = size
    if interpolation in ("nearest", "nearest-exact"):
        offset = 0.5 if interpolation == "nearest-exact" else 0.0
        rows = [min(int(math.floor((i + offset) * img.shape[-2] / h)), img.shape[-2] - 1) for i in range(h)]
        cols = [min(int(math.floor((j + offset) * img.shape[-1] / w)), img.shape[-1] - 1) for j in range(w)]
        return _index(_index(img, -2, rows), -1, cols)
    if interpolation != "bilinear":
        raise NotImplementedError(f"resize: learntorch resizes tensor images with 'nearest', 'nearest-exact' or "
                                  f"'bilinear' interpolation, got {interpolation!r}; convert to a PIL image "
                                  "(ToPILImage) for the other modes")
    x = _to_float(img)
    rows = lt.tensor(_linear_weights(img.shape[-2], h, antialias), dtype=x.dtype, device=x.device)
    cols = lt.tensor(_linear_weights(img.shape[-1], w, antialias).T, dtype=x.dtype, device=x.device)
    return _back(rows @ x @ cols, img)


def _padding_ltrb(padding: int | Sequence[int]) -> list[int]:
    """torchvision's padding argument (int, [all], [left/right, top/bottom] or [l, t, r, b]) as [l, t, r, b]."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    p = list(padding)
    return p * 4 if len(p) == 1 else [p[0], p[1], p[0], p[1]] if len(p) == 2 else p


def pad(img: Tensor, padding: int | Sequence[int], fill: float = 0, padding_mode: str = "constant") -> Tensor:
    """Pad the last two dims by ``padding`` (see ``_padding_ltrb``; negative entries crop). ``padding_mode``:
    ``"constant"`` (``fill``), ``"edge"`` (repeat the border), ``"reflect"`` (mirror without the border),
    ``"symmetric"`` (mirror with it)."""
    _check_image(img, "pad")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _padding_ltrb(padding)
    img = img[..., max(-top, 0):img.shape[-2] - max(-bottom, 0), max(-left, 0):img.shape[-1] - max(-right, 0)]
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if padding_mode == "constant":
        return F.pad(img, [left, right, top, bottom], value=float(fill))
    for dim, before, after in ((-2, top, bottom), (-1, left, right)):
        if before or after:
            img = _index(img, dim, np.pad(np.arange(img.shape[dim]), (before, after), mode=padding_mode).tolist())
    return img


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """The ``height`` x ``width`` window at (``top``, ``left``); parts outside the image are zeros."""
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                   max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding, fill=0)
    return img[..., top:bottom, left:right]


def hflip(img: Tensor) -> Tensor:
    """Mirror left to right."""
    _check_image(img, "hflip")
    return _index(img, -1, range(img.shape[-1] - 1, -1, -1))


def _check_channels(img: Tensor, op: str) -> int:
    channels = get_dimensions(img)[0]
    if channels not in (1, 3):
        raise TypeError(f"{op}: input image tensor permitted channel values are [1, 3], but found {channels} "
                        f"(shape {list(img.shape)})")
    return channels


def _blend(img1: Tensor, img2: Tensor, ratio: float) -> Tensor:
    """``ratio * img1 + (1 - ratio) * img2``, clamped to the image range (integer images: truncated back)."""
    out = (float(ratio) * _to_float(img1) + (1.0 - ratio) * img2).clamp(0, _bound(img1))
    return out.to(img1.dtype)


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    """(..., 3, H, W) -> (..., 1, H, W): ``0.2989 R + 0.587 G + 0.114 B`` (ITU-R 601-2 luma)."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _check_channels(img, "rgb_to_grayscale") == 3:
        x = _to_float(img)
        gray = 0.2989 * x[..., 0:1, :, :] + 0.587 * x[..., 1:2, :, :] + 0.114 * x[..., 2:3, :, :]
        gray = gray if img.dtype.is_floating_point else gray.to(img.dtype)
    else:
        gray = img.clone()
    return gray.expand(*img.shape) if num_output_channels == 3 else gray


def adjust_brightness(img: Tensor, brightness_factor: float) -> Tensor:
    """Multiply by ``brightness_factor`` (0: black, 1: unchanged)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _check_channels(img, "adjust_brightness")
    return _blend(img, lt.zeros_like(_to_float(img)), brightness_factor)


def adjust_contrast(img: Tensor, contrast_factor: float) -> Tensor:
    """Blend with the mean grey level of each image (0: flat grey, 1: unchanged)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    gray = rgb_to_grayscale(img) if _check_channels(img, "adjust_contrast") == 3 else img
    return _blend(img, _to_float(gray).mean((-3, -2, -1), keepdim=True), contrast_factor)


def adjust_saturation(img: Tensor, saturation_factor: float) -> Tensor:
    """Blend with the greyscale image (0: grey, 1: unchanged); one-channel images come back as they are."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if _check_channels(img, "adjust_saturation") == 1:
        return img
    return _blend(img, _to_float(rgb_to_grayscale(img)), saturation_factor)


def _channel(img: Tensor, c: int) -> Tensor:
    return img[..., c, :, :]


def _rgb2hsv(img: Tensor) -> Tensor:
    """(..., 3, H, W) RGB in [0, 1] -> HSV, hue in [0, 1)."""
    r, g, b = _channel(img, 0), _channel(img, 1), _channel(img, 2)
    maxc, minc = img.max(dim=-3).values, img.min(dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = lt.ones_like(maxc)
    s = cr / lt.where(eqc, ones, maxc)
    cr_divisor = lt.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    is_r, is_g = maxc == r, lt.logical_and(maxc == g, maxc != r)
    is_b = lt.logical_and(maxc != g, maxc != r)
    h = is_r.to(img.dtype) * (bc - gc) + is_g.to(img.dtype) * (2.0 + rc - bc) + is_b.to(img.dtype) * (4.0 + gc - rc)
    return lt.stack(((h / 6.0 + 1.0) % 1.0, s, maxc), dim=-3)


def _hsv2rgb(img: Tensor) -> Tensor:
    """(..., 3, H, W) HSV -> RGB: hue sector ``i = floor(6 h)`` picks each channel among v, p, q, t."""
    h, s, v = _channel(img, 0), _channel(img, 1), _channel(img, 2)
    f = (h * 6.0) % 1.0
    sector = ((h * 6.0 - f) % 6.0).long()
    p = (v * (1.0 - s)).clamp(0.0, 1.0)
    q = (v * (1.0 - s * f)).clamp(0.0, 1.0)
    t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0)
    table = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))  # channel, sector
    masks = [(sector == k).to(img.dtype) for k in range(6)]
    return lt.stack([sum(m * x for m, x in zip(masks, row)) for row in table], dim=-3)


def adjust_hue(img: Tensor, hue_factor: float) -> Tensor:
    """Rotate the hue by ``hue_factor`` turns (in [-0.5, 0.5]) in HSV space; one-channel images are unchanged."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _check_channels(img, "adjust_hue") == 1:
        return img
    x = _to_float(img) / _bound(img)
    hsv = _rgb2hsv(x)
    h = (_channel(hsv, 0) + hue_factor) % 1.0
    out = _hsv2rgb(lt.stack((h, _channel(hsv, 1), _channel(hsv, 2)), dim=-3))
    return out if img.dtype.is_floating_point else (out * 255.999).to(img.dtype)  # torchvision's float -> uint8
