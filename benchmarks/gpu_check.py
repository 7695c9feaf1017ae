"""One run on a machine with an NVIDIA GPU: the test suite, then learntorch CUDA against learntorch CPU
and torch CUDA, with ratios.

    python benchmarks/gpu_check.py                  # tests, CNN step at batch 64 and 256, matmul 1024-4096
    python benchmarks/gpu_check.py --tests none     # benchmarks only
    NUMBA_ENABLE_CUDASIM=1 python benchmarks/gpu_check.py --tiny --tests none   # the script itself, no GPU

1. Tests: ``pytest`` over the whole suite (``--tests all``) or only the tests that run on the GPU
   (``--tests cuda``: tests/cuda_sim, whose kernels run on the real GPU when there is one, the
   full-size checks of tests/backends/test_cuda_gpu.py and the sm_90 compiles of test_cuda_ptx.py;
   the simulator replay, tests/test_cuda_simulator.py, needs no GPU and is left to CI).
   Its output streams as it comes; ``--test-timeout`` stops it (the benchmarks still run), and
   ``--workers`` spreads it over pytest-xdist processes where that is installed.
2. The seed CNN's training step (zero_grad, forward, cross-entropy, backward, Adam): conv 1->32,
   conv 32->32 (3x3, padding 1, each followed by ReLU twice), fc 32*28*28->128, ReLU, fc 128->10,
   at batch 64 and 256, for learntorch on CUDA, learntorch on the CPU (numba limited to
   ``--cpu-threads``, 2 by default, like the development machine) and torch on CUDA.
3. Square float32 matmul at 1024, 2048 and 4096: learntorch's tiled kernel against cuBLAS
   (torch, with TF32 off so both do full fp32 arithmetic).

Times are medians over ``--repeats`` runs after a warm-up, each ended by a device synchronize.
``--tiny`` shrinks every size so that the script runs under the CUDA simulator in seconds.
``--json`` is rewritten after each section and row, so a run stopped by its time limit keeps what it measured.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import learntorch as lt  # noqa: E402

TARGETS = {"cnn_cuda_vs_cpu": 10.0, "matmul_4096_vs_cublas": 0.25}


def run_tests(which: str, workers: int, time_limit: float) -> dict[str, Any]:
    """pytest in a subprocess, its output streamed; returns its exit code and summary line.

    Stopped after ``time_limit`` seconds (returncode None, ``timed_out`` True)."""
    paths = {"all": [], "cuda": ["tests/cuda_sim", "tests/backends/test_cuda_gpu.py", "tests/backends/test_cuda_ptx.py"]}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short", *paths[which]]
    if workers > 1 and importlib.util.find_spec("xdist") is not None:
        cmd += ["-n", str(workers)]
    if importlib.util.find_spec("pytest_timeout") is not None:
        cmd += ["--timeout", "120"]  # one hung test fails alone instead of using up the time limit
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=os.setpgrp)  # its own process group: the xdist workers are stopped with it
    timer = threading.Timer(time_limit, os.killpg, (proc.pid, signal.SIGKILL))
    timer.start()
    last = ""
    for line in proc.stdout:
        print(line, end="")
        last = line.strip() or last
    returncode = proc.wait()
    timed_out = not timer.is_alive()
    timer.cancel()
    return {"command": " ".join(cmd[1:]), "returncode": None if timed_out else returncode, "summary": last,
            "timed_out": timed_out, "seconds": round(time.perf_counter() - start, 1)}


def median_time(step: Callable[[], Any], sync: Callable[[], None], repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def seed_cnn(nn: Any, channels: int, hw: int, hidden: int) -> Any:
    """The seed CNN with the given widths, built from learntorch.nn or torch.nn (same API)."""
    return nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.ReLU(),
                         nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(), nn.ReLU(), nn.Flatten(),
                         nn.Linear(channels * hw * hw, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def cnn_step_fn(lib: Any, device: str, batch: int, sizes: tuple[int, int, int]) -> tuple[Callable, Callable]:
    """(step, first_loss) for one library and device; the weights and data are the same for all."""
    channels, hw, hidden = sizes
    lt.manual_seed(0)
    reference = seed_cnn(lt.nn, channels, hw, hidden)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, hw, hw)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    if lib is lt:
        model = reference.to(device)
    else:
        model = seed_cnn(lib.nn, channels, hw, hidden)
        with lib.no_grad():
            for p, q in zip(model.parameters(), reference.parameters()):
                p.copy_(lib.from_numpy(q.detach().numpy().copy()))
        model = model.to(device)
    inputs, targets = lib.tensor(x).to(device), lib.tensor(y).to(device)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        opt.step()
        return loss

    return step, lambda: float(loss_fn(model(inputs), targets).item())


def bench_cnn(batch: int, sizes: tuple[int, int, int], torch: Any, repeats: int, warmup: int,
              cpu_threads: int) -> dict[str, Any]:
    """One row: the CNN step's median time per library at this batch, their ratios and first losses."""
    import numba
    row: dict[str, Any] = {"batch": batch}
    runs: list[tuple[str, Any, str, Callable[[], None]]] = [
        ("learntorch_cuda", lt, "cuda", lt.cuda.synchronize), ("learntorch_cpu", lt, "cpu", lambda: None)]
    if torch is not None:
        runs.append(("torch_cuda", torch, "cuda", torch.cuda.synchronize))
    for name, lib, device, sync in runs:
        threads = numba.get_num_threads()
        if name == "learntorch_cpu":
            numba.set_num_threads(min(cpu_threads, numba.config.NUMBA_NUM_THREADS))
        try:
            step, loss = cnn_step_fn(lib, device, batch, sizes)
            row[name + "_loss0"] = loss()
            row[name + "_s"] = median_time(step, sync, repeats, warmup)
        finally:
            numba.set_num_threads(threads)
    row["cuda_vs_cpu"] = row["learntorch_cpu_s"] / row["learntorch_cuda_s"]
    row["losses_match"] = all(abs(row[k] - row["learntorch_cpu_loss0"]) <= 1e-4 * abs(row[k]) + 1e-5
                              for k in row if k.endswith("_loss0"))
    if torch is not None:
        row["torch_vs_learntorch_cuda"] = row["learntorch_cuda_s"] / row["torch_cuda_s"]
    return row


