"""benchmarks/bench_core.py still runs: one tiny benchmark of each kind, without torch.

The script is not a package module, so it is loaded from its path. The sizes are tiny and
torch is left out, so this takes a second or two once the kernels are in Numba's cache.
"""
import importlib.util
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_core.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_core", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_core"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["bench_core"]


@pytest.fixture(scope="module")
def cfg(bench):
    return bench.Config(repeats=2, rounds=1, warmup=1, pause_s=0.0, min_sample_s=0.0, use_torch=False)


def _check_times(row):
    for t in (row.learntorch, row.numpy):
        assert isinstance(t, float) and math.isfinite(t) and t > 0
    assert row.torch is None
    assert row.lt_np == pytest.approx(row.learntorch / row.numpy)


def test_binary_broadcast(bench, cfg):
    row = bench.bench_binary("add", (8, 1), (1, 16), cfg)
    _check_times(row)
    assert row.ok is None  # no target below 1e6 elements
    assert "add" in bench.format_table([row])


def test_unary_every_op(bench, cfg):
    from learntorch.backends.common.scalar_ops import UNARY_OPS
    assert set(bench._UNARY) == set(UNARY_OPS) - {"identity"}  # a new op gets a row
    for op in bench._UNARY:
        row = bench.bench_unary(op, 64, cfg)
        _check_times(row)
        assert row.name == f"{op} 64"


def test_sum(bench, cfg):
    _check_times(bench.bench_sum((16, 32), 0, cfg))


def test_matmul_numba_kernel(bench, cfg):
    from learntorch.backends import cpu
    before = cpu.get_matmul_kernel()
    row = bench.bench_matmul(16, "numba", cfg)
    _check_times(row)
    assert row.extra["gflops"]["learntorch"] > 0
    assert cpu.get_matmul_kernel() == before  # the benchmark restores the kernel choice
