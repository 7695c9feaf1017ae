"""A public walker over the backward graph, for the visualizers and the course.

``walk(root)`` yields every node reachable from ``root.grad_fn`` once, in the order the
engine can run them (a node comes before the nodes it sends gradients to); ``edges(root)``
yields ``(node, next_node)`` pairs. Both are iterative, so a 20,000-op chain is fine.
"""
from __future__ import annotations

from typing import Any, Iterator

from .._tensor import Tensor
from .engine import _dependencies
from .function import Node, gradient_edge


def _roots(roots: Any) -> list[Node]:
    tensors = [roots] if isinstance(roots, Tensor) else list(roots)
    return list(dict.fromkeys(n for n, _ in (gradient_edge(t) for t in tensors) if n is not None))


def walk(roots: Any) -> Iterator[Node]:
    """Graph nodes in topological order (each after every node that feeds it a gradient)."""
    root_nodes = _roots(roots)
    deps = _dependencies(root_nodes)
    ready = [n for n in root_nodes if deps.get(n, 0) == 0]
    while ready:
        node = ready.pop()
        yield node
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] -= 1
            if deps[child] == 0:
                ready.append(child)


def edges(roots: Any) -> Iterator[tuple[Node, Node]]:
    """``(node, child)`` for each gradient edge, child being where ``node`` sends a gradient."""
    for node in walk(roots):
        for child, _ in node.next_functions:
            if child is not None:
                yield node, child


def saved_tensors(node: Node) -> tuple:
    """The tensors a node saved for backward (empty once the graph has been freed)."""
    saved = getattr(node, "_saved", None)
    return tuple(t for t in (saved or ()) if t is not None)
