"""``import learntorch`` raises glibc's malloc thresholds (learntorch/_runtime.py), and leaves
OpenBLAS's environment alone.

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
SCRIPT = ("import json, os, sys; import learntorch; "
          "print(json.dumps({'timeout': os.environ.get('OPENBLAS_THREAD_TIMEOUT'), "
          "'applied': learntorch._runtime.applied}))")


def _run(**env_changes: str | None) -> dict:
    env = dict(os.environ)
    for k in ("OPENBLAS_THREAD_TIMEOUT", "LEARNTORCH_NO_TUNING", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        env.pop(k, None)
    env.update({k: v for k, v in env_changes.items() if v is not None})
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=REPO, capture_output=True, text=True,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_leaves_the_blas_environment_alone() -> None:
    """BLAS runs inside Numba's threads (backends/cpu/blas.py), so OpenBLAS needs no setting."""
    assert _run()["timeout"] is None


def test_it_can_be_switched_off() -> None:
    result = _run(LEARNTORCH_NO_TUNING="1")
    assert result["timeout"] is None and result["applied"] == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_mallopt_on_glibc_and_env_thresholds_are_left_alone() -> None:
    applied = _run()["applied"]
    if "glibc" not in applied:
        pytest.skip("not glibc (musl?): mallopt is skipped there")
    assert applied["mallopt"] == {"M_MMAP_THRESHOLD": True, "M_TRIM_THRESHOLD": True}
    assert _run(MALLOC_MMAP_THRESHOLD_="1048576")["applied"]["mallopt"] == {"M_TRIM_THRESHOLD": True}
