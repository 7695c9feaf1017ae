"""Stride-1 convolutions as BLAS matrix products, one per kernel tap (the "blas" kernel choice).

cpu/conv.py computes a stride-1 convolution from patch-matrix rows that are slices of the padded image:
row (c, kh, kw) starts at ``c*Hp*Wp + kh*dh*Wp + kw*dw`` and runs L = OH*Wp columns (the
Wp - OW last columns of each output row are junk, dropped at the end). For one tap (kh, kw) the
C rows of that tap start Hp*Wp apart: together they are a (C, L) matrix with a constant row
stride, ``padded_tap``, which BLAS reads in place with leading dimension Hp*Wp. So, per image::

    acc (O, L)      = sum over taps of  w_tap (O, C) @ padded_tap (C, L)    (forward, grad_x)
    grad_w_tap (O, C) += grad_y (O, L) @ padded_tap.T                       (grad_w)

with ``w_tap = weight[:, :, kh, kw]``: KH*KW gemm calls of blas.py, accumulating (beta = 1).
grad_x is the same stride-1 convolution as in cpu/conv.py (of grad_y, with the flipped, channel-swapped
kernel), so it also runs here, whatever the forward stride. cpu/conv.py's public functions do the
shape work and call ``run_conv``/``weight_grad`` when BLAS is allowed and ``suits`` says so.
Threads take whole images and BLAS runs single-threaded in each (``setter``, see blas.py).

The last tap reads up to (KW-1)*dw elements past the last channel's plane (junk columns only):
the padded buffer has that many extra zeros at its end.
"""
from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange

from ..scratch import buffer, copy_rows, place, zero
from .blas import KIND, can_set_threads, gemm, set_blas_threads, thread_setter

Pair = tuple[int, int]

MIN_CHANNELS = 8  # fewer input channels make each tap's gemm too thin for BLAS: conv.py is faster


def suits(batch: int, in_channels: int, stride: Pair) -> bool:
    """True when these kernels beat conv.py's: stride 1, enough channels, an image per thread,
    and a BLAS that the kernels can keep on one thread."""
    return (tuple(stride) == (1, 1) and in_channels >= MIN_CHANNELS and batch >= get_num_threads()
            and can_set_threads())


def run_conv(images: np.ndarray, weight: np.ndarray, bias: np.ndarray, placement: tuple, padded_hw: Pair,
             out_hw: Pair, dilation: Pair, y: np.ndarray) -> np.ndarray:
    """conv.py's ``_run_conv`` for stride 1, by BLAS: the images each placed into a zero
    (C, *padded_hw) plane by placement (see scratch.place), convolved with weight (O, C, KH, KW),
    plus bias, into y (N, O, *out_hw); returns y."""
    n, c = images.shape[:2]
    o, _, kh, kw = weight.shape
    w_taps = np.ascontiguousarray(weight.transpose(2, 3, 0, 1)).reshape(kh * kw, o, c)
    threads = get_num_threads()
    padded = buffer("taps_padded", (threads, _padded_size(c, padded_hw, kw, dilation)), images.dtype)
    acc = buffer("taps_acc", (threads, o * out_hw[0] * padded_hw[1]), images.dtype)
    _conv_kernel(KIND[images.dtype], images, w_taps, bias, y.reshape(n, o, out_hw[0] * out_hw[1]), padded, acc,
                 placement, padded_hw, out_hw, dilation, (kh, kw), thread_setter())
    return y


def weight_grad(grad_out: np.ndarray, x: np.ndarray, padding: Pair, padded_hw: Pair, dilation: Pair,
                grad_w: np.ndarray) -> np.ndarray:
    """grad_w (O, C, KH, KW) of a stride-1 convolution by BLAS, from grad_out (N, O, OH, OW) and
    x (N, C, H, W), zero-padded by padding to padded_hw; written into grad_w, returned."""
    o, c, kh, kw = grad_w.shape
    n, _, oh, ow = grad_out.shape
    threads = get_num_threads()
    padded = buffer("taps_padded", (threads, _padded_size(c, padded_hw, kw, dilation)), x.dtype)
    grad_rows = buffer("taps_grad", (threads, o * oh * padded_hw[1]), x.dtype)
    partial = buffer("taps_partial", (threads, kh * kw, o, c), x.dtype)
    _weight_grad_kernel(KIND[x.dtype], grad_out.reshape(n, o, oh * ow), x, grad_w.reshape(o, c, kh * kw), padded,
                        grad_rows, partial, padding + (1, 1), padded_hw, (oh, ow), dilation, (kh, kw), thread_setter())
    return grad_w


def _padded_size(channels: int, padded_hw: Pair, kernel_w: int, dilation: Pair) -> int:
    """Elements of one padded buffer: the planes, plus the zeros the last tap reads past them."""
    return channels * padded_hw[0] * padded_hw[1] + (kernel_w - 1) * dilation[1]


