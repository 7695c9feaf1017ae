"""`torch.nn.modules.sparse`: Embedding, at PyTorch's import path (PyTorch keeps it in nn/modules/sparse.py)."""
from ..embedding import Embedding

__all__ = ["Embedding"]
