"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` (context managers and decorators)."""
from __future__ import annotations

import functools
from typing import Any, Callable

_enabled = True


def is_grad_enabled() -> bool:
    return _enabled


def _set(flag: bool) -> None:
    global _enabled
    _enabled = flag


class _GradMode:
    """Base: sets the mode on ``__enter__`` and restores it on ``__exit__``; also a decorator."""

    flag: bool

    def __enter__(self) -> None:
        self._prev = is_grad_enabled()
        _set(self.flag)

    def __exit__(self, *exc: object) -> None:
        _set(self._prev)

    def __call__(self, fn: Callable) -> Callable:
        flag = self.flag

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(flag):
                return fn(*args, **kwargs)
        return wrapper


class _BareDecorator(_GradMode):
    """A mode that also decorates without parentheses: ``@no_grad`` is ``@no_grad()``."""

    def __new__(cls, fn: Any = None) -> Any:
        if callable(fn):
            return cls()(fn)
        return super().__new__(cls)


class no_grad(_BareDecorator):
    """Don't record operations: results have ``requires_grad=False``."""
    flag = False


class enable_grad(_BareDecorator):
    """Record operations again inside a ``no_grad`` block."""
    flag = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` is ``no_grad()``; it also takes effect when called bare."""

    def __init__(self, mode: bool) -> None:
        self.flag = bool(mode)
        self._prev = is_grad_enabled()
        _set(self.flag)

    def __enter__(self) -> None:
        _set(self.flag)

    def __call__(self, fn: Callable) -> Callable:
        _set(self._prev)  # used as a decorator: undo the eager switch
        return super().__call__(fn)


class inference_mode(no_grad):
    """Alias of ``no_grad`` (learntorch has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        self.flag = not mode
