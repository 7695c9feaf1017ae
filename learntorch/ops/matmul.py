"""Matrix multiplication with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands."""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Function
from ._common import as_operands, broadcast_shapes, new_tensor, output


class BatchMatMul(Function):
    """``out[b] = a[b] @ b[b]`` for (B, M, K) @ (B, K, N) (and, as ``Mm``, (M, K) @ (K, N)).

    Operands go to the backend as they are: it reads a transposed matrix (``w.t()``, whose
    columns are contiguous) in place, as BLAS does with its transpose flag, and copies any
    other strided layout itself. So ``x @ w.t()`` in ``nn.Linear`` never copies the weight."""

    node_name = "BmmBackward0"
    derivative_text = "for C = A @ B: dL/dA = G @ Bᵀ, dL/dB = Aᵀ @ G"

    @staticmethod
    def compute(a: Tensor, b: Tensor) -> Tensor:
        """The product itself, by the backend's kernels."""
        backend = a._backend
        out = output(backend, a._shape[:-1] + b._shape[-1:], a._dtype)
        backend.matmul(a._array, b._array, out)
        return new_tensor(out, a)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls.compute(a, b)

    @classmethod
    def backward(cls, ctx, g):
        """dL/da = g @ b^T and dL/db = a^T @ g, each computed in its operand's layout (as PyTorch's
        mm backward does): for a transposed operand such as ``w.t()``, dL/db = (g^T @ a)^T, a
        transposed view of a row-major product. Its own transpose (TBackward0, on the way to
        ``w``) is then that row-major product itself, which ``w.grad`` can keep without a copy."""
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = (cls.apply(b, g.transpose(-2, -1)).transpose(-2, -1) if _is_transposed(a)
                  else cls.apply(g, b.transpose(-2, -1)))
        if ctx.needs_input_grad[1]:
            gb = (cls.apply(g.transpose(-2, -1), a).transpose(-2, -1) if _is_transposed(b)
                  else cls.apply(a.transpose(-2, -1), g))
        return ga, gb


def _is_transposed(t: Tensor) -> bool:
    """True for a matrix (or batch of matrices) laid out column by column, like ``w.t()`` of a
    row-major ``w``: its last two dims have strides (1, rows)."""
    rows, cols = t._shape[-2:]
    return rows > 1 and cols > 1 and t._strides[-2] == 1 and t._strides[-1] == rows


class Mm(BatchMatMul):
    """(M, K) @ (K, N)."""

    node_name = "MmBackward0"


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b``: 1-D vectors are promoted to matrices and squeezed back; batch dims broadcast.

    Differs from PyTorch: operands of different dtypes are promoted (float32 @ float64 gives
    float64), where torch raises "expected m1 and m2 to have the same dtype".
    """
    if (isinstance(a, Tensor) and isinstance(b, Tensor) and len(a._shape) == len(b._shape) == 2
            and a._dtype is b._dtype and a._dtype.is_floating_point and a._shape[1] == b._shape[0]
            and (a._device is b._device or a._device == b._device)):
        # the common case, (M, K) @ (K, N) of one float dtype, checked first
        if grad_mode._enabled and (a._requires_grad or b._requires_grad):
            return Mm.apply(a, b)
        # nothing to record: Mm's forward without apply's bookkeeping (a few microseconds,
        # which is the difference from NumPy on a 256 x 256 product)
        return Mm.compute(a, b)
    if getattr(a, "is_sparse", False):  # a sparse.SparseCooTensor: torch.matmul/mm(sparse, dense) is sparse.mm
        return a.mm(b)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul(): expected two Tensors, got {type(a).__name__} and {type(b).__name__}")
    if a.dim() == 0 or b.dim() == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.dim()}D and {b.dim()}D")
    a, b = as_operands("matmul", a, b)
    if a.dtype.category == 0:
        raise RuntimeError(f"matmul: not implemented for bool tensors (shapes {list(a.shape)} @ {list(b.shape)}); "
                           "convert first, e.g. a.long() @ b.long() or a.float() @ b.float()")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    m, k = a2._shape[-2:]
    k2, n = b2._shape[-2:]
    if k != k2:
        if a.dim() <= 2 and b.dim() <= 2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n}): the columns of "
                f"the first ({k}) must equal the rows of the second ({k2}); shapes {list(a.shape)} @ "
                f"{list(b.shape)}. Transpose an operand (.T) or fix a layer size.")
        raise RuntimeError(
            f"matmul: Expected size for first two dimensions of batch2 tensor to be compatible: the "
            f"last dim of {list(a.shape)} ({k}) must equal the second-to-last dim of {list(b.shape)} ({k2})")
    if a2.dim() == 2 and b2.dim() == 2:
        out = Mm.apply(a2, b2)
        if a.dim() == 1:
            out = out.squeeze(-2)
        return out.squeeze(-1) if b.dim() == 1 else out
    batch = broadcast_shapes("matmul", a2._shape[:-2], b2._shape[:-2])
    size = 1
    for s in batch:
        size *= s
    a3 = a2.expand(batch + (m, k)).reshape(size, m, k)
    b3 = b2.expand(batch + (k, n)).reshape(size, k, n)
    out = BatchMatMul.apply(a3, b3).reshape(batch + (m, n))
    if a.dim() == 1:
        out = out.squeeze(-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    return out
