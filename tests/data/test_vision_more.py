"""vision: utils.make_grid/save_image, models.resnet18/34/50 (and pretrained weights from a torch.save file),
datasets FakeData/ImageFolder/CIFAR10/CIFAR100, transforms Resize/CenterCrop/Pad/RandomCrop/RandomResizedCrop/
RandomHorizontalFlip/ColorJitter/ToPILImage."""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import tarfile

import numpy as np
import pytest
from PIL import Image
from test_mnist import server  # noqa: F401  (the fixture serving tmp_path/served from 127.0.0.1)

import learntorch as lt
from learntorch.utils.data import DataLoader
from learntorch.vision import datasets, models, transforms, utils
from learntorch.vision.transforms import functional as F


def _np(x):
    return x.detach().numpy() if isinstance(x, lt.Tensor) else np.asarray(x)


# ---------------------------------------------------------------- make_grid, save_image
def test_make_grid_by_hand():
    images = lt.tensor(np.arange(3 * 2 * 2, dtype=np.float32).reshape(3, 1, 2, 2))
    grid = utils.make_grid(images, nrow=2, padding=1, pad_value=0.5)
    # 2 columns, 2 rows of (2 + 1) pixels plus the last padding; one channel is repeated into three
    expected = np.full((7, 7), 0.5, np.float32)
    expected[1:3, 1:3], expected[1:3, 4:6], expected[4:6, 1:3] = (_np(images[k, 0]) for k in range(3))
    assert grid.shape == (3, 7, 7)
    np.testing.assert_array_equal(_np(grid), np.stack([expected] * 3))
    # defaults: nrow=8 (one row here), padding=2, pad_value=0
    assert utils.make_grid(images).shape == (3, 2 + 4, 2 + 3 * 4)


def test_make_grid_normalize_and_single_image():
    x = lt.tensor([[[[-1.0, 3.0]]], [[[1.0, 2.0]]]])  # two 1x1x2 images
    together = utils.make_grid(x, padding=0, normalize=True)
    np.testing.assert_allclose(_np(together)[0], [[0.0, 1.0, 0.5, 0.75]])  # (v - (-1)) / 4
    each = utils.make_grid(x, padding=0, normalize=True, scale_each=True)
    np.testing.assert_allclose(_np(each)[0], [[0.0, 1.0, 0.0, 1.0]])
    clamped = utils.make_grid(x, padding=0, normalize=True, value_range=(0.0, 2.0))
    np.testing.assert_allclose(_np(clamped)[0], [[0.0, 1.0, 0.5, 1.0]])
    assert x.min().item() == -1.0  # the input is not changed
    single = lt.rand(3, 4, 5)  # one image comes back without padding
    np.testing.assert_array_equal(_np(utils.make_grid(single)), _np(single))
    listed = utils.make_grid([lt.zeros(3, 2, 2), lt.ones(3, 2, 2)], padding=0)
    np.testing.assert_array_equal(_np(listed)[0], [[0, 0, 1, 1]] * 2)
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(x, normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError, match="list containing"):
        utils.make_grid([lt.zeros(3, 2, 2), np.zeros((3, 2, 2))])


def test_save_image_round_trip(tmp_path):
    x = lt.rand(4, 3, 5, 6)
    path = tmp_path / "grid.png"
    utils.save_image(x, path, nrow=2, padding=1)
    back = np.asarray(Image.open(path))
    expected = np.clip(np.floor(_np(utils.make_grid(x, nrow=2, padding=1)) * 255 + 0.5), 0, 255).astype(np.uint8)
    assert Image.open(path).format == "PNG"
    np.testing.assert_array_equal(back, expected.transpose(1, 2, 0))
    buffer = io.BytesIO()
    utils.save_image(x[0], buffer, format="png")
    np.testing.assert_array_equal(np.asarray(Image.open(buffer)), np.asarray(Image.open(path))[1:6, 1:7])


# ---------------------------------------------------------------- ResNet
def test_resnet18_forward_backward_and_module_names():
    lt.manual_seed(0)
    model = models.resnet18(num_classes=5)
    out = model(lt.randn(2, 3, 64, 64))
    assert out.shape == (2, 5)
    out.sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())
    keys = list(model.state_dict())
    assert keys[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                        "bn1.num_batches_tracked"]
    assert "layer2.0.downsample.0.weight" in keys and "layer2.0.downsample.1.running_var" in keys
    assert "layer1.0.downsample.0.weight" not in keys and keys[-2:] == ["fc.weight", "fc.bias"]
    assert sum(p.numel() for p in models.resnet18().parameters()) == 11689512  # torchvision's count


