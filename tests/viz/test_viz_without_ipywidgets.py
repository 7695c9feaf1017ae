"""``learntorch.viz`` imports and draws without ipywidgets: the widgets load on first use."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
sys.modules["ipywidgets"] = None          # as if it were not installed: importing it raises ImportError
import learntorch as torch
from learntorch import viz
a = torch.tensor(2.0, requires_grad=True)
loss = (a * 3.0).exp()
source = viz.draw_graph(loss).source
assert "ExpBackward0" in source and "MulBackward0" in source, source
assert "learntorch.viz.widgets" not in sys.modules
try:
    viz.BackpropStepper
except ImportError as e:
    assert "pip install ipywidgets" in str(e), e
else:
    raise AssertionError("BackpropStepper loaded without ipywidgets")
print("ok")
"""


def test_viz_imports_and_draws_without_ipywidgets() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr


def test_widgets_load_on_first_use() -> None:
    from learntorch import viz
    from learntorch.viz.widgets import BackpropStepper
    assert viz.BackpropStepper is BackpropStepper
    assert "BackpropStepper" in viz.__all__
