"""The backward engine: order the graph once, then run each node exactly once.

A node may feed several others (``b = a * a; c = a + b``). Recursing into each parent as
soon as one child is done would run it once per path and double-count; instead the engine
counts, for every node, how many gradients it still waits for, and runs it only when that
count hits zero (Kahn's topological order). Both passes use an explicit stack, so a chain of
any length works without Python recursion::

    dependencies = count_children(roots)        # pass 1: who waits for how many gradients
    ready = roots
    while ready:                                # pass 2: run nodes whose gradients are complete
        node = ready.pop()
        grads_in = node.backward(*buffer.pop(node))
        for (parent, nr), position in zip(node.next_functions, node._input_positions):
            buffer[parent][nr] += grads_in[position]     # backward returns one grad per forward argument
            dependencies[parent] -= 1
            if dependencies[parent] == 0: ready.append(parent)
"""
from __future__ import annotations

from typing import Any, Sequence

from .._creation import ones_like, tensor, zeros
from .._tensor import Tensor
from .function import AccumulateGrad, BackwardNode, Node, gradient_edge
from .grad_mode import no_grad, set_grad_enabled


def _as_tensor_list(x: Any) -> list:
    return [x] if isinstance(x, Tensor) else list(x)


def _root_grads(roots: list, grads: Sequence | None) -> list:
    out = []
    for i, t in enumerate(roots):
        g = None if grads is None else grads[i]
        if g is None:
            if t.numel() != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs, but the output has shape "
                    f"{list(t.shape)}: call .sum() or .mean() first, or pass gradient= (a tensor of the "
                    "output's shape) to backward()")
            g = ones_like(t)
        elif not isinstance(g, Tensor):
            g = tensor(g, dtype=t.dtype, device=t.device)
        elif g.shape != t.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {list(g.shape)} and output[{i}] "
                f"has a shape of {list(t.shape)}.")
        out.append(g)
    return out


def _dependencies(roots: list[Node]) -> dict[Node, int]:
    deps: dict[Node, int] = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps


def _needed(roots: list[Node], targets: set[Node]) -> set[Node]:
    """Nodes from which some target can be reached (iterative post-order)."""
    needed: set[Node] = set()
    done: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            done.add(node)
            if node in targets or any(c in needed for c, _ in node.next_functions if c is not None):
                needed.add(node)
            continue
        if node in done:
            continue
        stack.append((node, True))
        stack.extend((c, False) for c, _ in node.next_functions if c is not None and c not in done)
    return needed


def _add(a: Any, b: Any) -> Any:
    return b if a is None else a + b


def _call_hooks(hooks: dict | None, grad: Any) -> Any:
    for hook in list((hooks or {}).values()):
        result = hook(grad)
        if result is not None:
            grad = result
    return grad


def _accumulate(leaf: Any, grad: Any, create_graph: bool, owned: set[int]) -> None:
    """``leaf.grad += grad``; the first gradient is stored as is when nothing else holds it."""
    if grad.shape != leaf.shape:
        raise RuntimeError(f"gradient of shape {list(grad.shape)} does not match leaf of shape {list(leaf.shape)}")
    if leaf.grad is None:
        shared = id(grad._storage) in owned or grad._base is not None
        leaf.grad = grad if create_graph else (grad.detach().clone() if shared else grad.detach())
        owned.add(id(leaf.grad._storage))
    elif create_graph or leaf.grad._requires_grad:
        leaf.grad = leaf.grad + grad
    else:
        with no_grad():
            leaf.grad.add_(grad)


