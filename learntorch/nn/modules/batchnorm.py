"""`torch.nn.modules.batchnorm`: batch normalisation, at PyTorch's import path."""
from ..batchnorm import _BatchNorm, BatchNorm1d, BatchNorm2d

__all__ = ["_BatchNorm", "BatchNorm1d", "BatchNorm2d"]