def bench_matmul(n: int, torch: Any, repeats: int, warmup: int) -> dict[str, Any]:
    """One row: (n, n) @ (n, n) in float32, learntorch's kernel against cuBLAS, and its error against float64."""
    rng = np.random.default_rng(0)
    a_np, b_np = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
    a, b = lt.tensor(a_np, device="cuda"), lt.tensor(b_np, device="cuda")
    out = (a @ b).cpu().numpy()
    expected = a_np.astype(np.float64) @ b_np.astype(np.float64)
    row: dict[str, Any] = {"n": n, "max_rel_err": float(np.abs(out - expected).max() / np.abs(expected).max())}
    row["learntorch_cuda_s"] = median_time(lambda: a @ b, lt.cuda.synchronize, repeats, warmup)
    row["learntorch_gflops"] = 2 * n ** 3 / row["learntorch_cuda_s"] / 1e9
    if torch is not None:
        ta, tb = torch.from_numpy(a_np).cuda(), torch.from_numpy(b_np).cuda()
        row["cublas_s"] = median_time(lambda: ta @ tb, torch.cuda.synchronize, repeats, warmup)
        row["cublas_gflops"] = 2 * n ** 3 / row["cublas_s"] / 1e9
        row["fraction_of_cublas"] = row["cublas_s"] / row["learntorch_cuda_s"]
    return row


def load_torch() -> Any:
    """torch with a usable GPU (TF32 off), or None."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return torch


def report(results: dict[str, Any]) -> str:
    lines = [f"device: {results['device']}   torch: {results['torch']}"]
    if results.get("tests"):
        t = results["tests"]
        stop = "stopped at its time limit" if t["timed_out"] else f"exit {t['returncode']}"
        lines.append(f"tests: {t['summary']} ({stop}, {t['seconds']} s)")
    lines.append("CNN training step (median s): batch | learntorch CUDA | learntorch CPU | torch CUDA | "
                 "CPU/CUDA | learntorch/torch | same first loss")
    for r in results["cnn"]:
        lines.append(f"  {r['batch']:5d} | {r['learntorch_cuda_s']:.4f} | {r['learntorch_cpu_s']:.4f} | "
                     f"{r.get('torch_cuda_s', float('nan')):.4f} | {r['cuda_vs_cpu']:.1f}x | "
                     f"{r.get('torch_vs_learntorch_cuda', float('nan')):.1f}x | {r['losses_match']}")
    lines.append("matmul fp32 (median s): n | learntorch | cuBLAS | GFLOP/s learntorch | fraction of cuBLAS | rel err")
    for r in results["matmul"]:
        lines.append(f"  {r['n']:5d} | {r['learntorch_cuda_s']:.5f} | {r.get('cublas_s', float('nan')):.5f} | "
                     f"{r['learntorch_gflops']:.0f} | {r.get('fraction_of_cublas', float('nan')):.2f} | "
                     f"{r['max_rel_err']:.1e}")
    lines.append(f"targets: CNN step CUDA >= {TARGETS['cnn_cuda_vs_cpu']:.0f}x CPU; matmul 4096 >= "
                 f"{TARGETS['matmul_4096_vs_cublas']:.0%} of cuBLAS")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", choices=["all", "cuda", "none"], default="all")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes, for the CUDA simulator")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--cpu-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="pytest-xdist processes for the tests")
    parser.add_argument("--test-timeout", type=float, default=3600.0, help="seconds before the tests are stopped")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here (after every row)")
    args = parser.parse_args(argv)
    if not lt.cuda.is_available():
        raise SystemExit("no CUDA device: run on a GPU machine, or with NUMBA_ENABLE_CUDASIM=1 and --tiny")
    repeats = args.repeats or (1 if args.tiny else 5)
    warmup = 0 if args.tiny else 2
    torch = load_torch()
    results: dict[str, Any] = {"device": lt.cuda.get_device_name(),
                               "torch": getattr(torch, "__version__", None), "tiny": args.tiny}

    def save() -> None:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))

    if args.tests != "none":
        results["tests"] = run_tests(args.tests, args.workers, args.test_timeout)
        save()
    batches, cnn_sizes, matmul_sizes = ([2], (2, 4, 8), [8, 16]) if args.tiny else \
        ([64, 256], (32, 28, 128), [1024, 2048, 4096])
    results["cnn"], results["matmul"] = [], []
    for batch in batches:
        results["cnn"].append(bench_cnn(batch, cnn_sizes, torch, repeats, warmup, args.cpu_threads))
        print("cnn:", json.dumps(results["cnn"][-1]))
        save()
    for n in matmul_sizes:
        results["matmul"].append(bench_matmul(n, torch, repeats, warmup))
        print("matmul:", json.dumps(results["matmul"][-1]))
        save()
    print(report(results))
    return results


if __name__ == "__main__":
    tests = main().get("tests", {})
    sys.exit(1 if tests.get("timed_out") else tests.get("returncode", 0))
