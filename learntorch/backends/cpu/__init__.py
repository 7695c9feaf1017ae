"""The CPU backend: storage is a flat NumPy array; every kernel is a Numba ``@njit`` function.

This module only adapts tensors to kernel arguments (flat storage, offset, strides as int64
arrays) and picks the kernel; the loops themselves live in the modules beside it, one per
kernel shape: elementwise.py (map, zip, where), reduce.py, matmul.py, copy.py (copy, fill,
gather, scatter), conv.py, pool.py and optim.py.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..interface import Backend
from . import copy as copy_kernels
from . import elementwise, reduce as reduce_kernels

_MATMUL_KERNEL = "blas"


def set_matmul_kernel(name: str) -> None:
    """Choose the CPU matmul: ``"blas"`` (np.dot inside njit, like PyTorch calls MKL) or
    ``"numba"`` (the hand-written tiled kernel in matmul.py that the course teaches)."""
    global _MATMUL_KERNEL
    if name not in ("blas", "numba"):
        raise ValueError(f"set_matmul_kernel: expected 'blas' or 'numba', got {name!r}")
    _MATMUL_KERNEL = name


def get_matmul_kernel() -> str:
    return _MATMUL_KERNEL


def coalesce(shape: tuple[int, ...], *strides: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Merge dims that are contiguous in every operand, and drop size-1 dims.

    ``(64, 32, 28, 28)`` contiguous becomes ``(1605632,)``: the kernels' inner loop is then
    as long as possible. Returns int64 arrays ``shape, strides_0, strides_1, ...`` (never empty).
    """
    dims = [d for d in range(len(shape)) if shape[d] != 1]
    out_shape: list[int] = []
    out_strides: list[list[int]] = [[] for _ in strides]
    for d in dims:
        if out_shape and all(st[-1] == s[d] * shape[d] for st, s in zip(out_strides, strides)):
            out_shape[-1] *= shape[d]
            for st, s in zip(out_strides, strides):
                st[-1] = s[d]
        else:
            out_shape.append(shape[d])
            for st, s in zip(out_strides, strides):
                st.append(s[d])
    if not out_shape:
        return (np.ones(1, np.int64),) + tuple(np.zeros(1, np.int64) for _ in strides)
    return (np.array(out_shape, np.int64),) + tuple(np.array(st, np.int64) for st in out_strides)


def _reduce_init(op: str, dtype: np.dtype) -> Any:
    if op == "sum":
        return dtype.type(0)
    if op == "prod":
        return dtype.type(1)
    if dtype.kind == "f":
        return dtype.type(-np.inf if op == "max" else np.inf)
    if dtype.kind == "b":
        return dtype.type(op == "min")
    info = np.iinfo(dtype)
    return dtype.type(info.min if op == "max" else info.max)


