"""2-D convolution (groups=1) on raw NumPy arrays: the forward pass and the three gradients.

Arrays are NCHW at the interface, like PyTorch: x (N, C, H, W), weight (O, C, KH, KW), bias (O,),
y (N, O, OH, OW) with OH = (H + 2*ph - dh*(KH - 1) - 1) // sh + 1 (the same for W), where
(sh, sw) = stride, (ph, pw) = padding, (dh, dw) = dilation. Every kernel here computes, much faster,
what this plain-Python loop computes:

    for n in range(N):
        for o in range(O):
            for oh in range(OH):
                for ow in range(OW):
                    total = bias[o]
                    for c in range(C):
                        for kh in range(KH):
                            for kw in range(KW):
                                ih = oh * sh - ph + kh * dh     # the input pixel tap (kh, kw) sees
                                iw = ow * sw - pw + kw * dw
                                if 0 <= ih < H and 0 <= iw < W:  # outside the input: zero padding
                                    total += x[n, c, ih, iw] * weight[o, c, kh, kw]
                    y[n, o, oh, ow] = total

The gradients walk the same loop and move the product's factors around:

    grad_x[n, c, ih, iw]  += grad_y[n, o, oh, ow] * weight[o, c, kh, kw]
    grad_w[o, c, kh, kw]  += grad_y[n, o, oh, ow] * x[n, c, ih, iw]
    grad_b[o]             += grad_y[n, o, oh, ow]

How it is made fast ("im2col" + register-blocked matrix products):
  * Pad first: copy each image into a zero-bordered scratch array, so that no later loop has to
    ask "is this pixel inside the input?".
  * Unroll ("im2col"): column q of a patch matrix cols (K, pixels) holds the K = C*KH*KW input
    values that output pixel q sees. Then y[n] = bias + w_rows @ cols with the weight reshaped to
    w_rows (O, K): the convolution has become a matrix product.
  * With stride 1, give the patch matrix one column per pixel of the padded width (Wp per output
    row instead of OW): each row of cols is then ONE contiguous run of the padded image. So it
    need not be copied at all: the matrix products take each row of their right-hand matrix as a
    slice src[start:start + length] of a flat buffer, and for stride 1 that buffer is the padded
    image itself ("im2col without the copy"). The Wp - OW extra columns per output row are junk,
    computed and dropped (7% extra work for a 28x28 image with padding 1). Other strides copy
    the patch matrix into a scratch buffer first.
  * The patch matrix of a whole batch is huge (58 MB for a 64x32x28x28 input and a 3x3 kernel), so
    each thread builds it a few output rows (a "tile") at a time into a small scratch buffer that
    stays in cache, and multiplies it at once.
  * The matrix products use 4x4 register blocks (16 numbers held in registers while a loop runs)
    whose loops the compiler vectorises into AVX fused multiply-adds.
  * Work is cut into (image, tile) units and each thread takes a contiguous range of them, so a
    batch of 64 keeps both cores busy and a single image is split across them too.
  * grad_x is itself a convolution: of grad_y, spread out with stride-1 zeros between its pixels
    and padded by dilation*(kernel-1) - padding, with the kernel flipped and its in/out channels
    swapped. It runs through the very same kernel as the forward pass.
  * grad_w = grad_y[n] @ cols.T summed over images: the same patch matrix, but the sums now run
    over pixels (junk columns meet zeros in grad_y's copy). Each thread adds into its own partial
    grad_w; the partials are added at the end.
  * Scratch buffers are kept between calls (one set per Python thread, see scratch.py): a fresh
    multi-megabyte temporary on every call would cost page faults on every training step.

For callers: float32 or float64 arrays of any memory layout (non-contiguous ones are copied
first), of shapes that the ops layer has checked (ops/conv.py): the kernels check nothing; every
call returns new arrays. With ``blas=True`` stride-1 convolutions run as BLAS matrix products
where that is faster (fast/conv_blas.py, the speed path). Kernels compile on first use, once
per dtype, and are cached on disk (cache=True).
"""

import numpy as np
from numba import get_num_threads, njit, prange

from ..common.shapes import conv2d_output_hw
from .fast import conv_blas
from .scratch import buffer, copy_rows, place, zero

Pair = tuple[int, int]

