"""Shared by the notebook tests: where the notebooks are, and the small sizes CI runs them with."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))

# papermill parameters per notebook: small enough that every notebook runs in about a minute on
# 2 cores. Each key must exist in the notebook's `parameters` cell (test_notebooks_execute checks).
CI_PARAMETERS: dict[str, dict] = {
    "00_welcome": {},
    "01_tensors": {"n_timing": 200_000, "repeats": 3},
    "02_autograd": {"chain_length": 2_000},
    "03_optimizers": {"steps": 40},
    "04_cnn_mnist": {"n_train": 256, "n_test": 256, "epochs": 1, "batch_size": 32, "download": False},
    "05_gpu": {"n": 64, "tile_n": 8, "gpu_sizes": [4, 8], "time_on_simulator": True},
    "06_performance": {"sizes": [32, 64, 128], "repeats": 2, "batch_size": 8},
}

if str(NOTEBOOKS_DIR) not in sys.path:        # `import checks` and `solutions.*`, as a notebook does
    sys.path.insert(0, str(NOTEBOOKS_DIR))
