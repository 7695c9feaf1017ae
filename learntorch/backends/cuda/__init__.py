"""The CUDA backend: storage is a flat numba ``DeviceNDArray`` in GPU memory; every kernel is a
``@cuda.jit`` function.

Like the CPU backend (cpu/__init__.py, method for method), this module only adapts tensors
to kernel arguments and launches the kernel; the kernels live in the modules beside it, one per
kernel shape, with the same file names as on the CPU: elementwise.py (map, zip, where),
reduce.py, sort.py, scan.py, matmul.py, copy.py (copy, fill, gather, scatter), conv.py, pool.py and optim.py.
Their math is backends/common/'s (scalar functions, index loop, reductions, optimizer formulas,
output sizes), the same the CPU compiles; nothing here imports the CPU backend.

What runs where: the Python here runs on the CPU and only *launches* kernels; the GPU runs
them asynchronously, in launch order. Storage never leaves the GPU except in ``to_numpy``
(behind ``.cpu()``, ``.item()``, ``print``) and enters it in ``from_numpy`` (``.to("cuda")``).
Shapes, strides and scalars are passed as kernel arguments, which costs no copy. Index arrays
that the ops layer computes on the host (advanced indexing with lists, masks or index tensors) are
copied over.

Without a GPU (and without ``NUMBA_ENABLE_CUDASIM=1``) creating the backend raises a
RuntimeError that says how to check, instead of a numba traceback.
"""
from __future__ import annotations

import math

import numpy as np
from numba import config, cuda

from ..._dtype import dtype as DType
from ..._storage import contiguous_strides, is_contiguous
from ..common import optim as optim_math
from ..common.index import coalesce
from ..common.reduce import reduce_init, scan_init
from ..interface import Backend, Pair, Scalar, Storage, Strided
from . import conv, copy as copy_kernels, elementwise, optim, pool, reduce as reduce_kernels
from ._launch import REDUCE_THREADS, grid_1d
from . import scan as scan_kernels, sort as sort_kernels
from .matmul import matmul_launch

NO_DEVICE = ("Found no NVIDIA driver on your system, or no CUDA device: learntorch runs CUDA tensors through "
             "numba.cuda, which needs an NVIDIA GPU and its driver. Check with learntorch.cuda.is_available() "
             "and `nvidia-smi`. To run the CUDA kernels without a GPU, on numba's simulator, set "
             "NUMBA_ENABLE_CUDASIM=1 before importing learntorch.")

MAX_SPLIT = 64  # most blocks sharing one output of a reduction (the two-pass case)


def require_device() -> None:
    """Raise the RuntimeError above when numba finds no usable GPU (the simulator counts as one)."""
    try:
        available = cuda.is_available()
    except Exception:  # a broken driver install: report it like a missing one
        available = False
    if not available:
        raise RuntimeError(NO_DEVICE)


