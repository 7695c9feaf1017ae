"""How ``Module.register_full_backward_hook`` sees a module's gradients.

The module's tensor inputs and outputs each pass through an identity Function. In backward,
the output identity's node receives ``grad_output``; the input identity's node receives
``grad_input`` (the gradients w.r.t. the module's inputs), calls the hooks, and passes on
whatever they return.
"""
from __future__ import annotations

from typing import Any, Callable

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..ops.shape import make_view


class BackwardHookFunction(Function):
    """Returns aliases of its tensors; its backward hands the incoming gradients to ``callback``."""

    @staticmethod
    def forward(ctx, callback, *tensors):
        ctx.callback = callback
        return tuple(make_view(t, t._shape, t._strides, t._offset) for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.callback(grads))


class BackwardHookState:
    """One forward call's bookkeeping: which positions were wrapped, and the saved ``grad_output``."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.n_inputs = 0
        self.input_positions: list[int] = []
        self.grad_outputs: tuple = ()

    def wrap_inputs(self, args: tuple) -> tuple:
        self.n_inputs = sum(isinstance(a, Tensor) for a in args)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not is_grad_enabled() or not positions:
            return args
        self.input_positions = [sum(isinstance(a, Tensor) for a in args[:i]) for i in positions]
        wrapped = BackwardHookFunction.apply(self._on_grad_input, *(args[i] for i in positions))
        out = list(args)
        for i, w in zip(positions, wrapped):
            out[i] = w
        return tuple(out)

    def wrap_outputs(self, output: Any) -> Any:
        single = isinstance(output, Tensor)
        outs = (output,) if single else output
        if not isinstance(outs, tuple) or not is_grad_enabled():
            return output
        positions = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not positions:
            return output
        wrapped = BackwardHookFunction.apply(self._on_grad_output, *(outs[i] for i in positions))
        result = list(outs)
        for i, w in zip(positions, wrapped):
            result[i] = w
        return result[0] if single else tuple(result)

    def _on_grad_output(self, grads: tuple) -> tuple:
        self.grad_outputs = grads
        if not self.input_positions:  # no input needs a gradient: the hooks run now, with None
            self._call_hooks((None,) * self.n_inputs)
        return grads

    def _on_grad_input(self, grads: tuple) -> tuple:
        grad_input: list = [None] * self.n_inputs
        for pos, g in zip(self.input_positions, grads):
            grad_input[pos] = g
        new = self._call_hooks(tuple(grad_input))
        return tuple(new[pos] for pos in self.input_positions)

    def _call_hooks(self, grad_input: tuple) -> tuple:
        hooks: list[Callable] = list(self.module._backward_hooks.values())
        for hook in hooks:
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is not None:
                result = result if isinstance(result, tuple) else (result,)
                if len(result) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                       f"{len(result)}, but expected {len(grad_input)}")
                grad_input = result
        return grad_input
