"""A new learner's first minutes: the README's set-up command in a fresh venv, then 00_welcome runs.

The command is read from the README (the bash line that opens the course, ``... && .venv/bin/jupyter lab
notebooks/00_welcome.ipynb``, or else the first one that installs the ``lab`` extra), with the venv moved
to a temporary folder; instead of opening JupyterLab, the test executes 00_welcome with that venv's
``jupyter nbconvert --execute`` and checks it draws its backprop graph within two minutes.
Needs network access to the package index (or a local mirror) to install; slow (a minute or two).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WELCOME = ROOT / "notebooks" / "00_welcome.ipynb"

pytestmark = pytest.mark.slow


def readme_setup_command() -> str:
    """The README's set-up command for the course: the part before it opens JupyterLab."""
    lines = [l.strip() for l in (ROOT / "README.md").read_text().splitlines()]
    commands = [l for l in lines if l.startswith("python3 -m venv .venv") and "pip install" in l]
    course = [l for l in commands if "jupyter lab notebooks/00_welcome.ipynb" in l]
    lab = [l for l in commands if re.search(r"pip install -e \"?\.\[[^\]]*lab", l)]
    if not (course or lab):
        pytest.fail("the README has no set-up command that installs the lab extra")
    command = (course or lab)[0]
    steps = [s.strip() for s in command.split("&&")]
    return " && ".join(s for s in steps if s.startswith("python3 -m venv") or "pip install" in s)


@pytest.mark.timeout(1200)
def test_readme_install_then_welcome_notebook(tmp_path):
    venv = tmp_path / "venv"
    command = readme_setup_command().replace(".venv/", f"{venv}/").replace("venv .venv", f"venv {venv}")
    print("set-up:", command)
    t0 = time.perf_counter()
    done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=900)
    install = time.perf_counter() - t0
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"

    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "MPLBACKEND"))}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    out = tmp_path / "out"
    t0 = time.perf_counter()
    run = subprocess.run(
        [str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute", str(WELCOME),
         "--output-dir", str(out), "--ExecutePreprocessor.kernel_name=python3",
         "--ExecutePreprocessor.timeout=300"],
        cwd=WELCOME.parent, env=env, capture_output=True, text=True, timeout=600)
    first_run = time.perf_counter() - t0
    assert run.returncode == 0, run.stderr[-4000:]
    print(f"install {install:.0f} s; 00_welcome executed in {first_run:.0f} s")

    nb = json.loads((out / WELCOME.name).read_text())
    outputs = [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert any("image/svg+xml" in o.get("data", {}) for o in outputs), "no graph was drawn"
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), "no widget"
    assert first_run < 120, f"from install to a drawn backprop graph took {first_run:.0f} s (> 2 minutes)"
