"""Every course notebook runs top to bottom with CI's small parameters, through papermill.

Also checks the notebooks' form: committed without outputs, a first code cell tagged
``parameters`` that holds every name CI overrides.
"""
from __future__ import annotations

import time

import pytest

from .conftest import CI_PARAMETERS, NOTEBOOKS, NOTEBOOKS_DIR

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need the `test` extra (nbformat)")
papermill = pytest.importorskip("papermill", reason="the notebook tests need the `test` extra (papermill)")

IDS = [p.stem for p in NOTEBOOKS]


def test_every_listed_notebook_exists():
    assert sorted(CI_PARAMETERS) == IDS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_clean_with_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "parameters" in code[0].metadata.get("tags", []), "the first code cell must be tagged `parameters`"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs before committing"
    names = {line.split("=")[0].strip() for line in code[0].source.splitlines() if "=" in line and not line.startswith("#")}
    missing = set(CI_PARAMETERS[path.stem]) - names
    assert not missing, f"{path.name}: CI overrides {missing}, which its parameters cell does not define"


@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_executes(path, tmp_path):
    start = time.perf_counter()
    papermill.execute_notebook(
        str(path), str(tmp_path / path.name), parameters=CI_PARAMETERS[path.stem], cwd=str(NOTEBOOKS_DIR),
        kernel_name="python3", progress_bar=False, log_output=False, execution_timeout=300)
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")
