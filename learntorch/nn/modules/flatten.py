"""`torch.nn.modules.flatten`: Flatten and Unflatten, at PyTorch's import path."""
from ..linear import Flatten, Unflatten

__all__ = ["Flatten", "Unflatten"]
