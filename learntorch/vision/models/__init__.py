"""``learntorch.vision.models``: ResNet-18/34/50 as ``torchvision.models`` (same module names and state dicts)."""
from ._weights import Weights, WeightsEnum
from .resnet import (BasicBlock, Bottleneck, ResNet, ResNet18_Weights, ResNet34_Weights, ResNet50_Weights, resnet18,
                     resnet34, resnet50)

__all__ = ["BasicBlock", "Bottleneck", "ResNet", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights",
           "Weights", "WeightsEnum", "resnet18", "resnet34", "resnet50"]
