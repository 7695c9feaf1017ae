"""``learntorch.vision.transforms``: image transforms, as ``torchvision.transforms`` (``functional`` holds the
operations behind them)."""
from . import functional
from .functional import InterpolationMode
from .transforms import (CenterCrop, ColorJitter, Compose, Lambda, Normalize, Pad, RandomCrop, RandomHorizontalFlip,
                         RandomResizedCrop, Resize, ToPILImage, ToTensor)

__all__ = ["CenterCrop", "ColorJitter", "Compose", "InterpolationMode", "Lambda", "Normalize", "Pad", "RandomCrop",
           "RandomHorizontalFlip", "RandomResizedCrop", "Resize", "ToPILImage", "ToTensor", "functional"]
