"""``learntorch.vision.datasets``: MNIST, FashionMNIST, CIFAR10/100, FakeData, ImageFolder/DatasetFolder."""
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .fashion_mnist import FashionMNIST
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "FakeData", "FashionMNIST", "ImageFolder", "MNIST", "VisionDataset"]
