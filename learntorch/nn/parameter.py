"""``nn.Parameter``: a tensor that a Module registers as a learnable weight."""
from __future__ import annotations

from .._creation import empty
from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor with ``requires_grad=True`` that shares ``data``'s storage.

    Assigning one as a Module attribute (``self.w = nn.Parameter(x)``) registers it, so it
    appears in ``parameters()`` and ``state_dict()``. Ops on it return plain Tensors.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, got {type(data).__name__}")
        p = cls._make(data._storage, data._shape, data._strides, data._offset, dtype=data.dtype, device=data.device)
        p._version_counter = data._version_counter
        p.requires_grad = requires_grad
        return p

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
