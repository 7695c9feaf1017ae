"""2-D convolution (groups=1): ``Conv2d`` and the two backward Functions that make it twice differentiable.

The forward and both gradients are backend kernels (see ``backends/cpu/conv.py`` for the loop
they compute). Each gradient is linear in each of its two arguments, so its own backward is
again a convolution kernel::

    y  = conv2d(x, w)             dL/dx = backward_input(g, w)    dL/dw = backward_weight(g, x)
    backward_input(g, w):   d/dg = conv2d(gg, w)     d/dw = backward_weight(g, gg)
    backward_weight(g, x):  d/dg = conv2d(x, gg)     d/dx = backward_input(g, gg)
"""
from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ..autograd.function import Function
from ..backends.common.shapes import Pair, conv2d_output_hw
from ._common import check_same_device, new_tensor, output


class Conv2d(Function):
    """y (N, O, OH, OW) = conv2d(x (N, C, H, W), weight (O, C, KH, KW)) + bias (O,)."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation):
        ctx.save_for_backward(x, weight)
        ctx.params = (stride, padding, dilation)
        out_shape = (x._shape[0], weight._shape[0]) + conv2d_output_hw(x._shape[2:], weight._shape[2:], *ctx.params)
        backend = x._backend
        out = output(backend, out_shape, x._dtype)
        backend.conv2d(x._array, weight._array, None if bias is None else bias._array, out, stride, padding,
                          dilation)
        return new_tensor(out, x)

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        gx = ConvBackwardInput.apply(g, weight, x._shape, *ctx.params) if ctx.needs_input_grad[0] else None
        gw = ConvBackwardWeight.apply(g, x, weight._shape, *ctx.params) if ctx.needs_input_grad[1] else None
        gb = g.sum((0, 2, 3)) if ctx.needs_input_grad[2] else None
        return gx, gw, gb, None, None, None


class ConvBackwardInput(Function):
    """grad_x (N, C, H, W) from g (N, O, OH, OW) and weight (O, C, KH, KW)."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, g, weight, input_shape, stride, padding, dilation):
        ctx.save_for_backward(g, weight)
        ctx.params = (stride, padding, dilation)
        backend = g._backend
        out = output(backend, tuple(input_shape), g._dtype)
        backend.conv2d_backward_input(g._array, weight._array, out, stride, padding, dilation)
        return new_tensor(out, g)

    @staticmethod
    def backward(ctx, gg):
        g, weight = ctx.saved_tensors
        dg = Conv2d.apply(gg, weight, None, *ctx.params) if ctx.needs_input_grad[0] else None
        dw = ConvBackwardWeight.apply(g, gg, weight._shape, *ctx.params) if ctx.needs_input_grad[1] else None
        return dg, dw, None, None, None, None


class ConvBackwardWeight(Function):
    """grad_w (O, C, KH, KW) from g (N, O, OH, OW) and x (N, C, H, W)."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, g, x, weight_shape, stride, padding, dilation):
        ctx.save_for_backward(g, x)
        ctx.params = (stride, padding, dilation)
        backend = g._backend
        out = output(backend, tuple(weight_shape), g._dtype)
        backend.conv2d_backward_weight(g._array, x._array, out, stride, padding, dilation)
        return new_tensor(out, g)

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        dg = Conv2d.apply(x, gg, None, *ctx.params) if ctx.needs_input_grad[0] else None
        dx = ConvBackwardInput.apply(g, gg, x._shape, *ctx.params) if ctx.needs_input_grad[1] else None
        return dg, dx, None, None, None, None


def pair(name: str, value: Any) -> Pair:
    """``3`` -> ``(3, 3)``; ``(3, 2)`` stays; anything else raises."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    raise TypeError(f"{name} must be an int or a tuple of two ints, got {value!r}")


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1) -> Tensor:
    """2-D convolution of x (N, C, H, W) or unbatched (C, H, W) with weight (O, C, KH, KW); groups=1."""
    stride, padding, dilation = pair("stride", stride), pair("padding", padding), pair("dilation", dilation)
    if min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(f"conv2d: stride {stride} and dilation {dilation} must be positive")
    if min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if x.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                           f"{list(x.shape)}")
    if x.dim() == 3:
        return conv2d(x.unsqueeze(0), weight, bias, stride, padding, dilation).squeeze(0)
    if weight.dim() != 4:
        raise RuntimeError(f"conv2d: expected a 4D weight (out_channels, in_channels, kH, kW), got size "
                           f"{list(weight.shape)}")
    check_same_device("conv2d", x, weight, *([bias] if bias is not None else []))
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype is not x.dtype:
            raise RuntimeError(
                f"Input type ({x.dtype.name}) and {name} type ({t.dtype.name}) should be the same: "
                f"convert the input (x.to({t.dtype!r})) or the model (model.to({x.dtype!r}))")
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"conv2d: expected a floating point input, got {x.dtype.name}; call .float() first")
    if weight._shape[1] != x._shape[1]:
        raise RuntimeError(
            f"Given groups=1, weight of size {list(weight.shape)}, expected input{list(x.shape)} to have "
            f"{weight._shape[1]} channels, but got {x._shape[1]} channels instead")
    if bias is not None and bias._shape != (weight._shape[0],):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{weight._shape[0]} elements, but got bias of size {list(bias.shape)} instead")
    padded = tuple(s + 2 * p for s, p in zip(x._shape[2:], padding))
    effective = tuple(d * (k - 1) + 1 for k, d in zip(weight._shape[2:], dilation))
    if any(p < k for p, k in zip(padded, effective)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({padded[0]} x {padded[1]}). Kernel size: "
            f"({effective[0]} x {effective[1]}). Kernel size can't be greater than actual input size")
    return Conv2d.apply(x, weight, bias, stride, padding, dilation)
