"""2-D convolution (groups=1) on the GPU, NCHW: the forward pass and the input and weight gradients.

x (N, C, H, W), weight (O, C, KH, KW), y (N, O, OH, OW), with (sh, sw) = stride,
(ph, pw) = padding, (dh, dw) = dilation. The forward computes the plain seven-deep loop written
out in ``backends/cpu/conv.py``'s docstring (the definition every backend follows), with one GPU
thread per output pixel (n, o, oh, ow) running its inner loops over c, kh and kw.

These are *direct* kernels: each thread runs the inner loops of that plain loop, with no
im2col buffer. The two gradients turn the loop around so that each thread still owns the
value it writes, and no two threads add into the same place:

* grad_x: one thread per input pixel (n, c, ih, iw) sums, over o, kh, kw, the grad_y pixels
  whose window saw it: oh = (ih + ph - kh*dh) / sh, when that divides exactly and is in range.
* grad_w: one *block* per weight (o, c, kh, kw): its threads share the N*OH*OW products
  grad_y[n, o, oh, ow] * x[n, c, ih, iw] and add them up by a shared-memory tree, as reduce.py.

Arrays are flat contiguous storages; shapes and the conv parameters arrive as int tuples.
"""
from __future__ import annotations

from functools import cache

import numpy as np
from numba import cuda, from_dtype

from ._launch import REDUCE_THREADS


@cuda.jit(device=True)
def unravel(idx, D1, D2, D3):
    """(i0, i1, i2, i3): the position of flat index ``idx`` in a contiguous (_, D1, D2, D3) array."""
    return idx // (D3 * D2 * D1), (idx // (D3 * D2)) % D1, (idx // D3) % D2, idx % D3


@cuda.jit
def conv2d_forward_kernel(y, x, w, bias, xshape, wshape, yshape, stride, padding, dilation):
    """y[n, o, oh, ow] = bias[o] + sum over c, kh, kw of x[n, c, ih, iw] * w[o, c, kh, kw]."""
    N, C, H, W = xshape
    O, _, KH, KW = wshape
    OH, OW = yshape[2], yshape[3]
    for idx in range(cuda.grid(1), y.size, cuda.gridsize(1)):
        n, o, oh, ow = unravel(idx, O, OH, OW)
        total = bias[o]
        for c in range(C):
            for kh in range(KH):
                ih = oh * stride[0] - padding[0] + kh * dilation[0]
                if ih < 0 or ih >= H:
                    continue
                for kw in range(KW):
                    iw = ow * stride[1] - padding[1] + kw * dilation[1]
                    if 0 <= iw < W:
                        total += x[((n * C + c) * H + ih) * W + iw] * w[((o * C + c) * KH + kh) * KW + kw]
        y[idx] = total


@cuda.jit
def conv2d_backward_input_kernel(gx, gy, w, xshape, wshape, yshape, stride, padding, dilation):
    """gx[n, c, ih, iw] = sum over o, kh, kw of gy[n, o, oh, ow] * w[o, c, kh, kw], for the
    (oh, ow) with oh*sh - ph + kh*dh == ih and ow*sw - pw + kw*dw == iw."""
    N, C, H, W = xshape
    O, _, KH, KW = wshape
    OH, OW = yshape[2], yshape[3]
    for idx in range(cuda.grid(1), gx.size, cuda.gridsize(1)):
        n, c, ih, iw = unravel(idx, C, H, W)
        total = gx.dtype.type(0)
        for kh in range(KH):
            th = ih + padding[0] - kh * dilation[0]      # = oh * sh, if this tap reaches ih
            if th < 0 or th % stride[0] != 0 or th // stride[0] >= OH:
                continue
            oh = th // stride[0]
            for kw in range(KW):
                tw = iw + padding[1] - kw * dilation[1]
                if tw < 0 or tw % stride[1] != 0 or tw // stride[1] >= OW:
                    continue
                ow = tw // stride[1]
                for o in range(O):
                    total += gy[((n * O + o) * OH + oh) * OW + ow] * w[((o * C + c) * KH + kh) * KW + kw]
        gx[idx] = total


@cache
def conv2d_backward_weight_kernel(dtype: np.dtype):
    """gw[o, c, kh, kw] = sum over n, oh, ow of gy[n, o, oh, ow] * x[n, c, ih, iw]: one block of
    REDUCE_THREADS threads per weight, each thread a strided share of the (n, oh, ow), then a tree."""
    R = REDUCE_THREADS
    item = from_dtype(np.dtype(dtype))

    @cuda.jit
    def conv2d_backward_weight(gw, gy, x, xshape, wshape, yshape, stride, padding, dilation):
        partial = cuda.shared.array(R, item)
        N, C, H, W = xshape
        O, _, KH, KW = wshape
        OH, OW = yshape[2], yshape[3]
        t = cuda.threadIdx.x
        for widx in range(cuda.blockIdx.x, gw.size, cuda.gridDim.x):
            o, c, kh, kw = unravel(widx, C, KH, KW)
            acc = gw.dtype.type(0)
            for p in range(t, N * OH * OW, R):
                n, _, oh, ow = unravel(p, 1, OH, OW)
                ih = oh * stride[0] - padding[0] + kh * dilation[0]
                iw = ow * stride[1] - padding[1] + kw * dilation[1]
                if 0 <= ih < H and 0 <= iw < W:
                    acc += gy[((n * O + o) * OH + oh) * OW + ow] * x[((n * C + c) * H + ih) * W + iw]
            partial[t] = acc
            cuda.syncthreads()
            step = R // 2
            while step > 0:
                if t < step:
                    partial[t] += partial[t + step]
                cuda.syncthreads()
                step //= 2
            if t == 0:
                gw[widx] = partial[0]
            cuda.syncthreads()

    return conv2d_backward_weight
