"""The allowlist behind ``load(..., weights_only=True)``, as ``torch/_weights_only_unpickler.py``.

A pickle names every class or function it calls as a global (``module.name``); unpickling looks
each one up, and that lookup (``find_class``) is the only door to code. Here it opens only for
the globals a checkpoint of tensors needs (below) and for those the user added with
``add_safe_globals``; any other raises ``pickle.UnpicklingError`` naming the global and both
ways out. The tensors' values never go through pickle: ``learntorch.save`` writes each NumPy
array (a tensor's storage included) as an ``.npy`` file, read back with ``allow_pickle=False``.
"""
from __future__ import annotations

import _codecs
import _compat_pickle
import pickle
from collections import Counter, OrderedDict
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from . import _dtype as dt
from ._device import device
from ._tensor import Size, Tensor, _rebuild_tensor
from .nn.parameter import Parameter
from .sparse._coo import _rebuild_sparse_coo

REBUILD_TENSOR = f"{_rebuild_tensor.__module__}.{_rebuild_tensor.__qualname__}"

_user_globals: list[Callable | tuple[Callable, str]] = []


def _name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _default_globals() -> dict[str, Any]:
    """What a checkpoint of tensors, Parameters, sizes, devices and dtypes needs, as torch's list."""
    allowed = {_name(obj): obj for obj in (OrderedDict, Counter, set, complex, bytearray, _codecs.encode, Tensor,
                                           Parameter, Size, device, _rebuild_tensor, _rebuild_sparse_coo)}
    allowed.update({f"{dt.__name__}.{name}": d for name, d in vars(dt).items() if isinstance(d, dt.dtype)})
    return allowed


def _user_allowed() -> dict[str, Any]:
    return {entry[1] if isinstance(entry, tuple) else _name(entry): entry[0] if isinstance(entry, tuple) else entry
            for entry in _user_globals}


def add_safe_globals(safe_globals: list[Callable | tuple[Callable, str]]) -> None:
    """Allow these classes/functions in ``weights_only`` loads; an entry ``(obj, "module.name")``
    names the global as the file spells it (e.g. a class saved from a script, ``"__main__.Net"``)."""
    for entry in safe_globals:
        if isinstance(entry, tuple) and (len(entry) != 2 or not isinstance(entry[1], str)):
            raise TypeError(f"add_safe_globals: expected (global, 'module.name') tuples, got {entry!r}")
    _user_globals.extend(safe_globals)


def get_safe_globals() -> list[Callable | tuple[Callable, str]]:
    """The globals added with ``add_safe_globals`` (not the built-in allowlist)."""
    return list(_user_globals)


def clear_safe_globals() -> None:
    """Forget every global added with ``add_safe_globals``."""
    _user_globals.clear()


@contextmanager
def safe_globals(safe_globals: list[Callable | tuple[Callable, str]]) -> Iterator[None]:
    """``with safe_globals([Net]): load(path)``: the globals are allowed inside the block only."""
    before = list(_user_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_globals[:] = before


class DisallowedGlobal(pickle.UnpicklingError):
    """A weights_only load met a global outside the allowlist."""


def disallowed_message(full_path: str) -> str:
    """torch's message for a global outside the allowlist: the global, and the two ways to load it."""
    return (
        "Weights only load failed. This file can still be loaded, to do so you have two options, do those steps "
        "only if you trust the source of the checkpoint.\n\t(1) learntorch.load defaults to weights_only=True, as "
        "torch.load does since PyTorch 2.6. Re-running `learntorch.load` with `weights_only` set to `False` will "
        "likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a "
        "trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended "
        "steps in the following error message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL "
        f"{full_path} was not an allowed global by default. Please use "
        f"`learntorch.serialization.add_safe_globals([{full_path}])` or the "
        f"`learntorch.serialization.safe_globals([{full_path}])` context manager to allowlist this global if "
        "you trust this class/function.")


def unpickler_class(base: type) -> type:
    """An Unpickler (a subclass of ``base``, ``pickle.Unpickler`` or a pickle_module's) whose
    ``find_class`` allows only the allowlist when ``weights_only``, and hands ``_rebuild_tensor``
    over to ``rebuild_tensor``, which maps each storage to its device (``map_location``)."""

    class Unpickler(base):
        def __init__(self, file: Any, *, weights_only: bool, rebuild_tensor: Callable,
                     persistent_load: Callable, **kwargs: Any) -> None:
            super().__init__(file, **kwargs)
            self.weights_only = weights_only
            self.rebuild_tensor = rebuild_tensor
            self.persistent_load = persistent_load

        def find_class(self, module: str, name: str) -> Any:
            module, name = _python3_name(module, name)
            full_path = f"{module}.{name}"
            if full_path == REBUILD_TENSOR:
                return self.rebuild_tensor
            if not self.weights_only:
                return super().find_class(module, name)
            allowed = _default_globals()
            allowed.update(_user_allowed())
            if full_path not in allowed:
                raise DisallowedGlobal(disallowed_message(full_path))
            return allowed[full_path]

    return Unpickler


def _python3_name(module: str, name: str) -> tuple[str, str]:
    """Python 2 names in protocol 0-2 pickles (``__builtin__.set``) as Python 3 spells them."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name
