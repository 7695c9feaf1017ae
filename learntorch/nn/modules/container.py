"""`torch.nn.modules.container`: containers, at PyTorch's import path."""
from ..container import ModuleList, Sequential

__all__ = ["ModuleList", "Sequential"]