@njit(parallel=True, nogil=True, cache=True)
def _conv_kernel(kind, images, w_taps, bias, y, padded, acc, placement, padded_hw, out_hw, dilation,
                 kernel_hw, setter):
    """y (N, O, OH*OW) = convolution of the placed images with w_taps (KH*KW, O, C), plus bias:

        for n in images, split across threads:
            padded = images[n] placed into zeros
            acc = sum(w_taps[tap] @ padded_tap for tap in taps)      # (O, OH*Wp), BLAS
            y[n] = bias + acc without its junk columns

    with SciPy's OpenBLAS on one thread meanwhile (``setter`` is ``blas.thread_setter()``).
    """
    n_images, channels = images.shape[:2]
    n_out = w_taps.shape[1]
    plane, width, length = _geometry(padded_hw, out_hw)
    threads = padded.shape[0]
    weights = w_taps.reshape(-1)
    before = set_blas_threads(setter, 1)
    for t in prange(threads):
        zero(padded[t])
        planes = padded[t, :channels * plane].reshape(channels, padded_hw[0], padded_hw[1])
        for n in range(t * n_images // threads, (t + 1) * n_images // threads):
            place(images[n], planes, placement)
            for tap in range(w_taps.shape[0]):
                start = _tap_start(tap, kernel_hw, dilation, width)
                gemm(kind, n_out, length, channels, weights, tap * n_out * channels, channels, 1,
                     padded[t], start, plane, 1, acc[t], 0, length, tap > 0)
            for o in range(n_out):
                out = y[n, o]
                copy_rows(acc[t, o * length:], width, out, out_hw[1], out_hw[0], out_hw[1])
                _add(out, bias[o])
    set_blas_threads(setter, before)


@njit(parallel=True, nogil=True, cache=True)
def _weight_grad_kernel(kind, grad_y, x, grad_w, padded, grad_rows, partial, placement, padded_hw, out_hw,
                        dilation, kernel_hw, setter):
    """grad_w (O, C, KH*KW) from grad_y (N, O, OH*OW) and x (N, C, H, W):

        for n in images, split across threads:
            padded = x[n] placed into zeros
            grad = grad_y[n] laid out like acc above (O, OH*Wp), zeros in the junk columns
            partial[thread, tap] += grad @ padded_tap.T     for every tap   # (O, C), BLAS
        grad_w[:, :, tap] = sum of the partials

    with SciPy's OpenBLAS on one thread meanwhile (``setter`` is ``blas.thread_setter()``).
    """
    n_images, channels = x.shape[:2]
    n_out = grad_y.shape[1]
    plane, width, length = _geometry(padded_hw, out_hw)
    threads = padded.shape[0]
    before = set_blas_threads(setter, 1)
    for t in prange(threads):
        zero(padded[t])
        zero(grad_rows[t])
        part = partial[t].reshape(-1)
        zero(part)
        planes = padded[t, :channels * plane].reshape(channels, padded_hw[0], padded_hw[1])
        for n in range(t * n_images // threads, (t + 1) * n_images // threads):
            place(x[n], planes, placement)
            for o in range(n_out):
                copy_rows(grad_y[n, o], out_hw[1], grad_rows[t, o * length:], width, out_hw[0], out_hw[1])
            for tap in range(kernel_hw[0] * kernel_hw[1]):
                start = _tap_start(tap, kernel_hw, dilation, width)
                gemm(kind, n_out, channels, length, grad_rows[t], 0, length, 1,
                     padded[t], start, 1, plane, part, tap * n_out * channels, channels, True)
    set_blas_threads(setter, before)
    for o in range(n_out):
        for c in range(channels):
            for tap in range(kernel_hw[0] * kernel_hw[1]):
                total = partial[0, tap, o, c]
                for t in range(1, threads):
                    total += partial[t, tap, o, c]
                grad_w[o, c, tap] = total


@njit(cache=True)
def _geometry(padded_hw, out_hw):
    """(plane, width, length): elements of one padded channel, of one padded row, and of one
    channel's output with its junk columns (OH rows of the padded width)."""
    return padded_hw[0] * padded_hw[1], padded_hw[1], out_hw[0] * padded_hw[1]


@njit(cache=True)
def _tap_start(tap, kernel_hw, dilation, width):
    """Where tap (kh, kw) = divmod(tap, KW) starts reading a padded channel: kh*dh rows and kw*dw
    columns in."""
    return tap // kernel_hw[1] * dilation[0] * width + tap % kernel_hw[1] * dilation[1]


@njit(cache=True)
def _add(dst, value):
    """dst[i] += value for i in range(len(dst))."""
    for i in range(dst.shape[0]):
        dst[i] += value
