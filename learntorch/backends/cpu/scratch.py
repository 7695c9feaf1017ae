"""Scratch buffers and the copy loops that fill them, shared by the convolution kernels (conv.py
and fast/conv_blas.py).

Both pad each image into a zero-bordered scratch plane first (``place``), so that no later loop
has to ask "is this pixel inside the input?", and copy result rows out of a wider scratch buffer
(``copy_rows``). The buffers are kept between calls, one set per Python thread (``buffer``): a
fresh multi-megabyte temporary on every call would cost page faults on every training step.

A rule for the copy loops: loop from 0 over 1-D views (as ``copy`` does). The compiler vectorises
those; with other index arithmetic it must allow for negative, wrapping indices and does not.
"""
import threading

import numpy as np
from numba import njit

_buffers = threading.local()


def buffer(name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A scratch array of this shape, reused across calls from the same Python thread.

    Each (name, dtype) keeps one flat buffer that only grows, so the steady state allocates
    nothing."""
    buffers = _buffers.__dict__.setdefault("buffers", {})
    size = int(np.prod(shape))
    flat = buffers.get((name, dtype))
    if flat is None or flat.size < size:
        flat = np.empty(size, dtype)
        buffers[(name, dtype)] = flat
    return flat[:size].reshape(shape)


@njit(cache=True)
def place(chw, padded, placement):
    """padded[c, top + h*step_h, left + w*step_w] = chw[c, h, w] for the (h, w) that land inside
    padded, where placement = (top, left, step_h, step_w); other cells of padded are left alone."""
    top, left, step_h, step_w = placement
    n_channels, height, width = chw.shape
    lo, hi = valid_range(left, step_w, padded.shape[2], width)
    for c in range(n_channels):
        for h in range(height):
            row = top + h * step_h
            if row < 0 or row >= padded.shape[1]:
                continue
            src, dst = chw[c, h, lo:hi], padded[c, row, left + lo * step_w:]
            if step_w == 1:
                copy(src, dst[:hi - lo])
            else:
                spread(src, dst, step_w)


@njit(cache=True)
def valid_range(offset, step, size, count):
    """The i in [lo, hi) (within range(count)) for which offset + i*step lies inside [0, size)."""
    lo = min(max(0, -(offset // step)), count)  # -(a // s) is ceil(-a / s)
    hi = max(lo, min(count, (size - 1 - offset) // step + 1))
    return lo, hi


@njit(cache=True)
def copy(src, dst):
    """dst[i] = src[i] for i in range(len(dst))."""
    for i in range(dst.shape[0]):
        dst[i] = src[i]


@njit(cache=True)
def copy_rows(src, src_pitch, dst, dst_pitch, rows, width):
    """dst[r*dst_pitch + i] = src[r*src_pitch + i] for r in range(rows), i in range(width)."""
    for r in range(rows):
        copy(src[r * src_pitch:r * src_pitch + width], dst[r * dst_pitch:r * dst_pitch + width])


@njit(cache=True)
def spread(src, dst, step):
    """dst[i * step] = src[i] for i in range(len(src)); not vectorised (for stride > 1)."""
    for i in range(src.shape[0]):
        dst[i * step] = src[i]


@njit(cache=True)
def zero(dst):
    """dst[i] = 0 for i in range(len(dst))."""
    for i in range(dst.shape[0]):
        dst[i] = 0
