"""``CIFAR10`` and ``CIFAR100``: 32x32 colour images (50000 training, 10000 test), from the "python version"
tarballs of https://www.cs.toronto.edu/~kriz/cifar.html, with torchvision's layout, names and MD5 sums.

``root/cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta}`` (CIFAR-100:
``root/cifar-100-python/{train, test, meta}``), each a pickled dict. As torchvision's, ``.data`` is a uint8
NumPy array (N, 32, 32, 3), ``.targets`` a list of ints, ``dataset[i]`` a PIL image and its label.
"""
from __future__ import annotations

import _codecs
import hashlib
import os
import pickle
import tarfile
import urllib.error
from http.client import HTTPException
from typing import Any, Callable

import numpy as np
from PIL import Image

try:
    from numpy._core import multiarray
except ImportError:  # NumPy 1.x
    from numpy.core import multiarray

from ._download import download_file
from .mnist import default_root
from .vision import VisionDataset


def _md5(path: str) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _BatchUnpickler(pickle.Unpickler):
    """Opens only the globals a CIFAR batch (a dict of lists, strings and NumPy arrays) names."""

    def find_class(self, module: str, name: str) -> Any:
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name in ("_reconstruct", "scalar"):
            return getattr(multiarray, name)
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        if (module, name) == ("_codecs", "encode"):  # how Python 3's protocol 2 pickles bytes
            return _codecs.encode
        raise pickle.UnpicklingError(f"a CIFAR batch file holds only lists and NumPy arrays; this one names "
                                     f"{module}.{name}, which learntorch will not load")


def _load_batch(path: str) -> dict[str, Any]:
    with open(path, "rb") as f:
        return _BatchUnpickler(f, encoding="latin1").load()


class CIFAR10(VisionDataset):
    """CIFAR-10: 10 classes (airplane, automobile, ..., truck), 6000 images each.

    ``CIFAR10(root, train=True, transform=None, target_transform=None, download=False)``; ``root=None``
    uses ``$LEARNTORCH_DATA`` or ``~/.cache/learntorch``. ``download=True`` fetches the tarball from ``url``
    when a batch file is missing or corrupt, checks its MD5 and extracts it. Every batch file's MD5 is
    checked before it is read.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    timeout = 30.0

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None, download: bool = False) -> None:
        super().__init__(root if root is not None else default_root(), transform, target_transform)
        self.root: str
        self.train = train
        if download:
            self.download()
        problems = self._integrity_problems()
        if problems:
            raise RuntimeError(f"Dataset not found or corrupted ({'; '.join(problems)}). You can use download=True "
                               f"to download it, or put the files of {self.url} (extracted) in "
                               f"{os.path.join(self.root, self.base_folder)}")
        batches = [_load_batch(self._path(name)) for name, _ in (self.train_list if train else self.test_list)]
        self.data: np.ndarray = np.vstack([b["data"] for b in batches]).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.targets: list[int] = [int(t) for b in batches for t in b.get("labels", b.get("fine_labels", []))]
        self.classes: list[str] = _load_batch(self._path(self.meta["filename"]))[self.meta["key"]]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _path(self, name: str) -> str:
        return os.path.join(self.root, self.base_folder, name)

    def _integrity_problems(self) -> list[str]:
        """What is missing or has the wrong MD5, among the batch and meta files."""
        problems = []
        for name, md5 in self.train_list + self.test_list + [[self.meta["filename"], self.meta["md5"]]]:
            path = self._path(name)
            if not os.path.isfile(path):
                problems.append(f"{path} is missing")
            elif _md5(path) != md5:
                problems.append(f"{path} has MD5 {_md5(path)}, expected {md5}")
        return problems

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._transform(Image.fromarray(self.data[index]), self.targets[index])

    def __len__(self) -> int:
        return len(self.data)

    def download(self) -> None:
        """Fetch and extract the tarball unless every batch file is already there and intact."""
        if not self._integrity_problems():
            return
        os.makedirs(self.root, exist_ok=True)
        archive = os.path.join(self.root, self.filename)
        if not (os.path.isfile(archive) and _md5(archive) == self.tgz_md5):
            try:
                download_file(self.url, archive, self.tgz_md5, self.timeout)
            except (urllib.error.URLError, HTTPException, OSError) as e:
                raise RuntimeError(f"Could not download {self.url} ({e}). Without a network, download it elsewhere "
                                   f"and put it in {self.root}.") from e
        with tarfile.open(archive, "r:gz") as tar:
            if hasattr(tarfile, "data_filter"):  # refuses absolute paths, links out of root... (Python >= 3.10.12)
                tar.extractall(self.root, filter="data")
            else:
                tar.extractall(self.root)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: 100 classes of 600 images; ``targets`` are the fine labels (``classes``: their names)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}
