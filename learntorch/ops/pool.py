"""2-D max and average pooling, with backward Functions that are themselves differentiable.

Max pooling keeps, per output pixel, the flat index ``ih * W + iw`` of the winning input pixel;
its backward adds each gradient to that pixel, and the backward of *that* gathers from the same
positions. Average pooling's backward spreads each gradient evenly over its window, and the
adjoint of spreading is averaging again: its backward is the forward pool.
"""
from __future__ import annotations

from typing import Any

from .. import _dtype as dt
from .._creation import arange
from .._tensor import Tensor
from ..autograd.function import Function
from ..backends.common.shapes import Pair, pool2d_output_hw
from ._common import new_tensor, output
from .conv import pair
from .indexing import Gather


class MaxPool2d(Function):
    """y, indices (N, C, OH, OW) from x (N, C, H, W); indices are not differentiable."""

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, dilation, ceil_mode):
        out_shape = x._shape[:2] + pool2d_output_hw(x._shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
        backend = x._backend
        y, indices = output(backend, out_shape, x._dtype), output(backend, out_shape, dt.int64)
        backend.max_pool2d(x._array, y, indices, kernel_size, stride, padding, dilation)
        indices = new_tensor(indices, x)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        ctx.input_shape = x._shape
        return new_tensor(y, x), indices

    @staticmethod
    def backward(ctx, g, _g_indices):
        indices, = ctx.saved_tensors
        return MaxPool2dBackward.apply(g, indices, ctx.input_shape), None, None, None, None, None


class MaxPool2dBackward(Function):
    """grad_x (N, C, H, W): ``grad_x[n, c].flat[indices[n, c]] += g[n, c]``."""

    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, indices, input_shape):
        ctx.save_for_backward(indices)
        backend = g._backend
        out = output(backend, tuple(input_shape), g._dtype)
        backend.max_pool2d_backward(g._array, indices._array, out)
        return new_tensor(out, g)

    @staticmethod
    def backward(ctx, gg):
        indices, = ctx.saved_tensors
        n, c, h, w = gg._shape
        planes = arange(0, n * c * h * w, h * w, device=gg.device).reshape(n, c, 1, 1)
        return Gather.apply(gg, planes + indices), None, None


class AvgPool2d(Function):
    """y (N, C, OH, OW): the mean of each window of x (N, C, H, W)."""

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, ceil_mode, count_include_pad):
        ctx.args = (kernel_size, stride, padding, ceil_mode, count_include_pad)
        ctx.input_shape = x._shape
        out_shape = x._shape[:2] + pool2d_output_hw(x._shape[2:], kernel_size, stride, padding, (1, 1), ceil_mode)
        backend = x._backend
        out = output(backend, out_shape, x._dtype)
        backend.avg_pool2d(x._array, out, kernel_size, stride, padding, count_include_pad)
        return new_tensor(out, x)

    @staticmethod
    def backward(ctx, g):
        return (AvgPool2dBackward.apply(g, ctx.input_shape, *ctx.args),) + (None,) * 5


class AvgPool2dBackward(Function):
    """grad_x (N, C, H, W): each g value divided by its window's divisor, added over the window."""

    node_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx, g, input_shape, kernel_size, stride, padding, ceil_mode, count_include_pad):
        ctx.args = (kernel_size, stride, padding, ceil_mode, count_include_pad)
        backend = g._backend
        out = output(backend, tuple(input_shape), g._dtype)
        backend.avg_pool2d_backward(g._array, out, kernel_size, stride, padding, count_include_pad)
        return new_tensor(out, g)

    @staticmethod
    def backward(ctx, gg):
        return (AvgPool2d.apply(gg, *ctx.args),) + (None,) * 6


def _pool_args(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               ceil_mode: bool) -> tuple[Tensor, Pair, Pair, Pair, Pair]:
    """Check the input and sizes as PyTorch does; return x as 4-D and the sizes as pairs."""
    if x.dim() not in (3, 4) or x.numel() == 0:
        raise RuntimeError(f"{op}: Expected 3D or 4D (batch mode) non-empty tensor for input, but got input "
                           f"of size: {list(x.shape)}")
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"{op}: expected a floating point input, got {x.dtype.name}; call .float() first")
    kernel_size = pair("kernel_size", kernel_size)
    stride = kernel_size if stride is None or stride == () else pair("stride", stride)
    padding, dilation = pair("padding", padding), pair("dilation", dilation)
    if min(kernel_size) < 1 or min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(f"{op}: kernel_size {kernel_size}, stride {stride} and dilation {dilation} must be "
                           "greater than zero")
    for p, k, d in zip(padding, kernel_size, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    x4 = x if x.dim() == 4 else x.unsqueeze(0)
    oh, ow = pool2d_output_hw(x4._shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    if oh < 1 or ow < 1:
        c, h, w = x4._shape[1:]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
                           "Output size is too small")
    return x4, kernel_size, stride, padding, dilation


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over each (dilated) window of x (N, C, H, W) or (C, H, W); ``stride`` defaults to the kernel size."""
    x4, kernel_size, stride, padding, dilation = _pool_args("max_pool2d", x, kernel_size, stride, padding,
                                                            dilation, ceil_mode)
    y, indices = MaxPool2d.apply(x4, kernel_size, stride, padding, dilation, bool(ceil_mode))
    if x.dim() == 3:
        y, indices = y.squeeze(0), indices.squeeze(0)
    return (y, indices) if return_indices else y


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over each window of x (N, C, H, W) or (C, H, W); ``stride`` defaults to the kernel size."""
    x4, kernel_size, stride, padding, _ = _pool_args("avg_pool2d", x, kernel_size, stride, padding, 1,
                                                     ceil_mode)
    y = AvgPool2d.apply(x4, kernel_size, stride, padding, bool(ceil_mode), bool(count_include_pad))
    return y.squeeze(0) if x.dim() == 3 else y
