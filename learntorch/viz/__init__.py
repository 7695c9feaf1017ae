"""``learntorch.viz``: see the autograd graph, the gradient flow and training, in JupyterLab.

    from learntorch import viz
    viz.draw_graph(loss, model)              # a graphviz.Digraph; displays as SVG, no `dot` needed
    with viz.record(model):                  # keep every value and grad, note module calls
        loss = criterion(model(x), y)
    viz.draw_graph(loss, model, collapse="module")
    viz.plot_grad_flow(model.named_parameters())
    viz.BackpropStepper(loss)                # and TrainingDashboard, OptimizerPlayground, ...
"""
from .graph import ComputationGraph, draw_graph
from .grad_flow import plot_grad_flow
from .monitor import Monitor
from .record import record
from .render import render_svg
from .scalar_graph import draw_scalar_graph
from .widgets import BackpropStepper, ConvExplorer, OptimizerPlayground, TensorInspector, TrainingDashboard

__all__ = ["BackpropStepper", "ComputationGraph", "ConvExplorer", "Monitor", "OptimizerPlayground",
           "TensorInspector", "TrainingDashboard", "draw_graph", "draw_scalar_graph", "plot_grad_flow",
           "record", "render_svg"]
