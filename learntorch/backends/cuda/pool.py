"""2-D max and average pooling on the GPU, NCHW, forward and backward.

x is viewed as ``planes = N * C`` images of (H, W); y as planes of (OH, OW). The forward runs
one thread per output pixel::

    for p, oh, ow:                                   # in parallel
        window = the (ih, iw) = (oh*sh - ph + i*dh, ow*sw - pw + j*dw) inside the input
        max:  y[p, oh, ow] = max of x[p, window];  indices[p, oh, ow] = ih * W + iw of that max
        avg:  y[p, oh, ow] = sum of x[p, window] / divisor

The backward sends each grad_y value back to the input pixels it came from::

    max:  grad_x[p, indices[p, oh, ow]] += grad_y[p, oh, ow]
    avg:  grad_x[p, ih, iw] += grad_y[p, oh, ow] / divisor      for (ih, iw) in the window

Windows overlap when the stride is smaller than the kernel, so two threads may add into the
same grad_x pixel at once: ``cuda.atomic.add`` keeps both adds. grad_x starts as zeros.
"""
from __future__ import annotations

import math

from numba import cuda


@cuda.jit(device=True)
def output_pixel(idx, H, W, OH, OW):
    """(oh, ow, base): the row and column of output pixel ``idx`` and where its plane starts in x."""
    return (idx // OW) % OH, idx % OW, (idx // (OW * OH)) * H * W


@cuda.jit
def max_pool2d_kernel(y, indices, x, H, W, OH, OW, kernel, stride, padding, dilation):
    """y[p, oh, ow] = max of the window in x[p]; indices[p, oh, ow] = ih * W + iw of that max."""
    for idx in range(cuda.grid(1), y.size, cuda.gridsize(1)):
        oh, ow, base = output_pixel(idx, H, W, OH, OW)
        best = -math.inf
        best_index = -1
        for i in range(kernel[0]):
            ih = oh * stride[0] - padding[0] + i * dilation[0]
            if ih < 0 or ih >= H:
                continue
            for j in range(kernel[1]):
                iw = ow * stride[1] - padding[1] + j * dilation[1]
                if iw < 0 or iw >= W:
                    continue
                value = x[base + ih * W + iw]
                # the first tap inside the input always counts, even if it is -inf; NaN wins
                if value > best or value != value or best_index < 0:
                    best = value
                    best_index = ih * W + iw
        y[idx] = best
        indices[idx] = best_index


@cuda.jit
def max_pool2d_backward_kernel(gx, gy, indices, HW, OHW):
    """gx[p, indices[p, q]] += gy[p, q] for every plane p and output pixel q (gx starts at 0)."""
    for idx in range(cuda.grid(1), gy.size, cuda.gridsize(1)):
        cuda.atomic.add(gx, (idx // OHW) * HW + indices[idx], gy[idx])


@cuda.jit(device=True)
def avg_window(out_index, kernel, stride, pad, size):
    """(start, stop, padded_length) of an output position's window in one dimension: its cells
    inside the input are range(start, stop); padded_length counts those inside the padded input."""
    start = out_index * stride - pad
    stop = start + kernel if start + kernel < size + pad else size + pad
    return (start if start > 0 else 0), (stop if stop < size else size), stop - start


@cuda.jit(device=True)
def avg_pixel(idx, H, W, OH, OW, kernel, stride, padding, count_include_pad):
    """(base, h0, h1, w0, w1, divisor) of output pixel ``idx``: where its plane starts in x, its
    window inside the input (rows h0:h1, columns w0:w1) and what the window's sum is divided by."""
    oh, ow, base = output_pixel(idx, H, W, OH, OW)
    h0, h1, padded_h = avg_window(oh, kernel[0], stride[0], padding[0], H)
    w0, w1, padded_w = avg_window(ow, kernel[1], stride[1], padding[1], W)
    divisor = padded_h * padded_w if count_include_pad else (h1 - h0) * (w1 - w0)
    return base, h0, h1, w0, w1, divisor


@cuda.jit
def avg_pool2d_kernel(y, x, H, W, OH, OW, kernel, stride, padding, count_include_pad):
    """y[p, oh, ow] = sum of x[p] over the window inside the input / the window's divisor."""
    for idx in range(cuda.grid(1), y.size, cuda.gridsize(1)):
        base, h0, h1, w0, w1, divisor = avg_pixel(idx, H, W, OH, OW, kernel, stride, padding, count_include_pad)
        total = y.dtype.type(0)
        for ih in range(h0, h1):
            for iw in range(w0, w1):
                total += x[base + ih * W + iw]
        y[idx] = total / divisor


@cuda.jit
def avg_pool2d_backward_kernel(gx, gy, H, W, OH, OW, kernel, stride, padding, count_include_pad):
    """gx[p, ih, iw] += gy[p, oh, ow] / divisor for every (ih, iw) of the window (gx starts at 0)."""
    for idx in range(cuda.grid(1), gy.size, cuda.gridsize(1)):
        base, h0, h1, w0, w1, divisor = avg_pixel(idx, H, W, OH, OW, kernel, stride, padding, count_include_pad)
        share = gy[idx] / divisor
        for ih in range(h0, h1):
            for iw in range(w0, w1):
                cuda.atomic.add(gx, base + ih * W + iw, share)
