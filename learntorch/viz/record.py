"""``record``: keep what a graph drawing needs while the forward pass runs.

Nodes only remember their outputs weakly, so an intermediate value that nothing else holds is gone
by the time the graph is drawn, and non-leaf tensors drop their ``.grad``. Inside ``record()``,
every recorded node keeps its outputs, and those outputs ``retain_grad()``, so ``draw_graph`` and
``draw_scalar_graph`` can show every value and every gradient (micrograd-style)::

    with learntorch.viz.record(model):      # the model is optional
        loss = criterion(model(x), y)
    loss.backward()
    draw_graph(loss, model, collapse="module")

Given a model, it also notes which module call made each op (through forward hooks), which is
what ``collapse="module"`` folds on. Only ops made directly by a leaf module (one without
children, such as ``Linear`` or ``ReLU``) are folded; a container's own ops stay visible.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from .._tensor import Tensor
from ..autograd.function import register_apply_hook

KEPT = "learntorch.viz.outputs"    # node.metadata key: the outputs kept alive
MODULE = "learntorch.viz.module"   # node.metadata key: the ModuleCall that made the node


@dataclass(eq=False)
class ModuleCall:
    """One call of a leaf module: its qualified name, which call it was, and its output."""

    name: str
    module: Any
    index: int
    output: Any = None           # weakref to the output tensor, set when the call returns

    @property
    def params(self) -> list[tuple[str, Tensor]]:
        """``(qualified name, parameter)`` for the module's own parameters."""
        prefix = f"{self.name}." if self.name else ""
        return [(prefix + n, p) for n, p in self.module.named_parameters(recurse=False)]

    @property
    def title(self) -> str:
        label = self.name or type(self.module).__name__
        suffix = f" #{self.index + 1}" if self.index else ""
        return f"{label}{suffix} ({type(self.module).__name__})"


class record:
    """Context manager: graphs built inside keep all values and grads; see the module docstring."""

    def __init__(self, model: Any = None) -> None:
        self.model = model
        self._handles: list = []
        self._stack: list[ModuleCall | None] = []
        self._calls: dict[str, int] = {}

    def __enter__(self) -> "record":
        self._handles = [register_apply_hook(self._on_apply)]
        if self.model is not None:
            for name, module in self.model.named_modules():
                leaf = next(iter(module.children()), None) is None
                self._handles.append(module.register_forward_pre_hook(self._enter_module(name, leaf)))
                self._handles.append(module.register_forward_hook(self._leave_module))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles, self._stack = [], []

    def _enter_module(self, name: str, leaf: bool):
        def hook(module: Any, args: tuple) -> None:
            call = None
            if leaf:
                index = self._calls.get(name, 0)
                self._calls[name] = index + 1
                call = ModuleCall(name, module, index)
            self._stack.append(call)
        return hook

    def _leave_module(self, module: Any, args: tuple, output: Any) -> None:
        call = self._stack.pop() if self._stack else None
        if call is not None and isinstance(output, Tensor):
            call.output = weakref.ref(output)

    def _on_apply(self, node: Any, outputs: Any) -> None:
        outs = outputs if isinstance(outputs, tuple) else (outputs,)
        node.metadata[KEPT] = outs
        for out in outs:
            if isinstance(out, Tensor) and out.grad_fn is node:
                out.retain_grad()
        call = self._stack[-1] if self._stack else None
        if call is not None:
            node.metadata[MODULE] = call
