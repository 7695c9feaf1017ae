"""benchmarks/bench_cnn.py still runs: the whole comparison at batch 4, one sample each.

The first-step part (fresh processes, one with a cold Numba cache) is left out: it takes a
minute. torch takes part when it is installed (the ``reference`` extra)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_cnn.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_cnn", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_cnn"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["bench_cnn"]


def test_tiny_run_reports_every_row(bench) -> None:
    cfg = bench.Config(batch=4, infer_batch=4, rounds=1, repeats=1, warmup=1, layer_repeats=1, pause_s=0.0,
                       first_step=False)
    res = bench.run(cfg, log=lambda s: None)
    libs = ["learntorch"] + (["torch"] if "torch" in res.step else [])
    for lib in libs:
        assert res.step[lib] > 0 and res.infer[lib] > 0
        assert set(res.layers[lib]) == set(bench.LAYERS) | {"loss", "zero_grad", "adam"}
    if "torch" in res.step:  # same weights and data: the first losses agree
        assert res.loss_check["learntorch"] == pytest.approx(res.loss_check["torch"], rel=1e-4)
        assert res.throughput_ratio() == pytest.approx(res.step["torch"] / res.step["learntorch"])
    text = bench.format_results(res, cfg)
    for word in ("train step", "inference", "conv2", "fc1", "adam", "sum"):
        assert word in text
