"""``draw_graph``: the autograd graph of a tensor as a ``graphviz.Digraph``.

Boxes follow torchviz's colours until gradients exist: grey for ops (``grad_fn`` nodes), light blue
for leaves and parameters, green borders for the outputs, orange for saved tensors. After
``backward()``, boxes with a known gradient are filled by its mean magnitude (a log scale, see the
legend). Edges point the way the forward pass went: inputs -> op -> output.

The traversal is ``autograd.graph.walk`` (iterative), so a 20,000-op chain is fine; past
``max_nodes`` boxes the drawing stops and says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import graphviz

from .._tensor import Tensor
from ..autograd.function import AccumulateGrad, BackwardNode, Node, gradient_edge
from ..autograd.graph import saved_tensors, walk
from ._summary import ZERO_COLOR, GradScale, describe, magnitude, summarize
from .record import MODULE, ModuleCall
from .render import render_svg

MAX_NODES = 500
FILL = {"op": "lightgrey", "leaf": "lightblue", "param": "lightblue", "module": "#e3dcf5",
        "saved": "orange", "tensor": "white", "note": "lightyellow"}
BORDER = {"op": "gray40", "leaf": "#1f5fa8", "param": "#1f5fa8", "module": "#6a3d9a",
          "saved": "#b35900", "tensor": "black", "note": "gray40"}
KIND_NAMES = {"op": "op (grad_fn)", "leaf": "leaf tensor", "param": "parameter",
              "module": "module call", "saved": "saved for backward", "tensor": "tensor without graph"}
OUTPUT_BORDER = "darkgreen"
HIGHLIGHT = "red"


class ComputationGraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that displays through ``render_svg``, so Jupyter shows it without ``dot``.

    ``node_ids`` maps each drawn autograd ``Node`` to the id of the box that shows it."""

    node_ids: dict

    def _repr_image_svg_xml(self) -> str:
        return render_svg(self)


@dataclass(eq=False)
class _Box:
    id: str
    kind: str
    lines: list[str]
    grad: float | None = None      # mean |grad| when known
    output: bool = False
    nodes: list = field(default_factory=list)


def param_names(params: Any) -> dict[int, str]:
    """``{id(tensor): name}`` from a module or from ``named_parameters()`` pairs."""
    if params is None:
        return {}
    pairs = params.named_parameters() if hasattr(params, "named_parameters") else params
    return {id(p): name for name, p in pairs}


def node_outputs(node: Node) -> list[Tensor | None]:
    """The output tensors of an op node that are still alive (None where freed or not a tensor)."""
    if isinstance(node, AccumulateGrad):
        return [node.variable]
    return [r() if r is not None else None for r in getattr(node, "_outputs", ())]


def _tensor_lines(t: Tensor | None, grad: Tensor | None, show_values: bool, show_grads: bool) -> list[str]:
    lines = []
    if t is not None and show_values:
        lines.append("data " + summarize(t))
    if grad is not None and show_grads:
        lines.append("grad " + summarize(grad))
    return lines


