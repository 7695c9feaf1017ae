"""``sparse.mm(S, D)``: a sparse (M, K) matrix times a dense (K, N) one, with gradients to both.

Two Functions, each the other's gradient (so every order of derivative works):

- ``SparseMm``: ``out = S @ D``, by rows of S's CSR index. Its gradients: ``dL/dD = Sᵀ @ G``
  (a SparseMm over the transposed index) and, for each nonzero k at (r, c),
  ``dL/dvalues[k] = G[r, :] · D[c, :]``, that is ``(G @ Dᵀ)`` read only at S's nonzeros.
- ``SampledDot``: ``out[k] = A[r_k, :] · B[c_k, :]`` at each nonzero, never forming ``A @ Bᵀ``.

The kernels are the backend's: ``backends/cpu/sparse.py`` (Numba, rows over threads) or
``backends/reference/sparse.py`` (NumPy). CUDA has none yet.
"""
from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._csr import CSR

if TYPE_CHECKING:
    from ._coo import SparseCooTensor


def _kernels(op: str, t: Tensor) -> ModuleType:
    """The sparse kernel module of ``t``'s backend."""
    name = t._backend.name
    # imported here, not at the top: ``import learntorch`` loads no backend (the first tensor loads its own)
    if name == "cpu":
        from ..backends.cpu import sparse
    elif name == "reference":
        from ..backends.reference import sparse
    else:
        raise NotImplementedError(
            f"{op}: learntorch has no {name.upper()} kernel for sparse @ dense products yet; multiply on the CPU "
            "(S.cpu() and D.cpu()) or densify first: S.to_dense() @ D")
    return sparse


def _matrix(t: Tensor) -> np.ndarray:
    """A C-ordered NumPy array over ``t``'s values (copied only if ``t`` is strided)."""
    c = t.contiguous()
    return c._storage[c._offset:c._offset + c.numel()].reshape(c._shape)


class _CSRProduct(Function):
    """A product over ``csr``'s nonzeros of (a, b), computed by the backend kernel named ``kernel``."""

    kernel = ""

    @classmethod
    def forward(cls, ctx, a: Tensor, b: Tensor, csr: CSR) -> Tensor:
        ctx.save_for_backward(a, b)
        ctx.csr = csr
        out = getattr(_kernels("sparse.mm", b), cls.kernel)(csr.indptr, csr.cols, csr.order, _matrix(a), _matrix(b))
        return Tensor._make(out.reshape(-1), out.shape, dtype=b.dtype, device=b.device)


class SparseMm(_CSRProduct):
    """(M, N) = S @ dense (K, N), S (M, K) with ``values`` (nnz,) at ``csr``'s nonzeros."""

    kernel = "spmm"
    node_name = "SparseAddmmBackward0"
    derivative_text = "for C = S @ D: dL/dvalues = (G @ Dᵀ) at S's nonzeros, dL/dD = Sᵀ @ G"

    @staticmethod
    def backward(ctx, g: Tensor) -> tuple:
        values, dense = ctx.saved_tensors
        grad_values = SampledDot.apply(g, dense, ctx.csr) if ctx.needs_input_grad[0] else None
        grad_dense = SparseMm.apply(values, g, ctx.csr.T) if ctx.needs_input_grad[1] else None
        return grad_values, grad_dense, None


class SampledDot(_CSRProduct):
    """(nnz,): ``out[k] = a[r, :] · b[c, :]`` at each nonzero k = (r, c) of ``csr``; a (M, N), b (K, N)."""

    kernel = "sampled_dot"
    derivative_text = "for v = (A @ Bᵀ) at S's nonzeros: dL/dA = S(G) @ B, dL/dB = S(G)ᵀ @ A"

    @staticmethod
    def backward(ctx, g: Tensor) -> tuple:
        a, b = ctx.saved_tensors
        grad_a = SparseMm.apply(g, b, ctx.csr) if ctx.needs_input_grad[0] else None
        grad_b = SparseMm.apply(g, a, ctx.csr.T) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b, None


def mm(mat1: SparseCooTensor, mat2: Tensor) -> Tensor:
    """``mat1 @ mat2`` for a sparse (M, K) ``mat1`` and a dense (K, N) ``mat2``: a dense (M, N)
    tensor. Gradients flow to ``mat2`` and to ``mat1``'s values (``mat1.grad`` is sparse, with
    ``mat1``'s indices, as in PyTorch)."""
    if not getattr(mat1, "is_sparse", False):  # a SparseCooTensor (_coo.py imports this module)
        raise TypeError(f"sparse.mm: mat1 must be a sparse tensor (sparse_coo_tensor or dense.to_sparse()), got "
                        f"{type(mat1).__name__}; for two dense matrices use learntorch.mm")
    if getattr(mat2, "is_sparse", False):
        raise NotImplementedError("sparse.mm: sparse @ sparse is not supported by learntorch; densify the second "
                                  "operand: sparse.mm(mat1, mat2.to_dense())")
    if not isinstance(mat2, Tensor):
        raise TypeError(f"sparse.mm: mat2 must be a Tensor, got {type(mat2).__name__}")
    if mat1.dim() != 2 or mat2.dim() != 2:
        raise RuntimeError(f"sparse.mm: expected 2-D matrices, got a sparse {list(mat1.shape)} and a dense "
                           f"{list(mat2.shape)} tensor")
    (m, k), (k2, n) = mat1.shape, mat2.shape
    if k != k2:
        raise RuntimeError(f"sparse.mm: mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n}): the "
                           f"columns of the sparse matrix ({k}) must equal the rows of the dense one ({k2})")
    if mat1.dtype is not mat2.dtype:
        raise RuntimeError(f"sparse.mm: expected mat2 of dtype {mat1.dtype}, found {mat2.dtype}; convert one, e.g. "
                           "mat2.to(mat1.dtype)")
    if mat1.device != mat2.device:
        raise RuntimeError(f"sparse.mm: expected both operands on one device, got the sparse on {mat1.device} and "
                           f"the dense on {mat2.device}")
    if mat1.dtype.category == 0:
        raise RuntimeError("sparse.mm: not implemented for bool tensors; convert first, e.g. mat1.float()")
    return SparseMm.apply(mat1._values(), mat2, mat1._csr())


def spmm(mat1: SparseCooTensor, mat2: Tensor) -> Tensor:
    """``torch.spmm``: the same as ``sparse.mm``."""
    return mm(mat1, mat2)
