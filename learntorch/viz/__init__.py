"""``learntorch.viz``: see the autograd graph, the gradient flow and training, in JupyterLab.

    from learntorch import viz
    viz.draw_graph(loss, model)              # a graphviz.Digraph; displays as SVG, no `dot` needed
    with viz.record(model):                  # keep every value and grad, note module calls
        loss = criterion(model(x), y)
    viz.draw_graph(loss, model, collapse="module")
    viz.plot_grad_flow(model.named_parameters())
    viz.BackpropStepper(loss)                # and TrainingDashboard, OptimizerPlayground, ...
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .graph import ComputationGraph, draw_graph
from .grad_flow import plot_grad_flow
from .monitor import Monitor
from .record import record
from .render import render_svg
from .scalar_graph import draw_scalar_graph

if TYPE_CHECKING:
    from .widgets import BackpropStepper, ConvExplorer, OptimizerPlayground, TensorInspector, TrainingDashboard

__all__ = ["BackpropStepper", "ComputationGraph", "ConvExplorer", "Monitor", "OptimizerPlayground",
           "TensorInspector", "TrainingDashboard", "draw_graph", "draw_scalar_graph", "plot_grad_flow",
           "record", "render_svg"]

_WIDGETS = ("BackpropStepper", "ConvExplorer", "OptimizerPlayground", "TensorInspector", "TrainingDashboard")


def __getattr__(name: str) -> Any:
    """The widgets load on first use, so ``learntorch.viz`` imports (and draws) without ipywidgets."""
    if name not in _WIDGETS:
        raise AttributeError(f"module 'learntorch.viz' has no attribute {name!r}")
    try:
        widgets = importlib.import_module(".widgets", __name__)
    except ImportError as e:
        raise ImportError(f"learntorch.viz.{name} is an ipywidgets widget, and ipywidgets could not be "
                          f"imported ({e}); install it with `pip install ipywidgets`") from e
    return getattr(widgets, name)
