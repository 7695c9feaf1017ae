"""Train the course CNN on MNIST, written exactly as PyTorch code: only the imports differ.

Run: ``python -m learntorch.examples.mnist_cnn [--root R] [--train-images N] [--epochs E]
[--batch-size B] [--lr LR] [--download]``

With the full MNIST training split (60,000 images) under ``R/MNIST/raw/`` it trains on that
and tests on the 10,000-image test split. Without it (``--download`` fetches it), it says so
and falls back on the test split alone, as the course repository ships only that one: it
trains on its first N images (8,000 by default) and tests on its last 2,000. The model, the
data pipeline and the training loop below run unchanged on PyTorch after swapping the four
``import learntorch...`` lines for::

    import torch
    import torch.nn as nn
    import torch.optim as optim
    import torchvision
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

import learntorch as torch
import learntorch.nn as nn
import learntorch.optim as optim
import learntorch.vision as torchvision

TEST_SPLIT_HOLDOUT = 2000  # images at the end of the test split kept for testing when it is all we have
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"  # the course repository's copy


# ---------------------------------------------------------------- the model: plain PyTorch code
class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 28 * 28, 128), nn.ReLU(), nn.Linear(128, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def train_one_epoch(model, loader, criterion, optimizer, progress=True, desc="train"):
    """One pass over ``loader``; returns the mean training loss."""
    model.train()
    total, batches = 0.0, 0
    bar = tqdm(loader, desc=desc, unit="batch", disable=not progress, leave=True)
    for images, labels in bar:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
        bar.set_postfix(loss=f"{total / batches:.4f}")
    return total / max(batches, 1)


def evaluate(model, loader):
    """Accuracy of ``model`` on ``loader``, in [0, 1]."""
    model.eval()
    correct, seen = 0, 0
    with torch.no_grad():
        for images, labels in loader:
            predicted = model(images).argmax(dim=1)
            correct += (predicted == labels).sum().item()
            seen += labels.size(0)
    return correct / max(seen, 1)


# ---------------------------------------------------------------- data
def has_split(root: str | os.PathLike, train: bool) -> bool:
    prefix = "train" if train else "t10k"
    raw = Path(root) / "MNIST" / "raw"
    return all(any((raw / f"{prefix}-{kind}-ubyte{ext}").is_file() for ext in ("", ".gz"))
               for kind in ("images-idx3", "labels-idx1"))


def default_root() -> str:
    """The first of $LEARNTORCH_DATA, ~/.cache/learntorch and the course's shared/data that has MNIST."""
    from learntorch.vision.datasets.mnist import default_root as library_default
    candidates = [library_default(), str(SHARED_DATA)]
    for root in candidates:
        if has_split(root, train=True):
            return root
    for root in candidates:
        if has_split(root, train=False):
            return root
    return candidates[0]


def test_split_datasets(root: str | os.PathLike, train_images: int | None) -> tuple[Any, Any]:
    """The 10,000-image test split cut in two: its first ``train_images`` (8,000 by default) to
    train on, its last 2,000 to test on."""
    transform = torchvision.transforms.ToTensor()
    split = torchvision.datasets.MNIST(root, train=False, transform=transform)
    n = len(split)
    holdout = min(TEST_SPLIT_HOLDOUT, n // 5)
    limit = n - holdout
    count = limit if train_images is None else train_images
    if not 0 < count <= limit:
        raise ValueError(f"--train-images must be in 1..{limit} when training on the test split (its last "
                         f"{holdout} images are kept for testing), got {count}")
    return (torch.utils.data.Subset(split, range(count)),
            torch.utils.data.Subset(split, range(n - holdout, n)))


def datasets(root: str | os.PathLike, train_images: int | None, download: bool,
             log: Any = print) -> tuple[Any, Any, str]:
    """(train set, test set, a sentence saying which data they are)."""
    transform = torchvision.transforms.ToTensor()
    if download or has_split(root, train=True):
        train_set = torchvision.datasets.MNIST(root, train=True, transform=transform, download=download)
        test_set = torchvision.datasets.MNIST(root, train=False, transform=transform, download=download)
        if train_images is not None:
            if not 0 < train_images <= len(train_set):
                raise ValueError(f"--train-images must be in 1..{len(train_set)}, got {train_images}")
            train_set = torch.utils.data.Subset(train_set, range(train_images))
        return train_set, test_set, (f"MNIST from {root}: training on {len(train_set)} images of the "
                                     f"training split, testing on the {len(test_set)}-image test split")
    train_set, test_set = test_split_datasets(root, train_images if train_images is not None else 8000)
    return train_set, test_set, (
        f"The full MNIST training split is not in {Path(root) / 'MNIST' / 'raw'} (pass --download to fetch "
        f"it), so this uses the 10,000-image test split alone: training on its first {len(train_set)} "
        f"images, testing on its last {len(test_set)}.")


# ---------------------------------------------------------------- the script
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m learntorch.examples.mnist_cnn", description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=None,
                   help="data root holding MNIST/raw/ (default: $LEARNTORCH_DATA, ~/.cache/learntorch or the "
                        "course's shared/data, whichever has MNIST)")
    p.add_argument("--train-images", type=int, default=None, metavar="N",
                   help="train on the first N images (default: the whole training split, or 8000 of the test split)")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--test-batch-size", type=int, default=1000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--download", action="store_true", help="download the MNIST files that are missing")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    args = parse_args(argv)
    root = args.root if args.root is not None else default_root()
    train_set, test_set, about = datasets(root, args.train_images, args.download)
    print(about, flush=True)

    torch.manual_seed(args.seed)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.test_batch_size)
    model = CNN()
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)

    history = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        loss = train_one_epoch(model, train_loader, criterion, optimizer, progress=not args.no_progress,
                               desc=f"epoch {epoch}/{args.epochs}")
        seconds = time.perf_counter() - start
        accuracy = evaluate(model, test_loader)
        print(f"epoch {epoch}: train loss {loss:.4f}, test accuracy {accuracy:.2%} "
              f"({len(train_set) / seconds:.0f} images/s, {seconds:.1f} s)", flush=True)
        history.append({"epoch": epoch, "loss": loss, "accuracy": accuracy, "seconds": seconds})
    return history


if __name__ == "__main__":
    torch.cpu.tune_allocator()  # learntorch only: keep freed activation buffers warm (see learntorch/_runtime.py)
    main(sys.argv[1:])
