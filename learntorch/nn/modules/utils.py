"""`torch.nn.modules.utils`: ``_single``, ``_pair``, ``_triple``, ``_quadruple`` (an int -> a tuple of n copies; a
sequence -> a tuple), which custom layers import from here."""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["_ntuple", "_single", "_pair", "_triple", "_quadruple"]


def _ntuple(n: int, name: str = "parse") -> Callable[[Any], tuple]:
    def parse(x: Any) -> tuple:
        if isinstance(x, (list, tuple)):
            return tuple(x)
        return (x,) * n
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")
