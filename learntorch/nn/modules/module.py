"""`torch.nn.modules.module`: the Module base class, at PyTorch's import path."""
from ..module import Module

__all__ = ["Module"]