def layout(shape: tuple[int, ...], *strides: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """``coalesce`` (backends/common/index.py) as int tuples: kernel arguments, not device arrays."""
    return tuple(tuple(int(v) for v in arr) for arr in coalesce(shape, *strides))


def _rows(a: Strided) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """A non-empty array as rows of its last dim: (row length, the other dims' layout)."""
    return (a.shape[-1], *layout(a.shape[:-1], a.strides[:-1]))


def flat(a: Strided) -> Storage:
    """The elements of a contiguous array as a 1-D device view of its storage (no copy)."""
    return a.storage[a.offset:a.offset + math.prod(a.shape)]


class CUDABackend(Backend):
    name = "cuda"

    def __init__(self) -> None:
        require_device()
        config.CUDA_LOW_OCCUPANCY_WARNINGS = False  # tiny launches are normal here
        self._empty_buffers: dict[np.dtype, Storage] = {}

    # ---- allocate / move
    def empty(self, numel: int, dtype: DType) -> Storage:
        return cuda.device_array(numel, dtype.np)

    def full(self, numel: int, value: Scalar, dtype: DType) -> Storage:
        """Filled by a kernel: the value travels as a kernel argument, nothing is copied over."""
        out = cuda.device_array(numel, dtype.np)
        if numel:
            copy_kernels.fill_loop[grid_1d(numel)](numel, (numel,), out, 0, (1,), dtype.np.type(value))
        return out

    def from_numpy(self, array: np.ndarray) -> Storage:
        return cuda.to_device(np.ascontiguousarray(array).reshape(-1))

    def to_numpy(self, a: Strided) -> np.ndarray:
        if math.prod(a.shape) == 0:
            return np.empty(a.shape, a.dtype.np)
        return flat(self._contiguous(a)).copy_to_host().reshape(a.shape)

    # ---- elementwise
    def map(self, op: str, a: Strided, out: Strided) -> None:
        n = out.storage.size
        if n:
            shape, sa = layout(a.shape, a.strides)
            elementwise.map_kernel(op)[grid_1d(n)](out.storage, shape, a.storage, a.offset, sa)

    def zip(self, op: str, a: Strided, b: Strided, out: Strided) -> None:
        n = out.storage.size
        if n:
            shape, sa, sb = layout(a.shape, a.strides, b.strides)
            elementwise.zip_kernel(op)[grid_1d(n)](out.storage, shape, a.storage, a.offset, sa, b.storage, b.offset,
                                                   sb)

    def where(self, cond: Strided, a: Strided, b: Strided, out: Strided) -> None:
        n = out.storage.size
        if n:
            shape, sc, sa, sb = layout(a.shape, cond.strides, a.strides, b.strides)
            elementwise.where_loop[grid_1d(n)](out.storage, shape, cond.storage, cond.offset, sc,
                                               a.storage, a.offset, sa, b.storage, b.offset, sb)

    # ---- reductions
    def reduce(self, op: str, a: Strided, dims: tuple[int, ...], out: Strided) -> None:
        result, numel = out.storage, math.prod(a.shape)
        n_out = result.size
        if n_out == 0:
            return
        init = reduce_init(op, a.dtype.np)
        if numel == 0:
            self.fill_(out, init)
            return
        # booleans fold in a uint8 shared array (GPUs have no 1-byte bool shared memory type)
        kernel = reduce_kernels.reduce_kernel(op, np.uint8 if a.dtype.np == np.bool_ else a.dtype.np)
        kept = [d for d in range(len(a.shape)) if d not in dims]
        kshape, kstrides = layout(tuple(a.shape[d] for d in kept), tuple(a.strides[d] for d in kept))
        rshape, rstrides = layout(tuple(a.shape[d] for d in dims), tuple(a.strides[d] for d in dims))
        size = numel // n_out
        # few outputs, long rows: `split` blocks per output, then a second pass over the partials
        split = 1 if n_out >= 64 else min(MAX_SPLIT, -(-size // (REDUCE_THREADS * 16)))
        target = result if split == 1 else self.empty(n_out * split, a.dtype)
        kernel[min(n_out * split, 65535), REDUCE_THREADS](target, a.storage, a.offset, kshape, kstrides,
                                                           rshape, rstrides, size, split, init)
        if split > 1:
            kernel[min(n_out, 65535), REDUCE_THREADS](result, target, 0, (n_out,), (split,), (split,), (1,),
                                                      split, 1, init)

    def arg_reduce(self, op: str, a: Strided, dim: int, out: Strided) -> None:
        n = out.storage.size
        if n:
            kept = [d for d in range(len(a.shape)) if d != dim]
            kshape, kstrides = layout(tuple(a.shape[d] for d in kept), tuple(a.strides[d] for d in kept))
            reduce_kernels.arg_reduce_kernel(op)[grid_1d(n)](
                out.storage, a.storage, a.offset, kshape, kstrides, a.shape[dim], a.strides[dim])

    # ---- sort and scan along the last dim (sort.py, scan.py: one thread per row)
    def sort(self, a: Strided, values: Strided, indices: Strided, descending: bool) -> None:
        if values.storage.size:
            n, kshape, kstrides = _rows(a)
            rows = values.storage.size // n
            sort_kernels.sort_loop[grid_1d(rows)](
                values.storage.reshape(rows, n), indices.storage.reshape(rows, n),
                cuda.device_array((rows, n), np.int64), a.storage, a.offset, kshape, kstrides, n, a.strides[-1],
                descending)

    def scan(self, op: str, a: Strided, out: Strided) -> None:
        if out.storage.size:
            n, kshape, kstrides = _rows(a)
            rows = out.storage.size // n
            scan_kernels.scan_kernel(op)[grid_1d(rows)](out.storage.reshape(rows, n), a.storage, a.offset, kshape,
                                                        kstrides, n, a.strides[-1], scan_init(op, a.dtype.np))

    # ---- matmul
    def matmul(self, a: Strided, b: Strided, out: Strided) -> None:
        """(B, M, K) @ (B, K, N), or (M, K) @ (K, N) as a batch of one."""
        batch, m, k = a.shape if len(a.shape) == 3 else (1,) + a.shape
        n = b.shape[-1]
        if out.storage.size == 0 or k == 0:
            self.fill_(out, 0)
            return
        sa, sb = ((t.strides if len(t.shape) == 3 else (0,) + t.strides) for t in (a, b))
        matmul_launch(out.storage, a.storage, a.offset, sa, b.storage, b.offset, sb, batch, m, n, k)

    # ---- copy, fill, gather, scatter
    def copy_(self, dst: Strided, src: Strided) -> None:
        n = math.prod(dst.shape)
        if n:
            shape, sd, ss = layout(dst.shape, dst.strides, src.strides)
            copy_kernels.copy_loop[grid_1d(n)](n, shape, dst.storage, dst.offset, sd, src.storage, src.offset, ss)

    def fill_(self, dst: Strided, value: Scalar) -> None:
        n = math.prod(dst.shape)
        if n:
            shape, sd = layout(dst.shape, dst.strides)
            copy_kernels.fill_loop[grid_1d(n)](n, shape, dst.storage, dst.offset, sd, dst.dtype.np.type(value))

    def gather(self, src: Strided, positions: Strided, out: Strided) -> None:
        n = out.storage.size
        if n:
            copy_kernels.gather_loop[grid_1d(n)](out.storage, src.storage, src.offset, flat(positions))

    def scatter_add_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        n = math.prod(src.shape)
        if n:
            copy_kernels.scatter_add_loop[grid_1d(n)](dst.storage[dst.offset:], src.storage, src.offset,
                                                      flat(positions))

    def scatter_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        n = math.prod(src.shape)
        if n:
            copy_kernels.scatter_loop[grid_1d(n)](dst.storage, src.storage, src.offset, flat(positions))

    # ---- conv / pool (NCHW; the kernels read flat contiguous storages)
    def conv2d(self, x: Strided, weight: Strided, bias: Strided | None, out: Strided, stride: Pair,
               padding: Pair, dilation: Pair) -> None:
        x, weight = self._contiguous(x), self._contiguous(weight)
        b = self.full(weight.shape[0], 0, x.dtype) if bias is None else flat(self._contiguous(bias))
        if out.storage.size:
            conv.conv2d_forward_kernel[grid_1d(out.storage.size)](out.storage, flat(x), flat(weight), b, x.shape,
                                                                  weight.shape, out.shape, stride, padding, dilation)

    def conv2d_backward_input(self, grad_out: Strided, weight: Strided, out: Strided, stride: Pair,
                              padding: Pair, dilation: Pair) -> None:
        g, weight = self._contiguous(grad_out), self._contiguous(weight)
        if out.storage.size:
            conv.conv2d_backward_input_kernel[grid_1d(out.storage.size)](
                out.storage, flat(g), flat(weight), out.shape, weight.shape, g.shape, stride, padding, dilation)

    def conv2d_backward_weight(self, grad_out: Strided, x: Strided, out: Strided, stride: Pair, padding: Pair,
                               dilation: Pair) -> None:
        g, x = self._contiguous(grad_out), self._contiguous(x)
        if out.storage.size:
            conv.conv2d_backward_weight_kernel(g.dtype.np)[min(out.storage.size, 65535), REDUCE_THREADS](
                out.storage, flat(g), flat(x), x.shape, out.shape, g.shape, stride, padding, dilation)

    def max_pool2d(self, x: Strided, out: Strided, indices: Strided, kernel_size: Pair, stride: Pair,
                   padding: Pair, dilation: Pair) -> None:
        x = self._contiguous(x)
        h, w = x.shape[2:]
        oh, ow = out.shape[2:]
        if out.storage.size:
            pool.max_pool2d_kernel[grid_1d(out.storage.size)](out.storage, indices.storage, flat(x), h, w, oh, ow,
                                                              kernel_size, stride, padding, dilation)

    def max_pool2d_backward(self, grad_out: Strided, indices: Strided, out: Strided) -> None:
        g, indices = self._contiguous(grad_out), self._contiguous(indices)
        self.fill_(out, 0)
        n = math.prod(g.shape)
        if n:
            pool.max_pool2d_backward_kernel[grid_1d(n)](out.storage, flat(g), flat(indices),
                                                        out.shape[2] * out.shape[3], g.shape[2] * g.shape[3])

    def avg_pool2d(self, x: Strided, out: Strided, kernel_size: Pair, stride: Pair, padding: Pair,
                   count_include_pad: bool) -> None:
        x = self._contiguous(x)
        if out.storage.size:
            pool.avg_pool2d_kernel[grid_1d(out.storage.size)](out.storage, flat(x), *x.shape[2:], *out.shape[2:],
                                                              kernel_size, stride, padding, bool(count_include_pad))

    def avg_pool2d_backward(self, grad_out: Strided, out: Strided, kernel_size: Pair, stride: Pair,
                            padding: Pair, count_include_pad: bool) -> None:
        g = self._contiguous(grad_out)
        self.fill_(out, 0)
        n = math.prod(g.shape)
        if n:
            pool.avg_pool2d_backward_kernel[grid_1d(n)](out.storage, flat(g), *out.shape[2:], *g.shape[2:],
                                                        kernel_size, stride, padding, bool(count_include_pad))

    # ---- fused optimizer updates (optim.py): one launch per parameter, scalars in its dtype
    def sgd_step_(self, param: Strided, grad: Strided, momentum_buffer: Strided | None, lr: float,
                  momentum: float, dampening: float, nesterov: bool, weight_decay: float,
                  first_step: bool) -> None:
        n = math.prod(param.shape)
        if n:
            s = optim_math.sgd_scalars(param.dtype.np.type, lr, momentum, dampening, weight_decay)
            optim.sgd_kernel[grid_1d(n)](flat(param), flat(grad), self._buffer(momentum_buffer, param), s,
                                         bool(nesterov), bool(first_step))

    def adam_step_(self, param: Strided, grad: Strided, exp_avg: Strided, exp_avg_sq: Strided,
                   max_exp_avg_sq: Strided | None, lr: float, beta1: float, beta2: float, eps: float,
                   weight_decay: float, decoupled_weight_decay: bool, amsgrad: bool, step: int) -> None:
        n = math.prod(param.shape)
        if n:
            s = optim_math.adam_scalars(param.dtype.np.type, lr, beta1, beta2, eps, weight_decay, step)
            optim.adam_kernel[grid_1d(n)](flat(param), flat(grad), flat(exp_avg), flat(exp_avg_sq),
                                          self._buffer(max_exp_avg_sq, param), s, bool(decoupled_weight_decay),
                                          bool(amsgrad))

    def rmsprop_step_(self, param: Strided, grad: Strided, square_avg: Strided, grad_avg: Strided | None,
                      momentum_buffer: Strided | None, lr: float, alpha: float, eps: float,
                      weight_decay: float, momentum: float, centered: bool) -> None:
        n = math.prod(param.shape)
        if n:
            s = optim_math.rmsprop_scalars(param.dtype.np.type, lr, alpha, eps, weight_decay, momentum)
            optim.rmsprop_kernel[grid_1d(n)](flat(param), flat(grad), flat(square_avg), self._buffer(grad_avg, param),
                                             self._buffer(momentum_buffer, param), s, bool(centered))

    def adagrad_step_(self, param: Strided, grad: Strided, state_sum: Strided, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        n = math.prod(param.shape)
        if n:
            s = optim_math.adagrad_scalars(param.dtype.np.type, lr, lr_decay, weight_decay, eps, step)
            optim.adagrad_kernel[grid_1d(n)](flat(param), flat(grad), flat(state_sum), s)

    def _contiguous(self, a: Strided) -> Strided:
        """``a`` itself when contiguous, else a contiguous copy made by the identity map."""
        if is_contiguous(a.shape, a.strides):
            return a
        copy = Strided(self.empty(math.prod(a.shape), a.dtype), a.shape, contiguous_strides(a.shape), 0, a.dtype)
        self.map("identity", a, copy)
        return copy

    def _buffer(self, a: Strided | None, like: Strided) -> Storage:
        """``flat(a)``, or for ``a`` None (an unused optimizer buffer) an empty array of like's dtype."""
        if a is not None:
            return flat(a)
        dtype = like.dtype.np
        if dtype not in self._empty_buffers:
            self._empty_buffers[dtype] = cuda.device_array(0, dtype)
        return self._empty_buffers[dtype]
