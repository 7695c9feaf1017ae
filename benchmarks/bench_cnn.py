#!/usr/bin/env python
"""The course CNN, learntorch against PyTorch CPU in one run: training step, inference, per layer, first step.

    python benchmarks/bench_cnn.py                  # the full run, about a minute plus the cold compile
    python benchmarks/bench_cnn.py --quick          # fewer samples: a smoke run, noisy
    python benchmarks/bench_cnn.py --json out.json  # also write every number and the environment
    python benchmarks/bench_cnn.py --no-first-step  # skip the fresh processes (cold/warm Numba cache)
    python benchmarks/bench_cnn.py --threads 1      # every library on 1 thread: usable on a busy machine

The model is the course's (Conv2d(1,32,3,p=1), ReLU, Conv2d(32,32,3,p=1), ReLU, Flatten,
Linear(25088,128), ReLU, Linear(128,10); CrossEntropyLoss; Adam lr 1e-3), float32, with the
same weights and data in both libraries. PyTorch runs on ``--torch-threads`` (2) threads.

* **train step**: ``zero_grad(); loss = criterion(model(x), y); loss.backward(); step()``
  at batch 64. **inference**: ``model(x)`` under ``no_grad()`` at batch 256, in eval mode.
  Each is the median of ``rounds x repeats`` calls after warm-up (so Numba's compile time is
  excluded); the libraries take turns each round, with a pause between them so the previous
  library's spinning worker threads go idle.
* **per layer**: each layer runs on its own, on a detached copy of its real input that
  requires grad (the first conv's input does not, as in training), so its forward and its
  backward (``autograd.grad(out, [input, *params], g, retain_graph=True)``, with g the real
  gradient of its output) can be timed apart; ``loss`` is the criterion, ``adam`` is
  ``optimizer.step()``. The rows add up to about the step (plus noise and the Python
  overhead between layers). Between forward samples the garbage collector runs (untimed):
  learntorch's ReLU keeps its output for backward, a reference cycle (output -> grad_fn ->
  saved output) that only the collector frees when no backward runs, and without it each
  sample would allocate fresh, page-faulting memory that a training step does not.
* **first step**: a fresh process imports the library, builds the model and times its first
  and second training steps. With an empty ``NUMBA_CACHE_DIR`` (cold) the first step compiles
  every kernel it uses; the same process run again (warm) loads them from that cache.

Compare the ratios within one run, not the times of two runs: the machine is shared. The
header says how much CPU other processes took meanwhile; a BUSY run is not a measurement.
The target (issue 3): learntorch's training step reaches at least 0.5x PyTorch's throughput
on the 2-core course machine, aiming for 0.8x.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
# Benchmark the working tree this script sits in (also when an installed learntorch is stale).
if os.path.isfile(os.path.join(REPO_ROOT, "learntorch", "__init__.py")) and REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def _load_bench_core() -> Any:
    """bench_core.py beside this file: its environment report, CPU-load meter and subprocess runner."""
    if "bench_core" in sys.modules:
        return sys.modules["bench_core"]
    spec = importlib.util.spec_from_file_location("bench_core", os.path.join(HERE, "bench_core.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_core"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


core = _load_bench_core()

STEP_MIN_THROUGHPUT = 0.5  # learntorch img/s / torch img/s, the target
STEP_AIM_THROUGHPUT = 0.8
LAYERS = ("conv1", "relu1", "conv2", "relu2", "flatten", "fc1", "relu3", "fc2")


@dataclass
class Config:
    batch: int = 64
    infer_batch: int = 256
    rounds: int = 3
    repeats: int = 10
    warmup: int = 3
    layer_repeats: int = 7
    pause_s: float = 0.2
    use_torch: bool = True
    torch_threads: int = 2
    first_step: bool = True

    @classmethod
    def quick(cls) -> "Config":
        return cls(rounds=1, repeats=3, warmup=1, layer_repeats=2, pause_s=0.05)


# ---------------------------------------------------------------- the model, written once for both libraries
def build_cnn(nn: Any) -> Any:
    """The course CNN from ``nn`` (``torch.nn`` or ``learntorch.nn``)."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(32 * 28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))