class _Builder:
    """Collects boxes and edges, then emits them as a ``ComputationGraph``."""

    def __init__(self, roots: Any, params: Any, show_values: bool, show_grads: bool, show_saved: bool,
                 collapse: str | None, max_nodes: int, grads: Mapping[Node, Tensor] | None) -> None:
        if collapse not in (None, "module"):
            raise ValueError(f"collapse must be None or 'module', got {collapse!r}")
        self.tensors = [roots] if isinstance(roots, Tensor) else list(roots)
        self.names = param_names(params)
        self.show_values, self.show_grads, self.show_saved = show_values, show_grads, show_saved
        self.collapse, self.max_nodes = collapse, max_nodes
        self.grads = grads
        self.boxes: dict[Any, _Box] = {}     # key (a Node or a ModuleCall) -> box
        self.extra: list[_Box] = []          # saved tensors, standalone tensors, the note
        self.edges: dict[tuple[str, str], str] = {}  # (tail, head) -> style
        self.saved_boxes: dict[int, _Box] = {}        # id(saved tensor) -> box

    # ---------------------------------------------------------------- grouping
    def _keys(self, order: list[Node]) -> dict[Node, Any]:
        keys: dict[Node, Any] = {n: n.metadata.get(MODULE, n) if self.collapse else n for n in order}
        if not self.collapse:
            return keys
        if order and not any(isinstance(k, ModuleCall) for k in keys.values()):
            raise ValueError("collapse='module' needs to know which module made each op: run the forward "
                             "pass inside `with learntorch.viz.record(model):` and draw its output")
        consumers: dict[Node, set] = {}
        for node in order:
            for child, _ in node.next_functions:
                if child is not None:
                    consumers.setdefault(child, set()).add(keys[node])
        for node in order:
            users = consumers.get(node, set())
            if isinstance(node, AccumulateGrad) and len(users) == 1:
                (call,) = users
                if isinstance(call, ModuleCall) and any(p is node.variable for _, p in call.params):
                    keys[node] = call
        return keys

    # ---------------------------------------------------------------- boxes
    def _op_box(self, node: Node, box_id: str) -> _Box:
        lines = [node.name()]
        if isinstance(node, BackwardNode):
            outs = node_outputs(node)
            meta = node._output_meta
            for nr, m in enumerate(meta):
                if m is None:
                    continue
                prefix = f"out{nr}: " if len(meta) > 1 else ""
                out = outs[nr] if nr < len(outs) else None
                grad = self._grad(node, out) if nr == 0 else (out.grad if out is not None else None)
                lines.append(prefix + f"{tuple(m[0])} {m[1].name}")
                lines += _tensor_lines(out, grad, self.show_values, self.show_grads)
            if self.show_saved and node._freed:
                lines.append("saved tensors freed by backward()")
        box = _Box(box_id, "op", lines)
        outs = node_outputs(node)
        box.grad = self._mag(self._grad(node, outs[0] if outs else None))
        return box

    def _leaf_box(self, node: AccumulateGrad, box_id: str) -> _Box:
        v = node.variable
        if v is None:
            return _Box(box_id, "leaf", ["leaf (freed)"])
        name = self.names.get(id(v))
        grad = self._grad(node, v)
        lines = [name or "leaf", describe(v)] + _tensor_lines(v, grad, self.show_values, self.show_grads)
        return _Box(box_id, "param" if name else "leaf", lines, self._mag(grad))

    def _module_box(self, call: ModuleCall, nodes: list[Node], box_id: str) -> _Box:
        ops = list(dict.fromkeys(n.name() for n in sorted(nodes, key=lambda n: n._sequence_nr)
                                 if not isinstance(n, AccumulateGrad)))
        lines = [call.title, f"{len(ops)} op{'s' if len(ops) != 1 else ''}: " + ", ".join(ops[:3])
                 + (", ..." if len(ops) > 3 else "")]
        out = call.output() if call.output is not None else None
        mags = []
        if out is not None:
            grad = self._grad(out.grad_fn, out)
            lines.append("out " + describe(out))
            lines += _tensor_lines(out, grad, self.show_values, self.show_grads)
            mags.append(self._mag(grad))
        folded = {id(n.variable): n for n in nodes if isinstance(n, AccumulateGrad)}
        for name, p in call.params:
            if id(p) in folded:
                mag = self._mag(self._grad(folded[id(p)], p))
                grad = f" |grad| {mag:.3g}" if mag is not None else ""
                lines.append(f"{name.rsplit('.', 1)[-1]} {tuple(p.shape)}{grad}")
                mags.append(mag)
        known = [m for m in mags if m is not None]
        return _Box(box_id, "module", lines, known[0] if known else None)

    def _grad(self, node: Node | None, t: Tensor | None) -> Tensor | None:
        """The grad to show for ``node``'s output ``t``: from ``grads`` when given, else ``t.grad``."""
        if self.grads is not None:
            return self.grads.get(node)
        return t.grad if t is not None else None

    def _mag(self, grad: Tensor | None) -> float | None:
        return magnitude(grad) if grad is not None and self.show_grads else None

    def _new_extra(self, kind: str, lines: list[str]) -> _Box:
        box = _Box(f"x{len(self.extra)}", kind, lines)
        self.extra.append(box)
        return box

    # ---------------------------------------------------------------- assembly
    def build(self) -> list[_Box]:
        order = list(walk([t for t in self.tensors if gradient_edge(t)[0] is not None]))
        keys = self._keys(order)
        members: dict[Any, list[Node]] = {}
        for node in order:
            members.setdefault(keys[node], []).append(node)
        shown = list(members)[: self.max_nodes]
        for i, key in enumerate(shown):
            box_id = f"n{i}"
            if isinstance(key, ModuleCall):
                box = self._module_box(key, members[key], box_id)
            elif isinstance(key, AccumulateGrad):
                box = self._leaf_box(key, box_id)
            else:
                box = self._op_box(key, box_id)
            box.nodes = members[key]
            self.boxes[key] = box
        frontier = []
        for node in order:
            head = self.boxes.get(keys[node])
            if head is None:
                continue
            for child, _ in node.next_functions:
                if child is None or keys[child] is keys[node]:
                    continue
                tail = self.boxes.get(keys[child])
                if tail is None:
                    frontier.append(head)
                else:
                    self.edges[(tail.id, head.id)] = "solid"
            if self.show_saved and not isinstance(keys[node], ModuleCall):
                self._saved(node, head)
        for t in self.tensors:
            node = gradient_edge(t)[0]
            if node is None:
                lines = ["tensor (no graph)", describe(t)]
                lines += _tensor_lines(t, t.grad, self.show_values, self.show_grads)
                box = self._new_extra("tensor", lines)
                box.grad = self._mag(t.grad)
            elif keys[node] in self.boxes:
                self.boxes[keys[node]].output = True
        if len(members) > len(shown):
            note = self._new_extra("note", [
                f"graph truncated: {len(shown)} of {len(members)} boxes drawn (max_nodes={self.max_nodes})",
                "pass collapse='module' or a larger max_nodes to see more"])
            for head in dict.fromkeys(frontier):
                self.edges[(note.id, head.id)] = "dashed"
        return list(self.boxes.values()) + self.extra

    def _saved(self, node: Node, head: _Box) -> None:
        for t in saved_tensors(node):
            if id(t) not in self.saved_boxes:
                lines = ["saved", describe(t)] + _tensor_lines(t, None, self.show_values, False)
                self.saved_boxes[id(t)] = self._new_extra("saved", lines)
            self.edges[(self.saved_boxes[id(t)].id, head.id)] = "dashed"


