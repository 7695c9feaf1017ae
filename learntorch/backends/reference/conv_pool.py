"""2-D convolution and pooling of the reference backend, NCHW, as loops over the kernel's taps.

With (sh, sw) = stride and (dh, dw) = dilation, output pixel (oh, ow) of a padded input ``xp``
sees the pixels ``xp[..., oh*sh + i*dh, ow*sw + j*dw]`` for the taps ``(i, j)`` of the kernel.
For one tap, those pixels over all outputs are the strided slice ``tap(xp, i, j)`` of shape
(..., OH, OW), a view. Every kernel here is a short loop over the KH*KW taps, each step a whole
array operation::

    conv2d:            y   += w[:, :, i, j] @ tap(xp, i, j)           (over channels)
    backward input:    tap(grad_xp, i, j) += w[:, :, i, j].T @ grad_y
    backward weight:   grad_w[:, :, i, j]  = grad_y @ tap(xp, i, j)   (over images and pixels)
    max_pool2d:        best = where(tap > best or tap is NaN, tap, best)
    avg_pool2d:        total += tap(xp, i, j);  y = total / (the same sum over a mask of ones)

Padding is explicit: the input is copied into a larger array of zeros (or -inf for max pooling)
first; gradients are added into such a padded array and cropped at the end.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

Pair = tuple[int, int]


def tap(xp: np.ndarray, i: int, j: int, out_hw: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    """The (..., OH, OW) view of the pixels of ``xp`` that kernel tap (i, j) sees."""
    (oh, ow), (sh, sw), (dh, dw) = out_hw, stride, dilation
    return xp[..., i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw]


def taps(kernel_hw: Pair) -> Iterator[tuple[int, int]]:
    kh, kw = kernel_hw
    return ((i, j) for i in range(kh) for j in range(kw))


def pad(x: np.ndarray, padding: Pair, padded_hw: Pair, value: float = 0.0) -> np.ndarray:
    """x (..., H, W) copied into a (..., PH, PW) array of ``value`` at offset ``padding``; PH, PW
    cover the padding on both sides and any window that ceil_mode lets run past it."""
    out = np.full(x.shape[:-2] + tuple(padded_hw), value, x.dtype)
    (ph, pw), (h, w) = padding, x.shape[-2:]
    out[..., ph:ph + h, pw:pw + w] = x
    return out


def padded_hw(in_hw: Pair, kernel_hw: Pair, out_hw: Pair, stride: Pair, padding: Pair,
              dilation: Pair) -> Pair:
    """The smallest padded size holding the input, its padding and every window."""
    return tuple(max(size + 2 * p, (o - 1) * s + d * (k - 1) + 1)
                 for size, k, o, s, p, d in zip(in_hw, kernel_hw, out_hw, stride, padding, dilation))


# ---------------------------------------------------------------------------------- convolution

def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, out_hw: Pair, stride: Pair,
           padding: Pair, dilation: Pair) -> np.ndarray:
    """y (N, O, OH, OW) = conv2d(x (N, C, H, W), weight (O, C, KH, KW)) + bias (O,)."""
    geometry = (out_hw, stride, dilation)
    xp = pad(x, padding, padded_hw(x.shape[2:], weight.shape[2:], out_hw, stride, padding, dilation))
    y = np.zeros((x.shape[0], weight.shape[0]) + tuple(out_hw), x.dtype)
    for i, j in taps(weight.shape[2:]):
        y += np.einsum("oc,ncpq->nopq", weight[:, :, i, j], tap(xp, i, j, *geometry), optimize=True)
    if bias is not None:
        y += bias[:, None, None]
    return y


def conv2d_backward_input(grad_y: np.ndarray, weight: np.ndarray, input_shape: tuple[int, ...], stride: Pair,
                          padding: Pair, dilation: Pair) -> np.ndarray:
    """grad_x (N, C, H, W) of conv2d: each tap sends grad_y back through its weights."""
    out_hw = grad_y.shape[2:]
    geometry = (out_hw, stride, dilation)
    n, c, h, w = input_shape
    grad_xp = np.zeros((n, c) + padded_hw((h, w), weight.shape[2:], out_hw, stride, padding, dilation),
                       grad_y.dtype)
    for i, j in taps(weight.shape[2:]):
        tap(grad_xp, i, j, *geometry)[...] += np.einsum("oc,nopq->ncpq", weight[:, :, i, j], grad_y, optimize=True)
    return grad_xp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


def conv2d_backward_weight(grad_y: np.ndarray, x: np.ndarray, weight_shape: tuple[int, ...], stride: Pair,
                           padding: Pair, dilation: Pair) -> np.ndarray:
    """grad_w (O, C, KH, KW) of conv2d: for each tap, grad_y times the pixels that tap saw."""
    out_hw = grad_y.shape[2:]
    geometry = (out_hw, stride, dilation)
    xp = pad(x, padding, padded_hw(x.shape[2:], weight_shape[2:], out_hw, stride, padding, dilation))
    grad_w = np.empty(weight_shape, grad_y.dtype)
    for i, j in taps(weight_shape[2:]):
        grad_w[:, :, i, j] = np.einsum("nopq,ncpq->oc", grad_y, tap(xp, i, j, *geometry), optimize=True)
    return grad_w


# ---------------------------------------------------------------------------------- pooling

def max_pool2d(x: np.ndarray, kernel_size: Pair, out_hw: Pair, stride: Pair, padding: Pair,
               dilation: Pair) -> tuple[np.ndarray, np.ndarray]:
    """(y, indices) (N, C, OH, OW): each window's max (NaN wins; padding never does) and its flat
    position ``ih * W + iw`` in the (n, c) plane; of equal values the first tap wins."""
    geometry = (out_hw, stride, dilation)
    h, w = x.shape[2:]
    size = padded_hw((h, w), kernel_size, out_hw, stride, padding, dilation)
    xp = pad(x, padding, size, -np.inf)
    positions = pad(np.arange(h * w).reshape(h, w), padding, size, -1)  # -1: a padding cell
    best = np.full(x.shape[:2] + tuple(out_hw), -np.inf, x.dtype)
    best_position = np.full(best.shape, -1, np.int64)
    for i, j in taps(kernel_size):
        value, position = tap(xp, i, j, *geometry), tap(positions, i, j, *geometry)
        take = (position >= 0) & ((best_position < 0) | (value > best) | np.isnan(value))
        best = np.where(take, value, best)
        best_position = np.where(take, position, best_position)
    return best, best_position


def max_pool2d_backward(grad_y: np.ndarray, indices: np.ndarray, input_shape: tuple[int, ...]) -> np.ndarray:
    """grad_x (N, C, H, W): ``grad_x[n, c].flat[indices[n, c]] += grad_y[n, c]``."""
    n, c, h, w = input_shape
    grad_x = np.zeros((n * c, h * w), grad_y.dtype)
    planes = np.arange(n * c)[:, None]
    np.add.at(grad_x, (planes, indices.reshape(n * c, -1)), grad_y.reshape(n * c, -1))
    return grad_x.reshape(input_shape)


def avg_pool2d(x: np.ndarray, kernel_size: Pair, out_hw: Pair, stride: Pair, padding: Pair,
               count_include_pad: bool) -> np.ndarray:
    """y (N, C, OH, OW): each window's sum over the input divided by its divisor (``divisors``)."""
    geometry = (out_hw, stride, (1, 1))
    xp = pad(x, padding, padded_hw(x.shape[2:], kernel_size, out_hw, stride, padding, (1, 1)))
    total = np.zeros(x.shape[:2] + tuple(out_hw), x.dtype)
    for i, j in taps(kernel_size):
        total += tap(xp, i, j, *geometry)
    return total / divisors(x.shape[2:], kernel_size, out_hw, stride, padding, count_include_pad)


