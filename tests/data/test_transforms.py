"""vision.transforms: ToTensor, Normalize, Compose, Lambda."""
import numpy as np
import pytest

import learntorch as lt
from learntorch.vision import transforms


def test_to_tensor_gray_and_color():
    gray = np.array([[0, 255], [51, 102]], np.uint8)
    x = transforms.ToTensor()(gray)
    assert x.shape == (1, 2, 2) and x.dtype is lt.float32
    np.testing.assert_allclose(x.numpy()[0], [[0, 1], [0.2, 0.4]], rtol=1e-6)
    color = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)  # H, W, C
    y = transforms.ToTensor()(color)
    assert y.shape == (3, 2, 3)
    np.testing.assert_allclose(y.numpy(), color.transpose(2, 0, 1) / 255, rtol=1e-6)
    with pytest.raises(TypeError):
        transforms.ToTensor()(lt.zeros(1, 2, 2))


def test_normalize_compose_lambda():
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.25), (0.5, 0.25)),
                            transforms.Lambda(lambda x: x * 2)])
    out = t(np.full((2, 2, 2), 255, np.uint8))
    np.testing.assert_allclose(out.numpy(), np.stack([np.full((2, 2), 2.0), np.full((2, 2), 6.0)]), rtol=1e-6)
    with pytest.raises(ValueError, match="std"):
        transforms.Normalize((0.5,), (0.0,))
    with pytest.raises(TypeError):
        transforms.Normalize((0.5,), (0.5,))(lt.zeros(4))
    with pytest.raises(TypeError):
        transforms.Lambda(3)
