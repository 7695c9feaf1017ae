"""``python -m learntorch.examples.mnist_cnn``: options, the test-split fallback, a tiny run.

The learning itself is checked by tests/test_mnist_cnn_slow_end_to_end.py."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from learntorch.examples import mnist_cnn

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

needs_data = pytest.mark.skipif(not mnist_cnn.has_split(SHARED_DATA, train=False),
                                reason=f"MNIST test split not found under {SHARED_DATA}")


@needs_data
def test_tiny_run_falls_back_on_the_test_split_and_says_so(capsys: pytest.CaptureFixture) -> None:
    history = mnist_cnn.main(["--root", str(SHARED_DATA), "--train-images", "128", "--epochs", "1",
                              "--batch-size", "64", "--test-batch-size", "500", "--no-progress"])
    out = capsys.readouterr().out
    assert "full MNIST training split is not in" in out and "--download" in out
    assert "training on its first 128 images, testing on its last 2000" in out
    assert "epoch 1: train loss" in out and "test accuracy" in out
    assert len(history) == 1 and 0.0 <= history[0]["accuracy"] <= 1.0 and history[0]["loss"] > 0


@needs_data
def test_train_images_beyond_the_holdout_is_refused() -> None:
    with pytest.raises(ValueError, match="--train-images must be in 1..8000"):
        mnist_cnn.test_split_datasets(SHARED_DATA, 9000)


def test_missing_data_gives_the_library_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="download=True"):
        mnist_cnn.main(["--root", str(tmp_path), "--no-progress"])


def test_model_and_loop_are_plain_pytorch_code() -> None:
    """Only the four imports name learntorch: the model and loop would run on PyTorch as they are."""
    source = inspect.getsource(mnist_cnn)
    imports = [line for line in source.splitlines() if line.startswith(("import learntorch", "from learntorch"))]
    assert imports == ["import learntorch as torch", "import learntorch.nn as nn", "import learntorch.optim as optim",
                       "import learntorch.vision as torchvision"]
    for fn in (mnist_cnn.CNN, mnist_cnn.train_one_epoch, mnist_cnn.evaluate):
        assert "learntorch" not in inspect.getsource(fn)
