"""2-D max and average pooling on raw NumPy arrays, NCHW, with PyTorch's semantics.

Each (n, c) plane of x (N, C, H, W) is pooled on its own. With (kh, kw) = kernel_size,
(sh, sw) = stride, (ph, pw) = padding, (dh, dw) = dilation, output pixel (oh, ow) looks at the
window of input pixels

    ih = oh*sh - ph + i*dh   for i in range(kh)      (average pooling: dh = dw = 1)
    iw = ow*sw - pw + j*dw   for j in range(kw)

and max pooling computes, as this plain-Python loop does:

    for n, c, oh, ow:
        best, best_index = -inf, None
        for ih, iw in the window, skipping positions outside the input (padding counts as -inf):
            value = x[n, c, ih, iw]
            if best_index is None or value > best or isnan(value):   # NaN wins, as in torch
                best, best_index = value, ih * W + iw
        y[n, c, oh, ow], indices[n, c, oh, ow] = best, best_index

while average pooling computes

    y[n, c, oh, ow] = sum(x[n, c, ih, iw] for ih, iw in the window inside the input) / divisor

where divisor counts the window's cells inside the input (count_include_pad=False) or inside the
padded input (count_include_pad=True; cells that only ceil_mode added are never counted).

Output size: OH = floor((H + 2*ph - dh*(kh - 1) - 1) / sh) + 1, or ceil(...) with ceil_mode, in
which case a last window that would start in the right padding is dropped
(backends/common/shapes.py). The arguments come checked by the ops layer (ops/pool.py): the
kernels check nothing.

The backward kernels send each grad_y value back to where it came from: max pooling adds it to
the winning input pixel, average pooling spreads grad_y / divisor over the window.
The kernels run in parallel over the N*C planes, which never write to each other's memory.
"""

import numpy as np
from numba import njit, prange

from ..common.shapes import Pair, pool2d_output_hw


def max_pool2d_forward(x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair,
                       dilation: Pair, ceil_mode: bool) -> tuple[np.ndarray, np.ndarray]:
    """(y, indices) for x (N, C, H, W): y (N, C, OH, OW) of x's dtype, and indices (N, C, OH, OW)
    int64 holding, per output pixel, the flat index ih*W + iw of its max inside its (n, c) plane."""
    n, c, h, w = x.shape
    oh, ow = pool2d_output_hw((h, w), kernel_size, stride, padding, dilation, ceil_mode)
    y, indices = np.empty((n, c, oh, ow), x.dtype), np.empty((n, c, oh, ow), np.int64)
    max_pool2d_into(x, y, indices, kernel_size, stride, padding, dilation)
    return y, indices


def max_pool2d_into(x: np.ndarray, y: np.ndarray, indices: np.ndarray, kernel_size: Pair, stride: Pair,
                    padding: Pair, dilation: Pair) -> None:
    """max_pool2d_forward into given C-contiguous outputs y and indices (N, C, OH, OW)."""
    x = np.ascontiguousarray(x)
    n, c, h, w = x.shape
    oh, ow = y.shape[2:]
    _max_pool_kernel(x.reshape(n * c, h, w), y.reshape(n * c, oh, ow), indices.reshape(n * c, oh, ow),
                     _pair(kernel_size), _pair(stride), _pair(padding), _pair(dilation))


def max_pool2d_backward(grad_out: np.ndarray, indices: np.ndarray,
                        input_shape: tuple[int, ...]) -> np.ndarray:
    """grad_x (N, C, H, W): each grad_out value added to the input pixel its indices entry names.

    indices must come from max_pool2d_forward on an input of input_shape, grad_out has their shape."""
    grad_x = np.empty(tuple(int(s) for s in input_shape), grad_out.dtype)
    max_pool2d_backward_into(grad_out, indices, grad_x)
    return grad_x


def max_pool2d_backward_into(grad_out: np.ndarray, indices: np.ndarray, grad_x: np.ndarray) -> None:
    """max_pool2d_backward into a given C-contiguous grad_x (N, C, H, W)."""
    grad_out = np.ascontiguousarray(grad_out)
    n, c, h, w = grad_x.shape
    planes, pixels = n * c, grad_out.shape[2] * grad_out.shape[3]
    _max_pool_backward_kernel(grad_out.reshape(planes, pixels),
                              np.ascontiguousarray(indices, np.int64).reshape(planes, pixels),
                              grad_x.reshape(planes, h * w))


