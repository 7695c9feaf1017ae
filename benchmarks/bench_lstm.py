#!/usr/bin/env python
"""An LSTM language model's layer, learntorch against PyTorch CPU in one run: forward + backward.

    python benchmarks/bench_lstm.py               # 15 rounds
    python benchmarks/bench_lstm.py --rounds 5    # a quicker, noisier run
    python benchmarks/bench_lstm.py --threads 1   # every library on 1 thread (Numba, OpenBLAS, torch; re-executes)

``LSTM(64, 128, num_layers=2)`` on a (35, 20, 64) float32 input (sequence 35, batch 20, as
PyTorch's word language model example), the same weights in both libraries. One sample is
``out, (h, c) = lstm(x); (out * r).sum().backward()``. The libraries take turns each round and
the figure is the ratio of their medians: compare ratios within one run, not the times of two
runs (the machine is shared). PyTorch runs on 2 threads unless ``--threads`` says otherwise. The
target (issue 11): learntorch within 2x of PyTorch.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

THREAD_VARS = ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
if __name__ == "__main__" and "--threads" in sys.argv[1:-1]:  # read when the libraries load: re-execute once
    _n = sys.argv[sys.argv.index("--threads") + 1]
    if any(os.environ.get(k) != _n for k in THREAD_VARS):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **{k: _n for k in THREAD_VARS}})
os.environ.setdefault("LEARNTORCH_TUNE_MALLOC", "1")  # learntorch's malloc tuning, as bench_cnn.py opts in

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
if os.path.isfile(os.path.join(REPO_ROOT, "learntorch", "__init__.py")) and REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import learntorch as lt  # noqa: E402
import torch  # noqa: E402

SEQ, BATCH, INPUT, HIDDEN, LAYERS = 35, 20, 64, 128, 2


def make_step(lib, lstm, x, r):
    """A closure running one forward + backward of ``lstm`` in library ``lib``."""
    xs, rs = lib.tensor(x, requires_grad=True), lib.tensor(r)

    def step() -> None:
        lstm.zero_grad()
        out, _ = lstm(xs)
        (out * rs).sum().backward()
    return step


def time_once(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3, help="samples per library per round")
    parser.add_argument("--threads", type=int, help="every library on this many threads (default: torch on 2, "
                        "learntorch as configured)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads or 2)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((SEQ, BATCH, INPUT)).astype(np.float32)
    r = rng.standard_normal((SEQ, BATCH, HIDDEN)).astype(np.float32)
    theirs = torch.nn.LSTM(INPUT, HIDDEN, LAYERS)
    ours = lt.nn.LSTM(INPUT, HIDDEN, LAYERS)
    ours.load_state_dict({k: lt.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    steps = {"learntorch": make_step(lt, ours, x, r), "torch": make_step(torch, theirs, x, r)}
    for step in steps.values():  # warm-up: Numba compiles, allocator caches
        for _ in range(3):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            times[name] += [time_once(step) for _ in range(args.repeats)]
    med = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"LSTM({INPUT}, {HIDDEN}, num_layers={LAYERS}), input ({SEQ}, {BATCH}, {INPUT}) float32, "
          f"forward + backward, median of {args.rounds * args.repeats}; torch on {torch.get_num_threads()} threads")
    for name, t in med.items():
        print(f"  {name:<11} {t * 1e3:8.2f} ms")
    print(f"  learntorch / torch: {med['learntorch'] / med['torch']:.2f}x  (target: at most 2x)")


if __name__ == "__main__":
    main()