def avg_pool2d_backward(grad_y: np.ndarray, input_shape: tuple[int, ...], kernel_size: Pair, stride: Pair,
                        padding: Pair, count_include_pad: bool) -> np.ndarray:
    """grad_x (N, C, H, W): each grad_y value divided by its divisor, added over its window."""
    out_hw = grad_y.shape[2:]
    geometry = (out_hw, stride, (1, 1))
    n, c, h, w = input_shape
    share = grad_y / divisors((h, w), kernel_size, out_hw, stride, padding, count_include_pad)
    grad_xp = np.zeros((n, c) + padded_hw((h, w), kernel_size, out_hw, stride, padding, (1, 1)), grad_y.dtype)
    for i, j in taps(kernel_size):
        tap(grad_xp, i, j, *geometry)[...] += share
    return grad_xp[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]


def divisors(in_hw: Pair, kernel_size: Pair, out_hw: Pair, stride: Pair, padding: Pair,
             count_include_pad: bool) -> np.ndarray:
    """(OH, OW): how many cells each window counts: those inside the input, or with
    count_include_pad those inside the padded input (never the cells only ceil_mode adds). The
    window sum of a mask of ones over the counted cells."""
    geometry = (out_hw, stride, (1, 1))
    (h, w), (ph, pw) = in_hw, padding
    counted = np.ones((h + 2 * ph, w + 2 * pw) if count_include_pad else (h, w), np.int64)
    mask = pad(counted, (0, 0) if count_include_pad else padding,
               padded_hw(in_hw, kernel_size, out_hw, stride, padding, (1, 1)))
    count = np.zeros(out_hw, np.int64)
    for i, j in taps(kernel_size):
        count += tap(mask, i, j, *geometry)
    return count
