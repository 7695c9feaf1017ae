"""Matrix multiplication with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands."""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import Function
from ._common import as_operands, broadcast_shapes, new_tensor


class BatchMatMul(Function):
    """``out[b] = a[b] @ b[b]`` for (B, M, K) @ (B, K, N); the backend kernel wants contiguous input."""

    node_name = "BmmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a3, b3 = a.contiguous(), b.contiguous()
        if a.dim() == 2:  # Mm: the kernel sees a batch of one
            a3, b3 = a3.unsqueeze(0), b3.unsqueeze(0)
        out_shape = a._shape[:-1] + b._shape[-1:]
        return new_tensor(a._backend.matmul(a3, b3), out_shape, a)

    @classmethod
    def backward(cls, ctx, g):
        a, b = ctx.saved_tensors
        return (cls.apply(g, b.transpose(-2, -1)) if ctx.needs_input_grad[0] else None,
                cls.apply(a.transpose(-2, -1), g) if ctx.needs_input_grad[1] else None)


class Mm(BatchMatMul):
    """(M, K) @ (K, N)."""

    node_name = "MmBackward0"


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b``: 1-D vectors are promoted to matrices and squeezed back; batch dims broadcast."""
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"matmul(): expected two Tensors, got {type(a).__name__} and {type(b).__name__}")
    if a.dim() == 0 or b.dim() == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.dim()}D and {b.dim()}D")
    a, b = as_operands("matmul", a, b)
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
        return out.squeeze(-2) if a.dim() == 1 else out.squeeze(-1) if b.dim() == 1 else out
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