# Reordering sums lets them vectorise; contraction fuses multiply + add into one FMA.
_FASTMATH = {"reassoc", "contract"}
# Patch-matrix tile sizes, in elements: 512 KB (forward, grad_x) and 1 MB (grad_w) of float32,
# which stay in L2. Longer tiles mean longer vectorised loops in the matrix products, which ran
# faster on the CNN's shapes (measured), until the tile no longer fits in L2.
_TILE_ELEMENTS = 1 << 17
_WEIGHT_TILE_ELEMENTS = 1 << 18

def conv2d_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                   stride: Pair, padding: Pair, dilation: Pair, blas: bool = False,
                   out: np.ndarray | None = None) -> np.ndarray:
    """y = conv2d(x, weight, bias): x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None.

    Returns y (N, O, OH, OW) of x's dtype (float32 or float64): ``out`` if given (C-contiguous),
    else a new array. With ``blas``, the matrix products run in BLAS (fast/conv_blas.py) where
    that is faster."""
    x, weight = _as_float_arrays(x, weight)
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, c, h, w = x.shape
    o, _, kh, kw = weight.shape
    out_hw = conv2d_output_hw((h, w), (kh, kw), stride, padding, dilation)
    bias = np.zeros(o, x.dtype) if bias is None else np.ascontiguousarray(bias, x.dtype)
    padded_hw = (h + 2 * padding[0], w + 2 * padding[1])
    y = np.empty((n, o) + out_hw, x.dtype) if out is None else out
    if blas and conv_blas.suits(n, c, stride):
        return conv_blas.run_conv(x, weight, bias, padding + (1, 1), padded_hw, out_hw, dilation, y)
    return _run_conv(x, weight.reshape(o, c * kh * kw), bias, padding + (1, 1), padded_hw, out_hw,
                     stride, dilation, (kh, kw), y)


