"""Runs tests/cuda_sim under numba's CUDA simulator, in a subprocess.

``NUMBA_ENABLE_CUDASIM=1`` only works if it is set before numba is imported, which this pytest
process has long done; so the CUDA tests get a fresh interpreter. This keeps them inside the
README's single test command. Under the simulator already, pytest collects tests/cuda_sim itself."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from numba import config

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(bool(config.ENABLE_CUDASIM), reason="tests/cuda_sim is collected directly in this run")
def test_cuda_kernels_pass_under_the_simulator():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/cuda_sim"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    tail = "\n".join(proc.stdout.splitlines()[-40:])
    assert proc.returncode == 0, f"CUDA simulator tests failed:\n{tail}\n{proc.stderr[-2000:]}"
    assert " passed" in tail and "skipped" not in tail.splitlines()[-1], tail
