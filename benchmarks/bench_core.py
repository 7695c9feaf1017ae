#!/usr/bin/env python
"""learntorch against NumPy and PyTorch: elementwise, reductions, matmul and start-up cost.

    python benchmarks/bench_core.py                   # the full run, a few minutes
    python benchmarks/bench_core.py --quick           # fewer repeats (CI smoke)
    python benchmarks/bench_core.py --json out.json   # also dump every number
    python benchmarks/bench_core.py --no-coretype     # then again with OPENBLAS_CORETYPE unset

Every time is the median over ``rounds x repeats`` samples taken after warm-up calls. The
libraries take turns within each round (in rotated order, with a pause between them so that
the previous library's spinning BLAS/OpenMP threads go idle), so that a noisy neighbour
spreads over all three instead of landing on one. Compare the ratios of one run, not the
absolute times of two runs: the machine is shared.

The functions take their sizes as arguments (``bench_binary("add", (1000,), (1000,), cfg)``),
so a test can run them on tiny inputs; ``main`` runs the sizes that the targets are about.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np
import scipy.special

# Benchmark the working tree this script sits in (also when an installed learntorch is stale).
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.isfile(os.path.join(REPO_ROOT, "learntorch", "__init__.py")) and REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

# OpenBLAS reads these when it loads, so changing them needs a fresh process.
CORETYPE_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARS = ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "BENCH_TORCH_THREADS")
# Environment variables that change the numbers; printed in the header.
ENV_VARS = CORETYPE_VARS + ("OPENBLAS_NUM_THREADS", "OPENBLAS_THREAD_TIMEOUT", "OMP_NUM_THREADS",
                            "OMP_WAIT_POLICY", "NUMBA_NUM_THREADS", "NUMBA_THREADING_LAYER",
                            "NUMBA_CACHE_DIR", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MKL_NUM_THREADS",
                            "BENCH_TORCH_THREADS")

# ---------------------------------------------------------------- targets
ELEMENTWISE_MAX_RATIO = 1.5  # learntorch / numpy time, elementwise and reductions at >= 1e6
TARGET_MIN_NUMEL = 1_000_000
MATMUL_BLAS_MAX_RATIO = 1.1  # learntorch (BLAS path) / numpy time
MATMUL_NUMBA_MIN_FRACTION = 0.40  # hand-written kernel's GFLOP/s / numpy's, at n >= 1024
MATMUL_NUMBA_TARGET_N = 1024
IMPORT_MAX_S = 1.0
FIRST_OPS_WARM_MAX_S = 2.0


@dataclass
class Config:
    """How to time: ``rounds`` turns per library, each ``warmup`` calls then ``repeats`` samples.

    A sample times ``number`` back-to-back calls, with ``number`` chosen so that a sample
    lasts at least ``min_sample_s`` (short ops would otherwise time the clock).
    """

    repeats: int = 7
    rounds: int = 3
    warmup: int = 2
    pause_s: float = 0.1
    min_sample_s: float = 1e-3
    startup_runs: int = 3
    use_torch: bool = True
    # Load guard: a row during which other processes used more than ``busy_cores`` cores is
    # marked BUSY; with ``quiet_budget_s`` > 0 the run waits (up to that many seconds in all)
    # for the CPU to go quiet before each row, and retries a BUSY row up to ``busy_retries`` times.
    busy_cores: float = 0.15
    quiet_budget_s: float = 0.0
    busy_retries: int = 2

    @classmethod
    def quick(cls) -> "Config":
        return cls(repeats=3, rounds=1, warmup=1, pause_s=0.02, startup_runs=1)


@dataclass
class Row:
    """One benchmark: median seconds per library (None: not run), the ratios, the verdict."""

    section: str
    name: str
    learntorch: float | None
    numpy: float | None
    torch: float | None = None
    target: str = ""
    ok: bool | None = None  # None: no target for this row
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def lt_np(self) -> float | None:
        return _ratio(self.learntorch, self.numpy)

    @property
    def lt_torch(self) -> float | None:
        return _ratio(self.learntorch, self.torch)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["lt_over_numpy"] = self.lt_np
        d["lt_over_torch"] = self.lt_torch
        return d


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


# ---------------------------------------------------------------- libraries and timing
def _learntorch():
    import learntorch
    return learntorch


_TORCH: Any = False  # False: not tried yet; None: not importable
TORCH_THREADS = int(os.environ.get("BENCH_TORCH_THREADS", "2"))


def _torch():
    """torch limited to TORCH_THREADS (2) threads, or None when it is not installed."""
    global _TORCH
    if _TORCH is False:
        try:
            import torch
            torch.set_num_threads(TORCH_THREADS)
            _TORCH = torch
        except ImportError:
            _TORCH = None
    return _TORCH


def _samples(fn: Callable[[], Any], cfg: Config) -> list[float]:
    """Seconds per call: ``cfg.repeats`` samples after ``cfg.warmup`` calls."""
    for _ in range(cfg.warmup):
        fn()
    t0 = time.perf_counter()
    fn()
    once = time.perf_counter() - t0
    number = max(1, int(cfg.min_sample_s / max(once, 1e-9)))
    out = []
    for _ in range(cfg.repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        out.append((time.perf_counter() - t0) / number)
    return out


def compare(fns: dict[str, Callable[[], Any]], cfg: Config) -> dict[str, float]:
    """Median seconds per call of each function; the functions take turns, round after round."""
    names = list(fns)
    samples: dict[str, list[float]] = {k: [] for k in names}
    for r in range(cfg.rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name] += _samples(fns[name], cfg)
            time.sleep(cfg.pause_s)  # let spinning worker threads of the last library go idle
    return {k: statistics.median(v) for k, v in samples.items()}


def _inputs(*shapes: tuple[int, ...], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s, dtype=np.float32) for s in shapes]


def _as_libs(arrays: list[np.ndarray], cfg: Config) -> tuple[list, list | None]:
    """The same data as learntorch tensors and torch tensors (sharing memory)."""
    lt = _learntorch()
    torch = _torch() if cfg.use_torch else None
    lts = [lt.from_numpy(a) for a in arrays]
    tts = [torch.from_numpy(a) for a in arrays] if torch is not None else None
    return lts, tts


def _row(section: str, name: str, times: dict[str, float], **kw: Any) -> Row:
    return Row(section, name, times.get("learntorch"), times.get("numpy"), times.get("torch"), **kw)


def _within(row: Row, max_ratio: float, numel: int) -> Row:
    """Set the row's target: learntorch within ``max_ratio`` x numpy's time, for numel >= 1e6."""
    if numel >= TARGET_MIN_NUMEL:
        row.target = f"lt/np <= {max_ratio:g}"
        row.ok = row.lt_np is not None and row.lt_np <= max_ratio
    return row


# ---------------------------------------------------------------- elementwise and reductions
_BINARY = {"add": lambda x, y: x + y, "mul": lambda x, y: x * y}


def bench_binary(op: str, shape_a: tuple[int, ...], shape_b: tuple[int, ...], cfg: Config,
                 label: str = "") -> Row:
    """``a op b`` (``op`` in add, mul) with broadcasting, float32."""
    f = _BINARY[op]
    a, b = _inputs(shape_a, shape_b)
    (la, lb), tt = _as_libs([a, b], cfg)
    fns = {"learntorch": lambda: f(la, lb), "numpy": lambda: f(a, b)}
    if tt is not None:
        ta, tb = tt
        fns["torch"] = lambda: f(ta, tb)
    numel = int(np.prod(np.broadcast_shapes(shape_a, shape_b)))
    name = f"{op} {_shape(shape_a)} {_shape(shape_b)}" + (f" {label}" if label else "")
    return _within(_row("elementwise", name, compare(fns, cfg), extra={"numel": numel}),
                   ELEMENTWISE_MAX_RATIO, numel)


# Unary ops: numpy's version, and the input's range (None: standard normal; else uniform on it).
_UNARY: dict[str, tuple[Callable[[np.ndarray], np.ndarray], tuple[float, float] | None]] = {
    "neg": (np.negative, None),
    "abs": (np.abs, None),
    "relu": (lambda a: np.maximum(a, 0), None),
    "sign": (np.sign, None),
    "logical_not": (np.logical_not, None),
    "exp": (np.exp, None),
    "log": (np.log, (1e-3, 1e3)),
    "sqrt": (np.sqrt, (0.0, 1e3)),
    "sin": (np.sin, (-10.0, 10.0)),
    "cos": (np.cos, (-10.0, 10.0)),
    "tanh": (np.tanh, None),
    "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), None),
    "log1p": (np.log1p, (-0.5, 1e3)),
    "expm1": (np.expm1, (-10.0, 10.0)),
    "erf": (scipy.special.erf, (-3.0, 3.0)),
    "erfc": (scipy.special.erfc, (-3.0, 3.0)),
}


def bench_unary(op: str, n: int, cfg: Config) -> Row:
    """``op(a)`` on ``n`` float32, for each ``op`` of ``_UNARY`` (torch: ``torch.sigmoid`` etc.)."""
    np_fn, span = _UNARY[op]
    if span is None:
        (a,) = _inputs((n,))
    else:
        a = np.random.default_rng(0).uniform(*span, n).astype(np.float32)
    (la,), tt = _as_libs([a], cfg)
    fns = {"learntorch": lambda: getattr(la, op)(), "numpy": lambda: np_fn(a)}
    if tt is not None:
        fns["torch"] = lambda: getattr(tt[0], op)()
    return _within(_row("elementwise", f"{op} {_num(n)}", compare(fns, cfg), extra={"numel": n}),
                   ELEMENTWISE_MAX_RATIO, n)


def bench_sum(shape: tuple[int, ...], dim: int | None, cfg: Config) -> Row:
    """``a.sum(dim)`` (``dim=None``: the full sum), float32."""
    (a,) = _inputs(shape)
    (la,), tt = _as_libs([a], cfg)
    if dim is None:
        fns = {"learntorch": lambda: la.sum(), "numpy": lambda: a.sum()}
    else:
        fns = {"learntorch": lambda: la.sum(dim), "numpy": lambda: a.sum(dim)}
    if tt is not None:
        fns["torch"] = (lambda: tt[0].sum()) if dim is None else (lambda: tt[0].sum(dim))
    name = f"sum {_shape(shape)}" + (" all" if dim is None else f" dim={dim}")
    return _within(_row("reduction", name, compare(fns, cfg), extra={"numel": a.size}),
                   ELEMENTWISE_MAX_RATIO, a.size)


# ---------------------------------------------------------------- matmul
def bench_matmul(n: int, kernel: str, cfg: Config) -> Row:
    """``(n, n) @ (n, n)`` float32 with learntorch's ``kernel`` ("blas" or "numba")."""
    from learntorch.backends import cpu
    a, b = _inputs((n, n), (n, n))
    (la, lb), tt = _as_libs([a, b], cfg)
    previous = cpu.get_matmul_kernel()
    cpu.set_matmul_kernel(kernel)
    try:
        fns = {"learntorch": lambda: la @ lb, "numpy": lambda: a @ b}
        if tt is not None:
            ta, tb = tt
            fns["torch"] = lambda: ta @ tb
        times = compare(fns, cfg)
    finally:
        cpu.set_matmul_kernel(previous)
    flop = 2.0 * n ** 3
    gflops = {k: flop / t / 1e9 for k, t in times.items()}
    frac = gflops["learntorch"] / gflops["numpy"]
    row = _row("matmul", f"matmul {n} {kernel}", times, extra={"gflops": gflops, "fraction_of_numpy": frac})
    row.note = (f"GFLOP/s lt {gflops['learntorch']:.0f} np {gflops['numpy']:.0f}"
                + (f" torch {gflops['torch']:.0f}" if "torch" in gflops else "") + f"; {frac:.0%} of np")
    if kernel == "blas":
        row.target = f"lt/np <= {MATMUL_BLAS_MAX_RATIO:g}"
        row.ok = row.lt_np <= MATMUL_BLAS_MAX_RATIO
    elif n >= MATMUL_NUMBA_TARGET_N:
        row.target = f">= {MATMUL_NUMBA_MIN_FRACTION:.0%} np GFLOP/s"
        row.ok = frac >= MATMUL_NUMBA_MIN_FRACTION
    return row