class Setup:
    """One library's model, criterion, optimizer and data, ready to time."""

    def __init__(self, lib: Any, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray,
                 x_infer: np.ndarray) -> None:
        self.lib = lib
        lib.manual_seed(0)
        self.model = build_cnn(lib.nn)
        with lib.no_grad():
            for p, w in zip(self.model.parameters(), weights):
                p.copy_(lib.from_numpy(w.copy()))
        self.criterion = lib.nn.CrossEntropyLoss()
        self.optimizer = lib.optim.Adam(self.model.parameters(), lr=1e-3)
        self.x, self.y = lib.from_numpy(x.copy()), lib.from_numpy(y.copy())
        self.x_infer = lib.from_numpy(x_infer.copy())

    def step(self) -> Any:
        self.optimizer.zero_grad()
        loss = self.criterion(self.model(self.x), self.y)
        loss.backward()
        self.optimizer.step()
        return loss

    def infer(self) -> Any:
        self.model.eval()
        try:
            with self.lib.no_grad():
                return self.model(self.x_infer)
        finally:
            self.model.train()

    # ---- per layer
    def layer_times(self, repeats: int) -> dict[str, tuple[float, float]]:
        """{name: (forward s, backward s)} for each layer, the loss, zero_grad and Adam (medians)."""
        lib, model = self.lib, self.model
        layers = list(model.children())
        ins, outs = [], []
        h = self.x
        for i, layer in enumerate(layers):
            inp = h if i == 0 else h.detach().requires_grad_(True)
            out = layer(inp)
            ins.append(inp)
            outs.append(out)
            h = out
        logits = h.detach().requires_grad_(True)
        loss = self.criterion(logits, self.y)
        loss.backward()
        grads = [None] * len(layers)
        g = logits.grad
        for i in range(len(layers) - 1, -1, -1):  # the real gradient at each layer's output
            grads[i] = g
            outs[i].backward(g, retain_graph=True)
            g = ins[i].grad

        times: dict[str, tuple[float, float]] = {}
        for i, (name, layer) in enumerate(zip(LAYERS, layers)):
            wrt = ([ins[i]] if i else []) + list(layer.parameters())
            fwd = _median(lambda: layer(ins[i]), repeats, before=gc.collect)
            bwd = (_median(lambda: lib.autograd.grad(outs[i], wrt, grads[i], retain_graph=True), repeats)
                   if wrt else 0.0)
            times[name] = (fwd, bwd)
        loss_fwd = _median(lambda: self.criterion(logits, self.y), repeats, before=gc.collect)
        loss = self.criterion(logits, self.y)
        times["loss"] = (loss_fwd, _median(lambda: lib.autograd.grad(loss, [logits], retain_graph=True), repeats))
        self.step()  # every parameter has a gradient now
        times["zero_grad"] = (0.0, 0.0)
        times["adam"] = (_median(self.optimizer.step, repeats), 0.0)
        zero = []
        for _ in range(repeats):
            self.step()
            t0 = time.perf_counter()
            self.optimizer.zero_grad()
            zero.append(time.perf_counter() - t0)
        times["zero_grad"] = (statistics.median(zero), 0.0)
        return times


def _median(fn: Callable[[], Any], repeats: int, before: Callable[[], Any] | None = None) -> float:
    fn() if before is None else (before(), fn())  # one warm-up call
    out = []
    for _ in range(repeats):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def make_setups(cfg: Config) -> dict[str, Setup]:
    """learntorch and (when importable) torch, with torch's initial weights copied into learntorch."""
    import learntorch
    rng = np.random.default_rng(0)
    x = rng.random((cfg.batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, cfg.batch).astype(np.int64)
    x_infer = rng.random((cfg.infer_batch, 1, 28, 28), dtype=np.float32)
    torch = _torch(cfg)
    if torch is not None:
        torch.manual_seed(0)
        weights = [p.detach().numpy().copy() for p in build_cnn(torch.nn).parameters()]
    else:
        learntorch.manual_seed(0)
        weights = [p.detach().numpy().copy() for p in build_cnn(learntorch.nn).parameters()]
    setups = {"learntorch": Setup(learntorch, weights, x, y, x_infer)}
    if torch is not None:
        setups["torch"] = Setup(torch, weights, x, y, x_infer)
    return setups


def _torch(cfg: Config) -> Any:
    if not cfg.use_torch:
        return None
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(cfg.torch_threads)
    return torch


# ---------------------------------------------------------------- measurements
def compare(setups: dict[str, Setup], what: str, cfg: Config) -> dict[str, list[float]]:
    """Seconds per call of ``Setup.<what>`` per library; the libraries take turns each round."""
    names = list(setups)
    samples: dict[str, list[float]] = {k: [] for k in names}
    for r in range(cfg.rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            fn = getattr(setups[name], what)
            for _ in range(cfg.warmup):
                fn()
            for _ in range(cfg.repeats):
                t0 = time.perf_counter()
                fn()
                samples[name].append(time.perf_counter() - t0)
            time.sleep(cfg.pause_s)  # let spinning worker threads of the last library go idle
    return samples


def layer_breakdown(setups: dict[str, Setup], cfg: Config) -> dict[str, dict[str, tuple[float, float]]]:
    """Per-layer (forward, backward) medians per library, libraries taking turns each round."""
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {k: [] for k in setups}
    names = list(setups)
    for r in range(max(1, cfg.rounds - 1)):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            runs[name].append(setups[name].layer_times(cfg.layer_repeats))
            time.sleep(cfg.pause_s)
    out = {}
    for name, rs in runs.items():
        out[name] = {k: (statistics.median(r[k][0] for r in rs), statistics.median(r[k][1] for r in rs))
                     for k in rs[0]}
    return out


_FIRST_STEP_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import {module} as torch
t1 = time.perf_counter()
if "{module}" == "torch":
    torch.set_num_threads({threads})
sys.path.insert(0, {here!r})
from bench_cnn import build_cnn
torch.manual_seed(0)
model = build_cnn(torch.nn)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x, y = torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
def step():
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()
t2 = time.perf_counter(); step(); t3 = time.perf_counter(); step(); t4 = time.perf_counter()
with torch.no_grad():
    model.eval(); model(torch.rand(256, 1, 28, 28))
t5 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "first_step_s": t3 - t2, "second_step_s": t4 - t3,
                  "first_inference_s": t5 - t4}}))
