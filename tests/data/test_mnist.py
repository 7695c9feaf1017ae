"""MNIST / FashionMNIST: the real test split, idx validation, and downloads from a local server."""
import gzip
import hashlib
import http.server
import os
import re
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

import learntorch as lt
from learntorch.utils.data import DataLoader, default_collate
from learntorch.vision import datasets, transforms

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


# ---------------------------------------------------------------- the real test split
@pytest.fixture(scope="module")
def mnist_test():
    if not (SHARED_DATA / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST test split not found under {SHARED_DATA}")
    return datasets.MNIST(SHARED_DATA, train=False)


def test_real_test_split(mnist_test):
    assert len(mnist_test) == 10000 and mnist_test.data.shape == (10000, 28, 28) and mnist_test.data.dtype is lt.uint8
    assert mnist_test.targets.dtype is lt.int64
    assert np.bincount(mnist_test.targets.numpy()).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    image, label = mnist_test[0]
    assert isinstance(image, np.ndarray) and image.shape == (28, 28) and image.dtype == np.uint8
    assert label == 7 and type(label) is int


def test_to_tensor_and_batched_fast_path(mnist_test):
    mnist_test.transform = transforms.ToTensor()
    x, _ = mnist_test[0]
    assert x.shape == (1, 28, 28) and x.dtype is lt.float32
    values = x.numpy()
    assert values.min() == 0.0 and values.max() == 1.0
    np.testing.assert_array_equal(values[0], mnist_test.data[0].numpy() / np.float32(255))

    mnist_test.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    fast_x, fast_y = next(iter(DataLoader(mnist_test, batch_size=64)))
    one_by_one = DataLoader(mnist_test, batch_size=64, collate_fn=lambda b: default_collate(b))
    slow_x, slow_y = next(iter(one_by_one))
    assert fast_x.shape == (64, 1, 28, 28) and fast_y.dtype is lt.int64
    np.testing.assert_array_equal(fast_x.numpy(), slow_x.numpy())
    assert fast_y.tolist() == slow_y.tolist() == mnist_test.targets.tolist()[:64]
    mnist_test.transform = None


# ---------------------------------------------------------------- idx files made here
def idx_bytes(magic, array):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def fake_split(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28)).astype(np.uint8), rng.integers(0, 10, n).astype(np.uint8)


def write_split(raw, prefix="t10k", images=None, labels=None, gz=True, image_bytes=None, label_bytes=None):
    images, labels = fake_split() if images is None else (images, labels)
    raw.mkdir(parents=True, exist_ok=True)
    for kind, magic, array, override in (("images-idx3", 2051, images, image_bytes),
                                         ("labels-idx1", 2049, labels, label_bytes)):
        data = idx_bytes(magic, array) if override is None else override
        path = raw / f"{prefix}-{kind}-ubyte{'.gz' if gz else ''}"
        path.write_bytes(gzip.compress(data) if gz else data)
    return images, labels


@pytest.mark.parametrize("gz", [True, False])
def test_reads_gzipped_or_plain_idx(tmp_path, gz):
    images, labels = write_split(tmp_path / "MNIST" / "raw", gz=gz)
    ds = datasets.MNIST(tmp_path, train=False, transform=transforms.ToTensor(), target_transform=lambda y: y + 100)
    assert len(ds) == 6 and ds.data.dtype is lt.uint8 and (ds.data.numpy() == images).all() and ds.targets.tolist() == labels.tolist()
    x, y = ds[2]
    assert x.shape == (1, 28, 28) and y == labels[2] + 100


def test_fashion_mnist_layout_and_root_from_environment(tmp_path, monkeypatch):
    write_split(tmp_path / "FashionMNIST" / "raw", prefix="train")
    monkeypatch.setenv("LEARNTORCH_DATA", str(tmp_path))
    ds = datasets.FashionMNIST()
    assert len(ds) == 6 and ds.root == str(tmp_path) and ds.classes[9] == "Ankle boot"


def _corruptions():
    images, labels = fake_split()
    good_images = idx_bytes(2051, images)
    return {
        "truncated images": dict(image_bytes=good_images[:-100]),
        "extra bytes": dict(image_bytes=good_images + b"\0"),
        "wrong magic": dict(image_bytes=(2049).to_bytes(4, "big") + good_images[4:]),
        "short header": dict(label_bytes=b"\0\0\x08"),
        "label out of range": dict(label_bytes=idx_bytes(2049, np.array([0, 1, 2, 3, 4, 99]))),
        "count mismatch": dict(label_bytes=idx_bytes(2049, labels[:5])),
    }


@pytest.mark.parametrize("name", list(_corruptions()))
def test_corrupt_idx_files_raise(tmp_path, name):
    write_split(tmp_path / "MNIST" / "raw", gz=False, **_corruptions()[name])
    with pytest.raises(RuntimeError, match="corrupt"):
        datasets.MNIST(tmp_path, train=False)


def test_truncated_gzip_names_the_file(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    write_split(raw)
    path = raw / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(RuntimeError, match="t10k-images-idx3-ubyte.gz is corrupt"):
        datasets.MNIST(tmp_path, train=False)


def test_missing_files_say_where_to_put_them(tmp_path):
    with pytest.raises(RuntimeError, match=f"missing from {re.escape(str(tmp_path / 'MNIST' / 'raw'))}.*download=True"):
        datasets.MNIST(tmp_path, train=True)


# ---------------------------------------------------------------- downloads from 127.0.0.1
@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/served; yields (folder, base url)."""
    served = tmp_path / "served"
    served.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(served)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _serve_all(served):
    """Write all four gzipped files into the served folder; returns resources (name, md5)."""
    split = {prefix: fake_split(seed=i) for i, prefix in enumerate(("train", "t10k"))}
    for prefix, (images, labels) in split.items():
        write_split(served, prefix=prefix, images=images, labels=labels)
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz"]
    return [(n, hashlib.md5((served / n).read_bytes()).hexdigest()) for n in names], split


def test_download_falls_back_to_the_next_mirror_and_verifies(tmp_path, server, monkeypatch):
    served, url = server
    resources, split = _serve_all(served)
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/", url])  # port 9: refused
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    root = tmp_path / "data"
    ds = datasets.MNIST(root, train=False, download=True)
    assert (ds.data.numpy() == split["t10k"][0]).all() and ds.targets.tolist() == split["t10k"][1].tolist()
    raw = root / "MNIST" / "raw"
    assert sorted(os.listdir(raw)) == sorted(name for name, _ in resources)
    assert len(datasets.MNIST(root, train=True, download=True)) == 6  # nothing left to fetch


def test_checksum_mismatch_leaves_no_file_behind(tmp_path, server, monkeypatch):
    served, url = server
    resources, _ = _serve_all(served)
    resources[2] = (resources[2][0], "0" * 32)
    monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        datasets.MNIST(tmp_path, train=False, download=True)
    left = sorted(os.listdir(tmp_path / "MNIST" / "raw"))
    assert left == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]  # verified ones stay


def test_offline_download_says_where_to_put_the_files(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])
    raw = re.escape(str(tmp_path / "MNIST" / "raw"))
    with pytest.raises(RuntimeError, match=f"Could not download.*put it in {raw}"):
        datasets.MNIST(tmp_path, download=True)
    assert os.listdir(tmp_path / "MNIST" / "raw") == []
