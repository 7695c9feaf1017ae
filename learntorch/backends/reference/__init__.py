"""The reference backend: every kernel of the interface in plain NumPy, the specification to read first.

Storage is a flat NumPy array, as on the CPU backend. A kernel argument ``a`` (a ``Strided``) is
the NumPy view ``view(a)``: element ``(i0, i1, ...)`` is ``storage[offset + i0*strides[0] + ...]``,
which is what ``np.lib.stride_tricks.as_strided`` shows without copying (a broadcast dim has
stride 0). Each kernel is then one or two NumPy calls on those views, its result written into
the view of its output (``view(out)[...] = ...``); the elementwise math sits
in elementwise.py (one entry per scalar function name), convolution and pooling in conv_pool.py,
the optimizer updates in optim.py.

It is slow and short on purpose: the CPU and CUDA backends must compute what it computes (the
kernel tests compare them with it), and ``LEARNTORCH_BACKEND=reference`` runs learntorch's
"cpu" tensors on it.
"""
from __future__ import annotations


import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..._dtype import dtype as DType
from ..common.reduce import reduce_init, scan_init
from ..interface import Backend, Pair, Scalar, Strided
from . import conv_pool, elementwise, optim

REDUCE = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum}
ARG_REDUCE = {"argmax": np.argmax, "argmin": np.argmin}
SCAN = {"sum": np.cumsum, "prod": np.cumprod}


def view(a: Strided) -> np.ndarray:
    """The elements of ``a`` as a strided NumPy view of its storage (no copy; writable)."""
    storage = a.storage
    return as_strided(storage[a.offset:], a.shape, tuple(s * storage.itemsize for s in a.strides))