"""


def first_step(cfg: Config) -> dict[str, Any]:
    """First and second training step in fresh processes: learntorch with a cold Numba cache,
    then warm (the same cache again), and torch for reference."""
    cache = tempfile.mkdtemp(prefix="learntorch-bench-cnn-numba-")
    try:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        script = _FIRST_STEP_SCRIPT.format(module="learntorch", threads=cfg.torch_threads, here=HERE)
        out: dict[str, Any] = {"cold": core.run_script(script, env), "warm": core.run_script(script, env)}
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if _torch(cfg) is not None:
        out["torch"] = core.run_script(_FIRST_STEP_SCRIPT.format(module="torch", threads=cfg.torch_threads,
                                                                 here=HERE))
    return out


@dataclass
class Results:
    step: dict[str, float] = field(default_factory=dict)        # median seconds
    infer: dict[str, float] = field(default_factory=dict)
    layers: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    first: dict[str, Any] = field(default_factory=dict)
    loss_check: dict[str, float] = field(default_factory=dict)
    others_cores: float | None = None
    config: dict[str, Any] = field(default_factory=dict)

    def throughput_ratio(self) -> float | None:
        """learntorch's training throughput as a fraction of torch's (torch time / learntorch time)."""
        if "torch" not in self.step:
            return None
        return self.step["torch"] / self.step["learntorch"]


def run(cfg: Config, log: Callable[[str], None] = print) -> Results:
    res = Results(config=asdict(cfg))
    load = core.CpuLoad()
    setups = make_setups(cfg)
    log("warming up (compiles learntorch's kernels unless Numba's cache has them)...")
    t0 = time.perf_counter()
    first_losses = {k: float(s.step().item()) for k, s in setups.items()}
    for s in setups.values():
        s.infer()
    log(f"  {time.perf_counter() - t0:.1f} s")
    res.loss_check = first_losses
    log("timing the training step...")
    res.step = {k: statistics.median(v) for k, v in compare(setups, "step", cfg).items()}
    log("timing inference...")
    res.infer = {k: statistics.median(v) for k, v in compare(setups, "infer", cfg).items()}
    log("timing each layer...")
    res.layers = layer_breakdown(setups, cfg)
    res.others_cores = load.others()
    if cfg.first_step:
        log("first step in fresh processes (cold Numba cache compiles everything: a minute or more)...")
        res.first = first_step(cfg)
    return res


# ---------------------------------------------------------------- output
def _ms(s: float | None) -> str:
    return "-" if s is None else f"{s * 1e3:.2f}"


def format_results(res: Results, cfg: Config) -> str:
    lt_step, t_step = res.step.get("learntorch"), res.step.get("torch")
    lines = [f"{'':<26}{'learntorch':>12}{'torch':>12}{'lt/torch time':>15}{'throughput ratio':>18}"]
    for label, d, batch in (("train step, batch %d" % cfg.batch, res.step, cfg.batch),
                            ("inference, batch %d" % cfg.infer_batch, res.infer, cfg.infer_batch)):
        lt, t = d.get("learntorch"), d.get("torch")
        ratio = f"{t / lt:.2f}x" if t else "-"
        lines.append(f"{label:<26}{_ms(lt) + ' ms':>12}{(_ms(t) + ' ms') if t else '-':>12}"
                     f"{(f'{lt / t:.2f}x') if t else '-':>15}{ratio:>18}")
        lines.append(f"{'  images/s':<26}{batch / lt:>12.0f}{(batch / t) if t else float('nan'):>12.0f}")
    ratio = res.throughput_ratio()
    if ratio is not None:
        verdict = ("PASS" if ratio >= STEP_MIN_THROUGHPUT else "MISS") + (
            f", and reaches the {STEP_AIM_THROUGHPUT}x aim" if ratio >= STEP_AIM_THROUGHPUT else
            f"; the aim is {STEP_AIM_THROUGHPUT}x")
        lines.append(f"target: learntorch's training throughput >= {STEP_MIN_THROUGHPUT}x torch's: "
                     f"{ratio:.2f}x {verdict}")
    lines.append("")
    libs = list(res.layers)
    head = f"{'per layer (ms)':<14}" + "".join(f"{f'fwd {k[:5]}':>12}{f'bwd {k[:5]}':>12}" for k in libs)
    if len(libs) == 2:
        head += f"{'lt/torch fwd+bwd':>18}"
    lines.append(head)
    totals = {k: 0.0 for k in libs}
    for name in (*LAYERS, "loss", "zero_grad", "adam"):
        row = f"{name:<14}"
        for k in libs:
            f, b = res.layers[k][name]
            totals[k] += f + b
            row += f"{_ms(f):>12}{_ms(b) if b else '':>12}"
        if len(libs) == 2:
            a = sum(res.layers["learntorch"][name])
            t = sum(res.layers["torch"][name])
            row += f"{(a / t) if t > 0 else float('nan'):>17.2f}x"
        lines.append(row)
    lines.append(f"{'sum':<14}" + "".join(f"{_ms(totals[k]):>24}" for k in libs)
                 + "   (the step above: " + ", ".join(f"{k} {_ms(res.step[k])}" for k in libs) + ")")
    if res.first:
        c, w = res.first["cold"], res.first["warm"]
        lines += ["", "first training step in a fresh process (Numba compiles on first use):",
                  f"  cold Numba cache: import {c['import_s']:.2f} s, first step {c['first_step_s']:.2f} s, "
                  f"second step {c['second_step_s'] * 1e3:.1f} ms, first inference {c['first_inference_s']:.2f} s "
                  f"(whole process {c['process_s']:.1f} s)",
                  f"  warm Numba cache: import {w['import_s']:.2f} s, first step {w['first_step_s']:.2f} s, "
                  f"second step {w['second_step_s'] * 1e3:.1f} ms, first inference {w['first_inference_s']:.2f} s "
                  f"(whole process {w['process_s']:.1f} s)"]
        if "torch" in res.first:
            t = res.first["torch"]
            lines.append(f"  torch:            import {t['import_s']:.2f} s, first step {t['first_step_s']:.2f} s, "
                         f"second step {t['second_step_s'] * 1e3:.1f} ms")
    if len(res.loss_check) == 2:
        a, b = res.loss_check["learntorch"], res.loss_check["torch"]
        lines += ["", f"same weights and data: first loss learntorch {a:.6f}, torch {b:.6f}"]
    if res.others_cores is None:
        lines.append("CPU load of other processes: unknown")
    else:
        lines.append(f"other processes used {res.others_cores:.2f} cores on average during this run"
                     + (": BUSY, 2-thread timings are unreliable" if res.others_cores > 0.15 else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    p.add_argument("--json", metavar="PATH", help="write every result and the environment to PATH")
    p.add_argument("--no-first-step", action="store_true", help="skip the fresh-process first-step runs")
    p.add_argument("--no-torch", action="store_true", help="leave torch out even if importable")
    p.add_argument("--torch-threads", type=int, default=2, metavar="N", help="torch.set_num_threads (2)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="run every library on N threads (Numba, OpenBLAS, OpenMP, torch; re-executes)")
    p.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                   help="first wait up to SECONDS for other processes to leave the CPU idle")
    args = p.parse_args(argv)
    os.environ.setdefault("LEARNTORCH_TUNE_MALLOC", "1")  # opt in to learntorch's malloc tuning, here and in subprocesses
    if args.threads:
        wanted = {k: str(args.threads) for k in core.THREAD_VARS}
        if any(os.environ.get(k) != v for k, v in wanted.items()):  # read when the libraries load
            os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *argv], {**os.environ, **wanted})
    cfg = Config.quick() if args.quick else Config()
    cfg.use_torch = not args.no_torch
    cfg.first_step = not args.no_first_step
    cfg.torch_threads = int(os.environ.get("BENCH_TORCH_THREADS", args.torch_threads))
    print("learntorch vs PyTorch CPU: the course CNN" + (" (quick)" if args.quick else "")
          + f"; medians of {cfg.rounds}x{cfg.repeats} after {cfg.warmup} warm-up calls, float32", flush=True)
    if args.wait_quiet:
        core.wait_for_quiet(args.wait_quiet)
    res = run(cfg, log=lambda s: print(s, flush=True))
    env = core.environment(core.Config(use_torch=cfg.use_torch))
    import learntorch
    env["learntorch_runtime"] = learntorch._runtime.applied
    print()
    print(core.format_environment(env))
    print()
    print(format_results(res, cfg))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"environment": env, "results": asdict(res)}, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
