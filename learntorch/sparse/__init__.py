"""``learntorch.sparse``: COO sparse tensors (``_coo.py``) and their products with dense ones (``mm.py``)."""
from ._coo import SparseCooTensor
from .mm import mm

__all__ = ["SparseCooTensor", "mm"]