def test_resnet50_and_34_shapes():
    r50 = models.resnet50(num_classes=3)
    assert sum(p.numel() for p in r50.parameters()) == 23514179  # 25557032 with 1000 classes, as torchvision
    assert isinstance(r50.layer1[0], models.Bottleneck) and r50.fc.in_features == 2048
    assert r50.eval()(lt.randn(1, 3, 32, 32)).shape == (1, 3)
    assert [len(getattr(models.resnet34(), f"layer{i}")) for i in range(1, 5)] == [3, 4, 6, 3]


def test_weights_arguments():
    assert models.ResNet18_Weights.verify("IMAGENET1K_V1") is models.ResNet18_Weights.IMAGENET1K_V1
    assert models.ResNet50_Weights.DEFAULT is models.ResNet50_Weights.IMAGENET1K_V2
    assert models.ResNet18_Weights.IMAGENET1K_V1.url == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    with pytest.raises(ValueError, match="Failed to find Weights"):
        models.resnet18(weights="IMAGENET9K")
    with pytest.raises(ValueError, match="'num_classes' expected value 1000 but got 10"):
        models.resnet18(weights="DEFAULT", num_classes=10)
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        assert models.resnet18(pretrained=False).fc.out_features == 1000


def _torch_resnet(torch, block_kind, layers, num_classes):
    """torchvision's ResNet rebuilt in plain torch (same module names), for the comparisons."""
    nn = torch.nn

    class Block(nn.Module):
        expansion = 1 if block_kind == "basic" else 4

        def __init__(self, inplanes, planes, stride, downsample):
            super().__init__()
            width = planes
            if block_kind == "basic":
                self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(planes)
                self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(planes)
            else:
                self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(width)
                self.conv2 = nn.Conv2d(width, width, 3, stride, 1, bias=False)
                self.bn2 = nn.BatchNorm2d(width)
                self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
                self.bn3 = nn.BatchNorm2d(planes * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if block_kind != "basic":
                out = self.bn3(self.conv3(self.relu(out)))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inplanes = 64
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            for i, (planes, blocks) in enumerate(zip((64, 128, 256, 512), layers)):
                setattr(self, f"layer{i + 1}", self._make_layer(planes, blocks, 1 if i == 0 else 2))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512 * Block.expansion, num_classes)

        def _make_layer(self, planes, blocks, stride):
            downsample = None
            if stride != 1 or self.inplanes != planes * Block.expansion:
                downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * Block.expansion, 1, stride, bias=False),
                                           nn.BatchNorm2d(planes * Block.expansion))
            out = [Block(self.inplanes, planes, stride, downsample)]
            self.inplanes = planes * Block.expansion
            out += [Block(self.inplanes, planes, 1, None) for _ in range(1, blocks)]
            return nn.Sequential(*out)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    return Net()


def _copy_from_torch(model, torch_model):
    model.load_state_dict({k: lt.tensor(v.detach().numpy()) for k, v in torch_model.state_dict().items()})


# ResNet-50's layer4 normalises 2 x 2 x 2 values per channel in training mode, which turns float32 rounding into
# 1e-3 differences: it is compared in float64 (where the two agree to 1e-12)
@pytest.mark.reference
@pytest.mark.parametrize("name, block, layers, dtype", [("resnet18", "basic", [2, 2, 2, 2], np.float32),
                                                        ("resnet50", "bottleneck", [3, 4, 6, 3], np.float64)])
