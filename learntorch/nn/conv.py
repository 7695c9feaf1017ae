"""``Conv2d``: a learnable 2-D convolution (groups=1)."""
from __future__ import annotations

from typing import Any

from .. import _creation
from .._tensor import Tensor
from ..ops.conv import pair
from . import functional as F, init
from .module import Module
from .parameter import Parameter


class Conv2d(Module):
    """(N, in_channels, H, W) or (in_channels, H, W) -> (N, out_channels, OH, OW).

    weight (out_channels, in_channels, kH, kW), bias (out_channels,); PyTorch's default init
    (kaiming_uniform_ with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups != 1:
            raise NotImplementedError(f"Conv2d: learntorch supports groups=1 only, got groups={groups}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: learntorch supports padding_mode='zeros' only, got {padding_mode!r}")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
            if padding == "same" and pair("stride", stride) != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = pair("kernel_size", kernel_size)
        self.stride = pair("stride", stride)
        self.padding = padding if isinstance(padding, str) else pair("padding", padding)
        self.dilation = pair("dilation", dilation)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(_creation.empty(out_channels, in_channels, *self.kernel_size, device=device,
                                                dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s
