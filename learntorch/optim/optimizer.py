"""``Optimizer``: the base class of every optimizer (param groups, per-parameter state, state dicts).

A subclass gives its ``defaults`` and implements ``_update(group, param, grad, state)``, which
makes ONE fused backend call for one parameter. ``step`` first checks every parameter that has
a gradient, and only then updates them, so a bad gradient raises before anything changes.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any, Callable, Iterable

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad


class Optimizer:
    """Holds ``param_groups`` (dicts: ``params`` plus hyperparameters) and ``state[param]``."""

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with its own hyperparameters (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if not p.dtype.is_floating_point:
                raise ValueError(f"optimizer can only optimize floating point Tensors, got {p.dtype}")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (the default), or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad = p.grad.detach() if p.grad.grad_fn is not None else p.grad
                    with no_grad():
                        p.grad.zero_()

    # ------------------------------------------------------------------ step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; ``closure`` re-evaluates the loss first.

        All gradients are checked (shape, dtype, device, parameter layout) before any parameter
        changes. A NaN or inf in a gradient is not checked: it propagates into the parameter
        (and the optimizer state), as in PyTorch.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        work = [(group, p, self._checked_grad(p)) for group in self.param_groups for p in group["params"]
                if p.grad is not None]
        with no_grad():
            for group, p, grad in work:
                self._update(group, p, grad, self.state[p])
                p._bump_version()
        return loss

    @staticmethod
    def _checked_grad(p: Tensor) -> Tensor:
        """``p.grad`` as a contiguous tensor the fused kernels can use, or a RuntimeError."""
        g = p.grad
        if not isinstance(g, Tensor):
            raise RuntimeError(f"a parameter's .grad must be a Tensor or None, got {type(g).__name__}")
        if g.shape != p.shape:
            raise RuntimeError(f"a parameter of shape {list(p.shape)} has a gradient of shape {list(g.shape)}; "
                               "nothing was updated")
        if g.dtype is not p.dtype:
            raise RuntimeError(f"a parameter of dtype {p.dtype} has a gradient of dtype {g.dtype}; "
                               "nothing was updated")
        if g.device != p.device:
            raise RuntimeError(f"a parameter on {p.device} has a gradient on {g.device}; nothing was updated")
        if not p.is_contiguous():
            raise RuntimeError("the fused optimizer kernels need contiguous parameters, but one has strides "
                               f"{p.stride()} for shape {list(p.shape)}; nothing was updated")
        return g.detach().contiguous()

    def _update(self, group: dict[str, Any], p: Tensor, grad: Tensor, state: dict[str, Any]) -> None:
        """Apply one update to ``p`` (one fused backend call); subclasses implement it."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``, as PyTorch.

        Parameters are numbered in the order of the groups; the state's tensors are the optimizer's
        own (not copies), as in PyTorch.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a ``state_dict()``; everything is checked first, and on an error nothing changes."""
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("an optimizer state dict must be a dict with keys 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                                 "of optimizer's group")
        by_index = {i: p for group, saved in zip(self.param_groups, saved_groups)
                    for i, p in zip(saved["params"], group["params"])}
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, saved_state in state_dict["state"].items():
            key = int(key)
            if key not in by_index:
                raise ValueError(f"loaded state dict has state for parameter {key}, which no group lists")
            p = by_index[key]
            state[p] = {name: self._cast_state(name, value, p) for name, value in saved_state.items()}
        groups = [dict(copy.deepcopy({k: v for k, v in saved.items() if k != "params"}), params=group["params"])
                  for group, saved in zip(self.param_groups, saved_groups)]
        self.state, self.param_groups = state, groups

    @staticmethod
    def _cast_state(name: str, value: Any, p: Tensor) -> Any:
        """A copy of one state entry, as a tensor of ``p``'s shape, dtype and device where it is one."""
        if not isinstance(value, Tensor):
            return copy.deepcopy(value)
        if value.dim() == 0:
            return value.detach().clone()
        if value.shape != p.shape:
            raise ValueError(f"loaded state '{name}' has shape {list(value.shape)}, but its parameter has shape "
                             f"{list(p.shape)}")
        dtype = p.dtype if value.dtype.is_floating_point else value.dtype
        return value.detach().to(device=p.device, dtype=dtype).clone()


def check_nonnegative(*values: tuple[str, float]) -> None:
    """Raise PyTorch's ValueError ("Invalid learning rate: -1") for a negative hyperparameter."""
    for name, value in values:
        if not 0.0 <= value:
            raise ValueError(f"Invalid {name}: {value}")


def check_betas(betas: tuple[float, float]) -> None:
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")

