"""``BackpropStepper``: walk the backward pass one node at a time, in the engine's real order.

At construction it runs the real backward once (``autograd.grad`` with ``retain_graph=True``, so the
leaves' ``.grad`` is untouched and ``loss.backward()`` still works afterwards), with a hook on every
node that records the gradient the node received and the gradients it sent on. Stepping then
replays those recorded numbers over the graph, in ``autograd.graph.walk`` order, which is the order
the engine ran them.
"""
from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as widgets
import numpy as np

from ..._tensor import Tensor
from ...autograd import grad as autograd_grad
from ...autograd.engine import _root_grads
from ...autograd.function import AccumulateGrad, BackwardNode, Node
from ...autograd.graph import walk
from .._summary import describe, summarize, to_numpy
from ..graph import _draw, node_outputs, param_names
from ..render import render_svg
from ._images import array_png, as_image


def local_derivatives(node: Node) -> list[tuple[str, np.ndarray | None]]:
    """``(text, value)`` per input of ``node``: the local derivative its Function states as data
    (``derivatives``, see ``learntorch/ops/_derivatives.py``), evaluated on what the node saved."""
    fn = getattr(node, "_function", None)
    if not hasattr(fn, "local_derivatives") or node._freed:
        return []
    return [(f"d({fn.expression})/d{name} = {formula}", None if value is None else to_numpy(value).astype(np.float64))
            for name, formula, value in fn.local_derivatives(node)]


def rule_lines(node: Node, grad_out: Tensor | None, grads_in: tuple) -> list[str]:
    """The local gradient rule of ``node`` with its actual numbers, then the chain rule per input."""
    if isinstance(node, AccumulateGrad):
        return [f"AccumulateGrad: leaf.grad += grad = {summarize(grad_out)}" if grad_out is not None
                else "AccumulateGrad: no gradient reached this leaf"]
    lines = [f"{node.name()} receives grad_out = {summarize(grad_out)}" if grad_out is not None
             else f"{node.name()} receives no gradient"]
    locals_ = local_derivatives(node)
    text = getattr(getattr(node, "_function", None), "derivative_text", None)
    if text:
        lines.append(text)
    for text, value in locals_:
        lines.append(f"{text} = {summarize(value)}" if value is not None else text)
    for i, g in enumerate(grads_in):
        if g is None:
            continue
        local = locals_[i][1] if i < len(locals_) else None
        if local is not None and grad_out is not None and local.size == 1 and grad_out.numel() == 1:
            numbers = f"{summarize(grad_out)} × {summarize(local)} = {summarize(g)}"
            lines.append(f"input {i}: grad_out × local = {numbers}")
        elif i < len(locals_) and grad_out is not None:
            lines.append(f"input {i}: grad_out × local = {summarize(g)}")
        else:
            lines.append(f"input {i}: grad = {summarize(g)}")
    return lines


