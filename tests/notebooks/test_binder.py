"""Binder: ``binder/`` installs the project with its lab extra, Graphviz, and a supported Python.

With ``jupyter-repo2docker`` installed (the ``test`` extra), the test also asks repo2docker for the
Dockerfile it would build (``--no-build --no-run --debug``, no Docker needed) and checks that it
installs graphviz and then the project from binder/requirements.txt.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:          # Python 3.10
    tomllib = pytest.importorskip("tomli")

from .conftest import ROOT

BINDER = ROOT / "binder"


def test_requirements_install_the_project_with_the_lab_extra():
    lines = [l.strip() for l in (BINDER / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    assert any(re.fullmatch(r"-e\s+\.\[(.*,)?lab(,.*)?\]", l) for l in lines), lines
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(d.startswith("jupyterlab") for d in extras["lab"])


def test_apt_installs_graphviz():
    assert "graphviz" in (BINDER / "apt.txt").read_text().split()


def test_runtime_pins_a_supported_python():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match, runtime
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = int(re.search(r">=\s*3\.(\d+)", requires).group(1))
    assert int(match.group(1)) >= minimum


def repo2docker() -> str:
    exe = shutil.which("jupyter-repo2docker") or str(Path(sys.executable).with_name("jupyter-repo2docker"))
    if not Path(exe).exists():
        pytest.skip("jupyter-repo2docker is not installed (pip install -e '.[test]')")
    return exe


@pytest.mark.timeout(300)
def test_repo2docker_dockerfile_installs_graphviz_and_the_project():
    done = subprocess.run([repo2docker(), "--no-build", "--no-run", "--debug", str(ROOT)],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    dockerfile = done.stdout + done.stderr
    assert "FROM " in dockerfile, dockerfile[-3000:]
    runtime = (BINDER / "runtime.txt").read_text().strip().replace("python-", "")
    assert f"python={runtime}" in dockerfile or f"python{runtime}" in dockerfile
    apt = re.search(r"apt-get install[^\n]*\\?\n?[^\n]*graphviz", dockerfile)
    assert apt, "the Dockerfile does not apt-get install graphviz"
    pip = re.search(r'pip install[^\n]*-r "?binder/requirements\.txt"?', dockerfile)
    assert pip, "the Dockerfile does not pip install binder/requirements.txt"
    copy_repo = dockerfile.find("COPY --chown=0:0 src/ ")
    assert 0 <= copy_repo < pip.start(), "the repository must be copied in before `-e .` is installed"
