"""``learntorch.vision``: torchvision's datasets, models, transforms and utils (``import learntorch.vision as
torchvision``)."""
from . import datasets, models, transforms, utils

__all__ = ["datasets", "models", "transforms", "utils"]
