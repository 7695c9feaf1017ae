"""The CPU backend: storage is a flat NumPy array; every kernel is a Numba ``@njit`` function.

This module only adapts tensors to kernel arguments (flat storage, offset, strides as int64
arrays) and picks the kernel; the loops themselves live in the modules beside it, one per
kernel shape: elementwise.py (map, zip, where), reduce.py, sort.py, scan.py, matmul.py, copy.py (copy, fill,
gather, scatter), conv.py, pool.py and optim.py. Their math (scalar functions, index loop,
optimizer formulas, output sizes) is backends/common/'s, shared with the CUDA backend. build.py
compiles each loop for one thread and for many, and ``parallel(numel)`` picks between them.
fast/ is the speed path: BLAS called from inside the kernels (matmul, stride-1 convolutions)
and the vectorisable float32 exp, log, sin, ...
"""
from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

from ..common.index import coalesce
from ..common.reduce import reduce_init, scan_init
from ..interface import Backend
from . import conv, elementwise, matmul as mm, optim, pool, reduce as reduce_kernels
from . import scan as scan_kernels, sort as sort_kernels
from . import copy as copy_kernels
from .build import compile_kernel, parallel
from .fast import blas, matmul_blas

_MATMUL_KERNEL = "blas"


def set_matmul_kernel(name: str) -> None:
    """Choose the CPU matrix products: ``"blas"`` (gemm called from njit, like PyTorch calls MKL,
    for matmul and for stride-1 convolutions, see fast/) or ``"numba"`` (the hand-written
    kernels the course teaches: the tiled matmul in matmul.py and the convolutions of conv.py)."""
    global _MATMUL_KERNEL
    if name not in ("blas", "numba"):
        raise ValueError(f"set_matmul_kernel: expected 'blas' or 'numba', got {name!r}")
    _MATMUL_KERNEL = name


