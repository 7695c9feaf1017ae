"""PyTorch programs run unmodified: each program in this folder runs as `import torch` code on
learntorch (run_program.py aliases the imports) and on PyTorch, and the two results are compared.

Each case states what "learned" means for its program (checked on both libraries) and how close
learntorch's metrics must be to PyTorch's. The two runs draw from different random streams
(initialisation, dropout, shuffling, sampling), so most metrics are compared to a tolerance that
shows both learned the same thing. Where a program can start both libraries from the same weights
(--init-weights: learntorch's run writes them, PyTorch's reads them) and nothing else is random,
the comparison is tight.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import math
import os
import struct
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from PIL import Image

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "run_program.py"
MNIST_RAW = HERE.parents[2] / "shared" / "data" / "MNIST" / "raw"
HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_TORCHVISION = importlib.util.find_spec("torchvision") is not None

Metrics = dict


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-12)


@dataclass
class Case:
    id: str
    program: str
    learned: Callable[[Metrics], None]
    matches: Callable[[Metrics, Metrics], None]
    args: tuple[str, ...] = ()
    shared_init: bool = False
    vision: bool = False  # the PyTorch run needs torchvision
    mnist: bool = False  # gets --data with a small MNIST tree when the shared data are there
    learntorch_args: tuple[str, ...] = ()  # only for learntorch's run; "{workdir}" is the module's tmp folder
    known_gap: str | None = None  # learntorch lacks what the program needs: its tests are strict xfails


# ---- what "learned" means, per program, and how close learntorch must be to PyTorch ----

def lm_learned(m: Metrics) -> None:
    assert m["val_ppl"] < 0.25 * m["initial_val_ppl"], m
    assert m["train_losses"][-1] < m["train_losses"][0], m


def lm_matches(lt: Metrics, pt: Metrics) -> None:
    assert rel(lt["initial_val_ppl"], pt["initial_val_ppl"]) < 1e-4  # same weights, eval mode, same data
    assert rel(lt["val_ppl"], pt["val_ppl"]) < 0.15  # dropout masks differ


def lm_deterministic_matches(lt: Metrics, pt: Metrics) -> None:
    assert rel(lt["initial_val_ppl"], pt["initial_val_ppl"]) < 1e-4
    for a, b in zip(lt["train_losses"], pt["train_losses"]):
        assert rel(a, b) < 2e-3, (lt, pt)
    assert rel(lt["val_ppl"], pt["val_ppl"]) < 5e-3


def vae_learned(m: Metrics) -> None:
    assert m["test_loss"] < 0.6 * m["initial_test_loss"], m
    assert m["train_losses"][-1] < 0.7 * m["train_losses"][0], m
    for path in m["saved_images"]:  # save_image's grid: 2 rows of 8 12x12 images, 2 pixels of padding
        with Image.open(path) as png:
            assert png.size == (8 * 14 + 2, 2 * 14 + 2) and png.mode == "RGB", (path, png.size, png.mode)


def vae_matches(lt: Metrics, pt: Metrics) -> None:
    assert rel(lt["initial_test_loss"], pt["initial_test_loss"]) < 0.05  # same weights, different eps
    assert rel(lt["test_loss"], pt["test_loss"]) < 0.12


def gan_learned(m: Metrics) -> None:
    assert m["mean_gap"] < 0.95 * m["initial_mean_gap"], m  # the fakes' brightness moved toward the data
    assert 0.2 < m["loss_D"] < 3 and 0.2 < m["loss_G"] < 4, m  # neither side has collapsed


def gan_matches(lt: Metrics, pt: Metrics) -> None:
    assert abs(lt["mean_gap"] - pt["mean_gap"]) < 0.2


def gcn_learned(m: Metrics) -> None:
    assert m["final_loss"] < 0.3 * m["initial_loss"] and m["test_accuracy"] > 0.8, m


def gcn_matches(lt: Metrics, pt: Metrics) -> None:  # no dropout, same weights: full-batch Adam, deterministic
    assert rel(lt["initial_loss"], pt["initial_loss"]) < 1e-5
    assert rel(lt["final_loss"], pt["final_loss"]) < 1e-3 and rel(lt["test_loss"], pt["test_loss"]) < 1e-3
    assert lt["test_accuracy"] == pytest.approx(pt["test_accuracy"], abs=0.02)


def pg_learned(m: Metrics) -> None:
    assert m["first_mean_return"] < 15 and m["last_mean_return"] > 20 and m["greedy_return"] == 30, m


def pg_matches(lt: Metrics, pt: Metrics) -> None:
    assert abs(lt["last_mean_return"] - pt["last_mean_return"]) < 8 and lt["greedy_return"] == pt["greedy_return"]


def lbfgs_learned(m: Metrics) -> None:
    assert m["losses"][-1] < 0.1 * m["losses"][0] and m["test_loss"] < 0.05, m


def lbfgs_matches(lt: Metrics, pt: Metrics) -> None:  # float64, same weights, no randomness: same iterates
    for a, b in zip(lt["losses"], pt["losses"]):
        assert rel(a, b) < 1e-6, (lt, pt)
    assert rel(lt["test_loss"], pt["test_loss"]) < 1e-5 and lt["closure_calls"] == pt["closure_calls"]


def resnet_learned(m: Metrics) -> None:
    assert m["classes"] == ["blue", "green", "red"]
    assert m["train_losses"][-1] < 0.5 * m["train_losses"][0] and m["val_acc1"] > 60, m
    assert m["restored_val_acc1"] == m["val_acc1"], m  # the saved checkpoint reloads to the same model


def resnet_matches(lt: Metrics, pt: Metrics) -> None:
    assert abs(lt["val_acc1"] - pt["val_acc1"]) <= 34  # 12 validation images: 4 may differ


def mnist_learned(m: Metrics) -> None:
    assert m["device"] == "cpu" and all(math.isfinite(x) for x in m["train_losses"])
    if m["data"] == "mnist":
        assert m["accuracy"] > 0.55 and m["test_loss"] < 0.5 * m["initial_test_loss"], m


def mnist_matches(lt: Metrics, pt: Metrics) -> None:
    if lt["data"] == "mnist":
        assert rel(lt["initial_test_loss"], pt["initial_test_loss"]) < 1e-4  # same weights, same images
        # after 20 steps, dropout masks and batch order move PyTorch's own accuracy over 0.67..0.81 (seeds 1, 2)
        assert abs(lt["accuracy"] - pt["accuracy"]) < 0.2 and rel(lt["test_loss"], pt["test_loss"]) < 0.5


def hogwild_learned(m: Metrics) -> None:
    assert m["exit_codes"] == [0, 0] and m["loss"] < 0.5 * m["initial_loss"] and m["accuracy"] > 0.85, m


def hogwild_matches(lt: Metrics, pt: Metrics) -> None:
    assert abs(lt["accuracy"] - pt["accuracy"]) < 0.08


CASES = [
    Case("rnn_language_model", "rnn_language_model.py", lm_learned, lm_matches, shared_init=True),
    Case("rnn_language_model_gru_tied", "rnn_language_model.py", lm_learned, lm_deterministic_matches,
         ("--model", "GRU", "--tied", "--dropout", "0", "--epochs", "2"), shared_init=True),
    Case("vae", "vae.py", vae_learned, vae_matches, shared_init=True, learntorch_args=("--save-images", "{workdir}")),
    Case("transformer_language_model", "transformer_language_model.py", lm_learned, lm_deterministic_matches,
         ("--dropout", "0"), shared_init=True),
    Case("dcgan", "dcgan.py", gan_learned, gan_matches),
    Case("gcn", "gcn.py", gcn_learned, gcn_matches, ("--dropout-p", "0"), shared_init=True),
    Case("reinforce", "policy_gradient.py", pg_learned, pg_matches, ("--method", "reinforce")),
    Case("actor_critic", "policy_gradient.py", pg_learned, pg_matches, ("--method", "actor-critic")),
    Case("lbfgs_fit", "lbfgs_fit.py", lbfgs_learned, lbfgs_matches, shared_init=True),
    Case("lbfgs_fit_strong_wolfe", "lbfgs_fit.py", lbfgs_learned, lbfgs_matches,
         ("--line-search", "strong_wolfe"), shared_init=True),
    Case("resnet_image_folder", "resnet_image_folder.py", resnet_learned, resnet_matches, vision=True),
    Case("mnist_cnn", "mnist_cnn.py", mnist_learned, mnist_matches, shared_init=True, vision=True, mnist=True),
    Case("hogwild", "hogwild.py", hogwild_learned, hogwild_matches,
         known_gap="learntorch has no torch.multiprocessing (nor Module.share_memory) yet"),
]
PARAMS = [pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=c.known_gap) if c.known_gap else ())
          for c in CASES]


def write_small_mnist(root: Path, train: int = 640, test: int = 300) -> Path:
    """root/MNIST/raw with torchvision's plain idx files: 'train' is the start of the shared test split,
    't10k' its end (only the test split is shipped in shared/data)."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = gzip.open(MNIST_RAW / "t10k-images-idx3-ubyte.gz").read()
    labels = gzip.open(MNIST_RAW / "t10k-labels-idx1-ubyte.gz").read()
    for split, lo, hi in (("train", 0, train), ("t10k", 10000 - test, 10000)):
        (raw / f"{split}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, hi - lo, 28, 28)
                                                        + images[16 + lo * 784:16 + hi * 784])
        (raw / f"{split}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, hi - lo) + labels[8 + lo:8 + hi])
    return root


def run(backend: str, program: str, args: list[str]) -> Metrics:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    proc = subprocess.run([sys.executable, str(RUNNER), backend, str(HERE / program), *args], cwd=HERE, env=env,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"{program} {' '.join(args)} failed on {backend}:\n{proc.stderr[-3000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, f"{program} printed no JSON line of metrics:\n{proc.stdout[-2000:]}"
    return json.loads(lines[-1])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("programs")


def selected_runs(items: list[pytest.Item]) -> list[tuple[Case, str]]:
    """The (case, backend) runs the selected tests of this module need: learntorch's first (PyTorch's
    runs of shared-weight cases read the weights they write)."""
    needs = {test_program_learns_on_learntorch.__name__: ("learntorch",),
             test_program_learns_on_torch_and_learntorch_matches.__name__: ("learntorch", "torch")}
    runs = set()
    for item in items:
        if Path(str(item.fspath)) == Path(__file__) and hasattr(item, "callspec") and item.originalname in needs:
            runs.update((item.callspec.params["case"].id, backend) for backend in needs[item.originalname])
    return [(case, backend) for backend in ("learntorch", "torch") for case in CASES if (case.id, backend) in runs]


@pytest.fixture(scope="module")
def results(workdir: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[Case, str], Metrics]]:
    """results(case, backend): that run's metrics. Every run the selected tests need starts at once,
    PROGRAM_JOBS (default 2) at a time; a PyTorch run of a shared-weight case waits for learntorch's."""
    mnist_root = write_small_mnist(workdir / "mnist") if (MNIST_RAW / "t10k-images-idx3-ubyte.gz").exists() else None
    futures: dict[tuple[str, str], Future] = {}

    def launch(case: Case, backend: str) -> Metrics:
        if backend == "torch" and case.shared_init:
            futures[case.id, "learntorch"].result()
        args = list(case.args)
        if backend == "learntorch":
            args += [arg.format(workdir=workdir) for arg in case.learntorch_args]
        if case.shared_init:
            args += ["--init-weights", str(workdir / f"{case.id}_init.npz")]
        if case.mnist and mnist_root is not None:
            args += ["--data", str(mnist_root)]
        metrics = run(backend, case.program, args)
        if case.mnist:
            metrics["data"] = "mnist" if mnist_root is not None else "fake"
        return metrics

    def skipped(case: Case, backend: str) -> str | None:
        if backend == "torch" and not HAS_TORCH:
            return "PyTorch is not installed"
        if backend == "torch" and case.vision and not HAS_TORCHVISION:
            return "torchvision is not installed: no PyTorch run of a torchvision program"
        return None

    with ThreadPoolExecutor(max_workers=int(os.environ.get("PROGRAM_JOBS", "2"))) as pool:
        for case, backend in selected_runs(request.session.items):
            if skipped(case, backend) is None:
                futures[case.id, backend] = pool.submit(launch, case, backend)

        def get(case: Case, backend: str) -> Metrics:
            why = skipped(case, backend)
            if why:
                pytest.skip(why)
            return futures[case.id, backend].result()
        yield get
        for future in futures.values():
            future.cancel()


@pytest.mark.parametrize("case", PARAMS)
def test_program_learns_on_learntorch(case: Case, results: Callable[[Case, str], Metrics]) -> None:
    case.learned(results(case, "learntorch"))


@pytest.mark.reference
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")
@pytest.mark.parametrize("case", PARAMS)
def test_program_learns_on_torch_and_learntorch_matches(case: Case, results: Callable[[Case, str], Metrics]) -> None:
    torch_metrics = results(case, "torch")
    case.learned(torch_metrics)
    case.matches(results(case, "learntorch"), torch_metrics)


def test_runner_aliases_torch_imports_to_learntorch(tmp_path: Path) -> None:
    program = tmp_path / "which.py"
    program.write_text("import json, torch, torch.nn as nn, torch.nn.functional as F, torchvision\n"
                       "from torch.utils.data import DataLoader\nfrom torchvision import transforms\n"
                       "print(json.dumps([torch.__name__, nn.__name__, F.__name__, torchvision.__name__,\n"
                       "                  DataLoader.__module__, transforms.__name__]))\n")
    proc = subprocess.run([sys.executable, str(RUNNER), "learntorch", str(program)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == [
        "learntorch", "learntorch.nn", "learntorch.nn.functional", "learntorch.vision",
        "learntorch.utils.data.dataloader", "learntorch.vision.transforms"]


def test_runner_names_the_missing_module(tmp_path: Path) -> None:
    program = tmp_path / "missing.py"
    program.write_text("import torch.no_such_module\n")
    proc = subprocess.run([sys.executable, str(RUNNER), "learntorch", str(program)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert "No module named 'torch.no_such_module': learntorch has no 'learntorch.no_such_module'" in proc.stderr
