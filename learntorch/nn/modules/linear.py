"""`torch.nn.modules.linear`: Linear and Identity, at PyTorch's import path."""
from ..linear import Identity, Linear

__all__ = ["Identity", "Linear"]