class CPUBackend(Backend):
    name = "cpu"

    # ---- allocate / move
    def empty(self, numel: int, dtype: Any) -> np.ndarray:
        return np.empty(numel, dtype.np)

    def from_numpy(self, array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array).reshape(-1)

    def to_numpy(self, t: Any) -> np.ndarray:
        return t._as_numpy()

    # ---- elementwise
    def map(self, op: str, a: Any, out_dtype: Any) -> np.ndarray:
        out = np.empty(a.numel(), out_dtype.np)
        if out.size:
            shape, sa = coalesce(a._shape, a._strides)
            elementwise.map_kernel(elementwise.UNARY_OPS[op])(out, shape, a._storage, a._offset, sa)
        return out

    def zip(self, op: str, a: Any, b: Any, out_dtype: Any) -> np.ndarray:
        out = np.empty(a.numel(), out_dtype.np)
        if out.size:
            shape, sa, sb = coalesce(a._shape, a._strides, b._strides)
            elementwise.zip_kernel(elementwise.BINARY_OPS[op])(
                out, shape, a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    def where(self, cond: Any, a: Any, b: Any) -> np.ndarray:
        out = np.empty(a.numel(), a.dtype.np)
        if out.size:
            shape, sc, sa, sb = coalesce(a._shape, cond._strides, a._strides, b._strides)
            elementwise.where_loop(out, shape, cond._storage, cond._offset, sc,
                                   a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    # ---- reductions
    def reduce(self, op: str, a: Any, dims: tuple[int, ...]) -> np.ndarray:
        kept = [d for d in range(a.dim()) if d not in dims]
        kept_shape = tuple(a._shape[d] for d in kept)
        out = np.empty(int(np.prod(kept_shape, dtype=np.int64)), a.dtype.np)
        if out.size == 0:
            return out
        init = _reduce_init(op, a.dtype.np)
        if a.numel() == 0:
            out.fill(init)
            return out
        kernel = reduce_kernels.reduce_kernel(reduce_kernels.REDUCE_OPS[op])
        if out.size == 1 and a.numel() >= 1 << 16 and a.is_contiguous():
            # two passes, so both cores work on a full reduction: tiles, then the partials
            def ints(*v: int) -> np.ndarray:
                return np.array(v, np.int64)
            tile = 1 << 14
            rows, rem = divmod(a.numel(), tile)
            flat = a._storage[a._offset:a._offset + a.numel()]
            partial = np.full(rows + 1, init)
            kernel(partial[:rows], flat, 0, ints(rows), ints(tile), ints(tile), ints(1), init)
            if rem:
                kernel(partial[rows:], flat, rows * tile, ints(1), ints(0), ints(rem), ints(1), init)
            kernel(out, partial, 0, ints(1), ints(0), ints(rows + 1), ints(1), init)
            return out
        kshape, kstrides = coalesce(kept_shape, tuple(a._strides[d] for d in kept))
        rshape, rstrides = coalesce(tuple(a._shape[d] for d in dims), tuple(a._strides[d] for d in dims))
        kernel(out, a._storage, a._offset, kshape, kstrides, rshape, rstrides, init)
        return out

    def arg_reduce(self, op: str, a: Any, dim: int) -> np.ndarray:
        kept = [d for d in range(a.dim()) if d != dim]
        kept_shape = tuple(a._shape[d] for d in kept)
        out = np.empty(int(np.prod(kept_shape, dtype=np.int64)), np.int64)
        if out.size:
            kshape, kstrides = coalesce(kept_shape, tuple(a._strides[d] for d in kept))
            reduce_kernels.arg_reduce_kernel(reduce_kernels.ARG_REDUCE_OPS[op])(
                out, a._storage, a._offset, kshape, kstrides, a._shape[dim], a._strides[dim])
        return out

    # ---- matmul
    def matmul(self, a: Any, b: Any) -> np.ndarray:
        from . import matmul as mm
        batch, m, k = a._shape
        n = b._shape[2]
        out = np.empty(batch * m * n, a.dtype.np)
        if out.size == 0:
            return out
        if k == 0:
            out.fill(0)
            return out
        a3 = a._as_numpy()
        b3 = b._as_numpy()
        kernel = mm.matmul_blas if _MATMUL_KERNEL == "blas" else mm.matmul_tiled
        kernel(a3, b3, out.reshape(batch, m, n))
        return out

    # ---- copy, fill, gather, scatter
    def copy_(self, dst: Any, src: Any) -> None:
        if dst.numel():
            shape, sd, ss = coalesce(dst._shape, dst._strides, src._strides)
            copy_kernels.copy_loop(shape, dst._storage, dst._offset, sd, src._storage, src._offset, ss)

    def fill_(self, dst: Any, value: Any) -> None:
        if dst.numel():
            shape, sd = coalesce(dst._shape, dst._strides)
            copy_kernels.fill_loop(shape, dst._storage, dst._offset, sd, dst.dtype.np.type(value))

    def gather(self, src: Any, positions: np.ndarray) -> np.ndarray:
        out = np.empty(positions.size, src.dtype.np)
        copy_kernels.gather_loop(out, src._storage, positions.reshape(-1))
        return out

    def scatter_add(self, numel: int, src: Any, positions: np.ndarray) -> np.ndarray:
        out = np.zeros(numel, src.dtype.np)
        copy_kernels.scatter_add_loop(out, src.contiguous()._storage[src.contiguous()._offset:], positions.reshape(-1))
        return out

    def scatter_(self, dst: Any, src: Any, positions: np.ndarray) -> None:
        s = src.contiguous()
        copy_kernels.scatter_loop(dst._storage, s._storage[s._offset:], positions.reshape(-1))