def conv2d_backward_input(grad_out: np.ndarray, weight: np.ndarray, input_shape: tuple[int, ...],
                          stride: Pair, padding: Pair, dilation: Pair, blas: bool = False,
                          out: np.ndarray | None = None) -> np.ndarray:
    """grad_x (N, C, H, W) of y = conv2d(x, weight) given grad_out = dL/dy (N, O, OH, OW), into
    ``out`` if given.

    Computed as a stride-1 convolution of grad_out, spread out by the stride and padded, with the
    flipped, channel-swapped kernel w_flip[c, o, i, j] = weight[o, c, KH-1-i, KW-1-j]; with
    ``blas``, in BLAS where that is faster (whatever the forward stride)."""
    grad_out, weight = _as_float_arrays(grad_out, weight)
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, c, h, w = (int(s) for s in input_shape)
    o, _, kh, kw = weight.shape
    w_flip = np.ascontiguousarray(weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    reach_h, reach_w = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
    # grad_out[:, :, i, j] goes to row reach_h - ph + i*sh, column reach_w - pw + j*sw.
    placement = (reach_h - padding[0], reach_w - padding[1]) + stride
    padded_hw = (h + reach_h, w + reach_w)
    grad_x = np.empty((n, c, h, w), grad_out.dtype) if out is None else out
    if blas and conv_blas.suits(n, o, (1, 1)):
        return conv_blas.run_conv(grad_out, w_flip, np.zeros(c, grad_out.dtype), placement, padded_hw, (h, w),
                                  dilation, grad_x)
    return _run_conv(grad_out, w_flip.reshape(c, o * kh * kw), np.zeros(c, grad_out.dtype),
                     placement, padded_hw, (h, w), (1, 1), dilation, (kh, kw), grad_x)


def conv2d_backward_weight(grad_out: np.ndarray, x: np.ndarray, weight_shape: tuple[int, ...],
                           stride: Pair, padding: Pair, dilation: Pair, blas: bool = False,
                           out: np.ndarray | None = None) -> np.ndarray:
    """grad_w (O, C, KH, KW) of y = conv2d(x, weight) given grad_out = dL/dy (N, O, OH, OW), into
    ``out`` if given; with ``blas``, in BLAS where that is faster."""
    grad_out, x = _as_float_arrays(grad_out, x)
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    o, c, kh, kw = (int(s) for s in weight_shape)
    n, _, h, w = x.shape
    oh, ow = grad_out.shape[2:]
    k = c * kh * kw
    padded_hw = (h + 2 * padding[0], w + 2 * padding[1])
    grad_w = np.empty((o, c, kh, kw), x.dtype) if out is None else out
    if blas and conv_blas.suits(n, c, stride):
        return conv_blas.weight_grad(grad_out, x, padding, padded_hw, dilation, grad_w)
    pitch = _pitch(stride, padded_hw[1], ow)
    tile_rows = _tile_rows(oh, pitch, k, _WEIGHT_TILE_ELEMENTS)
    threads = get_num_threads()
    padded = buffer("padded", (threads, c) + padded_hw, x.dtype)
    cols = buffer("cols", (threads, k * tile_rows * pitch), x.dtype)
    starts = buffer("starts", (threads, k), np.int64)
    grad_tile = buffer("acc", (threads, o * tile_rows * pitch), x.dtype)
    partial = buffer("partial", (threads, o, k), x.dtype)
    _weight_grad_kernel(grad_out.reshape(n, o, oh * ow), x, grad_w.reshape(o, k), padded, cols, starts,
                        grad_tile, partial, padding + (1, 1), stride, dilation, (kh, kw), (oh, ow),
                        tile_rows, pitch)
    return grad_w


def conv2d_backward_bias(grad_out: np.ndarray) -> np.ndarray:
    """grad_b (O,) = grad_out summed over batch, height and width (grad_out is (N, O, OH, OW))."""
    (grad_out,) = _as_float_arrays(grad_out)
    n, o, oh, ow = grad_out.shape
    grad_b = np.empty(o, grad_out.dtype)
    _bias_grad_kernel(grad_out.reshape(n, o, oh * ow), grad_b)
    return grad_b


def _run_conv(images: np.ndarray, w_rows: np.ndarray, bias: np.ndarray, placement: tuple,
              padded_hw: Pair, out_hw: Pair, stride: Pair, dilation: Pair,
              kernel_hw: Pair, y: np.ndarray) -> np.ndarray:
    """Convolution of the images, each placed into a zero (C, *padded_hw) plane by placement (see
    place), with w_rows (O, C*KH*KW) and bias, into y (N, O, *out_hw); returns y."""
    n, c = images.shape[:2]
    o, k = w_rows.shape
    pitch = _pitch(stride, padded_hw[1], out_hw[1])
    tile_rows = _tile_rows(out_hw[0], pitch, k, _TILE_ELEMENTS)
    threads = get_num_threads()
    padded = buffer("padded", (threads, c) + padded_hw, images.dtype)
    cols = buffer("cols", (threads, k * tile_rows * pitch), images.dtype)
    starts = buffer("starts", (threads, k), np.int64)
    acc = buffer("acc", (threads, o * tile_rows * pitch), images.dtype)
    _conv_kernel(images, w_rows, bias, y.reshape(n, o, out_hw[0] * out_hw[1]), padded, cols,
                 starts, acc, placement, stride, dilation, kernel_hw, out_hw, tile_rows, pitch)
    return y


# ---------------------------------------------------------------------------------- kernels

@njit(parallel=True, fastmath=_FASTMATH, cache=True)
def _conv_kernel(images, w_rows, bias, y, padded, cols, starts, acc, placement, stride,
                 dilation, kernel_hw, out_hw, tile_rows, pitch):
    """y (N, O, OH*OW) = convolution of the placed images with w_rows (O, C*KH*KW), plus bias:

        for n, tile in (image, tile) units, split across threads:
            padded = images[n] placed into zeros          (once per image)
            cols = patch matrix of the tile               # (K, pixels), K ordered (c, kh, kw)
            acc = bias + w_rows @ cols                    # (O, pixels)
            y[n, :, tile] = acc without its junk columns

    cols is (src, starts) from _patch_rows: with stride 1, slices of padded, not a copy.
    """
    n_images, n_out = images.shape[0], w_rows.shape[0]
    out_h, out_w = out_hw
    tiles = (out_h + tile_rows - 1) // tile_rows
    units = n_images * tiles
    threads = cols.shape[0]
    for t in prange(threads):
        zero(padded[t].reshape(-1))
        image = -1
        for unit in range(t * units // threads, (t + 1) * units // threads):
            n, oh0, rows, width, src = _tile_patches(images, image, unit, padded[t], cols[t],
                                                     starts[t], placement, stride, dilation,
                                                     kernel_hw, out_hw, tile_rows, pitch)
            image = n
            out = acc[t, :n_out * width].reshape(n_out, width)
            for o in range(n_out):
                _fill(out[o], bias[o])
            _matmul_nn_acc(w_rows, src, starts[t], out)
            for o in range(n_out):
                copy_rows(out[o], pitch, y[n, o, oh0 * out_w:], out_w, rows, out_w)


@njit(parallel=True, fastmath=_FASTMATH, cache=True)
def _weight_grad_kernel(grad_y, x, grad_w, padded, cols, starts, grad_tile, partial, placement,
                        stride, dilation, kernel_hw, out_hw, tile_rows, pitch):
    """grad_w (O, C*KH*KW) from grad_y (N, O, OH*OW) and x (N, C, H, W):

        for n, tile in (image, tile) units, split across threads:
            padded = x[n] with zero borders               (once per image)
            cols = patch matrix of the tile               # (K, pixels), K ordered (c, kh, kw)
            grad = grad_y[n, :, tile], laid out like cols, with zeros in its junk columns
            partial[thread] += grad @ cols.T
        grad_w = sum of the partials

    cols is (src, starts) from _patch_rows: with stride 1, slices of padded, not a copy.
    """
    n_images, n_out = grad_y.shape[0], grad_y.shape[1]
    out_h, out_w = out_hw
    tiles = (out_h + tile_rows - 1) // tile_rows
    units = n_images * tiles
    threads = partial.shape[0]
    for t in prange(threads):
        zero(padded[t].reshape(-1))
        zero(partial[t].reshape(-1))
        image = -1
        for unit in range(t * units // threads, (t + 1) * units // threads):
            n, oh0, rows, width, src = _tile_patches(x, image, unit, padded[t], cols[t],
                                                     starts[t], placement, stride, dilation,
                                                     kernel_hw, out_hw, tile_rows, pitch)
            image = n
            grad = grad_tile[t, :n_out * width].reshape(n_out, width)
            zero(grad.reshape(-1))
            for o in range(n_out):
                copy_rows(grad_y[n, o, oh0 * out_w:], out_w, grad[o], pitch, rows, out_w)
            _matmul_nt_acc(grad, src, starts[t], partial[t])
    grad_w[:, :] = 0
    for t in range(threads):
        grad_w += partial[t]


@njit(parallel=True, fastmath=_FASTMATH, cache=True)
def _bias_grad_kernel(grad_y, grad_b):
    """grad_b[o] = sum(grad_y[n, o, p] for n in range(N) for p in range(OH*OW))."""
    for o in prange(grad_y.shape[1]):
        total = 0.0
        for n in range(grad_y.shape[0]):
            row = grad_y[n, o]
            row_sum = np.float32(0.0)  # widened to float64 for float64 data
            for p in range(row.shape[0]):
                row_sum += row[p]
            total += row_sum
        grad_b[o] = total


# ---------------------------------------------------------------------------------- helpers

@njit(inline="always")
def _tile_patches(images, image, unit, padded, cols, starts, placement, stride, dilation,
                  kernel_hw, out_hw, tile_rows, pitch):
    """One work unit of the conv kernels: (n, oh0, rows, width, src) for tile `unit % tiles` of
    image n = `unit // tiles`, output rows oh0 .. oh0 + rows - 1, `width` patch-matrix columns.
    Places images[n] into padded unless it is there already (n == image); src from _patch_rows."""
    out_h, out_w = out_hw
    tiles = (out_h + tile_rows - 1) // tile_rows
    n, oh0 = unit // tiles, (unit % tiles) * tile_rows
    rows = min(tile_rows, out_h - oh0)
    width = (rows - 1) * pitch + out_w
    if n != image:
        place(images[n], padded, placement)
    k = starts.shape[0]
    src = _patch_rows(padded, cols[:k * width], starts, oh0, pitch, out_w, stride, dilation,
                      kernel_hw)
    return n, oh0, rows, width, src

@njit(cache=True)
def _patch_rows(padded, cols, starts, oh0, pitch, out_w, stride, dilation, kernel_hw):
    """The patch matrix of output rows oh0, oh0+1, ..., as a flat buffer src and row offsets:
    row (c*KH + kh)*KW + kw of the matrix is src[start:start + width] with start = starts[row],
    width = len(cols) / K, and its column q = (oh - oh0)*pitch + ow (ow < OW; the other columns
    are junk) holds padded[c, oh*sh + kh*dh, ow*sw + kw*dw].

    With stride 1 the pitch is the padded width (see _pitch): column q + 1 then holds the padded
    pixel after column q's, so each row is a slice of the padded image itself, and src = padded.
    Otherwise the rows are copied into cols and src = cols."""
    n_channels, padded_h, padded_w = padded.shape
    kernel_h, kernel_w = kernel_hw
    image, width = padded.reshape(-1), cols.shape[0] // starts.shape[0]
    for c in range(n_channels):
        for kh in range(kernel_h):
            for kw in range(kernel_w):
                row = (c * kernel_h + kh) * kernel_w + kw
                corner = (c * padded_h + oh0 * stride[0] + kh * dilation[0]) * padded_w
                starts[row] = corner + kw * dilation[1]
    if stride[0] == 1 and stride[1] == 1:
        return image
    for row in range(starts.shape[0]):
        dst = cols[row * width:(row + 1) * width]
        for q0 in range(0, width, pitch):
            src = image[starts[row] + q0 // pitch * stride[0] * padded_w:]
            _copy_every(src, stride[1], dst[q0:q0 + out_w])
        starts[row] = row * width
    return cols


@njit(cache=True)
def _copy_every(src, step, dst):
    """dst[i] = src[i * step] for i in range(len(dst))."""
    for i in range(dst.shape[0]):
        dst[i] = src[i * step]


@njit(cache=True)
def _fill(dst, value):
    """dst[i] = value for i in range(len(dst))."""
    for i in range(dst.shape[0]):
        dst[i] = value


@njit(fastmath=_FASTMATH, cache=True)
def _matmul_nn_acc(a, src, starts, out):
    """out += a @ b, where row k of b (K, N) is the slice src[starts[k]:starts[k] + N], that is:

        for i, j:  out[i, j] += sum(a[i, k] * src[starts[k] + j] for k in range(K))

    Takes 4 rows of out and 4 values of k at a time: the 16 numbers a[i:i+4, k:k+4] sit in
    registers while one vectorised loop over j reads 4 rows of b and updates 4 rows of out.
    Leftover k (K not a multiple of 4) and leftover rows (M not a multiple of 4) get simpler
    loops."""
    m, depth = a.shape
    n = out.shape[1]
    rows4, depth4 = m - m % 4, depth - depth % 4
    for i in range(0, rows4, 4):
        a0, a1, a2, a3 = a[i], a[i + 1], a[i + 2], a[i + 3]
        o0, o1, o2, o3 = out[i], out[i + 1], out[i + 2], out[i + 3]
        for k in range(0, depth4, 4):
            b0, b1 = src[starts[k]:starts[k] + n], src[starts[k + 1]:starts[k + 1] + n]
            b2, b3 = src[starts[k + 2]:starts[k + 2] + n], src[starts[k + 3]:starts[k + 3] + n]
            w00, w01, w02, w03 = a0[k], a0[k + 1], a0[k + 2], a0[k + 3]
            w10, w11, w12, w13 = a1[k], a1[k + 1], a1[k + 2], a1[k + 3]
            w20, w21, w22, w23 = a2[k], a2[k + 1], a2[k + 2], a2[k + 3]
            w30, w31, w32, w33 = a3[k], a3[k + 1], a3[k + 2], a3[k + 3]
            for j in range(n):
                x0, x1, x2, x3 = b0[j], b1[j], b2[j], b3[j]
                o0[j] += w00 * x0 + w01 * x1 + w02 * x2 + w03 * x3
                o1[j] += w10 * x0 + w11 * x1 + w12 * x2 + w13 * x3
                o2[j] += w20 * x0 + w21 * x1 + w22 * x2 + w23 * x3
                o3[j] += w30 * x0 + w31 * x1 + w32 * x2 + w33 * x3
        for k in range(depth4, depth):
            bk = src[starts[k]:starts[k] + n]
            w0, w1, w2, w3 = a0[k], a1[k], a2[k], a3[k]
            for j in range(n):
                o0[j] += w0 * bk[j]
                o1[j] += w1 * bk[j]
                o2[j] += w2 * bk[j]
                o3[j] += w3 * bk[j]
    for i in range(rows4, m):
        oi = out[i]
        for k in range(depth):
            w, bk = a[i, k], src[starts[k]:starts[k] + n]
            for j in range(n):
                oi[j] += w * bk[j]


@njit(fastmath=_FASTMATH, cache=True)
def _matmul_nt_acc(a, src, starts, out):
    """out += a @ bt.T, where row j of bt (N, K) is the slice src[starts[j]:starts[j] + K], that is:

        for i, j:  out[i, j] += sum(a[i, k] * src[starts[j] + k] for k in range(K))

    Works on 4x4 blocks of out: 16 running sums in registers, each a vectorised loop over k, and
    each loaded a[i, k] or bt[j, k] is used 4 times. At the right and bottom edges the block's row
    indices are clamped to the last row, and the duplicated sums are not stored."""
    m, n, depth = a.shape[0], starts.shape[0], a.shape[1]
    for j in range(0, n, 4):
        j0, j1, j2, j3 = starts[j], starts[min(j + 1, n - 1)], starts[min(j + 2, n - 1)], \
            starts[min(j + 3, n - 1)]
        b0, b1 = src[j0:j0 + depth], src[j1:j1 + depth]
        b2, b3 = src[j2:j2 + depth], src[j3:j3 + depth]
        for i in range(0, m, 4):
            a0, a1, a2, a3 = a[i], a[min(i + 1, m - 1)], a[min(i + 2, m - 1)], a[min(i + 3, m - 1)]
            # np.float32 zeros: numba widens these sums to float64 when the arrays are float64.
            s00 = s01 = s02 = s03 = np.float32(0.0)
            s10 = s11 = s12 = s13 = np.float32(0.0)
            s20 = s21 = s22 = s23 = np.float32(0.0)
            s30 = s31 = s32 = s33 = np.float32(0.0)
            for k in range(depth):
                x0, x1, x2, x3 = a0[k], a1[k], a2[k], a3[k]
                y0, y1, y2, y3 = b0[k], b1[k], b2[k], b3[k]
                s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3  # noqa: E702
                s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3  # noqa: E702
                s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3  # noqa: E702
                s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3  # noqa: E702
            _add_row4(out, i, j, s00, s01, s02, s03)
            if i + 1 < m:
                _add_row4(out, i + 1, j, s10, s11, s12, s13)
            if i + 2 < m:
                _add_row4(out, i + 2, j, s20, s21, s22, s23)
            if i + 3 < m:
                _add_row4(out, i + 3, j, s30, s31, s32, s33)


@njit(cache=True)
def _add_row4(out, i, j, s0, s1, s2, s3):
    """out[i, j:j+4] += (s0, s1, s2, s3), dropping the columns past the right edge."""
    n = out.shape[1]
    out[i, j] += s0
    if j + 1 < n:
        out[i, j + 1] += s1
    if j + 2 < n:
        out[i, j + 2] += s2
    if j + 3 < n:
        out[i, j + 3] += s3


# ---------------------------------------------------------------------------------- plumbing

def _as_float_arrays(*arrays: np.ndarray) -> list[np.ndarray]:
    """The (float32 or float64) arrays as C-contiguous arrays of one common dtype."""
    dtype = np.result_type(*arrays)
    return [np.ascontiguousarray(a, dtype) for a in arrays]


def _pair(value: Pair) -> Pair:
    """(int, int) from a pair of ints; plain ints keep one compiled signature per dtype."""
    first, second = value
    return int(first), int(second)


def _pitch(stride: Pair, padded_w: int, out_w: int) -> int:
    """Patch-matrix columns per output row: the padded width for stride 1 (see _patch_rows)."""
    return padded_w if stride == (1, 1) else out_w


def _tile_rows(out_h: int, pitch: int, k: int, budget: int) -> int:
    """Output rows per tile: few enough to keep the (k, rows*pitch) patch matrix within budget
    elements (but at least one), spread evenly over the tiles of an image."""
    tiles = -(-out_h // max(1, budget // (k * pitch)))  # -(-a // b) is ceil(a / b)
    return -(-out_h // tiles)
