"""``Function`` and the graph node it records.

A ``Function`` subclass defines ``forward(ctx, *args)`` (runs the kernels, with grad off) and
``backward(ctx, *grad_outputs)`` (returns one gradient per forward argument, built from
differentiable tensor ops so that ``create_graph=True`` gives second derivatives).
``Function.apply`` runs forward and, when grad is on and an input requires grad, records the
node: the ``ctx`` object *is* the node, ``grad_fn`` of the outputs::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            backend = a._backend
            out = output(backend, a._shape, a.dtype)   # a fresh kernel output (ops/_common.py)
            backend.zip("mul", a._array, b._array, out)
            return new_tensor(out, a)
        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a
"""
from __future__ import annotations

import weakref
from typing import Any

from .._tensor import RemovableHandle, Tensor
from . import grad_mode
from .grad_mode import no_grad

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class Node:
    """A node of the backward graph (a ``grad_fn``)."""

    _sequence = 0

    def __init__(self) -> None:
        Node._sequence += 1
        self._sequence_nr = Node._sequence
        self.next_functions: tuple[tuple[Node | None, int], ...] = ()  # one edge per tensor input
        self._input_positions: tuple[int, ...] = ()  # next_functions[i] is forward argument _input_positions[i]
        self._pre_hooks: dict[int, dict] = {}   # output_nr -> {id: hook(grad)}
        self._hooks: dict = {}                  # {id: hook(grad_inputs, grad_outputs)}
        self._retained: dict[int, weakref.ref] = {}  # output_nr -> tensor that retains grad
        self.metadata: dict = {}

    def name(self) -> str:
        return type(self).__name__

    def register_hook(self, fn: Any):
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn: Any):
        return RemovableHandle(self._pre_hooks.setdefault(0, {}), fn)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    def _free(self) -> None:
        pass


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf tensor's ``.grad``."""

    def __init__(self, variable: Any) -> None:
        super().__init__()
        self._variable = weakref.ref(variable)

    @property
    def variable(self) -> Any:
        return self._variable()


class BackwardNode(Node):
    """The ``ctx`` of a Function call; subclassed per Function as ``<Name>Backward0``."""

    _function: type["Function"]

    def __init__(self) -> None:
        super().__init__()
        self._saved: tuple | None = ()
        self._saved_versions: tuple[int, ...] = ()
        self._freed = False
        self.needs_input_grad: tuple[bool, ...] = ()
        self._non_differentiable: set[int] = set()
        self._output_meta: list[tuple] = []  # (shape, dtype, device) per output, to make zero grads
        self._saved_output_nrs: dict[int, int] = {}  # saved index -> output number
        self._outputs: tuple = ()  # weakref per output tensor (None for non-tensors), for the visualizers

    # --- the ctx API used inside forward/backward
    def save_for_backward(self, *tensors: Any) -> None:
        self._saved = tensors
        self._saved_versions = tuple(t._version if t is not None else 0 for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        for i, (t, v) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._version != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t.dtype.name} tensor of shape {list(t.shape)}], which is "
                    f"saved tensor {i} of {self.name()}, is at version {t._version}; expected version "
                    f"{v} instead. Hint: replace the in-place op (e.g. x.add_(y), x[...] = v) by its "
                    "out-of-place form (x = x + y), or clone() the tensor before modifying it.")
        if not self._saved_output_nrs:
            return self._saved
        # outputs were saved as plain aliases (see _pack_saved_outputs): give them back their node
        saved = list(self._saved)
        for i, nr in self._saved_output_nrs.items():
            saved[i] = _plain_alias(saved[i])
            saved[i].grad_fn, saved[i]._output_nr, saved[i]._requires_grad = self, nr, True
        return tuple(saved)

    def _pack_saved_outputs(self, outputs: tuple) -> None:
        """A saved *output* would keep its own node alive through ``output.grad_fn`` (a reference
        cycle that only the garbage collector frees). Keep a plain alias of its data instead, and
        rebuild the link to this node when ``saved_tensors`` is read, as PyTorch's SavedVariable does."""
        saved = list(self._saved)
        for i, t in enumerate(saved):
            for nr, out in enumerate(outputs):
                if t is out and getattr(out, "grad_fn", None) is self:
                    saved[i] = _plain_alias(out)
                    self._saved_output_nrs[i] = nr
        self._saved = tuple(saved)

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self._non_differentiable.update(id(t) for t in tensors)

    def _free(self) -> None:
        self._saved = None
        self._freed = True

    def backward(self, *grad_outputs: Any) -> tuple:
        """Run the Function's backward; always returns a tuple, one entry per forward argument."""
        grads = self._function.backward(self, *grad_outputs)
        return grads if isinstance(grads, tuple) else (grads,)


