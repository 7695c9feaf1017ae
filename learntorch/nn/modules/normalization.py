"""`torch.nn.modules.normalization`: LayerNorm, at PyTorch's import path."""
from ..normalization import LayerNorm

__all__ = ["LayerNorm"]
