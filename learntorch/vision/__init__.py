"""``learntorch.vision``: torchvision's datasets and transforms (``import learntorch.vision as torchvision``)."""
from . import datasets, transforms

__all__ = ["datasets", "transforms"]
