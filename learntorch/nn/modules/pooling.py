"""`torch.nn.modules.pooling`: pooling layers, at PyTorch's import path."""
from ..pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d"]
