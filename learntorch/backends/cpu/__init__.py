"""The CPU backend: storage is a flat NumPy array; every kernel is a Numba ``@njit`` function.

This module only adapts tensors to kernel arguments (flat storage, offset, strides as int64
arrays) and picks the kernel; the loops themselves live in the modules beside it, one per
kernel shape: elementwise.py (map, zip, where), reduce.py, matmul.py, copy.py (copy, fill,
gather, scatter), conv.py, pool.py and optim.py. blas.py calls BLAS from inside those kernels,
for matmul.py and for conv_blas.py (stride-1 convolutions as one matrix product per kernel tap).
"""
from __future__ import annotations

import functools
import math
from typing import Any

import numba
import numpy as np

from ..interface import Backend
from . import blas, elementwise, matmul as mm, reduce as reduce_kernels
from . import copy as copy_kernels

_MATMUL_KERNEL = "blas"


def set_matmul_kernel(name: str) -> None:
    """Choose the CPU matrix products: ``"blas"`` (gemm called from njit, like PyTorch calls MKL,
    for matmul and for stride-1 convolutions, see conv_blas.py) or ``"numba"`` (the hand-written
    kernels the course teaches: the tiled matmul in matmul.py and the convolutions of conv.py)."""
    global _MATMUL_KERNEL
    if name not in ("blas", "numba"):
        raise ValueError(f"set_matmul_kernel: expected 'blas' or 'numba', got {name!r}")
    _MATMUL_KERNEL = name


def get_matmul_kernel() -> str:
    return _MATMUL_KERNEL