class BackpropStepper(widgets.VBox):
    """Step through ``loss``'s backward pass: Step/Reset buttons, a slider, the graph and the rule.

    ``step()``, ``reset()`` and ``current_node`` drive it from code; ``params`` names the leaves and
    ``collapse="module"`` draws one box per module call, as in ``draw_graph``."""

    def __init__(self, loss: Tensor, params: Any = None, *, collapse: str | None = None,
                 rankdir: str = "TB") -> None:
        _root_grads([loss], None)          # a non-scalar loss raises what backward() raises (and
        # a loss without a graph raises it in _record, from the engine itself)
        self.loss, self.params, self.collapse, self.rankdir = loss, params, collapse, rankdir
        self.nodes: list[Node] = list(walk(loss))
        self.grad_out: dict[Node, Tensor] = {}
        self.grads_in: dict[Node, tuple] = {}
        self.order: list[Node] = []        # the order the engine ran the nodes in (for checking)
        self._record()
        self.names = param_names(params)
        self._svg: dict[int, str] = {}

        self.step_button = widgets.Button(description="Step", icon="step-forward")
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.slider = widgets.IntSlider(value=0, min=0, max=len(self.nodes) - 1, description="node")
        self.graph = widgets.HTML()
        self.rule = widgets.HTML()
        self.select = widgets.Dropdown(options=[(self._title(i), i) for i in range(len(self.nodes))],
                                       description="inspect")
        self.detail = widgets.HTML()
        self.heatmap = widgets.Image(format="png", value=b"")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.slider.observe(lambda change: self._show(change["new"]), names="value")
        self.select.observe(lambda change: self._inspect(change["new"]), names="value")
        side = widgets.VBox([self.rule, self.select, self.detail, self.heatmap],
                            layout=widgets.Layout(min_width="320px"))
        super().__init__([widgets.HBox([self.reset_button, self.step_button, self.slider]),
                          widgets.HBox([self.graph, side])])
        self._show(0)

    # ------------------------------------------------------------------ the recorded backward
    def _record(self) -> None:
        handles = []
        for node in self.nodes:
            handles.append(node.register_prehook(self._pre_hook(node)))
            if isinstance(node, BackwardNode):
                handles.append(node.register_hook(self._post_hook(node)))
        leaves = [n.variable for n in self.nodes if isinstance(n, AccumulateGrad) and n.variable is not None]
        retained = [(t, t.grad) for n in self.nodes for t in node_outputs(n) if t is not None and t.retains_grad]
        try:
            autograd_grad(self.loss, leaves, retain_graph=True, allow_unused=True)
        finally:
            for h in handles:
                h.remove()
            for t, g in retained:       # retain_grad() tensors keep what they had: this run is a replay
                t.grad = g

    def _pre_hook(self, node: Node) -> Callable:
        def hook(grad: Tensor) -> None:
            self.order.append(node)
            self.grad_out[node] = grad.detach()
        return hook

    def _post_hook(self, node: Node) -> Callable:
        def hook(grads_in: tuple, grads_out: tuple) -> None:
            self.grads_in[node] = tuple(g.detach() if g is not None else None for g in grads_in)
        return hook

    # ------------------------------------------------------------------ driving
    @property
    def current_node(self) -> Node:
        """The node whose backward the display is at."""
        return self.nodes[self.slider.value]

    def step(self) -> Node:
        """Advance one node (stays on the last one); returns the new current node."""
        self.slider.value = min(self.slider.value + 1, self.slider.max)
        return self.current_node

    def reset(self) -> None:
        """Back to the first node (the loss's ``grad_fn``)."""
        self.slider.value = 0

    # ------------------------------------------------------------------ display
    def _title(self, i: int) -> str:
        node = self.nodes[i]
        if isinstance(node, AccumulateGrad) and node.variable is not None:
            return f"{i}: {self.names.get(id(node.variable), 'leaf')}"
        return f"{i}: {node.name()}"

    def svg(self, position: int) -> str:
        """The graph's SVG with nodes ``0..position`` done and ``position`` highlighted."""
        if position not in self._svg:
            done = self.nodes[:position + 1]
            graph = _draw(self.loss, self.params, grads={n: self.grad_out[n] for n in done if n in self.grad_out},
                          highlight=self.nodes[position], show_values=True,
                          show_grads=True, show_saved=False, collapse=self.collapse, max_nodes=500,
                          rankdir=self.rankdir)
            self._svg[position] = render_svg(graph)
        return self._svg[position]

    def _show(self, position: int) -> None:
        self.graph.value = f'<div style="max-height:600px;overflow:auto">{self.svg(position)}</div>'
        node = self.nodes[position]
        lines = rule_lines(node, self.grad_out.get(node), self.grads_in.get(node, ()))
        self.rule.value = (f"<b>step {position + 1} of {len(self.nodes)}</b><br>"
                           + "<br>".join(f"<code>{html.escape(line)}</code>" for line in lines))
        if self.select.value != position:
            self.select.value = position     # its observer shows the node
        else:
            self._inspect(position)

    def _inspect(self, position: int) -> None:
        node = self.nodes[position]
        outs = node_outputs(node)
        value = outs[0] if outs else None
        grad = self.grad_out.get(node) if position <= self.slider.value else None
        rows = [f"<b>{html.escape(self._title(position))}</b>"]
        if value is not None:
            rows += [f"value {html.escape(describe(value))}: <code>{html.escape(summarize(value))}</code>"]
        else:
            rows += ["value: not kept (build the graph inside <code>learntorch.viz.record()</code>)"]
        rows += [f"grad: <code>{html.escape(summarize(grad))}</code>" if grad is not None
                 else "grad: not computed yet"]
        self.detail.value = "<br>".join(rows)
        image = as_image(to_numpy(grad if grad is not None else value)) \
            if (grad is not None or value is not None) else None
        self.heatmap.value = array_png(image, "RdBu_r" if grad is not None else "viridis",
                                       scale=max(1, 160 // max(image.shape)), symmetric=grad is not None) \
            if image is not None else b""