def test_resnet_matches_torch(name, block, layers, dtype):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ref = _torch_resnet(torch, block, layers, num_classes=10)
    model = getattr(models, name)(num_classes=10)
    assert list(model.state_dict()) == list(ref.state_dict())
    _copy_from_torch(model, ref)
    if dtype == np.float64:
        model, ref = model.double(), ref.double()
    x = np.random.default_rng(0).standard_normal((2, 3, 64 if name == "resnet18" else 32, 64)).astype(dtype)
    tx, lx = torch.tensor(x), lt.tensor(x)
    out, expected = model(lx), ref(tx)  # training mode: batch statistics, running stats updated
    np.testing.assert_allclose(_np(out), expected.detach().numpy(), rtol=1e-4, atol=1e-4)
    out.sum().backward()
    expected.sum().backward()
    for (key, p), (_, q) in zip(model.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(_np(p.grad), q.grad.numpy(), rtol=1e-3, atol=1e-4, err_msg=key)
    for key, v in ref.state_dict().items():  # running statistics after one step
        np.testing.assert_allclose(_np(model.state_dict()[key]), v.numpy(), rtol=1e-4, atol=1e-5, err_msg=key)
    model.eval(), ref.eval()
    with lt.no_grad():
        np.testing.assert_allclose(_np(model(lx)), ref(tx).detach().numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.reference
def test_pretrained_weights_download_and_load(tmp_path, server, monkeypatch):  # noqa: F811
    torch = pytest.importorskip("torch")
    served, url = server
    torch.manual_seed(1)
    ref = _torch_resnet(torch, "basic", [2, 2, 2, 2], num_classes=1000).eval()
    ref.layer1[0].bn1.running_mean.uniform_()  # buffers are loaded too
    saved = served / "resnet18.pth"
    torch.save(ref.state_dict(), saved)
    sha = hashlib.sha256(saved.read_bytes()).hexdigest()
    os.rename(saved, served / f"resnet18-{sha[:8]}.pth")
    monkeypatch.setenv("LEARNTORCH_DATA", str(tmp_path / "cache"))
    weights = models.ResNet18_Weights.IMAGENET1K_V1.value
    monkeypatch.setattr(weights, "url", f"{url}resnet18-{sha[:8]}.pth")
    model = models.resnet18(weights="IMAGENET1K_V1").eval()
    assert (tmp_path / "cache" / "checkpoints" / f"resnet18-{sha[:8]}.pth").is_file()
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    with lt.no_grad():
        np.testing.assert_allclose(_np(model(lt.tensor(x))), ref(torch.tensor(x)).detach().numpy(), rtol=1e-4,
                                   atol=1e-4)
    # a file whose SHA-256 does not start with the name's prefix is discarded
    os.rename(served / f"resnet18-{sha[:8]}.pth", served / "resnet18-00000000.pth")
    monkeypatch.setattr(weights, "url", f"{url}resnet18-00000000.pth")
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        models.resnet18(weights=models.ResNet18_Weights.IMAGENET1K_V1)
    assert os.listdir(tmp_path / "cache" / "checkpoints") == [f"resnet18-{sha[:8]}.pth"]


def test_pretrained_weights_offline_say_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNTORCH_DATA", str(tmp_path))
    monkeypatch.setattr(models.ResNet34_Weights.IMAGENET1K_V1.value, "url", "http://127.0.0.1:9/resnet34-b627a593.pth")
    where = re.escape(str(tmp_path / "checkpoints" / "resnet34-b627a593.pth"))
    with pytest.raises(RuntimeError, match=f"Could not download the pretrained weights .* put it at {where}"):
        models.resnet34(weights="DEFAULT")


def test_checkpoint_reader_refuses_other_globals(tmp_path):
    import zipfile
    from learntorch.vision.models._torch_checkpoint import load_torch_state_dict
    path = tmp_path / "evil.pth"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps({"x": os.getcwd}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="posix.getcwd|os.getcwd|nt.getcwd"):
        load_torch_state_dict(path)
    (tmp_path / "legacy.pth").write_bytes(pickle.dumps({}))
    with pytest.raises(RuntimeError, match="not a torch.save zip archive"):
        load_torch_state_dict(tmp_path / "legacy.pth")


# ---------------------------------------------------------------- FakeData, ImageFolder
def test_fakedata_is_deterministic_per_index():
    data = datasets.FakeData(size=5, image_size=(3, 6, 4), num_classes=3, transform=transforms.ToTensor())
    lt.manual_seed(0)
    before = lt.rand(3)
    lt.manual_seed(0)
    first, label = data[3]
    assert first.shape == (3, 6, 4) and 0 <= label < 3 and len(data) == 5
    np.testing.assert_array_equal(_np(lt.rand(3)), _np(before))  # the global generator is left alone
    again, label_again = data[3]
    np.testing.assert_array_equal(_np(first), _np(again))
    assert label == label_again
    assert not np.array_equal(_np(data[2][0]), _np(first))
    shifted = datasets.FakeData(size=5, image_size=(3, 6, 4), num_classes=3, transform=transforms.ToTensor(),
                                random_offset=1)
    np.testing.assert_array_equal(_np(shifted[2][0]), _np(first))  # seed index + random_offset
    raw = lt.randn(3, 6, 4, generator=lt.Generator().manual_seed(3))  # the image's values, wrapped as ToPILImage
    expected = (np.trunc(_np(raw) * np.float32(255)).astype(np.int64) % 256).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(np.asarray(datasets.FakeData(5, (3, 6, 4))[3][0]), expected)
    with pytest.raises(IndexError):
        data[5]
    images, labels = next(iter(DataLoader(data, batch_size=5)))
    assert images.shape == (5, 3, 6, 4) and labels.shape == (5,)


def _write_png(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_image_folder(tmp_path):
    rng = np.random.default_rng(0)
    pixels = {}
    for cls, names in {"dog": ["b.png", "a.PNG", "sub/c.png"], "cat": ["x.png"]}.items():
        for name in names:
            pixels[f"{cls}/{name}"] = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
            _write_png(tmp_path / cls / name, pixels[f"{cls}/{name}"])
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    (tmp_path / "stray.png").write_bytes(b"")  # files at the top level are not samples
    _write_png(tmp_path / "cat" / "gray.png", np.full((4, 5), 7, np.uint8))

    data = datasets.ImageFolder(tmp_path, transform=transforms.ToTensor())
    assert data.classes == ["cat", "dog"] and data.class_to_idx == {"cat": 0, "dog": 1}
    relative = [(os.path.relpath(p, tmp_path), t) for p, t in data.samples]
    assert relative == [("cat/gray.png", 0), ("cat/x.png", 0), ("dog/a.PNG", 1), ("dog/b.png", 1),
                        ("dog/sub/c.png", 1)]
    assert data.targets == [0, 0, 1, 1, 1] and data.imgs == data.samples and len(data) == 5
    image, target = data[2]
    assert target == 1
    np.testing.assert_allclose(_np(image), pixels["dog/a.PNG"].transpose(2, 0, 1) / 255, rtol=1e-6)
    np.testing.assert_allclose(_np(data[0][0]), np.full((3, 4, 5), 7 / 255), rtol=1e-6)  # converted to RGB
    batch, targets = next(iter(DataLoader(data, batch_size=5)))
    assert batch.shape == (5, 3, 4, 5) and targets.tolist() == [0, 0, 1, 1, 1]

    texts = datasets.DatasetFolder(tmp_path, loader=lambda p: open(p).read(), extensions=(".txt",),
                                   allow_empty=True)
    assert texts.samples == [(str(tmp_path / "dog" / "notes.txt"), 1)] and texts[0] == ("not an image", 1)
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes cat"):
        datasets.DatasetFolder(tmp_path, loader=open, extensions=(".txt",))
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(tmp_path, loader=open)
    only_b = datasets.ImageFolder(tmp_path, is_valid_file=lambda p: p.endswith("b.png"), allow_empty=True)
    assert [os.path.basename(p) for p, _ in only_b.samples] == ["b.png"]
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(tmp_path / "cat")


# ---------------------------------------------------------------- CIFAR from 127.0.0.1
def _cifar_tarball(served, folder, files, name):
    """Pickle each batch dict into ``folder`` inside a gzipped tarball ``name``; returns {file: md5}."""
    md5 = {}
    with tarfile.open(served / name, "w:gz") as tar:
        for filename, content in files.items():
            raw = pickle.dumps(content, protocol=2)
            md5[filename] = hashlib.md5(raw).hexdigest()
            info = tarfile.TarInfo(f"{folder}/{filename}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return md5


def _batch(rng, n, key="labels", classes=10):
    return {"batch_label": "fake", key: rng.integers(0, classes, n).tolist(),
            "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8), "filenames": [f"{i}.png" for i in range(n)]}


def test_cifar10_download_verify_and_read(tmp_path, server, monkeypatch):  # noqa: F811
    served, url = server
    rng = np.random.default_rng(0)
    files = {f"data_batch_{i}": _batch(rng, 2) for i in range(1, 6)}
    files["test_batch"] = _batch(rng, 3)
    files["batches.meta"] = {"label_names": [f"class{i}" for i in range(10)], "num_cases_per_batch": 2}
    md5 = _cifar_tarball(served, "cifar-10-batches-py", files, "cifar-10-python.tar.gz")
    C = datasets.CIFAR10
    monkeypatch.setattr(C, "url", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(C, "tgz_md5", hashlib.md5((served / "cifar-10-python.tar.gz").read_bytes()).hexdigest())
    monkeypatch.setattr(C, "train_list", [[f"data_batch_{i}", md5[f"data_batch_{i}"]] for i in range(1, 6)])
    monkeypatch.setattr(C, "test_list", [["test_batch", md5["test_batch"]]])
    monkeypatch.setattr(C, "meta", {"filename": "batches.meta", "key": "label_names", "md5": md5["batches.meta"]})

    train = C(tmp_path / "data", download=True)
    assert train.data.dtype == np.uint8 and train.data.shape == (10, 32, 32, 3)
    flat = np.concatenate([files[f"data_batch_{i}"]["data"] for i in range(1, 6)])
    np.testing.assert_array_equal(train.data, flat.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert train.targets == sum((files[f"data_batch_{i}"]["labels"] for i in range(1, 6)), [])
    assert train.classes[3] == "class3" and train.class_to_idx["class9"] == 9
    image, target = train[4]
    assert isinstance(image, Image.Image) and image.size == (32, 32) and target == train.targets[4]
    np.testing.assert_array_equal(np.asarray(image), train.data[4])
    test = C(tmp_path / "data", train=False)  # already there: no download needed
    assert len(test) == 3 and test.targets == files["test_batch"]["labels"]
    assert repr(test).splitlines()[1:] == ["    Number of datapoints: 3", f"    Root location: {tmp_path / 'data'}",
                                           "    Split: Test"]
    loader = DataLoader(C(tmp_path / "data", transform=transforms.ToTensor()), batch_size=4)
    images, labels = next(iter(loader))
    assert images.shape == (4, 3, 32, 32) and labels.tolist() == train.targets[:4]

    (tmp_path / "data" / "cifar-10-batches-py" / "test_batch").write_bytes(b"corrupt")
    with pytest.raises(RuntimeError, match="test_batch has MD5 .* download=True"):
        C(tmp_path / "data", train=False)
    C(tmp_path / "data", train=False, download=True)  # re-extracted from the verified tarball


def test_cifar_checksum_mismatch_and_offline(tmp_path, server, monkeypatch):  # noqa: F811
    served, url = server
    rng = np.random.default_rng(1)
    files = {"train": _batch(rng, 2, "fine_labels", 100), "test": _batch(rng, 1, "fine_labels", 100),
             "meta": {"fine_label_names": [f"c{i}" for i in range(100)]}}
    md5 = _cifar_tarball(served, "cifar-100-python", files, "cifar-100-python.tar.gz")
    C = datasets.CIFAR100
    monkeypatch.setattr(C, "url", url + "cifar-100-python.tar.gz")
    monkeypatch.setattr(C, "train_list", [["train", md5["train"]]])
    monkeypatch.setattr(C, "test_list", [["test", md5["test"]]])
    monkeypatch.setattr(C, "meta", {"filename": "meta", "key": "fine_label_names", "md5": md5["meta"]})
    monkeypatch.setattr(C, "tgz_md5", "0" * 32)
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        C(tmp_path / "data", download=True)
    assert os.listdir(tmp_path / "data") == []
    monkeypatch.setattr(C, "tgz_md5", hashlib.md5((served / "cifar-100-python.tar.gz").read_bytes()).hexdigest())
    data = C(tmp_path / "data", download=True)
    assert data.targets == files["train"]["fine_labels"] and data.classes[99] == "c99"
    monkeypatch.setattr(C, "url", "http://127.0.0.1:9/cifar-100-python.tar.gz")
    with pytest.raises(RuntimeError, match="Could not download .* put it in"):
        datasets.CIFAR10(tmp_path / "empty", download=True)
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted .* is missing"):
        datasets.CIFAR10(tmp_path / "empty")


# ---------------------------------------------------------------- transforms
RAMP = np.arange(4, dtype=np.float32)  # one row: 0 1 2 3


def test_resize_tensor_by_hand():
    img = lt.tensor(np.tile(RAMP, (4, 1))[None])  # (1, 4, 4), every row 0 1 2 3
    # 4 -> 2 bilinear, antialiased: output 0 is centred at 1.0 and weighs pixels 0, 1, 2 by 3/7, 3/7, 1/7
    np.testing.assert_allclose(_np(transforms.Resize((4, 2))(img))[0, 0], [5 / 7, 16 / 7], rtol=1e-6)
    # without antialias: the mean of the two nearest pixels (source 0.5 and 2.5)
    np.testing.assert_allclose(_np(transforms.Resize((4, 2), antialias=False)(img))[0, 0], [0.5, 2.5], rtol=1e-6)
    # 4 -> 8 (upsampling): source (i + 0.5) / 2 - 0.5, clamped to the edges
    up = _np(transforms.Resize((4, 8))(img))[0, 0]
    np.testing.assert_allclose(up, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3], rtol=1e-6)
    near = transforms.Resize((4, 2), interpolation=transforms.InterpolationMode.NEAREST)(img)
    np.testing.assert_array_equal(_np(near)[0, 0], [0, 2])  # floor(i * 4 / 2)
    # an int resizes the shorter side and keeps the aspect ratio (rounded down); batches work too
    assert transforms.Resize(3)(lt.zeros(2, 3, 10, 20)).shape == (2, 3, 3, 6)
    assert transforms.Resize(3, max_size=5)(lt.zeros(3, 10, 20)).shape == (3, 2, 5)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        transforms.Resize((3, 4), max_size=5)(img)


def test_resize_pil_and_arrays_use_pillow():
    arr = np.random.default_rng(0).integers(0, 256, (10, 20, 3), dtype=np.uint8)
    out = transforms.Resize(5)(Image.fromarray(arr))
    assert out.size == (10, 5)  # (width, height)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(Image.fromarray(arr).resize((10, 5), Image.BILINEAR)))
    np.testing.assert_array_equal(transforms.Resize(5)(arr), np.asarray(out))  # an array comes back as one


@pytest.mark.reference
@pytest.mark.parametrize("size", [(7, 5), (30, 41), (13, 9)])
@pytest.mark.parametrize("antialias", [True, False])
def test_resize_tensor_matches_torch_interpolate(size, antialias):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).random((2, 3, 13, 17)).astype(np.float32)
    ours = transforms.Resize(size, antialias=antialias)(lt.tensor(x))
    expected = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode="bilinear", align_corners=False,
                                               antialias=antialias)
    np.testing.assert_allclose(_np(ours), expected.numpy(), rtol=1e-5, atol=1e-6)
    for mode in ("nearest", "nearest-exact"):
        ours = F.resize(lt.tensor(x), list(size), transforms.InterpolationMode(mode))
        expected = torch.nn.functional.interpolate(torch.tensor(x), size=size, mode=mode)
        np.testing.assert_array_equal(_np(ours), expected.numpy())


def test_center_crop_and_pad_by_hand():
    x = lt.arange(5 * 6, dtype=lt.float32).reshape(1, 5, 6)
    np.testing.assert_array_equal(_np(transforms.CenterCrop((3, 2))(x)), _np(x)[:, 1:4, 2:4])  # top round(1.0)
    np.testing.assert_array_equal(_np(transforms.CenterCrop(4)(x)), _np(x)[:, 0:4, 1:5])  # top round(0.5) = 0
    big = _np(transforms.CenterCrop((7, 7))(x))  # zero-padded: 1 row above and below, 0 left, 1 right
    np.testing.assert_array_equal(big, np.pad(_np(x), ((0, 0), (1, 1), (0, 1))))
    row = lt.tensor(RAMP[None, None])  # (1, 1, 4)
    for mode, expected in [("constant", [9, 9, 0, 1, 2, 3, 9]), ("edge", [0, 0, 0, 1, 2, 3, 3]),
                           ("reflect", [2, 1, 0, 1, 2, 3, 2]), ("symmetric", [1, 0, 0, 1, 2, 3, 3])]:
        out = transforms.Pad([2, 0, 1, 0], fill=9, padding_mode=mode)(row) if mode == "constant" else \
            transforms.Pad([2, 0, 1, 0], padding_mode=mode)(row)
        np.testing.assert_array_equal(_np(out)[0, 0], expected, err_msg=mode)
    pil = transforms.Pad(1, fill=(1, 2, 3))(Image.fromarray(np.zeros((2, 2, 3), np.uint8)))
    assert pil.size == (4, 4) and np.asarray(pil)[0, 0].tolist() == [1, 2, 3]
    np.testing.assert_array_equal(np.asarray(transforms.Pad(1, padding_mode="reflect")(
        Image.fromarray(np.array([[1, 2, 3]], np.uint8).repeat(2, 0))))[0], [2, 1, 2, 3, 2])
    np.testing.assert_array_equal(np.asarray(transforms.CenterCrop(2)(_np(x)[0].astype(np.uint8))),
                                  _np(x)[0, 2:4, 2:4])  # top round(1.5) = 2


def test_random_crop_reproducible_and_padded():
    x = lt.arange(6 * 7, dtype=lt.float32).reshape(1, 6, 7)
    crop = transforms.RandomCrop((3, 4))
    lt.manual_seed(3)
    i, j, h, w = transforms.RandomCrop.get_params(x, (3, 4))
    lt.manual_seed(3)
    np.testing.assert_array_equal(_np(crop(x)), _np(x)[:, i:i + h, j:j + w])
    assert 0 <= i <= 3 and 0 <= j <= 3 and (h, w) == (3, 4)
    padded = _np(transforms.RandomCrop((10, 11), padding=2, fill=-1)(x))  # 6x7 padded to 10x11: all of it
    assert padded.shape == (1, 10, 11) and (padded[:, :2] == -1).all() and (padded[:, :, -2:] == -1).all()
    np.testing.assert_array_equal(padded[:, 2:8, 2:9], _np(x))
    lt.manual_seed(4)  # torchvision pads both sides by the shortfall: 6x7 -> 10x11, then crops 8x9
    needed = transforms.RandomCrop((8, 9), pad_if_needed=True)(x)
    lt.manual_seed(4)
    top, left, _, _ = transforms.RandomCrop.get_params(lt.zeros(1, 10, 11), (8, 9))
    np.testing.assert_array_equal(_np(needed), np.pad(_np(x), ((0, 0), (2, 2), (2, 2)))[:, top:top + 8, left:left + 9])
    with pytest.raises(ValueError, match="Required crop size"):
        transforms.RandomCrop(8)(x)
    pil = Image.fromarray(np.arange(6 * 7, dtype=np.uint8).reshape(6, 7))
    lt.manual_seed(3)
    np.testing.assert_array_equal(np.asarray(crop(pil)), _np(x)[0, i:i + h, j:j + w])


def test_random_resized_crop():
    x = lt.rand(3, 20, 30)
    t = transforms.RandomResizedCrop(8)
    lt.manual_seed(5)
    i, j, h, w = transforms.RandomResizedCrop.get_params(x, t.scale, t.ratio)
    lt.manual_seed(5)
    out = t(x)
    assert out.shape == (3, 8, 8) and 0.08 * 600 - 30 <= h * w <= 600 and 3 / 4 - 0.1 <= w / h <= 4 / 3 + 0.1
    np.testing.assert_allclose(_np(out), _np(F.resize(x[:, i:i + h, j:j + w], [8, 8])), rtol=1e-6)
    # whole-image scale and a ratio the image has: the whole image, resized
    whole = transforms.RandomResizedCrop((10, 15), scale=(1.0, 1.0), ratio=(1.5, 1.5))(x)
    np.testing.assert_allclose(_np(whole), _np(transforms.Resize((10, 15))(x)), rtol=1e-6)
    # an unreachable ratio falls back to the largest centred crop with the nearest ratio (h = 20, w = 20 * 0.5)
    assert transforms.RandomResizedCrop.get_params(x, (1.0, 1.0), (0.25, 0.5)) == (0, 10, 20, 10)
    assert transforms.RandomResizedCrop(4)(Image.fromarray(np.zeros((20, 30, 3), np.uint8))).size == (4, 4)


def test_random_horizontal_flip_and_lambda():
    x = lt.tensor(np.arange(6, dtype=np.float32).reshape(1, 2, 3))
    np.testing.assert_array_equal(_np(transforms.RandomHorizontalFlip(p=1.0)(x)), _np(x)[:, :, ::-1])
    assert transforms.RandomHorizontalFlip(p=0.0)(x) is x
    pil = Image.fromarray(np.arange(6, dtype=np.uint8).reshape(2, 3))
    np.testing.assert_array_equal(np.asarray(transforms.RandomHorizontalFlip(1.0)(pil)), np.asarray(pil)[:, ::-1])
    flip = transforms.RandomHorizontalFlip()
    lt.manual_seed(0)
    first = [np.array_equal(_np(flip(x)), _np(x)) for _ in range(20)]
    lt.manual_seed(0)
    assert [np.array_equal(_np(flip(x)), _np(x)) for _ in range(20)] == first and 0 < sum(first) < 20
    assert transforms.Lambda(lambda v: v + 1)(x).sum().item() == 21


def test_color_jitter_factors_by_hand():
    rgb = lt.tensor([[[0.2, 0.8]], [[0.4, 0.6]], [[0.1, 0.0]]])  # (3, 1, 2)
    gray = 0.2989 * _np(rgb)[0] + 0.587 * _np(rgb)[1] + 0.114 * _np(rgb)[2]
    np.testing.assert_allclose(_np(transforms.ColorJitter(brightness=(2, 2))(rgb)),
                               np.clip(2 * _np(rgb), 0, 1), rtol=1e-6)
    mean = gray.mean()
    np.testing.assert_allclose(_np(transforms.ColorJitter(contrast=(0.5, 0.5))(rgb)),
                               0.5 * _np(rgb) + 0.5 * mean, rtol=1e-6)
    np.testing.assert_allclose(_np(transforms.ColorJitter(saturation=(0, 0))(rgb)),
                               np.broadcast_to(gray, (3, 1, 2)), rtol=1e-6)
    import colorsys
    hue = _np(transforms.ColorJitter(hue=(0.25, 0.25))(rgb))
    for k in range(2):
        h, s, v = colorsys.rgb_to_hsv(*_np(rgb)[:, 0, k])
        np.testing.assert_allclose(hue[:, 0, k], colorsys.hsv_to_rgb((h + 0.25) % 1, s, v), rtol=1e-5, atol=1e-6)
    red = Image.fromarray(np.array([[[255, 0, 0]]], np.uint8))
    cyan = np.asarray(transforms.ColorJitter(hue=(0.5, 0.5))(red))[0, 0].astype(int)  # via Pillow's 8-bit HSV
    assert np.abs(cyan - [0, 255, 255]).max() <= 4
    assert np.asarray(transforms.ColorJitter(brightness=(0.5, 0.5))(red))[0, 0].tolist() == [127, 0, 0]  # Pillow truncates
    assert transforms.ColorJitter(brightness=0.5).brightness == (0.5, 1.5)
    assert transforms.ColorJitter(hue=0.1).hue == (-0.1, 0.1) and transforms.ColorJitter().hue is None
    with pytest.raises(ValueError, match="hue values should be between"):
        transforms.ColorJitter(hue=0.6)
    with pytest.raises(ValueError, match="must be non negative"):
        transforms.ColorJitter(contrast=-1)
    jitter = transforms.ColorJitter(0.4, 0.4, 0.4, 0.1)
    lt.manual_seed(7)
    a = _np(jitter(rgb))
    lt.manual_seed(7)
    np.testing.assert_array_equal(_np(jitter(rgb)), a)


def test_to_pil_image_and_compose_pipeline():
    x = lt.tensor([[[0.0, 0.5, 1.0]]])  # (1, 1, 3)
    pil = transforms.ToPILImage()(x)
    assert pil.mode == "L" and np.asarray(pil).tolist() == [[0, 127, 255]]  # 255 * v truncated
    pipeline = transforms.Compose([transforms.RandomResizedCrop(16), transforms.RandomHorizontalFlip(),
                                   transforms.ColorJitter(0.2, 0.2, 0.2, 0.05), transforms.ToTensor(),
                                   transforms.Normalize((0.5,) * 3, (0.5,) * 3)])
    out = pipeline(Image.fromarray(np.random.default_rng(0).integers(0, 256, (24, 30, 3), dtype=np.uint8)))
    assert out.shape == (3, 16, 16) and out.dtype is lt.float32 and -1 <= out.min().item() <= out.max().item() <= 1
    assert "RandomResizedCrop(size=(16, 16), scale=(0.08, 1.0)" in repr(pipeline)