def get_matmul_kernel() -> str:
    return _MATMUL_KERNEL


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
            elementwise.map_kernel(op, parallel(out.size))(
                out, shape, a._storage, a._offset, sa)
        return out

    def zip(self, op: str, a: Any, b: Any, out_dtype: Any) -> np.ndarray:
        out = np.empty(a.numel(), out_dtype.np)
        if out.size:
            shape, sa, sb = coalesce(a._shape, a._strides, b._strides)
            elementwise.zip_kernel(op, parallel(out.size))(
                out, shape, a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    def where(self, cond: Any, a: Any, b: Any) -> np.ndarray:
        out = np.empty(a.numel(), a.dtype.np)
        if out.size:
            shape, sc, sa, sb = coalesce(a._shape, cond._strides, a._strides, b._strides)
            compile_kernel(elementwise.where_loop, parallel(out.size))(out, shape, cond._storage, cond._offset, sc, a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    # ---- reductions
    def reduce(self, op: str, a: Any, dims: tuple[int, ...]) -> np.ndarray:
        kept = [d for d in range(a.dim()) if d not in dims]
        kept_shape = tuple(a._shape[d] for d in kept)
        out = np.empty(math.prod(kept_shape), a.dtype.np)
        if out.size == 0:
            return out
        init = reduce_init(op, a.dtype.np)
        if a.numel() == 0:
            out.fill(init)
            return out
        kernel = reduce_kernels.reduce_kernel(op, parallel(a.numel()))
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
            reduce_kernels.column_reduce_kernel(op, parallel(a.numel()))(
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
            reduce_kernels.arg_reduce_kernel(op, parallel(a.numel()))(
                out, a._storage, a._offset, kshape, kstrides, a._shape[dim], a._strides[dim])
        return out

    # ---- sort and scan along the last dim (sort.py, scan.py)
    def sort(self, a: Any, descending: bool) -> tuple[np.ndarray, np.ndarray]:
        values, indices = np.empty(a.numel(), a.dtype.np), np.empty(a.numel(), np.int64)
        if a.numel():
            n, kshape, kstrides = _rows(a)
            compile_kernel(sort_kernels.sort_loop, parallel(a.numel()))(
                values.reshape(-1, n), indices.reshape(-1, n), a._storage, a._offset, kshape, kstrides, n,
                a._strides[-1], descending)
        return values, indices

    def scan(self, op: str, a: Any) -> np.ndarray:
        out = np.empty(a.numel(), a.dtype.np)
        if a.numel():
            n, kshape, kstrides = _rows(a)
            scan_kernels.scan_kernel(op, parallel(a.numel()))(out.reshape(-1, n), a._storage, a._offset, kshape,
                                                              kstrides, n, a._strides[-1], scan_init(op, a.dtype.np))
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
            matmul_blas.matmul_blas(blas.KIND[out.dtype], batch, m, n, k, *_blas_operand(a), *_blas_operand(b), out,
                           numba.config.NUMBA_NUM_THREADS, blas.thread_setter())
        else:
            mm.matmul_tiled(_array(a).reshape(batch, m, k), _array(b).reshape(batch, k, n), out.reshape(batch, m, n))
        return out

    # ---- copy, fill, gather, scatter
    def copy_(self, dst: Any, src: Any) -> None:
        if dst.numel():
            shape, sd, ss = coalesce(dst._shape, dst._strides, src._strides)
            compile_kernel(copy_kernels.copy_loop, parallel(dst.numel()))(shape, dst._storage, dst._offset, sd, src._storage, src._offset, ss)

    def fill_(self, dst: Any, value: Any) -> None:
        if dst.numel():
            shape, sd = coalesce(dst._shape, dst._strides)
            compile_kernel(copy_kernels.fill_loop, parallel(dst.numel()))(shape, dst._storage, dst._offset, sd, dst.dtype.np.type(value))

    def gather(self, src: Any, positions: np.ndarray) -> np.ndarray:
        out = np.empty(positions.size, src.dtype.np)
        compile_kernel(copy_kernels.gather_loop, parallel(out.size))(out, src._storage, positions.reshape(-1))
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
        b = None if bias is None else _array(bias)
        return conv.conv2d_forward(_array(x), _array(weight), b, stride, padding, dilation,
                                   blas=_MATMUL_KERNEL == "blas").reshape(-1)

    def conv2d_backward_input(self, grad_out: Any, weight: Any, input_shape: Any, stride: Any, padding: Any,
                              dilation: Any) -> np.ndarray:
        return conv.conv2d_backward_input(_array(grad_out), _array(weight), tuple(input_shape),
                                          stride, padding, dilation, blas=_MATMUL_KERNEL == "blas").reshape(-1)

    def conv2d_backward_weight(self, grad_out: Any, x: Any, weight_shape: Any, stride: Any, padding: Any,
                               dilation: Any) -> np.ndarray:
        return conv.conv2d_backward_weight(_array(grad_out), _array(x), tuple(weight_shape),
                                           stride, padding, dilation, blas=_MATMUL_KERNEL == "blas").reshape(-1)

    def max_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                   ceil_mode: bool) -> tuple[np.ndarray, np.ndarray]:
        y, indices = pool.max_pool2d_forward(_array(x), kernel_size, stride, padding, dilation, ceil_mode)
        return y.reshape(-1), indices.reshape(-1)

    def max_pool2d_backward(self, grad_out: Any, indices: Any, input_shape: Any) -> np.ndarray:
        return pool.max_pool2d_backward(_array(grad_out), _array(indices), tuple(input_shape)).reshape(-1)

    def avg_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
                   count_include_pad: bool) -> np.ndarray:
        return pool.avg_pool2d_forward(_array(x), kernel_size, stride, padding, ceil_mode,
                                       count_include_pad).reshape(-1)

    def avg_pool2d_backward(self, grad_out: Any, input_shape: Any, kernel_size: Any, stride: Any, padding: Any,
                            ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
        return pool.avg_pool2d_backward(_array(grad_out), tuple(input_shape), kernel_size, stride, padding,
                                        ceil_mode, count_include_pad).reshape(-1)

    # ---- fused optimizer updates (optim.py): one kernel call per parameter, on its flat storage
    def sgd_step_(self, param: Any, grad: Any, momentum_buffer: Any, lr: float, momentum: float,
                  dampening: float, nesterov: bool, weight_decay: float, first_step: bool) -> None:
        optim.sgd_step(_flat(param), _flat(grad), _flat(momentum_buffer, param), lr, momentum, dampening,
                       nesterov, weight_decay, first_step)

    def adam_step_(self, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any, lr: float,
                   beta1: float, beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool,
                   amsgrad: bool, step: int) -> None:
        optim.adam_step(_flat(param), _flat(grad), _flat(exp_avg), _flat(exp_avg_sq), _flat(max_exp_avg_sq, param),
                        lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, amsgrad, step)

    def rmsprop_step_(self, param: Any, grad: Any, square_avg: Any, grad_avg: Any, momentum_buffer: Any,
                      lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                      centered: bool) -> None:
        optim.rmsprop_step(_flat(param), _flat(grad), _flat(square_avg), _flat(grad_avg, param),
                           _flat(momentum_buffer, param), lr, alpha, eps, weight_decay, momentum, centered)

    def adagrad_step_(self, param: Any, grad: Any, state_sum: Any, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
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


def _rows(a: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """A non-empty tensor as rows of its last dim: (row length, the other dims' shape and strides, coalesced)."""
    return (a._shape[-1], *coalesce(a._shape[:-1], a._strides[:-1]))


def _array(t: Any) -> np.ndarray:
    """A contiguous NumPy view of a CPU tensor (copies only when the tensor is strided)."""
    return t.contiguous()._as_numpy()



def _flat(t: Any, like: Any = None) -> np.ndarray:
    """A contiguous tensor's elements as a 1-D view of its storage; for ``t`` None (an unused
    optimizer buffer), an empty array of ``like``'s dtype."""
    if t is None:
        return np.empty(0, like.dtype.np)
    return t._storage[t._offset:t._offset + t.numel()]
