"""matmul on transposed and strided operands: read in place where BLAS can, right either way.

``x @ w.t()`` (every ``nn.Linear``) hands the weight's transpose to BLAS as it is, with no
copy, and mm's backward computes the weight's gradient in the weight's own layout, so
``w.grad`` is a plain row-major tensor that backward stores without a copy.
"""
from __future__ import annotations

import numpy as np
import pytest

import learntorch as lt
from learntorch.backends import cpu
from learntorch.backends.cpu.fast import matmul_blas as mm

pytest.importorskip("scipy", reason="the BLAS path calls scipy's BLAS")


def _layouts(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> dict[str, lt.Tensor]:
    """The same values as a row-major tensor, a transposed view and a strided slice."""
    values = rng.standard_normal(shape).astype(dtype)
    swapped = values.shape[:-2] + values.shape[-1:] + values.shape[-2:-1]
    wide = rng.standard_normal(values.shape[:-1] + (2 * values.shape[-1],)).astype(dtype)
    wide[..., ::2] = values
    return {
        "contiguous": lt.from_numpy(values.copy()),
        "transposed": lt.from_numpy(np.ascontiguousarray(np.swapaxes(values, -1, -2)).reshape(swapped)).transpose(-2, -1),
        "strided": lt.from_numpy(wide)[..., ::2],
    }


@pytest.mark.parametrize("kernel", ["blas", "numba"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [(), (3,)], ids=["2d", "batched"])
def test_every_layout_pair_matches_numpy(kernel: str, dtype: type, batch: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    before = cpu.get_matmul_kernel()
    cpu.set_matmul_kernel(kernel)
    try:
        for name_a, a in _layouts(rng, batch + (5, 7), dtype).items():
            for name_b, b in _layouts(rng, batch + (7, 4), dtype).items():
                out = a @ b
                ref = a.numpy() @ b.numpy()
                assert out.shape == ref.shape and out.is_contiguous()
                np.testing.assert_allclose(out.numpy(), ref, rtol=1e-5, atol=1e-5,
                                           err_msg=f"{name_a} @ {name_b}")
    finally:
        cpu.set_matmul_kernel(before)


@pytest.mark.numba_kernels
def test_linear_reads_the_weight_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """nn.Linear's x @ w.t() passes BLAS a view of w's memory: no transposed copy of the weight."""
    layer = lt.nn.Linear(300, 20)
    x = lt.randn(8, 300)
    seen = []
    original = mm.matmul_blas

    def spy(*args):  # noqa: ANN002
        b, b_row_stride, b_col_stride = args[10], args[13], args[14]
        # b is w's own storage, read column by column (unit row stride): BLAS's transpose flag
        seen.append(np.shares_memory(b, layer.weight.detach().numpy()) and (b_row_stride, b_col_stride) == (1, 300))
        original(*args)

    monkeypatch.setattr(mm, "matmul_blas", spy)
    y = layer(x)
    assert seen == [True]
    np.testing.assert_allclose(y.detach().numpy(), x.numpy() @ layer.weight.detach().numpy().T
                               + layer.bias.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_linear_weight_grad_is_stored_without_a_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """w.grad is mm's row-major product itself: backward neither transposes nor clones it."""
    lt.manual_seed(0)
    layer = lt.nn.Linear(30, 6)
    x = lt.randn(5, 30)
    g = lt.randn(5, 6)
    copied = []
    clone, contiguous = lt.Tensor.clone, lt.Tensor.contiguous

    def spy_clone(self: lt.Tensor, *args: object, **kwargs: object) -> lt.Tensor:
        if self.numel() == layer.weight.numel():
            copied.append(("clone", tuple(self.shape)))
        return clone(self, *args, **kwargs)

    def spy_contiguous(self: lt.Tensor, *args: object, **kwargs: object) -> lt.Tensor:
        if self.numel() == layer.weight.numel() and not self.is_contiguous():
            copied.append(("contiguous", tuple(self.shape)))
        return contiguous(self, *args, **kwargs)

    monkeypatch.setattr(lt.Tensor, "clone", spy_clone)
    monkeypatch.setattr(lt.Tensor, "contiguous", spy_contiguous)
    layer(x).backward(g)
    monkeypatch.undo()
    assert copied == []
    grad = layer.weight.grad
    assert grad.is_contiguous()
    np.testing.assert_allclose(grad.numpy(), g.numpy().T @ x.numpy(), rtol=1e-5, atol=1e-5)
    layer(x).backward(g)  # accumulates in place into the stored gradient
    np.testing.assert_allclose(layer.weight.grad.numpy(), 2 * (g.numpy().T @ x.numpy()), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ["a @ w.t()", "a.t() @ b", "a.t() @ w.t()", "batched transposes"])
def test_gradients_through_transposed_operands(case: str) -> None:
    rng = np.random.default_rng(1)

    def t64(*shape: int) -> lt.Tensor:
        return lt.tensor(rng.standard_normal(shape), dtype=lt.float64, requires_grad=True)

    fn, inputs = {
        "a @ w.t()": (lambda a, w: a @ w.t(), (t64(3, 4), t64(5, 4))),
        "a.t() @ b": (lambda a, b: a.t() @ b, (t64(4, 3), t64(4, 5))),
        "a.t() @ w.t()": (lambda a, w: a.t() @ w.t(), (t64(4, 3), t64(5, 4))),
        "batched transposes": (lambda a, b: a.transpose(1, 2) @ b.transpose(1, 2), (t64(2, 4, 3), t64(2, 5, 4))),
    }[case]
    assert lt.autograd.gradcheck(fn, inputs)
    assert lt.autograd.gradgradcheck(fn, inputs)


def test_a_transposed_gradient_stays_correct_when_a_hook_keeps_the_view() -> None:
    """The transposed product's gradient is handed on as its row-major base: a hook on w.t()
    still sees the right (transposed) values."""
    w = lt.randn(4, 3, requires_grad=True)
    x = lt.randn(2, 3)
    wt = w.t()
    seen = []
    wt.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x @ wt).sum().backward()
    np.testing.assert_allclose(seen[0], x.numpy().T @ np.ones((2, 4), np.float32), rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), seen[0].T, rtol=1e-6)
