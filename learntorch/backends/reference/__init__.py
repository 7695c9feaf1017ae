"""The reference backend: every kernel of the interface in plain NumPy, the specification to read first.

Storage is a flat NumPy array, as on the CPU backend. A tensor's elements are the strided view
``view(t)``: element ``(i0, i1, ...)`` of ``t`` is ``storage[offset + i0*strides[0] + ...]``,
which is what ``np.lib.stride_tricks.as_strided`` shows without copying (a broadcast dim has
stride 0). Each kernel is then one or two NumPy calls on those views; the elementwise math sits
in elementwise.py (one entry per scalar function name), convolution and pooling in conv_pool.py,
the optimizer updates in optim.py.

It is slow and short on purpose: the CPU and CUDA backends must compute what it computes (the
kernel tests compare them with it), and ``LEARNTORCH_BACKEND=reference`` runs learntorch's
"cpu" tensors on it.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..common.reduce import reduce_init, scan_init
from ..common.shapes import conv2d_output_hw, pool2d_output_hw
from ..interface import Backend
from . import conv_pool, elementwise, optim

REDUCE = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}
ARG_REDUCE = {"argmax": np.argmax, "argmin": np.argmin}
SCAN = {"sum": np.cumsum, "prod": np.cumprod}


def view(t: Any) -> np.ndarray:
    """The elements of tensor ``t`` as a strided NumPy view of its storage (no copy; writable)."""
    storage = t._storage
    return as_strided(storage[t._offset:], t._shape, tuple(s * storage.itemsize for s in t._strides))


def positions_array(positions: Any) -> np.ndarray:
    """Flat int64 storage positions from a NumPy array or an int64 tensor."""
    if isinstance(positions, np.ndarray):
        return positions.reshape(-1)
    return view(positions).reshape(-1)


class ReferenceBackend(Backend):
    name = "reference"

    # ---- allocate / move
    def empty(self, numel: int, dtype: Any) -> np.ndarray:
        return np.empty(numel, dtype.np)

    def full(self, numel: int, value: Any, dtype: np.dtype) -> np.ndarray:
        return np.full(numel, value, dtype)

    def from_numpy(self, array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array).reshape(-1)

    def to_numpy(self, t: Any) -> np.ndarray:
        return view(t)

    # ---- elementwise: out[i] = f(a[i]) or f(a[i], b[i]); the result is cast to out_dtype
    def map(self, op: str, a: Any, out_dtype: Any) -> np.ndarray:
        with np.errstate(all="ignore"):  # log(0), a NaN cast to int: the values are the rule
            return _into(a._shape, out_dtype.np, elementwise.unary(op)(view(a)))

    def zip(self, op: str, a: Any, b: Any, out_dtype: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            return _into(a._shape, out_dtype.np, elementwise.binary(op)(view(a), view(b)))

    def where(self, cond: Any, a: Any, b: Any) -> np.ndarray:
        return _into(a._shape, a.dtype.np, np.where(view(cond), view(a), view(b)))

    # ---- reductions: fold the dims ``dims`` away, starting from ``reduce_init`` (what an empty one gives)
    def reduce(self, op: str, a: Any, dims: tuple[int, ...]) -> np.ndarray:
        dtype = a.dtype.np
        kept = tuple(n for d, n in enumerate(a._shape) if d not in dims)
        # a float sum adds in float64 and rounds once: at least as accurate as the kernels' pairwise sums
        accumulate = np.float64 if op == "sum" and dtype.kind == "f" else dtype
        with np.errstate(all="ignore"):  # int overflow wraps, as in the kernels
            folded = REDUCE[op].reduce(view(a), axis=tuple(dims), dtype=accumulate,
                                       initial=reduce_init(op, dtype))
        return _into(kept, dtype, folded)

    def arg_reduce(self, op: str, a: Any, dim: int) -> np.ndarray:
        """The index of the first max (min) along ``dim``; a NaN counts as the max (and the min)."""
        kept = a._shape[:dim] + a._shape[dim + 1:]
        if a._shape[dim] == 0:
            return np.zeros(math.prod(kept), np.int64)
        return _into(kept, np.int64, ARG_REDUCE[op](view(a), axis=dim))

    # ---- sort and scan along the last dim
    def sort(self, a: Any, descending: bool) -> tuple[np.ndarray, np.ndarray]:
        """A stable sort whose keys put NaN last ascending and first descending: ``lexsort`` on
        (is it NaN, the value), with the value negated for descending (``~x`` for ints and bools,
        which never overflows)."""
        x = view(a)
        nan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_)
        if descending:
            x, nan = (-x if x.dtype.kind == "f" else ~x), ~nan
        indices = np.lexsort((x, nan), axis=-1)  # the last key is the primary one
        return _into(a._shape, a.dtype.np, np.take_along_axis(view(a), indices, -1)), _flat(indices)

    def scan(self, op: str, a: Any) -> np.ndarray:
        """The running sum or product, from ``scan_init`` (a sum starts at +0, so a leading -0.0
        gives 0.0, as in torch)."""
        init = scan_init(op, a.dtype.np)
        running = SCAN[op](view(a), axis=-1, dtype=type(init))
        return _into(a._shape, a.dtype.np, running + init if op == "sum" else running)

    # ---- matmul: (B, M, K) @ (B, K, N), or (M, K) @ (K, N)
    def matmul(self, a: Any, b: Any) -> np.ndarray:
        return _into(a._shape[:-1] + b._shape[-1:], a.dtype.np, np.matmul(view(a), view(b)))

    # ---- copy, fill, gather, scatter (positions index the flat storage)
    def copy_(self, dst: Any, src: Any) -> None:
        view(dst)[...] = view(src)  # casts to dst's dtype

    def fill_(self, dst: Any, value: Any) -> None:
        view(dst)[...] = dst.dtype.np.type(value)

    def gather(self, src: Any, positions: Any) -> np.ndarray:
        return src._storage[positions_array(positions)]

    def scatter_add(self, numel: int, src: Any, positions: Any) -> np.ndarray:
        out = np.zeros(numel, src.dtype.np)
        np.add.at(out, positions_array(positions), view(src).reshape(-1))  # repeated positions add up
        return out

    def scatter_(self, dst: Any, src: Any, positions: Any) -> None:
        dst._storage[positions_array(positions)] = view(src).reshape(-1)  # repeated: the last wins

    # ---- conv / pool (NCHW), see conv_pool.py
    def conv2d(self, x: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any) -> np.ndarray:
        out_hw = conv2d_output_hw(x._shape[2:], weight._shape[2:], stride, padding, dilation)
        b = None if bias is None else view(bias)
        return _flat(conv_pool.conv2d(view(x), view(weight), b, out_hw, stride, padding, dilation))

    def conv2d_backward_input(self, grad_out: Any, weight: Any, input_shape: Any, stride: Any, padding: Any,
                              dilation: Any) -> np.ndarray:
        return _flat(conv_pool.conv2d_backward_input(view(grad_out), view(weight), tuple(input_shape), stride,
                                                     padding, dilation))

    def conv2d_backward_weight(self, grad_out: Any, x: Any, weight_shape: Any, stride: Any, padding: Any,
                               dilation: Any) -> np.ndarray:
        return _flat(conv_pool.conv2d_backward_weight(view(grad_out), view(x), tuple(weight_shape), stride,
                                                      padding, dilation))

    def max_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                   ceil_mode: bool) -> tuple[np.ndarray, np.ndarray]:
        out_hw = pool2d_output_hw(x._shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
        y, indices = conv_pool.max_pool2d(view(x), kernel_size, out_hw, stride, padding, dilation)
        return _flat(y), _flat(indices)

    def max_pool2d_backward(self, grad_out: Any, indices: Any, input_shape: Any) -> np.ndarray:
        return _flat(conv_pool.max_pool2d_backward(view(grad_out), view(indices), tuple(input_shape)))

    def avg_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
                   count_include_pad: bool) -> np.ndarray:
        out_hw = pool2d_output_hw(x._shape[2:], kernel_size, stride, padding, (1, 1), ceil_mode)
        y = conv_pool.avg_pool2d(view(x), kernel_size, out_hw, stride, padding, count_include_pad)
        return _into(y.shape, x.dtype.np, y)

    def avg_pool2d_backward(self, grad_out: Any, input_shape: Any, kernel_size: Any, stride: Any, padding: Any,
                            ceil_mode: bool, count_include_pad: bool) -> np.ndarray:
        grad_x = conv_pool.avg_pool2d_backward(view(grad_out), tuple(input_shape), kernel_size, stride, padding,
                                               count_include_pad)
        return _into(grad_x.shape, grad_out.dtype.np, grad_x)

    # ---- fused optimizer updates, in place on the parameters' storage (see optim.py)
    def sgd_step_(self, param: Any, grad: Any, momentum_buffer: Any, lr: float, momentum: float,
                  dampening: float, nesterov: bool, weight_decay: float, first_step: bool) -> None:
        optim.sgd_step(view(param), view(grad), _maybe(momentum_buffer), lr, momentum, dampening, nesterov,
                       weight_decay, first_step)

    def adam_step_(self, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any, lr: float,
                   beta1: float, beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool,
                   amsgrad: bool, step: int) -> None:
        optim.adam_step(view(param), view(grad), view(exp_avg), view(exp_avg_sq), _maybe(max_exp_avg_sq), lr,
                        beta1, beta2, eps, weight_decay, decoupled_weight_decay, amsgrad, step)

    def rmsprop_step_(self, param: Any, grad: Any, square_avg: Any, grad_avg: Any, momentum_buffer: Any,
                      lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                      centered: bool) -> None:
        optim.rmsprop_step(view(param), view(grad), view(square_avg), _maybe(grad_avg), _maybe(momentum_buffer),
                           lr, alpha, eps, weight_decay, momentum, centered)

    def adagrad_step_(self, param: Any, grad: Any, state_sum: Any, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        optim.adagrad_step(view(param), view(grad), view(state_sum), lr, lr_decay, weight_decay, eps, step)


def _into(shape: tuple[int, ...], dtype: np.dtype, values: Any) -> np.ndarray:
    """A new flat array of ``dtype`` holding ``values`` (broadcast to ``shape``, cast)."""
    out = np.empty(math.prod(shape), dtype)
    with np.errstate(invalid="ignore"):  # NaN or inf cast to an int
        out.reshape(shape)[...] = values
    return out


def _flat(values: np.ndarray) -> np.ndarray:
    return _into(values.shape, values.dtype, values)


def _maybe(t: Any) -> np.ndarray | None:
    return None if t is None else view(t)
