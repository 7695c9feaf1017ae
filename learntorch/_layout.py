"""``learntorch.layout``: how a tensor's elements are stored, as ``torch.strided`` / ``torch.sparse_coo``."""
from __future__ import annotations


class layout:
    """A memory layout; compare with ``is`` or ``==`` (``t.layout == learntorch.sparse_coo``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"learntorch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


strided = layout("strided")        # Tensor: storage + shape + strides + offset
sparse_coo = layout("sparse_coo")  # sparse.SparseCooTensor: indices (ndim, nnz) + values (nnz,)
