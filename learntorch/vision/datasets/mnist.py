"""``MNIST`` and ``FashionMNIST``: 28x28 grayscale images in 10 classes, read from idx files.

The layout is torchvision's: ``root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte``,
each plain or gzipped (``.gz``). As torchvision's, ``.data`` is a uint8 tensor (N, H, W) and
``.targets`` an int64 tensor (N,). Differences from torchvision: ``dataset[i]``'s image is a uint8
NumPy array (H, W), not a PIL image (``ToTensor`` turns either into a tensor).
"""
from __future__ import annotations

import gzip
import os
import urllib.error
import zlib
from http.client import HTTPException
from typing import Any, Callable

import numpy as np

from ..._creation import from_numpy
from ..._tensor import Tensor
from ...utils.data import Dataset
from ._download import download_file

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049


def default_root() -> str:
    """``$LEARNTORCH_DATA``, else ``~/.cache/learntorch``."""
    return os.environ.get("LEARNTORCH_DATA") or os.path.join(os.path.expanduser("~"), ".cache", "learntorch")


def read_idx(path: str, magic: int, ndim: int) -> np.ndarray:
    """The uint8 array in an idx file (plain or gzipped), after checking its header and size."""
    def corrupt(why: str) -> RuntimeError:
        return RuntimeError(f"{path} is corrupt: {why}. Delete it and download it again (download=True).")
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            with open(path, "rb") as f:
                raw = f.read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise corrupt(f"the gzip stream is truncated or damaged ({e})") from e
    header = 4 * (1 + ndim)
    if len(raw) < header:
        raise corrupt(f"the file has {len(raw)} bytes, fewer than its {header}-byte header")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise corrupt(f"magic number {found}, expected {magic}")
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise corrupt(f"the header announces {dims} values ({expected} bytes) but the file has {len(raw)} bytes"
                      + (" (truncated)" if len(raw) < expected else ""))
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims).copy()


class MNIST(Dataset[tuple[Any, Any]]):
    """The MNIST handwritten digits: 60000 training and 10000 test images.

    ``MNIST(root, train=True, transform=None, target_transform=None, download=False)``; ``root=None``
    uses ``$LEARNTORCH_DATA`` or ``~/.cache/learntorch``. ``download=True`` fetches missing files
    from ``mirrors`` (in order), checks their MD5 against ``resources`` (None: no check) and writes
    each atomically. ``dataset[i]`` is ``(transform(image), target_transform(label))``.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    timeout = 30.0

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable[[Any], Any] | None = None,
                 target_transform: Callable[[Any], Any] | None = None, download: bool = False) -> None:
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else default_root()
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        if download:
            self.download()
        prefix = "train" if train else "t10k"
        images_path, labels_path = self._find(f"{prefix}-images-idx3-ubyte"), self._find(f"{prefix}-labels-idx1-ubyte")
        images = read_idx(images_path, IMAGES_MAGIC, 3)
        labels = read_idx(labels_path, LABELS_MAGIC, 1)
        if len(images) != len(labels):
            raise RuntimeError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels; "
                               "one of them is corrupt. Delete them and download again (download=True).")
        if labels.size and labels.max() >= len(self.classes):
            raise RuntimeError(f"{labels_path} is corrupt: label {labels.max()} is not a class "
                               f"(0..{len(self.classes) - 1}). Delete it and download again (download=True).")
        self.data: Tensor = from_numpy(images)
        self.targets: Tensor = from_numpy(labels.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = self.data[index].numpy(), int(self.targets.numpy()[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def _get_batch(self, indices: Tensor) -> list[Tensor] | None:
        """The batch in one go when the transform has a batched form (ToTensor, Normalize, Compose)."""
        batch_transform = getattr(self.transform, "_batch", None)
        if batch_transform is None or self.target_transform is not None:
            return None
        images = batch_transform(self.data[indices].numpy())
        return None if images is None else [images, self.targets[indices]]

    def _find(self, name: str) -> str:
        """The path of ``name`` in the raw folder, plain or gzipped; RuntimeError when it is missing."""
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        raise RuntimeError(
            f"Dataset not found: {name}(.gz) is missing from {self.raw_folder}. Pass download=True, or download "
            f"the files {', '.join(f for f, _ in self.resources)} from {self.mirrors[0]} and put them in that "
            "folder (gzipped or not).")

    def download(self) -> None:
        """Fetch every file of ``resources`` that is not in the raw folder yet."""
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            plain = filename[:-3] if filename.endswith(".gz") else filename
            if any(os.path.isfile(os.path.join(self.raw_folder, f)) for f in (plain, plain + ".gz")):
                continue
            errors = []
            for mirror in self.mirrors:
                url = mirror + filename
                try:
                    download_file(url, os.path.join(self.raw_folder, filename), md5, self.timeout)
                    break
                except (urllib.error.URLError, HTTPException, OSError) as e:
                    errors.append(f"{url}: {e}")
            else:
                raise RuntimeError(
                    f"Could not download {filename} ({'; '.join(errors)}). Without a network, download it "
                    f"elsewhere and put it in {self.raw_folder} (gzipped or not).")

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}", f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform}")
        return "\n".join(lines)
