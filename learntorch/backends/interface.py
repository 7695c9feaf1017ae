"""The kernel interface every backend implements: cpu/ (Numba), cuda/ (numba.cuda), reference/ (NumPy).

A kernel sees a tensor as a ``Strided`` value: a flat storage array and the layout that reads it
(shape, strides, offset, dtype), never the Tensor itself. The ops layer checks the arguments,
computes every output shape once, allocates the outputs with ``empty`` (contiguous, offset 0) and
hands them to the kernel, which writes into them; so a backend never sees bad input and never
decides a shape. The ``*_`` kernels write into their first argument instead.

| kernel shape | methods |
|---|---|
| allocate / move | ``empty``, ``full``, ``from_numpy``, ``to_numpy`` |
| map           | ``map(op, a, out)``: ``out[i] = f(a[i])``, ``f`` the scalar function named ``op`` |
| zip           | ``zip(op, a, b, out)``: ``out[i] = f(a[i], b[i])`` (a, b already broadcast: stride 0) |
| where         | ``where(cond, a, b, out)`` |
| reduce        | ``reduce(op, a, dims, out)``, ``arg_reduce(op, a, dim, out)`` |
| sort / scan   | ``sort(a, values, indices, descending)``, ``scan(op, a, out)``: along the last dim |
| matmul        | ``matmul(a, b, out)`` on (B, M, K) @ (B, K, N), or (M, K) @ (K, N) |
| copy / fill   | ``copy_(dst, src)``, ``fill_(dst, value)`` |
| gather / scatter | ``gather(src, positions, out)``, ``scatter_add_(dst, src, positions)``, ``scatter_(dst, src, positions)`` |
| conv / pool   | ``conv2d``, ``conv2d_backward_input``, ``conv2d_backward_weight``, ``max_pool2d``, ... |
| optimizer     | ``sgd_step_``, ``adam_step_``, ``rmsprop_step_``, ``adagrad_step_`` (fused, in place) |

The scalar functions (``op``) are those of ``common/scalar_ops.py``; reference/ shows in plain
NumPy what each kernel computes.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import NamedTuple, Protocol

import numpy as np

from .._dtype import dtype as DType

Scalar = bool | int | float
Pair = tuple[int, int]


class Storage(Protocol):
    """A backend's flat, 1-D array of one dtype: an ``np.ndarray`` on the CPU, a numba
    ``DeviceNDArray`` in GPU memory."""

    @property
    def size(self) -> int: ...

    @property
    def dtype(self) -> np.dtype: ...


class Strided(NamedTuple):
    """What a kernel sees of a tensor: element ``(i0, i1, ...)`` is
    ``storage[offset + i0*strides[0] + i1*strides[1] + ...]``; a broadcast dim has stride 0."""

    storage: Storage
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int
    dtype: DType


class Backend(ABC):
    """The interface: each method documents its kernel; a backend must implement every one (it
    cannot be created otherwise)."""

    name: str

    # ---- allocate / move
    @abstractmethod
    def empty(self, numel: int, dtype: DType) -> Storage:
        """A new flat array of ``numel`` elements, uninitialised."""

    @abstractmethod
    def full(self, numel: int, value: Scalar, dtype: DType) -> Storage:
        """A new flat array of ``numel`` copies of ``value``, made on the device itself."""

    @abstractmethod
    def from_numpy(self, array: np.ndarray) -> Storage:
        """``array``'s elements, row-major, as a flat array on the device (the CPU may share memory)."""

    @abstractmethod
    def to_numpy(self, a: Strided) -> np.ndarray:
        """``a`` as a NumPy array of its shape (on the CPU a view of the storage, from a GPU a copy)."""

    # ---- elementwise: out has a's shape, contiguous; results are cast to out's dtype
    @abstractmethod
    def map(self, op: str, a: Strided, out: Strided) -> None:
        """``out[i] = f(a[i])``, ``f`` the unary scalar function ``op``."""

    @abstractmethod
    def zip(self, op: str, a: Strided, b: Strided, out: Strided) -> None:
        """``out[i] = f(a[i], b[i])``, ``f`` the binary scalar function ``op``; a and b have out's shape."""

    @abstractmethod
    def where(self, cond: Strided, a: Strided, b: Strided, out: Strided) -> None:
        """``out[i] = a[i] if cond[i] else b[i]``; all four have out's shape."""

    # ---- reductions
    @abstractmethod
    def reduce(self, op: str, a: Strided, dims: tuple[int, ...], out: Strided) -> None:
        """``out`` (a's shape without ``dims``) = the sum, prod, max or min over ``dims``; an empty
        reduction gives ``common.reduce.reduce_init(op)``; a NaN wins max and min."""

    @abstractmethod
    def arg_reduce(self, op: str, a: Strided, dim: int, out: Strided) -> None:
        """``out`` (int64, a's shape without ``dim``) = the index of the first max (``argmax``) or
        min (``argmin``) along ``dim``; a NaN counts as both; an empty ``dim`` gives 0."""

    # ---- sort and scan along the last dim (a has ndim >= 1; the outputs have a's shape)
    @abstractmethod
    def sort(self, a: Strided, values: Strided, indices: Strided, descending: bool) -> None:
        """Each row of ``a``'s last dim sorted, stably, NaN largest, into ``values``; ``indices``
        (int64) get the positions within the row the values came from."""

    @abstractmethod
    def scan(self, op: str, a: Strided, out: Strided) -> None:
        """The running ``op`` (``"sum"`` or ``"prod"``) along the last dim, accumulated in float64
        for floats and rounded to ``a``'s dtype."""

    # ---- matmul
    @abstractmethod
    def matmul(self, a: Strided, b: Strided, out: Strided) -> None:
        """``out = a @ b``: (B, M, K) @ (B, K, N) -> (B, M, N), or (M, K) @ (K, N) -> (M, N)."""

    # ---- copy, fill, gather, scatter
    @abstractmethod
    def copy_(self, dst: Strided, src: Strided) -> None:
        """``dst[i] = src[i]`` (cast to dst's dtype); src has dst's shape; the two do not overlap."""

    @abstractmethod
    def fill_(self, dst: Strided, value: Scalar) -> None:
        """``dst[i] = value`` (converted to dst's dtype)."""

    @abstractmethod
    def gather(self, src: Strided, positions: Strided, out: Strided) -> None:
        """``out.flat[i] = src.flat[positions.flat[i]]``: src contiguous, positions int64 of out's shape."""

    @abstractmethod
    def scatter_add_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        """``dst.flat[positions.flat[i]] += src.flat[i]`` (repeated positions add up): dst and src
        contiguous, positions int64 of src's shape."""

    @abstractmethod
    def scatter_(self, dst: Strided, src: Strided, positions: Strided) -> None:
        """``dst.storage[positions.flat[i]] = src.flat[i]``: storage positions, so dst may have any
        layout; src contiguous; with repeated positions one of the writes wins."""

    # ---- conv / pool, NCHW; ``out`` holds the output shape, so no kernel computes one
    @abstractmethod
    def conv2d(self, x: Strided, weight: Strided, bias: Strided | None, out: Strided, stride: Pair,
               padding: Pair, dilation: Pair) -> None:
        """out (N, O, OH, OW) = conv2d(x (N, C, H, W), weight (O, C, KH, KW)) + bias (O,)."""

    @abstractmethod
    def conv2d_backward_input(self, grad_out: Strided, weight: Strided, out: Strided, stride: Pair,
                              padding: Pair, dilation: Pair) -> None:
        """out = grad_x (N, C, H, W) of conv2d, given grad_out (N, O, OH, OW)."""

    @abstractmethod
    def conv2d_backward_weight(self, grad_out: Strided, x: Strided, out: Strided, stride: Pair, padding: Pair,
                               dilation: Pair) -> None:
        """out = grad_w (O, C, KH, KW) of conv2d, given grad_out (N, O, OH, OW) and x."""

    @abstractmethod
    def max_pool2d(self, x: Strided, out: Strided, indices: Strided, kernel_size: Pair, stride: Pair,
                   padding: Pair, dilation: Pair) -> None:
        """out, indices (N, C, OH, OW): each window's max (NaN wins, padding never) and its flat
        position ``ih * W + iw`` in the (n, c) plane (int64); of equal values the first wins."""

    @abstractmethod
    def max_pool2d_backward(self, grad_out: Strided, indices: Strided, out: Strided) -> None:
        """out = grad_x (N, C, H, W): zeros, then ``grad_x[n, c].flat[indices[n, c]] += grad_out[n, c]``."""

    @abstractmethod
    def avg_pool2d(self, x: Strided, out: Strided, kernel_size: Pair, stride: Pair, padding: Pair,
                   count_include_pad: bool) -> None:
        """out (N, C, OH, OW): each window's sum over the input / its cell count (inside the input, or
        with count_include_pad inside the padded input)."""

    @abstractmethod
    def avg_pool2d_backward(self, grad_out: Strided, out: Strided, kernel_size: Pair, stride: Pair,
                            padding: Pair, count_include_pad: bool) -> None:
        """out = grad_x (N, C, H, W): each grad_out value / its window's count, added over the window."""

    # ---- fused optimizer updates: param, grad and the state buffers are contiguous, of one
    # shape and dtype; a buffer the options do not use is None
    @abstractmethod
    def sgd_step_(self, param: Strided, grad: Strided, momentum_buffer: Strided | None, lr: float,
                  momentum: float, dampening: float, nesterov: bool, weight_decay: float,
                  first_step: bool) -> None:
        """One torch.optim.SGD update of ``param`` and ``momentum_buffer``, in place."""

    @abstractmethod
    def adam_step_(self, param: Strided, grad: Strided, exp_avg: Strided, exp_avg_sq: Strided,
                   max_exp_avg_sq: Strided | None, lr: float, beta1: float, beta2: float, eps: float,
                   weight_decay: float, decoupled_weight_decay: bool, amsgrad: bool, step: int) -> None:
        """One Adam (AdamW when ``decoupled_weight_decay``) update, in place; ``step`` counts from 1."""

    @abstractmethod
    def rmsprop_step_(self, param: Strided, grad: Strided, square_avg: Strided, grad_avg: Strided | None,
                      momentum_buffer: Strided | None, lr: float, alpha: float, eps: float,
                      weight_decay: float, momentum: float, centered: bool) -> None:
        """One torch.optim.RMSprop update, in place."""

    @abstractmethod
    def adagrad_step_(self, param: Strided, grad: Strided, state_sum: Strided, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        """One torch.optim.Adagrad update, in place; ``step`` counts from 1."""
