"""``parameters_to_vector`` and ``vector_to_parameters``: all parameters as one flat vector and back,
as ``torch.nn.utils.convert_parameters``."""
from __future__ import annotations

from typing import Iterable

from ..._device import device as Device
from ..._tensor import Tensor
from ...ops import cat


def _check_same_device(param: Tensor, first: Device | None) -> Device:
    if first is not None and param.device != first:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return param.device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-D tensor holding every parameter's entries, in order (differentiable: a concatenation)."""
    first, flat = None, []
    for param in parameters:
        first = _check_same_device(param, first)
        flat.append(param.reshape(-1))
    return cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each parameter's ``.data`` the next ``param.numel()`` entries of ``vec`` (a view of it)."""
    if not isinstance(vec, Tensor):
        kind = type(vec)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"expected torch.Tensor, but got: {name}")
    first, pointer = None, 0
    for param in parameters:
        first = _check_same_device(param, first)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
