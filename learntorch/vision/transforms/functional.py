"""``transforms.functional``: the image operations behind the transforms, as ``torchvision.transforms.functional``.

Each takes a PIL image (done by Pillow, as torchvision does), a (..., C, H, W) tensor (done with Tensor ops,
``_functional_tensor``) or, unlike torchvision, a NumPy uint8 array (H, W) or (H, W, C), which goes
through Pillow and comes back as an array (MNIST's images are arrays).
"""
from __future__ import annotations

import numbers
from enum import Enum
from typing import Any, Callable, Sequence

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from learntorch import Tensor, tensor as _tensor

from . import _functional_tensor as F_t


class InterpolationMode(Enum):
    """Interpolation modes; tensors support NEAREST, NEAREST_EXACT and BILINEAR, PIL images all of them."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_MODES = {InterpolationMode.NEAREST: Image.Resampling.NEAREST, InterpolationMode.NEAREST_EXACT:
              Image.Resampling.NEAREST, InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
              InterpolationMode.BICUBIC: Image.Resampling.BICUBIC, InterpolationMode.BOX: Image.Resampling.BOX,
              InterpolationMode.HAMMING: Image.Resampling.HAMMING, InterpolationMode.LANCZOS: Image.Resampling.LANCZOS}


def interpolation_mode(interpolation: InterpolationMode | int) -> InterpolationMode:
    """An ``InterpolationMode`` from itself or from a Pillow constant (``Image.BILINEAR``...)."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    pil = {int(v): k for k, v in reversed(list(_PIL_MODES.items()))}
    if isinstance(interpolation, int) and interpolation in pil:
        return pil[interpolation]
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow integer constant")


def _apply(img: Any, on_pil: Callable[[Image.Image], Any], on_tensor: Callable[[Tensor], Any]) -> Any:
    """``on_tensor(img)`` for a tensor, ``on_pil(img)`` for a PIL image, and for a NumPy array ``on_pil`` of
    it as a PIL image, returned as an array."""
    if isinstance(img, Tensor):
        return on_tensor(img)
    if isinstance(img, Image.Image):
        return on_pil(img)
    if isinstance(img, np.ndarray):
        out = on_pil(Image.fromarray(img))
        return np.asarray(out) if isinstance(out, Image.Image) else out
    raise TypeError(f"img should be PIL Image, Tensor or ndarray. Got {type(img)}")


def get_dimensions(img: Any) -> list[int]:
    """[channels, height, width] of an image."""
    return _apply(img, lambda im: [len(im.getbands()), im.height, im.width], F_t.get_dimensions)


def get_image_size(img: Any) -> list[int]:
    """[width, height] of an image."""
    _, h, w = get_dimensions(img)
    return [w, h]


def to_pil_image(pic: Any, mode: str | None = None) -> Image.Image:
    """A (C, H, W) tensor or (H, W[, C]) array as a PIL image. Float values are scaled by 255 and, as in
    torchvision (``.byte()``), truncated and wrapped modulo 256; uint8 values are kept. 1 channel gives mode
    ``"L"``, 3 ``"RGB"``."""
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        values = pic.detach().cpu()
        if values.dim() == 3:
            values = values.permute(1, 2, 0)
        arr = values.numpy()
        if arr.dtype.kind == "f":
            arr = (np.trunc(arr * np.float32(255)).astype(np.int64) % 256).astype(np.uint8)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(arr), mode=mode) if mode else Image.fromarray(
        np.ascontiguousarray(arr))


def _resized_size(h: int, w: int, size: Sequence[int], max_size: int | None) -> list[int]:
    """[new_h, new_w]: ``size`` itself when it has two entries; with one, the shorter side becomes ``size[0]``
    and the longer keeps the aspect ratio (rounded down), capped at ``max_size``."""
    if len(size) == 2:
        return [size[0], size[1]]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {list(size)}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


