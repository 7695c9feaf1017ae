"""``FashionMNIST``: Zalando's 28x28 clothing images, with MNIST's layout and file format."""
from __future__ import annotations

from .mnist import MNIST


class FashionMNIST(MNIST):
    """Like ``MNIST`` (same arguments and differences from torchvision), in ``root/FashionMNIST/raw``.
    The MD5 sums are torchvision's."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
