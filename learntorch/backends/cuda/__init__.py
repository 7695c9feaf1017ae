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
from typing import Any

import numpy as np
from numba import config, cuda

from ..common import optim as optim_math
from ..common.index import coalesce
from ..common.reduce import reduce_init, scan_init
from ..common.shapes import conv2d_output_hw, pool2d_output_hw
from ..interface import Backend
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


def _rows(a: Any) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """A non-empty tensor as rows of its last dim: (row length, the other dims' layout)."""
    return (a._shape[-1], *layout(a._shape[:-1], a._strides[:-1]))


def flat(t: Any) -> Any:
    """The elements of a contiguous tensor as a 1-D device view of its storage (no copy)."""
    return t._storage[t._offset:t._offset + t.numel()]


class CUDABackend(Backend):
    name = "cuda"

    def __init__(self) -> None:
        require_device()
        config.CUDA_LOW_OCCUPANCY_WARNINGS = False  # tiny launches are normal here
        self._empty_buffers: dict[np.dtype, Any] = {}

    # ---- allocate / move
    def empty(self, numel: int, dtype: Any) -> Any:
        return cuda.device_array(numel, dtype.np)

    def full(self, numel: int, value: Any, dtype: np.dtype) -> Any:
        """A new flat array of ``numel`` copies of ``value``, filled by a kernel (nothing is copied over)."""
        out = cuda.device_array(numel, dtype)
        if numel:
            copy_kernels.fill_loop[grid_1d(numel)](numel, (numel,), out, 0, (1,), np.dtype(dtype).type(value))
        return out

    def from_numpy(self, array: np.ndarray) -> Any:
        return cuda.to_device(np.ascontiguousarray(array).reshape(-1))

    def to_numpy(self, t: Any) -> np.ndarray:
        n = t.numel()
        if n == 0:
            return np.empty(t._shape, t.dtype.np)
        data = flat(t) if t.is_contiguous() else self.map("identity", t, t.dtype)
        return data.copy_to_host().reshape(t._shape)

    # ---- elementwise
    def map(self, op: str, a: Any, out_dtype: Any) -> Any:
        out = self.empty(a.numel(), out_dtype)
        if out.size:
            shape, sa = layout(a._shape, a._strides)
            elementwise.map_kernel(op)[grid_1d(out.size)](out, shape, a._storage, a._offset, sa)
        return out

    def zip(self, op: str, a: Any, b: Any, out_dtype: Any) -> Any:
        out = self.empty(a.numel(), out_dtype)
        if out.size:
            shape, sa, sb = layout(a._shape, a._strides, b._strides)
            elementwise.zip_kernel(op)[grid_1d(out.size)](
                out, shape, a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        out = self.empty(a.numel(), a.dtype)
        if out.size:
            shape, sc, sa, sb = layout(a._shape, cond._strides, a._strides, b._strides)
            elementwise.where_loop[grid_1d(out.size)](out, shape, cond._storage, cond._offset, sc,
                                                      a._storage, a._offset, sa, b._storage, b._offset, sb)
        return out

    # ---- reductions
    def reduce(self, op: str, a: Any, dims: tuple[int, ...]) -> Any:
        kept = [d for d in range(a.dim()) if d not in dims]
        kept_shape = tuple(a._shape[d] for d in kept)
        n_out = math.prod(kept_shape)
        out = self.empty(n_out, a.dtype)
        if n_out == 0:
            return out
        init = reduce_init(op, a.dtype.np)
        if a.numel() == 0:
            return self.full(n_out, init, a.dtype.np)
        # booleans fold in a uint8 shared array (GPUs have no 1-byte bool shared memory type)
        kernel = reduce_kernels.reduce_kernel(op, np.uint8 if a.dtype.np == np.bool_ else a.dtype.np)
        kshape, kstrides = layout(kept_shape, tuple(a._strides[d] for d in kept))
        rshape, rstrides = layout(tuple(a._shape[d] for d in dims), tuple(a._strides[d] for d in dims))
        size = a.numel() // n_out
        # few outputs, long rows: `split` blocks per output, then a second pass over the partials
        split = 1 if n_out >= 64 else min(MAX_SPLIT, -(-size // (REDUCE_THREADS * 16)))
        target = out if split == 1 else self.empty(n_out * split, a.dtype)
        kernel[min(n_out * split, 65535), REDUCE_THREADS](target, a._storage, a._offset, kshape, kstrides,
                                                           rshape, rstrides, size, split, init)
        if split > 1:
            kernel[min(n_out, 65535), REDUCE_THREADS](out, target, 0, (n_out,), (split,), (split,), (1,),
                                                      split, 1, init)
        return out

    def arg_reduce(self, op: str, a: Any, dim: int) -> Any:
        kept = [d for d in range(a.dim()) if d != dim]
        kept_shape = tuple(a._shape[d] for d in kept)
        out = cuda.device_array(math.prod(kept_shape), np.int64)
        if out.size:
            kshape, kstrides = layout(kept_shape, tuple(a._strides[d] for d in kept))
            reduce_kernels.arg_reduce_kernel(op)[grid_1d(out.size)](
                out, a._storage, a._offset, kshape, kstrides, a._shape[dim], a._strides[dim])
        return out

    # ---- sort and scan along the last dim (sort.py, scan.py: one thread per row)
    def sort(self, a: Any, descending: bool) -> tuple[Any, Any]:
        values, indices = self.empty(a.numel(), a.dtype), cuda.device_array(a.numel(), np.int64)
        if a.numel():
            n, kshape, kstrides = _rows(a)
            rows = a.numel() // n
            sort_kernels.sort_loop[grid_1d(rows)](
                values.reshape(rows, n), indices.reshape(rows, n), cuda.device_array((rows, n), np.int64),
                a._storage, a._offset, kshape, kstrides, n, a._strides[-1], descending)
        return values, indices

    def scan(self, op: str, a: Any) -> Any:
        out = self.empty(a.numel(), a.dtype)
        if a.numel():
            n, kshape, kstrides = _rows(a)
            rows = a.numel() // n
            scan_kernels.scan_kernel(op)[grid_1d(rows)](out.reshape(rows, n), a._storage, a._offset, kshape,
                                                        kstrides, n, a._strides[-1], scan_init(op, a.dtype.np))
        return out

    # ---- matmul
    def matmul(self, a: Any, b: Any) -> Any:
        """(B, M, K) @ (B, K, N), or (M, K) @ (K, N) as a batch of one, into a flat result."""
        batch, m, k = a._shape if len(a._shape) == 3 else (1,) + a._shape
        n = b._shape[-1]
        if batch * m * n == 0 or k == 0:
            return self.full(batch * m * n, 0, a.dtype.np)
        out = self.empty(batch * m * n, a.dtype)
        sa, sb = ((t._strides if len(t._shape) == 3 else (0,) + t._strides) for t in (a, b))
        matmul_launch(out, a._storage, a._offset, sa, b._storage, b._offset, sb, batch, m, n, k)
        return out

    # ---- copy, fill, gather, scatter
    def copy_(self, dst: Any, src: Any) -> None:
        n = dst.numel()
        if n:
            shape, sd, ss = layout(dst._shape, dst._strides, src._strides)
            copy_kernels.copy_loop[grid_1d(n)](n, shape, dst._storage, dst._offset, sd,
                                               src._storage, src._offset, ss)

    def fill_(self, dst: Any, value: Any) -> None:
        n = dst.numel()
        if n:
            shape, sd = layout(dst._shape, dst._strides)
            copy_kernels.fill_loop[grid_1d(n)](n, shape, dst._storage, dst._offset, sd, dst.dtype.np.type(value))

    def gather(self, src: Any, positions: Any) -> Any:
        pos = _positions(positions)
        out = self.empty(pos.size, src.dtype)
        if pos.size:
            copy_kernels.gather_loop[grid_1d(pos.size)](out, src._storage, 0, pos)
        return out

    def scatter_add(self, numel: int, src: Any, positions: Any) -> Any:
        pos = _positions(positions)
        out = self.full(numel, 0, src.dtype.np)
        if pos.size:
            s = src.contiguous()
            copy_kernels.scatter_add_loop[grid_1d(pos.size)](out, s._storage, s._offset, pos)
        return out

    def scatter_(self, dst: Any, src: Any, positions: Any) -> None:
        pos = _positions(positions)
        if pos.size:
            s = src.contiguous()
            copy_kernels.scatter_loop[grid_1d(pos.size)](dst._storage, s._storage, s._offset, pos)

    # ---- conv / pool (NCHW; the kernels read flat contiguous storages)
    def conv2d(self, x: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any) -> Any:
        x, weight = x.contiguous(), weight.contiguous()
        n, _, h, w = x._shape
        o, _, kh, kw = weight._shape
        out_shape = (n, o) + conv2d_output_hw((h, w), (kh, kw), _pair(stride), _pair(padding), _pair(dilation))
        y = self.empty(math.prod(out_shape), x.dtype)
        b = self.full(o, 0, x.dtype.np) if bias is None else flat(bias.contiguous())
        if y.size:
            conv.conv2d_forward_kernel[grid_1d(y.size)](y, flat(x), flat(weight), b, x._shape, weight._shape,
                                                        out_shape, _pair(stride), _pair(padding), _pair(dilation))
        return y

    def conv2d_backward_input(self, grad_out: Any, weight: Any, input_shape: Any, stride: Any, padding: Any,
                              dilation: Any) -> Any:
        g, weight = grad_out.contiguous(), weight.contiguous()
        input_shape = tuple(int(s) for s in input_shape)
        gx = self.empty(math.prod(input_shape), g.dtype)
        if gx.size:
            conv.conv2d_backward_input_kernel[grid_1d(gx.size)](gx, flat(g), flat(weight), input_shape,
                                                                weight._shape, g._shape, _pair(stride),
                                                                _pair(padding), _pair(dilation))
        return gx

    def conv2d_backward_weight(self, grad_out: Any, x: Any, weight_shape: Any, stride: Any, padding: Any,
                               dilation: Any) -> Any:
        g, x = grad_out.contiguous(), x.contiguous()
        weight_shape = tuple(int(s) for s in weight_shape)
        gw = self.empty(math.prod(weight_shape), g.dtype)
        if gw.size:
            conv.conv2d_backward_weight_kernel(g.dtype.np)[min(gw.size, 65535), REDUCE_THREADS](
                gw, flat(g), flat(x), x._shape, weight_shape, g._shape, _pair(stride), _pair(padding),
                _pair(dilation))
        return gw

    def max_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                   ceil_mode: bool) -> tuple[Any, Any]:
        x = x.contiguous()
        n, c, h, w = x._shape
        kernel_size, stride, padding, dilation = (_pair(v) for v in (kernel_size, stride, padding, dilation))
        oh, ow = pool2d_output_hw((h, w), kernel_size, stride, padding, dilation, ceil_mode)
        y = self.empty(n * c * oh * ow, x.dtype)
        indices = cuda.device_array(y.size, np.int64)
        if y.size:
            pool.max_pool2d_kernel[grid_1d(y.size)](y, indices, flat(x), h, w, oh, ow, kernel_size, stride,
                                                    padding, dilation)
        return y, indices

    def max_pool2d_backward(self, grad_out: Any, indices: Any, input_shape: Any) -> Any:
        g, indices = grad_out.contiguous(), indices.contiguous()
        n, c, h, w = (int(s) for s in input_shape)
        gx = self.full(n * c * h * w, 0, g.dtype.np)
        if g.numel():
            pool.max_pool2d_backward_kernel[grid_1d(g.numel())](gx, flat(g), flat(indices), h * w,
                                                                g._shape[2] * g._shape[3])
        return gx

    def avg_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
                   count_include_pad: bool) -> Any:
        x = x.contiguous()
        n, c, h, w = x._shape
        kernel_size, stride, padding = (_pair(v) for v in (kernel_size, stride, padding))
        oh, ow = pool2d_output_hw((h, w), kernel_size, stride, padding, (1, 1), ceil_mode)
        y = self.empty(n * c * oh * ow, x.dtype)
        if y.size:
            pool.avg_pool2d_kernel[grid_1d(y.size)](y, flat(x), h, w, oh, ow, kernel_size, stride, padding,
                                                    bool(count_include_pad))
        return y

    def avg_pool2d_backward(self, grad_out: Any, input_shape: Any, kernel_size: Any, stride: Any, padding: Any,
                            ceil_mode: bool, count_include_pad: bool) -> Any:
        g = grad_out.contiguous()
        n, c, h, w = (int(s) for s in input_shape)
        kernel_size, stride, padding = (_pair(v) for v in (kernel_size, stride, padding))
        gx = self.full(n * c * h * w, 0, g.dtype.np)
        if g.numel():
            pool.avg_pool2d_backward_kernel[grid_1d(g.numel())](gx, flat(g), h, w, g._shape[2], g._shape[3],
                                                                kernel_size, stride, padding,
                                                                bool(count_include_pad))
        return gx

    # ---- fused optimizer updates (optim.py): one launch per parameter, scalars in its dtype
    def sgd_step_(self, param: Any, grad: Any, momentum_buffer: Any, lr: float, momentum: float,
                  dampening: float, nesterov: bool, weight_decay: float, first_step: bool) -> None:
        if param.numel():
            s = optim_math.sgd_scalars(param.dtype.np.type, lr, momentum, dampening, weight_decay)
            optim.sgd_kernel[grid_1d(param.numel())](flat(param), flat(grad), self._buffer(momentum_buffer, param), s,
                                                     bool(nesterov), bool(first_step))

    def adam_step_(self, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any, lr: float,
                   beta1: float, beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool,
                   amsgrad: bool, step: int) -> None:
        if param.numel():
            s = optim_math.adam_scalars(param.dtype.np.type, lr, beta1, beta2, eps, weight_decay, step)
            optim.adam_kernel[grid_1d(param.numel())](
                flat(param), flat(grad), flat(exp_avg), flat(exp_avg_sq), self._buffer(max_exp_avg_sq, param), s,
                bool(decoupled_weight_decay), bool(amsgrad))

    def rmsprop_step_(self, param: Any, grad: Any, square_avg: Any, grad_avg: Any, momentum_buffer: Any,
                      lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                      centered: bool) -> None:
        if param.numel():
            s = optim_math.rmsprop_scalars(param.dtype.np.type, lr, alpha, eps, weight_decay, momentum)
            optim.rmsprop_kernel[grid_1d(param.numel())](
                flat(param), flat(grad), flat(square_avg), self._buffer(grad_avg, param),
                self._buffer(momentum_buffer, param), s, bool(centered))

    def adagrad_step_(self, param: Any, grad: Any, state_sum: Any, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        if param.numel():
            s = optim_math.adagrad_scalars(param.dtype.np.type, lr, lr_decay, weight_decay, eps, step)
            optim.adagrad_kernel[grid_1d(param.numel())](flat(param), flat(grad), flat(state_sum), s)

    def _buffer(self, t: Any, like: Any) -> Any:
        """``flat(t)``, or for ``t`` None (an unused optimizer buffer) an empty array of like's dtype."""
        if t is not None:
            return flat(t)
        dtype = like.dtype.np
        if dtype not in self._empty_buffers:
            self._empty_buffers[dtype] = cuda.device_array(0, dtype)
        return self._empty_buffers[dtype]


def _positions(positions: Any) -> Any:
    """Flat int64 positions on the GPU: an int64 tensor already there (nll_loss makes them so), or
    a NumPy array that ops/indexing.py computed on the host from the index, copied over."""
    if isinstance(positions, np.ndarray):
        return cuda.to_device(np.ascontiguousarray(positions, np.int64).reshape(-1))
    return flat(positions.contiguous())


def _pair(value: Any) -> tuple[int, int]:
    first, second = value
    return int(first), int(second)

