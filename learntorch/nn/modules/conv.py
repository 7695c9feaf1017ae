"""`torch.nn.modules.conv`: convolutions, at PyTorch's import path."""
from ..conv import Conv2d, ConvTranspose2d

__all__ = ["Conv2d", "ConvTranspose2d"]