class ReferenceBackend(Backend):
    name = "reference"

    # ---- allocate / move
    def empty(self, numel: int, dtype: DType) -> np.ndarray:
        return np.empty(numel, dtype.np)

    def full(self, numel: int, value: Scalar, dtype: DType) -> np.ndarray:
        return np.full(numel, value, dtype.np)

    def from_numpy(self, array: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(array).reshape(-1)

    def to_numpy(self, a: Strided) -> np.ndarray:
        return view(a)

    # ---- elementwise: out[i] = f(a[i]) or f(a[i], b[i]), cast to out's dtype
    def map(self, op: str, a: Strided, out: Strided) -> None:
        with np.errstate(all="ignore"):  # log(0), a NaN cast to int: the values are the rule
            view(out)[...] = elementwise.unary(op)(view(a))

    def zip(self, op: str, a: Strided, b: Strided, out: Strided) -> None:
        with np.errstate(all="ignore"):
            view(out)[...] = elementwise.binary(op)(view(a), view(b))

    def where(self, cond: Strided, a: Strided, b: Strided, out: Strided) -> None:
        view(out)[...] = np.where(view(cond), view(a), view(b))

    # ---- reductions: fold the dims ``dims`` away, starting from ``reduce_init`` (what an empty one gives)
    def reduce(self, op: str, a: Strided, dims: tuple[int, ...], out: Strided) -> None:
        dtype = a.dtype.np
        # a float sum adds in float64 and rounds once: at least as accurate as the kernels' pairwise sums
        accumulate = np.float64 if op == "sum" and dtype.kind == "f" else dtype
        with np.errstate(all="ignore"):  # int overflow wraps, as in the kernels
            folded = REDUCE[op].reduce(view(a), axis=tuple(dims), dtype=accumulate,
                                       initial=reduce_init(op, dtype), keepdims=True)
        view(out)[...] = folded.reshape(out.shape)  # out may keep the reduced dims as size 1

    def arg_reduce(self, op: str, a: Strided, dim: int, out: Strided) -> None:
        """The index of the first max (min) along ``dim``; a NaN counts as the max (and the min)."""
        if a.shape[dim] == 0:
            view(out)[...] = 0
            return
        view(out)[...] = ARG_REDUCE[op](view(a), axis=dim).reshape(out.shape)

    # ---- sort and scan along the last dim
    def sort(self, a: Strided, values: Strided, indices: Strided, descending: bool) -> None:
        """A stable sort whose keys put NaN last ascending and first descending: ``lexsort`` on
        (is it NaN, the value), with the value negated for descending (``~x`` for ints and bools,
        which never overflows)."""
        x = view(a)
        nan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, np.bool_)
        if descending:
            x, nan = (-x if x.dtype.kind == "f" else ~x), ~nan
        order = np.lexsort((x, nan), axis=-1)  # the last key is the primary one
        view(values)[...] = np.take_along_axis(view(a), order, -1)
        view(indices)[...] = order

    def scan(self, op: str, a: Strided, out: Strided) -> None:
        """The running sum or product, from ``scan_init`` (a sum starts at +0, so a leading -0.0
        gives 0.0, as in torch)."""
        init = scan_init(op, a.dtype.np)
        running = SCAN[op](view(a), axis=-1, dtype=type(init))
        view(out)[...] = running + init if op == "sum" else running

    # ---- matmul: (B, M, K) @ (B, K, N), or (M, K) @ (K, N)
    def matmul(self, a: Strided, b: Strided, out: Strided) -> None:
        view(out)[...] = np.matmul(view(a), view(b))

    # ---- copy, fill, gather, scatter
    def copy_(self, dst: Strided, src: Strided) -> None:
        view(dst)[...] = view(src)  # casts to dst's dtype

    def fill_(self, dst: Strided, value: Scalar) -> None:
        view(dst)[...] = dst.dtype.np.type(value)

    def gather(self, src: Strided, positions: Strided, out: Strided) -> None:
        view(out)[...] = view(src).reshape(-1)[view(positions)]

    def scatter_add_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        np.add.at(view(dst).reshape(-1), view(positions).reshape(-1), view(src).reshape(-1))  # repeats add up

    def scatter_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        dst.storage[view(positions).reshape(-1)] = view(src).reshape(-1)  # storage positions; repeats: one wins

    # ---- conv / pool (NCHW), see conv_pool.py; out's shape is the output's
    def conv2d(self, x: Strided, weight: Strided, bias: Strided | None, out: Strided, stride: Pair,
               padding: Pair, dilation: Pair) -> None:
        b = None if bias is None else view(bias)
        view(out)[...] = conv_pool.conv2d(view(x), view(weight), b, out.shape[2:], stride, padding, dilation)

    def conv2d_backward_input(self, grad_out: Strided, weight: Strided, out: Strided, stride: Pair,
                              padding: Pair, dilation: Pair) -> None:
        view(out)[...] = conv_pool.conv2d_backward_input(view(grad_out), view(weight), out.shape, stride, padding,
                                                         dilation)

    def conv2d_backward_weight(self, grad_out: Strided, x: Strided, out: Strided, stride: Pair, padding: Pair,
                               dilation: Pair) -> None:
        view(out)[...] = conv_pool.conv2d_backward_weight(view(grad_out), view(x), out.shape, stride, padding,
                                                          dilation)

    def max_pool2d(self, x: Strided, out: Strided, indices: Strided, kernel_size: Pair, stride: Pair,
                   padding: Pair, dilation: Pair) -> None:
        view(out)[...], view(indices)[...] = conv_pool.max_pool2d(view(x), kernel_size, out.shape[2:], stride,
                                                                  padding, dilation)

    def max_pool2d_backward(self, grad_out: Strided, indices: Strided, out: Strided) -> None:
        view(out)[...] = conv_pool.max_pool2d_backward(view(grad_out), view(indices), out.shape)

    def avg_pool2d(self, x: Strided, out: Strided, kernel_size: Pair, stride: Pair, padding: Pair,
                   count_include_pad: bool) -> None:
        view(out)[...] = conv_pool.avg_pool2d(view(x), kernel_size, out.shape[2:], stride, padding,
                                              count_include_pad)

    def avg_pool2d_backward(self, grad_out: Strided, out: Strided, kernel_size: Pair, stride: Pair,
                            padding: Pair, count_include_pad: bool) -> None:
        view(out)[...] = conv_pool.avg_pool2d_backward(view(grad_out), out.shape, kernel_size, stride, padding,
                                                       count_include_pad)

    # ---- fused optimizer updates, in place on the parameters' storage (see optim.py)
    def sgd_step_(self, param: Strided, grad: Strided, momentum_buffer: Strided | None, lr: float,
                  momentum: float, dampening: float, nesterov: bool, weight_decay: float,
                  first_step: bool) -> None:
        optim.sgd_step(view(param), view(grad), _maybe(momentum_buffer), lr, momentum, dampening, nesterov,
                       weight_decay, first_step)

    def adam_step_(self, param: Strided, grad: Strided, exp_avg: Strided, exp_avg_sq: Strided,
                   max_exp_avg_sq: Strided | None, lr: float, beta1: float, beta2: float, eps: float,
                   weight_decay: float, decoupled_weight_decay: bool, amsgrad: bool, step: int) -> None:
        optim.adam_step(view(param), view(grad), view(exp_avg), view(exp_avg_sq), _maybe(max_exp_avg_sq), lr,
                        beta1, beta2, eps, weight_decay, decoupled_weight_decay, amsgrad, step)

    def rmsprop_step_(self, param: Strided, grad: Strided, square_avg: Strided, grad_avg: Strided | None,
                      momentum_buffer: Strided | None, lr: float, alpha: float, eps: float,
                      weight_decay: float, momentum: float, centered: bool) -> None:
        optim.rmsprop_step(view(param), view(grad), view(square_avg), _maybe(grad_avg), _maybe(momentum_buffer),
                           lr, alpha, eps, weight_decay, momentum, centered)

    def adagrad_step_(self, param: Strided, grad: Strided, state_sum: Strided, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        optim.adagrad_step(view(param), view(grad), view(state_sum), lr, lr_decay, weight_decay, eps, step)


def _maybe(a: Strided | None) -> np.ndarray | None:
    return None if a is None else view(a)
