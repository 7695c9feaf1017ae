"""``draw_scalar_graph``: micrograd's ``draw_dot`` for 0-d tensors (and for micrograd-style values).

One record box per value, ``{ a | data 2.0000 | grad -3.0000 }``, and one small ellipse per op
(``*``, ``+``, ``tanh``) between them, left to right::

    a = lt.tensor(2.0, requires_grad=True); b = lt.tensor(-3.0, requires_grad=True)
    with viz.record():                      # keeps every intermediate value and grad
        e = a * b; L = e + 1.0
    L.backward()
    draw_scalar_graph(L, names=locals())    # names: {"a": a, "b": b, "e": e, "L": L}

Objects with micrograd's fields (``data``, ``grad``, ``_prev``, ``_op``, optional ``label``) draw the
same way, so the course can draw its own hand-written ``Value`` class with this function.
"""
from __future__ import annotations

from typing import Any, Mapping

from .._tensor import Tensor
from ..autograd.function import AccumulateGrad, BackwardNode, gradient_edge
from ..autograd.graph import walk
from ._summary import summarize
from .graph import ComputationGraph, node_outputs

OP_SYMBOLS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**", "Neg": "neg", "Matmul": "@",
              "Mm": "@"}


def op_symbol(name: str) -> str:
    """``MulBackward0`` -> ``*``, ``TanhBackward0`` -> ``tanh``."""
    base = name.split("Backward")[0]
    return OP_SYMBOLS.get(base, base.lower())


def _text(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"{x.item():.4f}" if x.numel() == 1 else summarize(x)
    return x if isinstance(x, str) else "None" if x is None else f"{x:.4f}"


def _record(name: str | None, data: Any, grad: Any) -> str:
    parts = ([name] if name else []) + [f"data {_text(data)}", f"grad {_text(grad)}"]
    return "{ " + " | ".join(parts) + " }"


def _graph(rankdir: str) -> ComputationGraph:
    g = ComputationGraph(graph_attr={"rankdir": rankdir},
                         node_attr={"fontname": "Helvetica", "fontsize": "11"})
    g.node_ids = {}
    return g


def draw_scalar_graph(root: Any, names: Mapping[str, Any] | None = None, *,
                      rankdir: str = "LR") -> ComputationGraph:
    """The scalar graph of ``root``: a 0-d tensor, or a micrograd-style value.

    ``names`` maps names to tensors (``locals()`` works); other values get no name."""
    if not isinstance(root, Tensor):
        return _draw_values(root, rankdir)
    labels = {id(t): n for n, t in (names or {}).items() if isinstance(t, Tensor)}
    g = _graph(rankdir)
    if gradient_edge(root)[0] is None:
        g.node("v0", _record(labels.get(id(root)), root, root.grad), shape="record")
        return g
    value_ids: dict = {}
    for i, node in enumerate(walk(root)):
        value = node_outputs(node)[0] if node_outputs(node) else None
        vid = f"v{i}"
        value_ids[node] = vid
        g.node_ids[node] = vid
        if isinstance(node, AccumulateGrad):
            g.node(vid, _record(labels.get(id(value)), value, value.grad if value is not None else None),
                   shape="record", style="filled", fillcolor="lightblue")
            continue
        data = value if value is not None else "(freed)"
        grad = value.grad if value is not None else None
        g.node(vid, _record(labels.get(id(value)), data, grad), shape="record")
        if isinstance(node, BackwardNode):
            g.node(f"op{i}", op_symbol(node.name()), shape="ellipse", style="filled", fillcolor="lightgrey")
            g.edge(f"op{i}", vid)
    for node, vid in value_ids.items():
        for child, _ in node.next_functions:
            if child is not None:
                g.edge(value_ids[child], f"op{vid[1:]}")
    return g


def _draw_values(root: Any, rankdir: str) -> ComputationGraph:
    """micrograd's draw_dot, iteratively: values as records, ``_op`` as ellipses."""
    g = _graph(rankdir)
    seen: dict[int, Any] = {}
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen[id(v)] = v
        stack.extend(v._prev)
    for v in seen.values():
        vid = f"v{id(v)}"
        g.node(vid, _record(getattr(v, "label", "") or None, v.data, v.grad), shape="record")
        if v._op:
            g.node(f"op{id(v)}", v._op, shape="ellipse", style="filled", fillcolor="lightgrey")
            g.edge(f"op{id(v)}", vid)
        for child in v._prev:
            g.edge(f"v{id(child)}", f"op{id(v)}")
    return g