def _legend(g: graphviz.Digraph, boxes: list[_Box], scale: GradScale | None) -> None:
    kinds = list(dict.fromkeys(b.kind for b in boxes if b.kind in KIND_NAMES))
    rows = [f'<tr><td bgcolor="{FILL[k]}" color="{BORDER[k]}" border="2" width="16"> </td>'
            f'<td align="left">{KIND_NAMES[k]}</td></tr>' for k in kinds]
    if any(b.output for b in boxes):
        rows.append(f'<tr><td border="3" color="{OUTPUT_BORDER}"> </td><td align="left">output</td></tr>')
    if scale is not None:
        rows.append('<tr><td colspan="2" align="left"><b>fill after backward: mean |grad|</b></td></tr>')
        rows += [f'<tr><td bgcolor="{c}"> </td><td align="left">{text}</td></tr>' for c, text in scale.swatches()]
        rows.append(f'<tr><td bgcolor="{ZERO_COLOR}"> </td><td align="left">0 (vanished)</td></tr>')
    table = ('<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
             '<tr><td colspan="2"><b>legend</b></td></tr>' + "".join(rows) + "</table>>")
    with g.subgraph(name="cluster_legend") as sub:
        sub.attr(label="", color="gray80")
        sub.node("legend", table, shape="plain", style="")


def emit(boxes: list[_Box], rankdir: str, highlight: Iterable[str] = ()) -> tuple[ComputationGraph, GradScale | None]:
    """The Digraph for ``boxes`` and its grad colour scale; ids in ``highlight`` get a thick red border."""
    highlight = set(highlight)
    g = ComputationGraph(graph_attr={"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.3"},
                         node_attr={"shape": "box", "style": "filled,rounded", "fontname": "Helvetica",
                                    "fontsize": "10", "margin": "0.08,0.04"},
                         edge_attr={"arrowsize": "0.6"})
    mags = [b.grad for b in boxes if b.grad is not None]
    scale = GradScale(mags) if mags else None
    for b in boxes:
        fill = scale.color(b.grad) if scale is not None and b.grad is not None else FILL[b.kind]
        attrs = {"fillcolor": fill, "color": BORDER[b.kind], "penwidth": "1"}
        if b.kind in ("leaf", "param"):
            attrs["penwidth"] = "1.5"
        if b.output:
            attrs.update(color=OUTPUT_BORDER, penwidth="2.5")
        if b.id in highlight:
            attrs.update(color=HIGHLIGHT, penwidth="4")
        if b.kind == "note":
            attrs["shape"] = "note"
        g.node(b.id, "\\n".join(b.lines), **attrs)
    return g, scale


def draw_graph(root: Any, params: Any = None, *, show_values: bool = True, show_grads: bool = True,
               show_saved: bool = False, collapse: str | None = None, max_nodes: int = MAX_NODES,
               rankdir: str = "TB") -> ComputationGraph:
    """The autograd graph that produced ``root`` (a tensor or a list of tensors).

    ``params`` (an ``nn.Module`` or ``named_parameters()``) names the leaves; ``collapse="module"``
    draws one box per module call (the forward must have run inside ``viz.record(model)``)."""
    return _draw(root, params, show_values=show_values, show_grads=show_grads, show_saved=show_saved,
                 collapse=collapse, max_nodes=max_nodes, rankdir=rankdir)


def _draw(root: Any, params: Any, *, grads: Mapping[Node, Tensor] | None = None,
          highlight: Node | None = None, **options: Any) -> ComputationGraph:
    """``draw_graph`` plus what the stepper needs: per-node grads and one highlighted node."""
    rankdir = options.pop("rankdir")
    builder = _Builder(root, params, grads=grads, **options)
    boxes = builder.build()
    node_ids = {n: b.id for b in builder.boxes.values() for n in b.nodes}
    g, scale = emit(boxes, rankdir, [node_ids[highlight]] if highlight in node_ids else [])
    for (tail, head), style in builder.edges.items():
        g.edge(tail, head, **({"style": style} if style != "solid" else {}))
    _legend(g, boxes, scale)
    g.node_ids = node_ids
    return g
