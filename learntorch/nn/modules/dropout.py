"""`torch.nn.modules.dropout`: dropout layers, at PyTorch's import path."""
from ..dropout import _DropoutNd, Dropout, Dropout2d

__all__ = ["_DropoutNd", "Dropout", "Dropout2d"]