def resize(img: Any, size: int | Sequence[int], interpolation: InterpolationMode | int = InterpolationMode.BILINEAR,
           max_size: int | None = None, antialias: bool | None = True) -> Any:
    """Resize to ``size``: (h, w), or an int (or [int]) that the shorter side becomes (see ``_resized_size``).
    PIL images are always antialiased; tensors when ``antialias`` and bilinear."""
    mode = interpolation_mode(interpolation)
    sizes = [size] if isinstance(size, int) else list(size)
    if len(sizes) not in (1, 2):
        raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a {len(sizes)} element tuple/list")
    if max_size is not None and len(sizes) != 1:
        raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, i.e. "
                         "size should be an int or a sequence of length 1 in torchscript mode.")
    _, h, w = get_dimensions(img)
    out = _resized_size(h, w, sizes, max_size)
    if out == [h, w]:
        return img
    return _apply(img, lambda im: im.resize((out[1], out[0]), _PIL_MODES[mode]),
                  lambda t: F_t.resize(t, out, mode.value, bool(antialias)))


def _pil_fill(fill: float | Sequence[float], img: Image.Image) -> float | tuple[float, ...]:
    """``fill`` as Pillow takes it: one value per band (a number is repeated), integers unless mode ``"F"``."""
    bands = len(img.getbands())
    values = list(fill) if isinstance(fill, (list, tuple)) else [fill]
    if len(values) == 1:
        values *= bands
    if len(values) != bands:
        raise ValueError(f"The number of elements in 'fill' does not match the number of channels of the image "
                         f"({len(values)} != {bands})")
    values = values if img.mode == "F" else [int(v) for v in values]
    return values[0] if bands == 1 else tuple(values)


