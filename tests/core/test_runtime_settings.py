"""``import learntorch`` leaves the process alone; raising glibc's malloc thresholds
(learntorch/_runtime.py) is opt-in, and OpenBLAS's environment is never touched.

Each case runs in a fresh interpreter, as a user's script would.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = ("import json, os, sys; import learntorch; {call}"
          "print(json.dumps({{'timeout': os.environ.get('OPENBLAS_THREAD_TIMEOUT'), "
          "'applied': learntorch._runtime.applied}}))")
TUNE = "learntorch.cpu.tune_allocator(); "


def _run(call: str = "", **env_changes: str | None) -> dict:
    env = dict(os.environ)
    for k in ("OPENBLAS_THREAD_TIMEOUT", "LEARNTORCH_NO_TUNING", "LEARNTORCH_TUNE_MALLOC", "MALLOC_MMAP_THRESHOLD_",
              "MALLOC_TRIM_THRESHOLD_"):
        env.pop(k, None)
    env.update({k: v for k, v in env_changes.items() if v is not None})
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(call=call)], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_leaves_the_blas_environment_alone() -> None:
    """BLAS runs inside Numba's threads (backends/cpu/fast/blas.py), so OpenBLAS needs no setting."""
    assert _run()["timeout"] is None
    assert _run(TUNE)["timeout"] is None


def test_import_alone_changes_no_process_setting() -> None:
    assert _run()["applied"] == {}


def test_it_can_be_switched_off() -> None:
    for result in (_run(TUNE, LEARNTORCH_NO_TUNING="1"), _run(LEARNTORCH_TUNE_MALLOC="1", LEARNTORCH_NO_TUNING="1")):
        assert result["timeout"] is None and result["applied"] == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_mallopt_on_glibc_when_asked_and_env_thresholds_are_left_alone() -> None:
    applied = _run(TUNE)["applied"]
    if "glibc" not in applied:
        pytest.skip("not glibc (musl?): mallopt is skipped there")
    assert applied["mallopt"] == {"M_MMAP_THRESHOLD": True, "M_TRIM_THRESHOLD": True}
    assert _run(LEARNTORCH_TUNE_MALLOC="1")["applied"] == applied       # the environment variable asks the same
    assert _run(TUNE, MALLOC_MMAP_THRESHOLD_="1048576")["applied"]["mallopt"] == {"M_TRIM_THRESHOLD": True}