class FunctionMeta(type):
    """Gives each Function subclass its own node class, named ``<Name>Backward0`` by default."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        super().__init__(name, bases, attrs)
        node_name = attrs.get("node_name", f"{name}Backward0" if attrs.get("__module__", "").startswith(
            "learntorch.") else f"{name}Backward")
        cls._node_cls = type(node_name, (BackwardNode,), {"_function": cls})


class Function(metaclass=FunctionMeta):
    """Base class of differentiable operations (as ``torch.autograd.Function``)."""

    @staticmethod
    def forward(ctx: BackwardNode, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: BackwardNode, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        needs_input_grad = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        if not (grad_mode._enabled and True in needs_input_grad):  # nothing to record: no node at all
            return cls.forward(_Unrecorded(needs_input_grad), *args, **kwargs)
        ctx = cls._node_cls()
        ctx.needs_input_grad = needs_input_grad
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        ctx._input_positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        ctx.next_functions = tuple(gradient_edge(args[i]) for i in ctx._input_positions)
        single = not isinstance(outputs, tuple)
        if any(o is a for o in ((outputs,) if single else outputs) for a in args if isinstance(a, Tensor)):
            outputs = _alias_inputs(outputs, args, single)  # a forward that returns an input unchanged
        for nr, out in enumerate((outputs,) if single else outputs):
            if isinstance(out, Tensor):
                ctx._output_meta.append((out._shape, out._dtype, out._device))
                if id(out) not in ctx._non_differentiable and out._dtype.is_floating_point:
                    out.grad_fn, out._output_nr, out._requires_grad = ctx, nr, True
            else:
                ctx._output_meta.append(None)
        if ctx._saved:
            ctx._pack_saved_outputs((outputs,) if single else outputs)
        ctx._outputs = tuple(weakref.ref(o) if isinstance(o, Tensor) else None
                             for o in ((outputs,) if single else outputs))
        if _apply_hooks:
            for hook in list(_apply_hooks.values()):
                hook(ctx, outputs)
        return outputs


_apply_hooks: dict = {}  # {id: hook(node, outputs)}, see register_apply_hook


class _Unrecorded:
    """The ``ctx`` of a call that records nothing (grad off, or no input requires grad), as in
    PyTorch, where such a call creates no node: forward runs the same, and what it would save
    for backward is dropped."""

    __slots__ = ("needs_input_grad", "__dict__")

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *tensors: Any) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Any) -> None:
        pass


def _alias_inputs(outputs: Any, args: tuple, single: bool) -> Any:
    """Replace outputs that *are* inputs by views of them, so that the input keeps its own
    ``grad_fn`` (a leaf stays a leaf) and the view gets the new node, as in PyTorch."""
    inputs = [a for a in args if isinstance(a, Tensor)]

    def alias(o: Any) -> Any:
        if not any(o is a for a in inputs):
            return o
        return Tensor._make(o._storage, o._shape, o._strides, o._offset, dtype=o._dtype, device=o._device, base=o)

    return alias(outputs) if single else tuple(alias(o) for o in outputs)


def _plain_alias(t: Any) -> Any:
    """The same data and version counter as ``t``, with no ``grad_fn`` and no ``_base``."""
    alias = Tensor._make(t._storage, t._shape, t._strides, t._offset, dtype=t._dtype, device=t._device)
    alias._version_counter = t._version_counter
    return alias


def register_apply_hook(hook: Any):
    """Call ``hook(node, outputs)`` each time ``Function.apply`` records a node (``learntorch.viz.record``
    uses it to keep intermediate values); ``handle.remove()`` unregisters it."""
    return RemovableHandle(_apply_hooks, hook)


def check_view_history(t: Any) -> None:
    """Refuse a view whose base got a new ``grad_fn`` from a recorded in-place op after the view
    was made: the view's own ``grad_fn`` still leads to the old graph, so its gradient would be
    silently wrong. (PyTorch regenerates the view's ``grad_fn`` instead; learntorch raises.)"""
    if t._base is not None and t.grad_fn is not None and t._view_rewrites != t._version_counter.rewrites:
        raise RuntimeError(
            f"a view of shape {list(t.shape)} (grad_fn={t.grad_fn.name()}) is used after its base was "
            "modified by an in-place operation recorded by autograd; its grad_fn still describes the "
            "base's old value, so its gradient would be wrong. learntorch does not rebuild the view's "
            "history as PyTorch does: take the view again after the in-place op (v = y[1:]), or use "
            "the out-of-place form of the op on the base (y = y * 2).")


def gradient_edge(t: Any) -> tuple[Node | None, int]:
    """Where a gradient for tensor ``t`` goes: its grad_fn, its AccumulateGrad, or nowhere."""
    check_view_history(t)
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    if t._requires_grad:
        acc = t._grad_accumulator() if t._grad_accumulator is not None else None
        if acc is None:
            acc = AccumulateGrad(t)
            t._grad_accumulator = weakref.ref(acc)
        return acc, 0
    return None, 0


class once_differentiable:
    """Marks a backward whose own computation is not differentiable (a second backward raises)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        return self

    def __call__(self, ctx: Any, *grads: Any) -> Any:
        if grad_mode.is_grad_enabled() and any(g is not None and g._requires_grad for g in grads):
            raise RuntimeError(
                f"{ctx.name()} is not differentiable twice: its backward runs raw kernels. "
                "Use create_graph=False for this op.")
        with no_grad():
            return self.fn(ctx, *grads)
