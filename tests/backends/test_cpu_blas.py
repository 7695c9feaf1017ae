"""The BLAS binding (learntorch/backends/cpu/blas.py): layouts BLAS reads in place, OpenBLAS's
thread count, and products big enough to be split over Numba's threads."""
from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import njit

import learntorch as lt
from learntorch.backends.cpu.fast import blas
from learntorch.backends.cpu.fast.matmul_blas import GEMM_GRAIN

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("rows, cols, strides, expected", [
    (4, 3, (3, 1), (3, 1)),  # row-major
    (4, 3, (8, 1), (8, 1)),  # rows of a wider matrix: x[:, :3]
    (4, 3, (1, 4), (1, 4)),  # column-major: w.t()
    (1, 3, (0, 1), (3, 1)),  # one row: its row stride is never used
    (4, 1, (1, 0), (1, 1)),  # one column
    (4, 3, (0, 1), None),  # broadcast rows overlap
    (4, 3, (6, 2), None),  # a step slice: no unit stride
    (4, 3, (1, 2), None),  # columns overlap
])
def test_blas_strides(rows: int, cols: int, strides: tuple[int, int], expected: tuple[int, int] | None) -> None:
    assert blas.blas_strides(rows, cols, *strides) == expected


def _current_threads() -> int:
    """SciPy's OpenBLAS thread count (setting it returns the count before: set it straight back)."""
    setter = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(blas.thread_setter())
    count = setter(1)
    setter(count)
    return count


@njit
def _threads_inside(setter: int) -> tuple[int, int]:
    before = blas.set_blas_threads(setter, 1)
    inside = blas.set_blas_threads(setter, before)
    return before, inside


def test_kernels_keep_blas_on_one_thread_and_restore_its_count() -> None:
    if not blas.can_set_threads():
        pytest.skip("SciPy's BLAS here is not an OpenBLAS whose threads can be set")
    before = _current_threads()
    assert _threads_inside(blas.thread_setter()) == (before, 1)
    a = lt.randn(200, 300)
    a @ a.t()
    assert _current_threads() == before
    assert _threads_inside(0) == (0, 0)  # no setter: nothing set


@pytest.mark.parametrize("m, k, n", [(70, 80, 60), (40, 100, 90), (3, 50, 2000), (8, 5000, 12)],
                         ids=["split-rows", "split-columns", "wide", "split-k"])
@pytest.mark.parametrize("dtype", [lt.float32, lt.float64])
def test_products_split_over_threads_match_numpy(m: int, k: int, n: int, dtype: lt.dtype) -> None:
    assert m * n * k >= GEMM_GRAIN
    rng = np.random.default_rng(m)
    a_np, b_np = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    a = lt.tensor(a_np, dtype=dtype)
    b_t = lt.tensor(np.ascontiguousarray(b_np.T), dtype=dtype).t()  # column-major
    wide = lt.tensor(np.concatenate([a_np, a_np], axis=1), dtype=dtype)[:, :k]  # row stride 2k
    tol = 1e-4 if dtype == lt.float32 else 1e-12
    for left in (a, wide):
        out = (left @ b_t).numpy()
        np.testing.assert_allclose(out, a_np @ b_np, rtol=tol, atol=tol * np.abs(a_np @ b_np).max())
    batched = lt.stack([a, 2 * a, -a]) @ b_t
    np.testing.assert_allclose(batched.numpy()[1], 2 * (a_np @ b_np), rtol=tol, atol=tol * 2 * np.abs(a_np @ b_np).max())


def test_the_first_product_of_a_process_runs_on_several_threads() -> None:
    """Numba's BLAS helper looks up SciPy's gemm on its first call, which takes the GIL; the
    parallel kernel is ``nogil``, so that first call may happen on a worker thread."""
    script = ("import numba, numpy as np, learntorch as lt; numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS)); "
              "a = lt.randn(300, 300); print(float(np.abs((a @ a).numpy() - a.numpy() @ a.numpy()).max()))")
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout.strip().splitlines()[-1]) < 1e-3


def test_single_row_and_column_operands_with_unit_strides() -> None:
    """A (1, n) or (n, 1) matrix whose two strides are both 1 (``v.unsqueeze(-1).t()``) is
    handed to gemm with the leading dimension gemm's layout choice needs (an ld of 1 is illegal)."""
    v = lt.tensor([1.0, 2.0, 3.0])
    column = v.unsqueeze(-1)  # (3, 1), strides (1, 1)
    row = column.t()  # (1, 3), strides (1, 1)
    assert column.stride() == (1, 1) and row.stride() == (1, 1)
    g = lt.tensor([[2.0], [-1.0]])  # (2, 1)
    np.testing.assert_allclose((g @ row).numpy(), g.numpy() @ row.numpy())
    np.testing.assert_allclose((row @ column).numpy(), [[14.0]])
    np.testing.assert_allclose((column @ row).numpy(), np.outer(v.numpy(), v.numpy()))