# ---------------------------------------------------------------- start-up, in fresh processes
_IMPORT_SCRIPT = """
import json, time
t0 = time.perf_counter()
import {module}
print(json.dumps({{"import_s": time.perf_counter() - t0}}))
"""

# add, mul, sum, matmul and backward on small tensors; ``T`` is learntorch or torch.
_FIRST_OPS_SCRIPT = """
import json, time
t0 = time.perf_counter()
import {module} as T
t1 = time.perf_counter()
x = T.randn(16, 32, requires_grad=True)
w = T.randn(32, 8, requires_grad=True)
b = T.randn(8, requires_grad=True)
y = (x @ w + b) * 2.0
loss = (y * y).sum()
loss.backward()
float(x.grad.sum()) + float(w.grad.sum()) + float(b.grad.sum())
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "ops_s": t2 - t1}}))
"""


def run_script(source: str, env: dict[str, str] | None = None, timeout: float = 600) -> dict[str, float]:
    """Run ``source`` in a fresh interpreter; its last stdout line is a JSON dict, returned
    with ``process_s``, the wall time of the whole process, added."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", source], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO_ROOT)  # "-c" puts the cwd first on sys.path
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark subprocess failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = wall
    return out


def bench_import(cfg: Config) -> Row:
    """``import learntorch`` (and numpy, torch for reference), median of fresh processes."""
    modules = {"learntorch": "learntorch", "numpy": "numpy"}
    if cfg.use_torch and _torch() is not None:
        modules["torch"] = "torch"
    times = {}
    for lib, module in modules.items():
        runs = [run_script(_IMPORT_SCRIPT.format(module=module))["import_s"] for _ in range(cfg.startup_runs)]
        times[lib] = statistics.median(runs)
    row = _row("startup", "import", times, target=f"< {IMPORT_MAX_S:g} s")
    row.ok = row.learntorch < IMPORT_MAX_S
    row.note = "includes numpy and numba imports"
    return row


def bench_first_ops(cfg: Config) -> list[Row]:
    """First add/mul/sum/matmul/backward in a fresh process: cold Numba cache, then warm.

    NUMBA_CACHE_DIR points at a new temporary directory: the first process compiles every
    kernel and writes the cache, the second loads it. The time excludes the import (its own row).
    """
    cache = tempfile.mkdtemp(prefix="learntorch-bench-numba-")
    try:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        script = _FIRST_OPS_SCRIPT.format(module="learntorch")
        cold = run_script(script, env)
        warm = [run_script(script, env) for _ in range(cfg.startup_runs)]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    torch_s = None
    if cfg.use_torch and _torch() is not None:
        torch_s = statistics.median(run_script(_FIRST_OPS_SCRIPT.format(module="torch"))["ops_s"]
                                    for _ in range(cfg.startup_runs))
    warm_ops = statistics.median(r["ops_s"] for r in warm)
    warm_proc = statistics.median(r["process_s"] for r in warm)
    rows = [
        Row("startup", "first ops, cold Numba cache", cold["ops_s"], None, torch_s,
            note=f"whole process {cold['process_s']:.1f} s", extra=cold),
        Row("startup", "first ops, warm Numba cache", warm_ops, None, torch_s,
            target=f"< {FIRST_OPS_WARM_MAX_S:g} s", ok=warm_ops < FIRST_OPS_WARM_MAX_S,
            note=f"whole process {warm_proc:.1f} s", extra={"runs": warm}),
    ]
    return rows


# ---------------------------------------------------------------- the environment
def blas_info() -> dict[str, Any]:
    """Which BLAS libraries are loaded and which kernel (architecture) each runs.

    numpy's BLAS serves ``a @ b``; learntorch's BLAS path calls SciPy's BLAS
    (``scipy.linalg.cython_blas``, through Numba's gemm helper): often another OpenBLAS,
    which learntorch runs one thread per Numba thread (learntorch/backends/cpu/blas.py).
    """
    info: dict[str, Any] = {name: os.environ.get(name) for name in CORETYPE_VARS}
    try:
        import scipy.linalg.cython_blas  # noqa: F401  (load it so threadpoolctl sees it)
    except ImportError:
        pass
    try:
        import threadpoolctl
    except ImportError:
        info["libraries"] = None
        return info
    info["libraries"] = [
        {k: lib.get(k) for k in ("internal_api", "architecture", "version", "num_threads", "filepath")}
        for lib in threadpoolctl.threadpool_info()]
    return info


def environment(cfg: Config) -> dict[str, Any]:
    import numba
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "env": {k: os.environ[k] for k in ENV_VARS if k in os.environ},
    }
    torch = _torch() if cfg.use_torch else None
    if torch is not None:
        env["torch"] = torch.__version__
        env["torch_threads"] = torch.get_num_threads()
        env["torch_blas"] = "MKL" if torch.backends.mkl.is_available() else "unknown"
    try:
        env["numba_threading_layer"] = numba.threading_layer()
    except ValueError:  # no parallel region has run yet
        env["numba_threading_layer"] = "not yet chosen"
    env["blas"] = blas_info()
    try:  # what ``import learntorch`` changed process-wide (it applies to numpy and torch here too)
        from learntorch import _runtime
        env["learntorch_runtime"] = dict(_runtime.applied)
    except ImportError:
        env["learntorch_runtime"] = None
    return env


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class CpuLoad:
    """CPU time that *other* processes used while this one ran, in cores (from /proc/stat).

    On a 2-core machine a parallel region waits at its barrier for a thread that another
    process has descheduled, so 2-thread timings blow up 10-50x under load: check this first.
    """

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            with open("/proc/stat") as f:
                fields = [float(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        tick = os.sysconf("SC_CLK_TCK")
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / tick  # all but idle and iowait
        own = sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                  for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        return time.monotonic(), busy, own

    def others(self) -> float | None:
        end = self._sample()
        if self.start is None or end is None or end[0] <= self.start[0]:
            return None
        (t0, b0, o0), (t1, b1, o1) = self.start, end
        return max(0.0, ((b1 - b0) - (o1 - o0)) / (t1 - t0))


def wait_for_quiet(max_s: float, threshold: float = 0.1, window_s: float = 1.0,
                   log: Callable[[str], None] = print) -> bool:
    """Wait until other processes use under ``threshold`` cores over ``window_s``, at most
    ``max_s``; True when the CPU went quiet."""
    deadline = time.monotonic() + max_s
    waited = False
    while True:
        load = CpuLoad()
        time.sleep(window_s)
        others = load.others()
        if others is None or others < threshold:
            if waited:
                log("  (quiet now)")
            return True
        if time.monotonic() > deadline:
            log(f"  (still {others:.2f} cores busy; quiet budget spent, running anyway)")
            return False
        if not waited:
            log(f"  (other processes use {others:.2f} cores; waiting for quiet)")
            waited = True
        time.sleep(2)


def busy_warning(rows: list[Row], cfg: Config) -> str:
    """How much other processes disturbed the rows (waits for quiet are not counted)."""
    loads = [r.extra["busy_cores"] for r in rows if r.extra.get("busy_cores") is not None]
    if not loads:
        return "CPU load of other processes: unknown"
    busy = sum(x > cfg.busy_cores for x in loads)
    text = (f"other processes used at most {max(loads):.2f} cores (mean {statistics.mean(loads):.2f}) "
            f"while rows were measured")
    if busy:
        text += (f": {busy} of {len(loads)} rows BUSY (> {cfg.busy_cores:g} cores), so their 2-thread "
                 "timings are unreliable (a parallel region waits for a descheduled thread)")
    return text


# ---------------------------------------------------------------- output
def _num(n: int) -> str:
    for p in (9, 6, 3):
        if n % 10 ** p == 0:
            return f"{n // 10 ** p}e{p}"
    return str(n)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ",".join(map(str, shape)) + ")"


def _t(s: float | None) -> str:
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us"


def _busy(r: Row) -> bool:
    return r.note.startswith("BUSY")


def _x(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}x"


def format_table(rows: list[Row]) -> str:
    head = (f"{'benchmark':<38} {'learntorch':>10} {'numpy':>10} {'torch':>10} {'lt/np':>7} "
            f"{'lt/torch':>8}  {'target':<22} {'':4}  note")
    lines = [head, "-" * len(head)]
    section = None
    for r in rows:
        if r.section != section:
            section = r.section
            lines.append(f"[{section}]")
        verdict = "" if r.ok is None else ("PASS" if r.ok else "MISS")
        if verdict and _busy(r):
            verdict += "*"
        lines.append(f"  {r.name:<36} {_t(r.learntorch):>10} {_t(r.numpy):>10} {_t(r.torch):>10} "
                     f"{_x(r.lt_np):>7} {_x(r.lt_torch):>8}  {r.target:<22} {verdict:4}  {r.note}")
    return "\n".join(lines)


def format_environment(env: dict[str, Any]) -> str:
    lines = [f"python {env['python']}, numpy {env['numpy']}, numba {env['numba']} "
             f"({env['numba_threads']} threads, layer {env['numba_threading_layer']})"
             + (f", torch {env['torch']} ({env['torch_threads']} threads, {env['torch_blas']})"
                if "torch" in env else ", torch not importable"),
             f"cpu: {env['cpu']}, {env['cores']} cores"]
    blas = env["blas"]
    lines.append("OPENBLAS_CORETYPE=" + (blas["OPENBLAS_CORETYPE"] or "(unset)")
                 + "  OPENBLAS_L2_SIZE=" + (blas["OPENBLAS_L2_SIZE"] or "(unset)"))
    if blas["libraries"] is None:
        lines.append("BLAS kernel: unknown (install threadpoolctl to see it)")
    else:
        for lib in blas["libraries"]:
            if lib["internal_api"] == "openmp":
                continue
            who = ("numpy" if "numpy" in lib["filepath"] else "scipy, used by learntorch's BLAS path"
                   if "scipy" in lib["filepath"] else os.path.basename(lib["filepath"]))
            lines.append(f"BLAS for {who}: {lib['internal_api']} {lib['version']}, "
                         f"kernel {lib['architecture']}, {lib['num_threads']} threads")
    others = {k: v for k, v in env["env"].items() if k not in CORETYPE_VARS}
    if others:
        lines.append("env: " + " ".join(f"{k}={v}" for k, v in others.items()))
    if env.get("learntorch_runtime"):
        lines.append(f"set by import learntorch (process-wide): {env['learntorch_runtime']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the full run
SECTIONS = ("elementwise", "reduction", "matmul", "startup")


def run_all(cfg: Config, sections: tuple[str, ...] = SECTIONS,
            log: Callable[[str], None] = lambda s: None) -> list[Row]:
    rows: list[Row] = []

    def add(row: Row | list[Row]) -> None:
        for r in row if isinstance(row, list) else [row]:
            rows.append(r)
            log(f"  {r.name}: lt {_t(r.learntorch)}, np {_t(r.numpy)}, torch {_t(r.torch)}")

    guard = LoadGuard(cfg, log)
    if "elementwise" in sections:
        for n, side in ((1_000_000, 1000), (10_000_000, 3163)):
            for op in ("add", "mul"):
                add(guard.run(bench_binary, op, (n,), (n,), cfg, "contiguous"))
                add(guard.run(bench_binary, op, (n // 1000, 1000), (1000,), cfg, "row bcast"))
                add(guard.run(bench_binary, op, (side, 1), (1, side), cfg, "outer"))
        for op in _UNARY:
            add(guard.run(bench_unary, op, 1_000_000, cfg))
    if "reduction" in sections:
        for shape in ((1000, 1000), (10000, 1000)):
            for dim in (0, 1, None):
                add(guard.run(bench_sum, shape, dim, cfg))
    if "matmul" in sections:
        for n in (256, 512, 1024):
            for kernel in ("blas", "numba"):
                add(guard.run(bench_matmul, n, kernel, cfg))
    if "startup" in sections:
        add(guard.run(bench_import, cfg))
        add(guard.run(bench_first_ops, cfg))
    return rows


class LoadGuard:
    """Runs one benchmark, recording how many cores other processes used meanwhile.

    A row measured while others used more than ``cfg.busy_cores`` is marked BUSY in its note.
    With a quiet budget, it first waits for the CPU to go quiet and retries a BUSY row, keeping
    the least disturbed attempt.
    """

    def __init__(self, cfg: Config, log: Callable[[str], None]) -> None:
        self.cfg = cfg
        self.log = log
        self.deadline = time.monotonic() + cfg.quiet_budget_s

    def run(self, bench: Callable[..., Row | list[Row]], *args: Any) -> Row | list[Row]:
        best: tuple[float, Row | list[Row]] | None = None
        for attempt in range(1 + (self.cfg.busy_retries if self.cfg.quiet_budget_s > 0 else 0)):
            left = self.deadline - time.monotonic()
            if left > 0:
                wait_for_quiet(left, self.cfg.busy_cores, log=self.log)
            load = CpuLoad()
            result = bench(*args)
            others = load.others()
            busy = others if others is not None else 0.0
            if best is None or busy < best[0]:
                best = (busy, result)
            if busy <= self.cfg.busy_cores:
                break
            self.log(f"  (other processes used {busy:.2f} cores during that row; "
                     + ("retrying)" if self.deadline > time.monotonic() else "keeping it)"))
        busy, result = best
        for r in result if isinstance(result, list) else [result]:
            r.extra["busy_cores"] = busy
            if busy > self.cfg.busy_cores:
                r.note = f"BUSY {busy:.1f} cores" + ("; " + r.note if r.note else "")
        return result


def _rerun_without_coretype(argv: list[str]) -> dict[str, Any] | None:
    """Run this script again with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset; its results."""
    if not any(k in os.environ for k in CORETYPE_VARS):
        print("\n--no-coretype: neither OPENBLAS_CORETYPE nor OPENBLAS_L2_SIZE is set here, so the run "
              "above already is the unset setting; nothing to re-run. (Try --coretype Haswell "
              "--no-coretype to compare two kernels.)")
        return None
    env = {k: v for k, v in os.environ.items() if k not in CORETYPE_VARS}
    fd, path = tempfile.mkstemp(suffix=".json", prefix="bench-core-")
    os.close(fd)
    args = [a for a in _strip_option(argv, "--json", 1) if a != "--no-coretype"]
    args = _strip_option(args, "--coretype", 1)
    print(f"\n==== again, with {' and '.join(CORETYPE_VARS)} unset ====", flush=True)
    try:
        subprocess.run([sys.executable, os.path.abspath(__file__), *args, "--json", path], env=env, check=True)
        with open(path) as f:
            return json.load(f)
    finally:
        os.unlink(path)


def _strip_option(argv: list[str], name: str, nargs: int) -> list[str]:
    out, skip = [], 0
    for a in argv:
        if skip:
            skip -= 1
        elif a == name:
            skip = nargs
        elif not a.startswith(name + "="):
            out.append(a)
    return out


def _coretype_summary(first: list[Row], second: list[dict[str, Any]], label: str) -> str:
    lines = [f"\nmatmul GFLOP/s: {label} -> OPENBLAS_CORETYPE unset"]
    after = {r["name"]: r for r in second if r["section"] == "matmul"}
    for r in first:
        if r.section == "matmul" and r.name in after:
            g0, g1 = r.extra["gflops"], after[r.name]["extra"]["gflops"]
            lines.append(f"  {r.name:<20} numpy {g0['numpy']:6.0f} -> {g1['numpy']:6.0f}   "
                         f"learntorch {g0['learntorch']:6.0f} -> {g1['learntorch']:6.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer repeats and rounds (CI smoke)")
    p.add_argument("--json", metavar="PATH", help="write every result and the environment to PATH")
    p.add_argument("--no-coretype", action="store_true",
                   help="afterwards re-run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset")
    p.add_argument("--coretype", metavar="NAME",
                   help="run with OPENBLAS_CORETYPE=NAME (re-executes, as OpenBLAS reads it at load)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="run every library on N threads (Numba, OpenBLAS, OpenMP, torch; re-executes). "
                        "--threads 1 gives usable ratios on a busy machine")
    p.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                   help="before each row wait for other processes to leave the CPU idle, and retry rows "
                        "they disturbed; SECONDS is the most the whole run waits")
    p.add_argument("--only", metavar="SECTIONS", default=",".join(SECTIONS),
                   help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--no-torch", action="store_true", help="leave torch out even if importable")
    args = p.parse_args(argv)

    wanted = {}  # read when the libraries load: changing them needs a fresh process
    if args.coretype:
        wanted["OPENBLAS_CORETYPE"] = args.coretype
    if args.threads:
        wanted.update({k: str(args.threads) for k in THREAD_VARS})
    if any(os.environ.get(k) != v for k, v in wanted.items()):
        os.execve(sys.executable, [sys.executable, os.path.abspath(__file__), *argv], {**os.environ, **wanted})

    sections = tuple(s.strip() for s in args.only.split(",") if s.strip())
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        p.error(f"--only: unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    cfg = Config.quick() if args.quick else Config()
    cfg.use_torch = not args.no_torch

    print("learntorch core benchmarks" + (" (quick)" if args.quick else "")
          + f": median of {cfg.rounds}x{cfg.repeats} samples after {cfg.warmup} warm-up calls, float32",
          flush=True)
    print("running: " + ", ".join(sections), flush=True)
    cfg.quiet_budget_s = args.wait_quiet
    t0 = time.perf_counter()
    rows = run_all(cfg, sections, log=lambda s: print(s, flush=True))
    env = environment(cfg)  # after the runs, so the threading layer and every BLAS are loaded
    print()
    print(format_environment(env))
    print(busy_warning(rows, cfg))
    print()
    print(format_table(rows))
    misses = [r.name + ("*" if _busy(r) else "") for r in rows if r.ok is False]
    print(f"\n{sum(r.ok is True for r in rows)} PASS, {len(misses)} MISS"
          + (": " + "; ".join(misses) if misses else "") + f"  ({time.perf_counter() - t0:.0f} s)")
    if any(_busy(r) for r in rows):
        print("* measured while other processes were BUSY on the CPU: not a measurement; "
              "rerun on a quiet machine (--wait-quiet waits for one)")

    result: dict[str, Any] = {"environment": env, "quick": args.quick, "rows": [r.to_json() for r in rows]}
    if args.no_coretype:
        other = _rerun_without_coretype(argv)
        if other is not None:
            result["coretype_unset"] = other
            label = f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
            if any(r.section == "matmul" for r in rows):
                print(_coretype_summary(rows, other["rows"], label))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
