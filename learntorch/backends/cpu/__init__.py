"""The CPU backend: storage is a flat NumPy array; every kernel is a Numba ``@njit`` function.

This module only adapts ``Strided`` values to kernel arguments (flat storage, offset, strides as
int64 arrays) and picks the kernel; the loops themselves live in the modules beside it, one per
kernel shape: elementwise.py (map, zip, where), reduce.py, sort.py, scan.py, matmul.py, copy.py (copy, fill,
gather, scatter), conv.py, pool.py and optim.py. Their math (scalar functions, index loop,
optimizer formulas, output sizes) is backends/common/'s, shared with the CUDA backend. build.py
compiles each loop for one thread and for many, and ``parallel(numel)`` picks between them.
fast/ is the speed path: BLAS called from inside the kernels (matmul, stride-1 convolutions)
and the vectorisable float32 exp, log, sin, ...
"""
from __future__ import annotations

import math

import numba
import numpy as np

from ..._dtype import dtype as DType
from ..._storage import is_contiguous
from ..common.index import coalesce
from ..common.reduce import reduce_init, scan_init
from ..interface import Backend, Pair, Scalar, Strided
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
    def empty(self, numel: int, dtype: DType) -> np.ndarray:
        return np.empty(numel, dtype.np)

    def full(self, numel: int, value: Scalar, dtype: DType) -> np.ndarray:
        if numel == 1:  # a Python number entering an op (x * 2): np.array is the quickest way
            return np.array([value], dtype.np)
        out = np.empty(numel, dtype.np)
        out.fill(value)
        return out

    def from_numpy(self, array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array).reshape(-1)

    def to_numpy(self, a: Strided) -> np.ndarray:
        return ndarray(a)

    # ---- elementwise
    def map(self, op: str, a: Strided, out: Strided) -> None:
        n = out.storage.size
        if n:
            shape, sa = coalesce(a.shape, a.strides)
            elementwise.map_kernel(op, parallel(n))(out.storage, shape, a.storage, a.offset, sa)

    def zip(self, op: str, a: Strided, b: Strided, out: Strided) -> None:
        n = out.storage.size
        if n:
            shape, sa, sb = coalesce(a.shape, a.strides, b.strides)
            elementwise.zip_kernel(op, parallel(n))(out.storage, shape, a.storage, a.offset, sa, b.storage,
                                                    b.offset, sb)

    def where(self, cond: Strided, a: Strided, b: Strided, out: Strided) -> None:
        n = out.storage.size
        if n:
            shape, sc, sa, sb = coalesce(a.shape, cond.strides, a.strides, b.strides)
            compile_kernel(elementwise.where_loop, parallel(n))(out.storage, shape, cond.storage, cond.offset, sc,
                                                                a.storage, a.offset, sa, b.storage, b.offset, sb)

    # ---- reductions
    def reduce(self, op: str, a: Strided, dims: tuple[int, ...], out: Strided) -> None:
        result, numel = out.storage, math.prod(a.shape)
        if result.size == 0:
            return
        init = reduce_init(op, a.dtype.np)
        if numel == 0:
            result.fill(init)
            return
        kernel = reduce_kernels.reduce_kernel(op, parallel(numel))
        if result.size == 1 and numel >= 1 << 16 and is_contiguous(a.shape, a.strides):
            # two passes, so both cores work on a full reduction: tiles, then the partials
            def ints(*v: int) -> np.ndarray:
                return np.array(v, np.int64)
            tile = 1 << 14
            rows, rem = divmod(numel, tile)
            flat = a.storage[a.offset:a.offset + numel]
            partial = np.full(rows + 1, init)
            kernel(partial[:rows], flat, 0, ints(rows), ints(tile), ints(tile), ints(1), init)
            if rem:
                kernel(partial[rows:], flat, rows * tile, ints(1), ints(0), ints(rem), ints(1), init)
            kernel(result, partial, 0, ints(1), ints(0), ints(rows + 1), ints(1), init)
            return
        kept = [d for d in range(len(a.shape)) if d not in dims]
        kshape, kstrides = coalesce(tuple(a.shape[d] for d in kept), tuple(a.strides[d] for d in kept))
        rshape, rstrides = coalesce(tuple(a.shape[d] for d in dims), tuple(a.strides[d] for d in dims))
        if kshape.size == 1 and kstrides[0] == 1 and rstrides[-1] != 1:  # e.g. x.sum(0): loop over rows
            reduce_kernels.column_reduce_kernel(op, parallel(numel))(result, a.storage, a.offset, rshape, rstrides,
                                                                     init)
            return
        kernel(result, a.storage, a.offset, kshape, kstrides, rshape, rstrides, init)

    def arg_reduce(self, op: str, a: Strided, dim: int, out: Strided) -> None:
        if out.storage.size:
            kept = [d for d in range(len(a.shape)) if d != dim]
            kshape, kstrides = coalesce(tuple(a.shape[d] for d in kept), tuple(a.strides[d] for d in kept))
            reduce_kernels.arg_reduce_kernel(op, parallel(math.prod(a.shape)))(
                out.storage, a.storage, a.offset, kshape, kstrides, a.shape[dim], a.strides[dim])

    # ---- sort and scan along the last dim (sort.py, scan.py)
    def sort(self, a: Strided, values: Strided, indices: Strided, descending: bool) -> None:
        numel = values.storage.size
        if numel:
            n, kshape, kstrides = _rows(a)
            compile_kernel(sort_kernels.sort_loop, parallel(numel))(
                values.storage.reshape(-1, n), indices.storage.reshape(-1, n), a.storage, a.offset, kshape, kstrides,
                n, a.strides[-1], descending)

    def scan(self, op: str, a: Strided, out: Strided) -> None:
        numel = out.storage.size
        if numel:
            n, kshape, kstrides = _rows(a)
            scan_kernels.scan_kernel(op, parallel(numel))(out.storage.reshape(-1, n), a.storage, a.offset, kshape,
                                                          kstrides, n, a.strides[-1], scan_init(op, a.dtype.np))

    # ---- matmul
    def matmul(self, a: Strided, b: Strided, out: Strided) -> None:
        """(B, M, K) @ (B, K, N), or (M, K) @ (K, N) as a batch of one."""
        batch, m, k = a.shape if len(a.shape) == 3 else (1,) + a.shape
        n = b.shape[-1]
        result = out.storage
        if result.size == 0:
            return
        if k == 0:
            result.fill(0)
            return
        if _MATMUL_KERNEL == "blas" and a.dtype.is_floating_point:  # BLAS only multiplies floats
            matmul_blas.matmul_blas(blas.KIND[result.dtype], batch, m, n, k, *_blas_operand(a), *_blas_operand(b),
                                    result, numba.config.NUMBA_NUM_THREADS, blas.thread_setter())
        else:
            mm.matmul_tiled(contiguous(a).reshape(batch, m, k), contiguous(b).reshape(batch, k, n),
                            result.reshape(batch, m, n))

    # ---- copy, fill, gather, scatter
    def copy_(self, dst: Strided, src: Strided) -> None:
        n = math.prod(dst.shape)
        if n:
            shape, sd, ss = coalesce(dst.shape, dst.strides, src.strides)
            compile_kernel(copy_kernels.copy_loop, parallel(n))(shape, dst.storage, dst.offset, sd, src.storage,
                                                                src.offset, ss)

    def fill_(self, dst: Strided, value: Scalar) -> None:
        n = math.prod(dst.shape)
        if n:
            shape, sd = coalesce(dst.shape, dst.strides)
            compile_kernel(copy_kernels.fill_loop, parallel(n))(shape, dst.storage, dst.offset, sd,
                                                                dst.dtype.np.type(value))

    def gather(self, src: Strided, positions: Strided, out: Strided) -> None:
        compile_kernel(copy_kernels.gather_loop, parallel(out.storage.size))(
            out.storage, src.storage[src.offset:], flat(positions))

    def scatter_add_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        copy_kernels.scatter_add_loop(dst.storage[dst.offset:], flat(src), flat(positions))

    def scatter_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        copy_kernels.scatter_loop(dst.storage, flat(src), flat(positions))

    # ---- conv / pool: the kernels in conv.py and pool.py take NCHW NumPy arrays
    def conv2d(self, x: Strided, weight: Strided, bias: Strided | None, out: Strided, stride: Pair,
               padding: Pair, dilation: Pair) -> None:
        conv.conv2d_forward(ndarray(x), ndarray(weight), None if bias is None else ndarray(bias), stride, padding,
                            dilation, blas=_MATMUL_KERNEL == "blas", out=ndarray(out))

    def conv2d_backward_input(self, grad_out: Strided, weight: Strided, out: Strided, stride: Pair,
                              padding: Pair, dilation: Pair) -> None:
        conv.conv2d_backward_input(ndarray(grad_out), ndarray(weight), out.shape, stride, padding, dilation,
                                   blas=_MATMUL_KERNEL == "blas", out=ndarray(out))

    def conv2d_backward_weight(self, grad_out: Strided, x: Strided, out: Strided, stride: Pair, padding: Pair,
                               dilation: Pair) -> None:
        conv.conv2d_backward_weight(ndarray(grad_out), ndarray(x), out.shape, stride, padding, dilation,
                                    blas=_MATMUL_KERNEL == "blas", out=ndarray(out))

    def max_pool2d(self, x: Strided, out: Strided, indices: Strided, kernel_size: Pair, stride: Pair,
                   padding: Pair, dilation: Pair) -> None:
        pool.max_pool2d_into(ndarray(x), ndarray(out), ndarray(indices), kernel_size, stride, padding, dilation)

    def max_pool2d_backward(self, grad_out: Strided, indices: Strided, out: Strided) -> None:
        pool.max_pool2d_backward_into(ndarray(grad_out), ndarray(indices), ndarray(out))

    def avg_pool2d(self, x: Strided, out: Strided, kernel_size: Pair, stride: Pair, padding: Pair,
                   count_include_pad: bool) -> None:
        pool.avg_pool2d_into(ndarray(x), ndarray(out), kernel_size, stride, padding, count_include_pad)

    def avg_pool2d_backward(self, grad_out: Strided, out: Strided, kernel_size: Pair, stride: Pair,
                            padding: Pair, count_include_pad: bool) -> None:
        pool.avg_pool2d_backward_into(ndarray(grad_out), ndarray(out), kernel_size, stride, padding,
                                      count_include_pad)

    # ---- fused optimizer updates (optim.py): one kernel call per parameter, on its flat storage
    def sgd_step_(self, param: Strided, grad: Strided, momentum_buffer: Strided | None, lr: float,
                  momentum: float, dampening: float, nesterov: bool, weight_decay: float,
                  first_step: bool) -> None:
        optim.sgd_step(flat(param), flat(grad), flat(momentum_buffer, param), lr, momentum, dampening,
                       nesterov, weight_decay, first_step)

    def adam_step_(self, param: Strided, grad: Strided, exp_avg: Strided, exp_avg_sq: Strided,
                   max_exp_avg_sq: Strided | None, lr: float, beta1: float, beta2: float, eps: float,
                   weight_decay: float, decoupled_weight_decay: bool, amsgrad: bool, step: int) -> None:
        optim.adam_step(flat(param), flat(grad), flat(exp_avg), flat(exp_avg_sq), flat(max_exp_avg_sq, param),
                        lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay, amsgrad, step)

    def rmsprop_step_(self, param: Strided, grad: Strided, square_avg: Strided, grad_avg: Strided | None,
                      momentum_buffer: Strided | None, lr: float, alpha: float, eps: float,
                      weight_decay: float, momentum: float, centered: bool) -> None:
        optim.rmsprop_step(flat(param), flat(grad), flat(square_avg), flat(grad_avg, param),
                           flat(momentum_buffer, param), lr, alpha, eps, weight_decay, momentum, centered)

    def adagrad_step_(self, param: Strided, grad: Strided, state_sum: Strided, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        optim.adagrad_step(flat(param), flat(grad), flat(state_sum), lr, lr_decay, weight_decay, eps, step)


def _rows(a: Strided) -> tuple[int, np.ndarray, np.ndarray]:
    """A non-empty array as rows of its last dim: (row length, the other dims' shape and strides, coalesced)."""
    return (a.shape[-1], *coalesce(a.shape[:-1], a.strides[:-1]))


def ndarray(a: Strided) -> np.ndarray:
    """``a`` as a NumPy array of its shape: a view of its storage (no copy; an ndarray over the
    storage's buffer is far cheaper than as_strided)."""
    item = a.storage.itemsize
    if not math.prod(a.shape):
        return np.empty(a.shape, a.storage.dtype)
    return np.ndarray(a.shape, a.storage.dtype, buffer=a.storage, offset=a.offset * item,
                      strides=tuple(s * item for s in a.strides))


def contiguous(a: Strided) -> np.ndarray:
    """``a`` as a C-contiguous NumPy array (a copy only when its layout is strided)."""
    return np.ascontiguousarray(ndarray(a))


def flat(a: Strided | None, like: Strided | None = None) -> np.ndarray:
    """A contiguous ``a``'s elements as a 1-D view of its storage; for ``a`` None (an unused
    optimizer buffer), an empty array of ``like``'s dtype."""
    if a is None:
        return np.empty(0, like.storage.dtype)
    return a.storage[a.offset:a.offset + math.prod(a.shape)]


def _blas_operand(a: Strided) -> tuple[np.ndarray, int, int, int, int]:
    """A (B, R, C) or (R, C) array as (storage, offset, batch stride, row stride, column stride)
    that BLAS reads in place: each matrix with a unit stride in one dim, such as a row-major slice
    or the transposed view ``w.t()``. Any other layout (a broadcast, a step slice) is copied first."""
    rows, cols = a.shape[-2:]
    matrix = blas.blas_strides(rows, cols, *a.strides[-2:])
    if matrix is None:
        copy = contiguous(a)
        return (copy.reshape(-1), 0, rows * cols if len(a.shape) == 3 else 0) + blas.blas_strides(rows, cols, cols, 1)
    return (a.storage, a.offset, a.strides[0] if len(a.shape) == 3 else 0) + matrix