def run_backward(roots: list, grads: list, retain_graph: bool, create_graph: bool,
                 inputs: list | None = None, accumulate: bool = True) -> dict:
    """Propagate ``grads`` from ``roots``; returns {(node, nr): grad} for the ``inputs`` edges."""
    edges = [gradient_edge(t) for t in roots]
    for t, (node, _) in zip(roots, edges):
        if node is None:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: "
                "the loss was computed from tensors without requires_grad=True (or under no_grad())")
    root_nodes = list(dict.fromkeys(n for n, _ in edges))
    captured: dict = {}
    targets = {gradient_edge(t) for t in inputs} if inputs is not None else None
    target_nodes = {n for n, _ in targets} if targets is not None else None
    needed = _needed(root_nodes, target_nodes) if target_nodes is not None else None
    deps = _dependencies(root_nodes)
    buffers: dict[Node, list] = {}
    for (node, nr), g in zip(edges, grads):
        buf = buffers.setdefault(node, [None] * max(nr + 1, len(getattr(node, "_output_meta", ())) or 1))
        buf[nr] = _add(buf[nr], g)
    owned = {id(g._storage) for g in grads}
    ready = [n for n in root_nodes if deps.get(n, 0) == 0]
    with set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, None)
            grads_in = _run_node(node, buf, targets, captured, needed, create_graph, owned, accumulate)
            for (child, nr), position in zip(node.next_functions, node._input_positions):
                if child is None:
                    continue
                g = grads_in[position] if position < len(grads_in) else None
                if g is not None:
                    cbuf = buffers.setdefault(child, [None] * max(nr + 1, len(getattr(child, "_output_meta", ())) or 1))
                    cbuf[nr] = _add(cbuf[nr], g)
                deps[child] -= 1
                if deps[child] == 0:
                    ready.append(child)
            if not retain_graph:
                node._free()
    return captured


def _run_node(node: Node, buf: list | None, targets: set | None, captured: dict,
              needed: set | None, create_graph: bool, owned: set[int], accumulate: bool) -> tuple:
    if buf is None or all(g is None for g in buf):
        return ()
    if isinstance(node, AccumulateGrad) and node.variable is not None:
        # a leaf's own hooks run first, also when autograd.grad or inputs= only captures its gradient
        buf[0] = _call_hooks(node.variable._hooks, buf[0])
    for nr in range(len(buf)):
        if buf[nr] is not None:
            buf[nr] = _call_hooks(node._pre_hooks.get(nr), buf[nr])
            retained = node._retained[nr]() if nr in node._retained else None
            if retained is not None:  # retain_grad(): accumulate a copy, as leaves do
                g = buf[nr] if create_graph else buf[nr].detach()
                retained.grad = g.clone() if retained.grad is None else retained.grad + g
            if targets is not None and (node, nr) in targets:
                captured[(node, nr)] = buf[nr]
    if isinstance(node, AccumulateGrad):
        leaf = node.variable
        if leaf is not None and targets is None and accumulate:
            _accumulate(leaf, buf[0], create_graph, owned)
        return ()
    if needed is not None and node not in needed:
        return ()
    if isinstance(node, BackwardNode):
        for nr, g in enumerate(buf):
            if g is None and node._output_meta[nr] is not None:
                shape, dtype, device = node._output_meta[nr]
                buf[nr] = zeros(shape, dtype=dtype, device=device)
    grads_in = node.backward(*buf)
    if node._hooks:
        for hook in list(node._hooks.values()):
            hook(grads_in, tuple(buf))
    return grads_in


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad`` (``torch.autograd.backward``)."""
    roots = _as_tensor_list(tensors)
    grads = _root_grads(roots, None if grad_tensors is None else _as_tensor_list(grad_tensors))
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is not None:
        inputs = _as_tensor_list(inputs)
        captured = run_backward(roots, grads, retain, create_graph, inputs)
        owned = {id(g._storage) for g in grads}  # never store the caller's gradient= tensor itself
        for t in inputs:
            g = captured.get(gradient_edge(t))
            if g is not None:
                _accumulate(t, g, create_graph, owned)
        return
    run_backward(roots, grads, retain, create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """d(outputs)/d(inputs), returned rather than accumulated (``torch.autograd.grad``)."""
    outs = _as_tensor_list(outputs)
    ins = _as_tensor_list(inputs)
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    grads = _root_grads(outs, None if grad_outputs is None else _as_tensor_list(grad_outputs))
    retain = create_graph if retain_graph is None else retain_graph
    captured = run_backward(outs, grads, retain, create_graph, ins, accumulate=False)
    result = []
    for i, t in enumerate(ins):
        g = captured.get(gradient_edge(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior.")
        result.append(g)
    return tuple(result)
