"""``learntorch.vision.datasets``: MNIST and FashionMNIST."""
from .fashion_mnist import FashionMNIST
from .mnist import MNIST

__all__ = ["FashionMNIST", "MNIST"]
