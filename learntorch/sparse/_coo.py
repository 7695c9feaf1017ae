"""``sparse_coo_tensor``: a tensor stored as coordinates and values (COO), beside ``Tensor``.

A ``SparseCooTensor`` of size ``(d0, d1, ...)`` holds ``indices``, an int64 tensor (ndim, nnz)
whose column k is the position of nonzero k, and ``values``, a tensor (nnz,); every other
element is zero. Indices may repeat and come in any order until ``coalesce()`` sorts them and
adds the repeats up. The values are an ordinary tensor, so autograd runs through them:
``to_dense()``, ``coalesce()`` and ``sparse.mm`` pass gradients to ``values``, and a sparse
leaf (``requires_grad=True``) gets a sparse ``.grad`` with its own indices.

Differs from PyTorch: a class of its own (``isinstance(s, Tensor)`` is False); each index holds
one value (no hybrid (nnz, *dense) values); indices are checked against the size when the
tensor is made (torch checks only with ``check_invariants=True``).
"""
from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np

from .. import _dtype as dt
from .._creation import tensor
from .._layout import sparse_coo
from .._tensor import Size, Tensor, parse_to_args
from ..ops.indexing import Gather, ScatterAdd
from ._csr import CSR
from .mm import mm


class SparseCooTensor:
    """A sparse tensor: ``indices`` (ndim, nnz) int64, ``values`` (nnz,), ``size``; make one with
    ``sparse_coo_tensor`` or ``dense.to_sparse()``."""

    is_sparse = True
    layout = sparse_coo

    def __init__(self, indices: Tensor, values: Tensor, size: tuple[int, ...], coalesced: bool) -> None:
        self._indices_t = indices
        self._values_t = values
        self._shape = tuple(size)
        self._coalesced = coalesced
        self._csr_index: CSR | None = None

    # ------------------------------------------------------------------ metadata
    @property
    def shape(self) -> Size:
        return Size(self._shape)

    def size(self, dim: int | None = None) -> Size | int:
        return self.shape if dim is None else self._shape[dim]

    def dim(self) -> int:
        return len(self._shape)

    ndim = property(dim)

    def sparse_dim(self) -> int:
        return len(self._shape)

    def dense_dim(self) -> int:
        return 0

    def _nnz(self) -> int:
        return self._values_t.shape[0]

    def numel(self) -> int:
        return int(np.prod(self._shape, dtype=np.int64))

    @property
    def dtype(self) -> dt.dtype:
        return self._values_t.dtype

    @property
    def device(self) -> Any:
        return self._values_t.device

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    # ------------------------------------------------------------------ indices and values
    def is_coalesced(self) -> bool:
        return self._coalesced

    def _indices(self) -> Tensor:
        """The indices as stored (repeats and any order allowed)."""
        return self._indices_t

    def _values(self) -> Tensor:
        return self._values_t

    def indices(self) -> Tensor:
        """The sorted, repeat-free indices of a coalesced tensor."""
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first")
        return self._indices_t

    def values(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first")
        return self._values_t

    def _host_indices(self) -> np.ndarray:
        return self._indices_t._host_numpy()

    def _positions(self) -> np.ndarray:
        """Each nonzero's row-major position in the dense tensor."""
        return np.ravel_multi_index(tuple(self._host_indices()), self._shape) if self._shape else \
            np.zeros(self._nnz(), np.int64)

    def coalesce(self) -> "SparseCooTensor":
        """Indices sorted (row-major) and repeats summed, as a new tensor (differentiable in values)."""
        if self._coalesced:
            return self
        positions = self._positions()
        unique, inverse = np.unique(positions, return_inverse=True)
        values = self._values_t
        if len(unique) != len(positions) or np.any(positions[:-1] > positions[1:]):
            values = ScatterAdd.apply(values, inverse.astype(np.int64), (len(unique),))
        return SparseCooTensor(_coordinates(unique, self._shape, self.device), values, self._shape, True)

    def _csr(self) -> CSR:
        """The row-compressed index of this 2-D tensor, built on first use."""
        if self._csr_index is None:
            rows, cols = self._host_indices()
            self._csr_index = CSR(rows, cols, *self._shape)
        return self._csr_index

    # ------------------------------------------------------------------ autograd (through values)
    @property
    def requires_grad(self) -> bool:
        return self._values_t.requires_grad

    def requires_grad_(self, requires_grad: bool = True) -> "SparseCooTensor":
        self._values_t.requires_grad_(requires_grad)
        return self

    @property
    def grad_fn(self) -> Any:
        return self._values_t.grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._values_t.is_leaf

    @property
    def grad(self) -> "SparseCooTensor | None":
        """The gradient of a sparse leaf, as torch gives it: sparse, one entry per distinct index
        (a repeated index's entries all have the same gradient, that of the matrix element)."""
        g = self._values_t.grad
        if g is None or self._coalesced:
            return None if g is None else SparseCooTensor(self._indices_t, g, self._shape, self._coalesced)
        unique, first = np.unique(self._positions(), return_index=True)
        return SparseCooTensor(_coordinates(unique, self._shape, self.device), g[tensor(first, device=g.device)],
                               self._shape, True)

    @grad.setter
    def grad(self, value: None) -> None:
        if value is not None:
            raise RuntimeError("a sparse tensor's .grad can only be set to None (as zero_grad does)")
        self._values_t.grad = None

    def detach(self) -> "SparseCooTensor":
        return SparseCooTensor(self._indices_t, self._values_t.detach(), self._shape, self._coalesced)

    # ------------------------------------------------------------------ conversion
    def to_dense(self) -> Tensor:
        """The dense tensor (repeated indices add up); its gradient flows back to ``values``."""
        return ScatterAdd.apply(self._values_t, self._positions(), self._shape)

    def to_sparse(self) -> "SparseCooTensor":
        return self

    def to(self, *args: Any, dtype: dt.dtype | None = None, device: Any = None,
           copy: bool = False) -> "SparseCooTensor":
        """``to(dtype)``, ``to(device)``: the values converted, the indices moved with them."""
        dtype, device = parse_to_args(args, dtype, device)
        values = self._values_t.to(dtype=dtype, device=device, copy=copy)
        if values is self._values_t:
            return self
        return SparseCooTensor(self._indices_t.to(device=values.device), values, self._shape, self._coalesced)

    def cpu(self) -> "SparseCooTensor":
        return self.to("cpu")

    def cuda(self, device: Any = None) -> "SparseCooTensor":
        return self.to("cuda" if device is None else device)

    def float(self) -> "SparseCooTensor":
        return self.to(dt.float32)

    def double(self) -> "SparseCooTensor":
        return self.to(dt.float64)

    def t(self) -> "SparseCooTensor":
        """The transpose of a 2-D sparse tensor (the same values, indices swapped)."""
        if self.dim() != 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
        rows, cols = self._host_indices()
        return SparseCooTensor(tensor(np.stack([cols, rows]), device=self.device), self._values_t,
                               self._shape[::-1], False)

    def mm(self, mat2: Tensor) -> Tensor:
        """``self @ mat2`` for a dense (K, N) ``mat2``: ``sparse.mm``."""
        return mm(self, mat2)

    __matmul__ = mm

    # ------------------------------------------------------------------ printing and pickling
    def __repr__(self) -> str:
        inner = (lambda t: re.sub(r",\s*(dtype=learntorch\.\w+|device='[^']*')", "", repr(t.detach())))
        suffixes = [f"device='{self.device}'"] if self.device.type != "cpu" else []
        suffixes += [f"size={self._shape}", f"nnz={self._nnz()}"]
        if self.dtype not in (dt.get_default_dtype(), dt.int64, dt.bool_):
            suffixes.append(f"dtype={self.dtype!r}")
        suffixes.append(f"layout={self.layout!r}")
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            suffixes.append("requires_grad=True")
        indices = inner(self._indices_t).replace("\n", "\n" + " " * len("tensor(indices="))
        values = inner(self._values_t).replace("\n", "\n" + " " * len("       values="))
        return f"tensor(indices={indices},\n       values={values},\n       {', '.join(suffixes)})"

    def __reduce__(self) -> tuple:
        return _rebuild_sparse_coo, (self._indices_t, self._values_t, self._shape, self._coalesced)


def _rebuild_sparse_coo(indices: Tensor, values: Tensor, size: tuple[int, ...], coalesced: bool) -> SparseCooTensor:
    """Unpickling's constructor: checks the pieces as ``sparse_coo_tensor`` does."""
    return sparse_coo_tensor(indices, values, size, is_coalesced=coalesced)


def sparse_coo_tensor(indices: Any, values: Any, size: Sequence[int] | None = None, *, dtype: dt.dtype | None = None,
                      device: Any = None, pin_memory: bool = False, requires_grad: bool = False,
                      check_invariants: bool | None = None, is_coalesced: bool | None = None) -> SparseCooTensor:
    """A sparse tensor with ``values[k]`` (nnz,) at ``indices[:, k]`` (ndim, nnz) of ``size`` (by default
    one past the largest index in each dim). ``requires_grad=True`` makes it a leaf whose ``.grad``
    is sparse; values that require grad keep their graph. ``pin_memory`` and ``check_invariants``
    are accepted (indices are always checked)."""
    indices = indices if isinstance(indices, Tensor) else tensor(indices, dtype=dt.int64)
    values = values if isinstance(values, Tensor) else tensor(values, dtype=dtype)
    if indices.dtype.is_floating_point or indices.dtype is dt.bool_ or indices.dim() != 2:
        raise RuntimeError(f"sparse_coo_tensor: indices must be an integer tensor of shape (ndim, nnz), got "
                           f"{indices.dtype} of shape {list(indices.shape)}")
    if values.dim() != 1:
        raise NotImplementedError(
            f"sparse_coo_tensor: values of shape {list(values.shape)}: learntorch's sparse tensors hold one value per "
            "index (values of shape (nnz,)); hybrid sparse tensors with dense dims are not supported. Use a dense "
            "tensor, or flatten the dense dims into the indices")
    if indices.shape[1] != values.shape[0]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: {indices.shape[1]}, "
                           f"nnz from values: {values.shape[0]}")
    host = indices._host_numpy().astype(np.int64)
    if size is None:
        size = tuple(int(m) + 1 for m in host.max(axis=1)) if host.shape[1] else (0,) * host.shape[0]
    size = tuple(int(n) for n in size)
    if len(size) != host.shape[0]:
        raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = {len(size)}, "
                           f"sparse_dim = {host.shape[0]}, dense_dim = 0")
    for d, n in enumerate(size):
        if host.shape[1] and (host[d].min() < 0 or host[d].max() >= n):
            bad = host[d].min() if host[d].min() < 0 else host[d].max()
            raise RuntimeError(f"sparse_coo_tensor: size is inconsistent with indices: for dim {d}, size is {n} but "
                               f"found index {bad}")
    values = values.to(dtype=dtype, device=device)
    indices = tensor(host, device=values.device)
    if requires_grad:
        values = values.detach().requires_grad_()
    coalesced = bool(is_coalesced) if is_coalesced is not None else False
    s = SparseCooTensor(indices, values, size, coalesced)
    if coalesced and not np.all(np.diff(s._positions()) > 0):
        raise RuntimeError("sparse_coo_tensor: is_coalesced=True, but the indices are not sorted or repeat; "
                           "leave is_coalesced out and call .coalesce()")
    return s


def dense_to_sparse(dense: Tensor, sparse_dim: int | None = None) -> SparseCooTensor:
    """``dense.to_sparse()``: its nonzero elements, coalesced; the gradient flows back to ``dense``."""
    if sparse_dim is not None and sparse_dim != dense.dim():
        raise NotImplementedError(f"to_sparse(sparse_dim={sparse_dim}) of a {dense.dim()}-d tensor: learntorch makes "
                                  "only fully sparse tensors (sparse_dim = dim); call to_sparse() without it")
    positions = np.flatnonzero(dense.detach()._host_numpy()).astype(np.int64)
    values = Gather.apply(dense, positions)
    return SparseCooTensor(_coordinates(positions, dense.shape, dense.device), values, tuple(dense.shape), True)


Tensor._dense_to_sparse = dense_to_sparse  # Tensor.to_sparse (Tensor does not import this module)


def _coordinates(positions: np.ndarray, shape: tuple[int, ...], device: Any) -> Tensor:
    """The indices (ndim, nnz) of row-major ``positions`` in ``shape``."""
    coords = np.array(np.unravel_index(positions, shape), np.int64).reshape(len(shape), len(positions))
    return tensor(coords, device=device)