def avg_pool2d_forward(x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair,
                       ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
    """y (N, C, OH, OW) of x's dtype: the mean over each pooling window of x (N, C, H, W)."""
    n, c, h, w = x.shape
    oh, ow = pool2d_output_hw((h, w), kernel_size, stride, padding, (1, 1), ceil_mode)
    y = np.empty((n, c, oh, ow), x.dtype)
    avg_pool2d_into(x, y, kernel_size, stride, padding, count_include_pad)
    return y


def avg_pool2d_into(x: np.ndarray, y: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair,
                    count_include_pad: bool) -> None:
    """avg_pool2d_forward into a given C-contiguous y (N, C, OH, OW)."""
    x = np.ascontiguousarray(x)
    n, c, h, w = x.shape
    _avg_pool_kernel(x.reshape(n * c, h, w), y.reshape((n * c,) + y.shape[2:]), _pair(kernel_size), _pair(stride),
                     _pair(padding), bool(count_include_pad))


def avg_pool2d_backward(grad_out: np.ndarray, input_shape: tuple[int, ...], kernel_size: Pair,
                        stride: Pair, padding: Pair, ceil_mode: bool,
                        count_include_pad: bool) -> np.ndarray:
    """grad_x (N, C, H, W): each grad_out value divided by its window's divisor and added to every
    input pixel of the window."""
    grad_x = np.empty(tuple(int(s) for s in input_shape), grad_out.dtype)
    avg_pool2d_backward_into(grad_out, grad_x, kernel_size, stride, padding, count_include_pad)
    return grad_x


def avg_pool2d_backward_into(grad_out: np.ndarray, grad_x: np.ndarray, kernel_size: Pair, stride: Pair,
                             padding: Pair, count_include_pad: bool) -> None:
    """avg_pool2d_backward into a given C-contiguous grad_x (N, C, H, W)."""
    grad_out = np.ascontiguousarray(grad_out)
    n, c, h, w = grad_x.shape
    _avg_pool_backward_kernel(grad_out.reshape((n * c,) + grad_out.shape[2:]), grad_x.reshape(n * c, h, w),
                              _pair(kernel_size), _pair(stride), _pair(padding), bool(count_include_pad))


# ---------------------------------------------------------------------------------- kernels

@njit(parallel=True, cache=True)
def _max_pool_kernel(x, y, indices, kernel_size, stride, padding, dilation):
    """For each plane p (in parallel) and output pixel (oh, ow) of y (planes, OH, OW):
    y[p, oh, ow] = max of x[p] over the window, indices[p, oh, ow] = ih*W + iw of that max."""
    height, width = x.shape[1], x.shape[2]
    for p in prange(x.shape[0]):
        plane, y_plane, index_plane = x[p], y[p], indices[p]
        for oh in range(y.shape[1]):
            for ow in range(y.shape[2]):
                # np.float32: numba widens it to float64 for float64 data
                best, best_index = np.float32(-np.inf), -1
                for i in range(kernel_size[0]):
                    ih = oh * stride[0] - padding[0] + i * dilation[0]
                    if ih < 0 or ih >= height:
                        continue
                    row = plane[ih]
                    for j in range(kernel_size[1]):
                        iw = ow * stride[1] - padding[1] + j * dilation[1]
                        if iw < 0 or iw >= width:
                            continue
                        value = row[iw]
                        # The first tap inside the input always counts, even if it is -inf.
                        # Bitwise | and conditional expressions compile to branch-free code.
                        take = (best_index < 0) | (value > best) | np.isnan(value)
                        best = value if take else best
                        best_index = ih * width + iw if take else best_index
                y_plane[oh, ow] = best
                index_plane[oh, ow] = best_index


@njit(parallel=True, cache=True)
def _max_pool_backward_kernel(grad_y, indices, grad_x):
    """grad_x[p] = 0, then grad_x[p, indices[p, q]] += grad_y[p, q] for every plane p (in parallel)
    and output pixel q (grad_y and indices are (planes, OH*OW), grad_x is (planes, H*W))."""
    for p in prange(grad_x.shape[0]):
        grad_x[p] = 0
        for q in range(grad_y.shape[1]):
            grad_x[p, indices[p, q]] += grad_y[p, q]


@njit(parallel=True, cache=True)
def _avg_pool_kernel(x, y, kernel_size, stride, padding, count_include_pad):
    """For each plane p (in parallel) and output pixel (oh, ow) of y (planes, OH, OW):
    y[p, oh, ow] = sum of x[p] over the window inside the input / the window's divisor."""
    height, width = x.shape[1], x.shape[2]
    for p in prange(x.shape[0]):
        plane = x[p]
        for oh in range(y.shape[1]):
            h0, h1, padded_h = _avg_window(oh, kernel_size[0], stride[0], padding[0], height)
            out = y[p, oh]
            for ow in range(y.shape[2]):
                w0, w1, padded_w = _avg_window(ow, kernel_size[1], stride[1], padding[1], width)
                total = np.float32(0.0)  # widened to float64 for float64 data
                for ih in range(h0, h1):
                    row = plane[ih]
                    for iw in range(w0, w1):
                        total += row[iw]
                divisor = padded_h * padded_w if count_include_pad else (h1 - h0) * (w1 - w0)
                out[ow] = total / divisor


@njit(parallel=True, cache=True)
def _avg_pool_backward_kernel(grad_y, grad_x, kernel_size, stride, padding, count_include_pad):
    """grad_x[p] = 0, then for each output pixel (oh, ow) of plane p (in parallel):
    grad_x[p, ih, iw] += grad_y[p, oh, ow] / divisor for every (ih, iw) of its window inside the
    input."""
    height, width = grad_x.shape[1], grad_x.shape[2]
    for p in prange(grad_x.shape[0]):
        plane = grad_x[p]
        plane[:, :] = 0
        for oh in range(grad_y.shape[1]):
            h0, h1, padded_h = _avg_window(oh, kernel_size[0], stride[0], padding[0], height)
            grad_row = grad_y[p, oh]
            for ow in range(grad_y.shape[2]):
                w0, w1, padded_w = _avg_window(ow, kernel_size[1], stride[1], padding[1], width)
                divisor = padded_h * padded_w if count_include_pad else (h1 - h0) * (w1 - w0)
                share = grad_row[ow] / divisor
                for ih in range(h0, h1):
                    row = plane[ih]
                    for iw in range(w0, w1):
                        row[iw] += share


# ---------------------------------------------------------------------------------- helpers

@njit(cache=True)
def _avg_window(out_index, kernel, stride, pad, size):
    """(start, stop, padded_length) of output position out_index's window in one dimension:
    range(start, stop) are its cells inside the input, padded_length counts its cells inside the
    padded input (the count_include_pad divisor)."""
    start = out_index * stride - pad
    stop = min(start + kernel, size + pad)
    padded_length = stop - start
    return max(start, 0), min(stop, size), padded_length


def _pair(value: Pair) -> Pair:
    """(int, int) from a pair of ints; plain ints keep one compiled signature per dtype."""
    first, second = value
    return int(first), int(second)
