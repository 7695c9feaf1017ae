"""``Conv2d`` and ``ConvTranspose2d``: learnable 2-D convolutions and their transposes (groups=1)."""
from __future__ import annotations

from typing import Any

from .. import _creation
from .._tensor import Tensor
from ..ops.conv import pair
from . import functional as F, init
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    """What Conv2d and ConvTranspose2d share: their arguments, parameters, init and repr.

    weight (out_channels, in_channels, kH, kW), or (in_channels, out_channels, kH, kW) when ``transposed``;
    bias (out_channels,); PyTorch's default init (kaiming_uniform_ with a = sqrt(5), bias
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in from the weight's dims 1, 2, 3)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, transposed: bool, output_padding: Any, groups: int, bias: bool, padding_mode: str,
                 device: Any, dtype: Any) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = pair("kernel_size", kernel_size)
        self.stride = pair("stride", stride)
        self.padding = padding if isinstance(padding, str) else pair("padding", padding)
        self.dilation = pair("dilation", dilation)
        self.transposed = transposed
        self.output_padding = pair("output_padding", output_padding)
        self.groups = groups
        self.padding_mode = padding_mode
        channels = (in_channels, out_channels) if transposed else (out_channels, in_channels)
        self.weight = Parameter(_creation.empty(*channels, *self.kernel_size, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv2d(_ConvNd):
    """(N, in_channels, H, W) or (in_channels, H, W) -> (N, out_channels, OH, OW).

    weight (out_channels, in_channels, kH, kW), bias (out_channels,); PyTorch's default init
    (kaiming_uniform_ with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if groups != 1:
            raise NotImplementedError(f"Conv2d: learntorch supports groups=1 only, got groups={groups}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: learntorch supports padding_mode='zeros' only, got {padding_mode!r}")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
            if padding == "same" and pair("stride", stride) != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False, 0, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation)


class ConvTranspose2d(_ConvNd):
    """(N, in_channels, H, W) or (in_channels, H, W) -> (N, out_channels, OH, OW), the gradient of a Conv2d
    w.r.t. its input (an upsampling layer): ``OH = (H - 1) * stride - 2 * padding + dilation * (kH - 1)
    + output_padding + 1``.

    weight (in_channels, out_channels, kH, kW), bias (out_channels,); PyTorch's default init. ``forward``'s
    ``output_size`` picks the output_padding that gives that size."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for ConvTranspose2d, got {padding_mode!r}')
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
            if channels % groups:
                raise ValueError(f"{name} must be divisible by groups, got {name}={channels} and groups={groups}")
        if groups != 1:
            raise NotImplementedError(f"ConvTranspose2d: learntorch supports groups=1 only, got groups={groups}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True, output_padding,
                         groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, int]:
        if output_size is None:
            return self.output_padding
        sizes = list(output_size)
        leading = 2 if input.dim() == 4 else 1
        if len(sizes) == leading + 2:
            sizes = sizes[leading:]
        if len(sizes) != 2:
            raise ValueError(f"ConvTranspose2D: for {input.dim()}D input, output_size must have 2 or {leading + 2} "
                             f"elements (got {len(sizes)})")
        smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                    zip(input.shape[-2:], self.stride, self.padding, self.dilation, self.kernel_size)]
        largest = [m + s - 1 for m, s in zip(smallest, self.stride)]
        if not all(lo <= n <= hi for lo, n, hi in zip(smallest, sizes, largest)):
            raise ValueError(f"requested an output size of {tuple(sizes)}, but valid sizes range from {smallest} to "
                             f"{largest} (for an input of {list(input.shape[-2:])})")
        return sizes[0] - smallest[0], sizes[1] - smallest[1]

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups, self.dilation)