@functools.lru_cache(maxsize=4096)  # a training loop asks about the same few layouts every step
def coalesce(shape: tuple[int, ...], *strides: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Merge dims that are contiguous in every operand, and drop size-1 dims.

    ``(64, 32, 28, 28)`` contiguous becomes ``(1605632,)``: the kernels' inner loop is then
    as long as possible. Returns int64 arrays ``shape, strides_0, strides_1, ...`` (never empty),
    memoised: the kernels only read them.
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
            elementwise.map_kernel(elementwise.UNARY_OPS[op], out.size >= elementwise.GRAIN)(
                out, shape, a._storage, a._offset, sa)
        return out

    def zip(self, op: str, a: Any, b: Any, out_dtype: Any) -> np.ndarray:
        out = np.empty(a.numel(), out_dtype.np)
        if out.size:
            shape, sa, sb = coalesce(a._shape, a._strides, b._strides)
            elementwise.zip_kernel(elementwise.BINARY_OPS[op], out.size >= elementwise.GRAIN)(
                out, shape, a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    def where(self, cond: Any, a: Any, b: Any) -> np.ndarray:
        out = np.empty(a.numel(), a.dtype.np)
        if out.size:
            shape, sc, sa, sb = coalesce(a._shape, cond._strides, a._strides, b._strides)
            loop = elementwise.where_loop if out.size >= elementwise.GRAIN else elementwise.where_loop_serial
            loop(out, shape, cond._storage, cond._offset, sc, a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    # ---- reductions
    def reduce(self, op: str, a: Any, dims: tuple[int, ...]) -> np.ndarray:
        kept = [d for d in range(a.dim()) if d not in dims]
        kept_shape = tuple(a._shape[d] for d in kept)
        out = np.empty(math.prod(kept_shape), a.dtype.np)
        if out.size == 0:
            return out
        init = _reduce_init(op, a.dtype.np)
        if a.numel() == 0:
            out.fill(init)
            return out
        kernel = reduce_kernels.reduce_kernel(reduce_kernels.REDUCE_OPS[op], a.numel() >= elementwise.GRAIN)
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
        if kshape.size == 1 and kstrides[0] == 1 and rstrides[-1] != 1:  # e.g. x.sum(0): loop over rows
            reduce_kernels.column_reduce_kernel(reduce_kernels.REDUCE_OPS[op], a.numel() >= elementwise.GRAIN)(
                out, a._storage, a._offset, rshape, rstrides, init)
            return out
        kernel(out, a._storage, a._offset, kshape, kstrides, rshape, rstrides, init)
        return out

    def arg_reduce(self, op: str, a: Any, dim: int) -> np.ndarray:
        kept = [d for d in range(a.dim()) if d != dim]
        kept_shape = tuple(a._shape[d] for d in kept)
        out = np.empty(math.prod(kept_shape), np.int64)
        if out.size:
            kshape, kstrides = coalesce(kept_shape, tuple(a._strides[d] for d in kept))
            reduce_kernels.arg_reduce_kernel(reduce_kernels.ARG_REDUCE_OPS[op], a.numel() >= elementwise.GRAIN)(
                out, a._storage, a._offset, kshape, kstrides, a._shape[dim], a._strides[dim])
        return out

    # ---- matmul
    def matmul(self, a: Any, b: Any) -> np.ndarray:
        """(B, M, K) @ (B, K, N), or (M, K) @ (K, N) as a batch of one, into a flat, C-contiguous
        result."""
        batch, m, k = a._shape if len(a._shape) == 3 else (1,) + a._shape
        n = b._shape[-1]
        dtype = a._dtype
        out = np.empty(batch * m * n, dtype.np)
        if out.size == 0:
            return out
        if k == 0:
            out.fill(0)
            return out
        if _MATMUL_KERNEL == "blas" and dtype.is_floating_point:  # BLAS only multiplies floats
            mm.matmul_blas(blas.KIND[out.dtype], batch, m, n, k, *_blas_operand(a), *_blas_operand(b), out,
                           numba.config.NUMBA_NUM_THREADS, blas.thread_setter())
        else:
            mm.matmul_tiled(_array(a).reshape(batch, m, k), _array(b).reshape(batch, k, n), out.reshape(batch, m, n))
        return out

    # ---- copy, fill, gather, scatter
    def copy_(self, dst: Any, src: Any) -> None:
        if dst.numel():
            shape, sd, ss = coalesce(dst._shape, dst._strides, src._strides)
            loop = copy_kernels.copy_loop if dst.numel() >= elementwise.GRAIN else copy_kernels.copy_loop_serial
            loop(shape, dst._storage, dst._offset, sd, src._storage, src._offset, ss)

    def fill_(self, dst: Any, value: Any) -> None:
        if dst.numel():
            shape, sd = coalesce(dst._shape, dst._strides)
            loop = copy_kernels.fill_loop if dst.numel() >= elementwise.GRAIN else copy_kernels.fill_loop_serial
            loop(shape, dst._storage, dst._offset, sd, dst.dtype.np.type(value))

    def gather(self, src: Any, positions: np.ndarray) -> np.ndarray:
        out = np.empty(positions.size, src.dtype.np)
        loop = copy_kernels.gather_loop if out.size >= elementwise.GRAIN else copy_kernels.gather_loop_serial
        loop(out, src._storage, positions.reshape(-1))
        return out

    def scatter_add(self, numel: int, src: Any, positions: np.ndarray) -> np.ndarray:
        out = np.zeros(numel, src.dtype.np)
        copy_kernels.scatter_add_loop(out, src.contiguous()._storage[src.contiguous()._offset:], positions.reshape(-1))
        return out

    def scatter_(self, dst: Any, src: Any, positions: np.ndarray) -> None:
        s = src.contiguous()
        copy_kernels.scatter_loop(dst._storage, s._storage[s._offset:], positions.reshape(-1))

    # ---- conv / pool: the kernels in conv.py and pool.py take NCHW NumPy arrays
    def conv2d(self, x: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any) -> np.ndarray:
        from . import conv
        b = None if bias is None else _array(bias)
        return conv.conv2d_forward(_array(x), _array(weight), b, stride, padding, dilation,
                                   blas=_MATMUL_KERNEL == "blas").reshape(-1)

    def conv2d_backward_input(self, grad_out: Any, weight: Any, input_shape: Any, stride: Any, padding: Any,
                              dilation: Any) -> np.ndarray:
        from . import conv
        return conv.conv2d_backward_input(_array(grad_out), _array(weight), tuple(input_shape),
                                          stride, padding, dilation, blas=_MATMUL_KERNEL == "blas").reshape(-1)

    def conv2d_backward_weight(self, grad_out: Any, x: Any, weight_shape: Any, stride: Any, padding: Any,
                               dilation: Any) -> np.ndarray:
        from . import conv
        return conv.conv2d_backward_weight(_array(grad_out), _array(x), tuple(weight_shape),
                                           stride, padding, dilation, blas=_MATMUL_KERNEL == "blas").reshape(-1)

    def max_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                   ceil_mode: bool) -> tuple[np.ndarray, np.ndarray]:
        from . import pool
        y, indices = pool.max_pool2d_forward(_array(x), kernel_size, stride, padding, dilation, ceil_mode)
        return y.reshape(-1), indices.reshape(-1)

    def max_pool2d_backward(self, grad_out: Any, indices: Any, input_shape: Any) -> np.ndarray:
        from . import pool
        return pool.max_pool2d_backward(_array(grad_out), _array(indices), tuple(input_shape)).reshape(-1)

    def avg_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
                   count_include_pad: bool) -> np.ndarray:
        from . import pool
        return pool.avg_pool2d_forward(_array(x), kernel_size, stride, padding, ceil_mode,
                                       count_include_pad).reshape(-1)

    def avg_pool2d_backward(self, grad_out: Any, input_shape: Any, kernel_size: Any, stride: Any, padding: Any,
                            ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
        from . import pool
        return pool.avg_pool2d_backward(_array(grad_out), tuple(input_shape), kernel_size, stride, padding,
                                        ceil_mode, count_include_pad).reshape(-1)

    # ---- fused optimizer updates (optim.py): one kernel call per parameter, on its flat storage
    def sgd_step_(self, param: Any, grad: Any, momentum_buffer: Any, lr: float, momentum: float,
                  dampening: float, nesterov: bool, weight_decay: float, first_step: bool) -> None:
        from . import optim
        optim.sgd_step(_flat(param), _flat(grad), _flat(momentum_buffer, param), lr, momentum, dampening,
                       nesterov, weight_decay, first_step)

    def adam_step_(self, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any, lr: float,
                   beta1: float, beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool,
                   amsgrad: bool, step: int) -> None:
        from . import optim
        optim.adam_step(_flat(param), _flat(grad), _flat(exp_avg), _flat(exp_avg_sq), _flat(max_exp_avg_sq, param),
                        lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, amsgrad, step)

    def rmsprop_step_(self, param: Any, grad: Any, square_avg: Any, grad_avg: Any, momentum_buffer: Any,
                      lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                      centered: bool) -> None:
        from . import optim
        optim.rmsprop_step(_flat(param), _flat(grad), _flat(square_avg), _flat(grad_avg, param),
                           _flat(momentum_buffer, param), lr, alpha, eps, weight_decay, momentum, centered)

    def adagrad_step_(self, param: Any, grad: Any, state_sum: Any, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        from . import optim
        optim.adagrad_step(_flat(param), _flat(grad), _flat(state_sum), lr, lr_decay, weight_decay, eps, step)


def _blas_operand(t: Any) -> tuple[np.ndarray, int, int, int, int]:
    """A (B, R, C) or (R, C) tensor as (storage, offset, batch stride, row stride, column
    stride) that BLAS reads in place: each matrix with a unit stride in one dim, such as a
    row-major slice or the transposed view ``w.t()``. Any other layout (a broadcast, a step
    slice) is copied first."""
    rows, cols = t._shape[-2:]
    matrix = blas.blas_strides(rows, cols, *t._strides[-2:])
    if matrix is None:
        t = t.contiguous()
        matrix = blas.blas_strides(rows, cols, *t._strides[-2:])
    return (t._storage, t._offset, t._strides[0] if len(t._shape) == 3 else 0) + matrix


def _array(t: Any) -> np.ndarray:
    """A contiguous NumPy view of a CPU tensor (copies only when the tensor is strided)."""
    return t.contiguous()._as_numpy()



def _flat(t: Any, like: Any = None) -> np.ndarray:
    """A contiguous tensor's elements as a 1-D view of its storage; for ``t`` None (an unused
    optimizer buffer), an empty array of ``like``'s dtype."""
    if t is None:
        return np.empty(0, like.dtype.np)
    return t._storage[t._offset:t._offset + t.numel()]