def pad(img: Any, padding: int | Sequence[int], fill: float | Sequence[float] = 0,
        padding_mode: str = "constant") -> Any:
    """Pad the borders: ``padding`` is an int (all sides), [left/right, top/bottom] or [left, top, right, bottom];
    ``padding_mode``: ``"constant"`` (with ``fill``), ``"edge"``, ``"reflect"`` or ``"symmetric"``."""
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")

    def on_pil(im: Image.Image) -> Image.Image:
        left, top, right, bottom = F_t._padding_ltrb(padding)
        im = im.crop((max(-left, 0), max(-top, 0), im.width - max(-right, 0), im.height - max(-bottom, 0)))
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
        if padding_mode == "constant":
            return ImageOps.expand(im, border=(left, top, right, bottom), fill=_pil_fill(fill, im))
        arr = np.asarray(im)
        widths = ((top, bottom), (left, right)) + (((0, 0),) if arr.ndim == 3 else ())
        return Image.fromarray(np.pad(arr, widths, mode=padding_mode))
    if isinstance(fill, (list, tuple)) and isinstance(img, Tensor):
        raise TypeError("pad: a tensor image takes one number as fill")
    return _apply(img, on_pil, lambda t: F_t.pad(t, padding, fill, padding_mode))  # type: ignore[arg-type]


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The ``height`` x ``width`` window whose top-left corner is (``top``, ``left``); zeros outside the image."""
    return _apply(img, lambda im: im.crop((left, top, left + width, top + height)),
                  lambda t: F_t.crop(t, top, left, height, width))


def center_crop(img: Any, output_size: int | Sequence[int]) -> Any:
    """The centred (h, w) window (an int: square), zero-padded first where the image is smaller."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    crop_height, crop_width = output_size
    _, image_height, image_width = get_dimensions(img)
    if crop_width > image_width or crop_height > image_height:
        padding = [(crop_width - image_width) // 2 if crop_width > image_width else 0,
                   (crop_height - image_height) // 2 if crop_height > image_height else 0,
                   (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
                   (crop_height - image_height + 1) // 2 if crop_height > image_height else 0]
        img = pad(img, padding, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    top = int(round((image_height - crop_height) / 2.0))
    left = int(round((image_width - crop_width) / 2.0))
    return crop(img, top, left, crop_height, crop_width)


def resized_crop(img: Any, top: int, left: int, height: int, width: int, size: Sequence[int],
                 interpolation: InterpolationMode | int = InterpolationMode.BILINEAR,
                 antialias: bool | None = True) -> Any:
    """``crop`` then ``resize`` to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img: Any) -> Any:
    """Mirror left to right."""
    return _apply(img, lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), F_t.hflip)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """Scale the intensities by ``brightness_factor`` (0: black, 1: the image)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    return _apply(img, lambda im: ImageEnhance.Brightness(im).enhance(brightness_factor),
                  lambda t: F_t.adjust_brightness(t, brightness_factor))


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the image's mean grey (0: flat grey, 1: the image)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    return _apply(img, lambda im: ImageEnhance.Contrast(im).enhance(contrast_factor),
                  lambda t: F_t.adjust_contrast(t, contrast_factor))


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the greyscale image (0: grey, 1: the image, 2: twice as saturated)."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    return _apply(img, lambda im: ImageEnhance.Color(im).enhance(saturation_factor),
                  lambda t: F_t.adjust_saturation(t, saturation_factor))


def _adjust_hue_pil(img: Image.Image, hue_factor: float) -> Image.Image:
    """Shift the H channel of Pillow's HSV (0..255, wrapping) by ``hue_factor * 255``."""
    if img.mode in ("L", "1", "I", "F"):
        return img
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    np_h += np.int32(hue_factor * 255).astype(np.uint8)
    return Image.merge("HSV", (Image.fromarray(np_h, "L"), s, v)).convert(img.mode)


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Rotate the hue by ``hue_factor`` turns, in [-0.5, 0.5] (0.5: complementary colours)."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    return _apply(img, lambda im: _adjust_hue_pil(im, hue_factor), lambda t: F_t.adjust_hue(t, hue_factor))


def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """The luma ``0.299 R + 0.587 G + 0.114 B`` (Pillow's mode ``"L"``), with 1 or 3 channels."""
    def on_pil(im: Image.Image) -> Image.Image:
        gray = im.convert("L")
        return Image.merge("RGB", (gray, gray, gray)) if num_output_channels == 3 else gray
    return _apply(img, on_pil, lambda t: F_t.rgb_to_grayscale(t, num_output_channels))


def to_tensor(pic: Any) -> Tensor:
    """A PIL image or (H, W[, C]) array as a float32 (C, H, W) tensor, uint8 values scaled to [0, 1]."""
    if isinstance(pic, Tensor):
        raise TypeError("pic should be PIL Image or ndarray. Got Tensor")
    arr = np.asarray(pic)
    if arr.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    return _to_tensor_batch(arr[None])[0]


def _to_tensor_batch(pics: np.ndarray) -> Tensor:
    """(B, H, W) or (B, H, W, C) array -> (B, C, H, W) tensor, uint8 scaled to [0, 1] (``ToTensor`` on a batch)."""
    arr = pics[..., None] if pics.ndim == 3 else pics
    arr = arr.transpose(0, 3, 1, 2)
    if arr.dtype == np.uint8:
        return _tensor(arr.astype(np.float32) / np.float32(255))
    return _tensor(np.ascontiguousarray(arr))


def _check_std(std: Sequence[float] | float) -> None:
    """``normalize``'s (and ``Normalize``'s) check that no channel's std is zero."""
    if np.any(np.asarray(std, dtype=np.float64) == 0):
        raise ValueError(f"std evaluated to zero, leading to division by zero (std={std}).")


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> Tensor:
    """``(tensor - mean[c]) / std[c]`` for each channel ``c`` of a (..., C, H, W) float tensor."""
    _check_std(std)
    t = tensor
    if not isinstance(t, Tensor) or t.dim() < 3:
        raise TypeError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                        f"{getattr(t, 'shape', type(t).__name__)}")
    if not t.dtype.is_floating_point:
        raise TypeError(f"Input tensor should be a float tensor. Got {t.dtype}.")
    mean_t = _tensor(mean, dtype=t.dtype).reshape(-1, 1, 1)
    std_t = _tensor(std, dtype=t.dtype).reshape(-1, 1, 1)
    out = (t - mean_t) / std_t
    return t.copy_(out) if inplace else out


__all__ = ["InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_hue", "adjust_saturation",
           "center_crop", "crop", "get_dimensions", "get_image_size", "hflip", "normalize", "pad", "resize",
           "resized_crop", "rgb_to_grayscale", "to_pil_image", "to_tensor"]
