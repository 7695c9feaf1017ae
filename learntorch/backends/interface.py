"""The kernel interface every backend implements.

Arguments are ``Tensor`` objects (the kernels read their storage, shape, strides and offset);
each method returns a *new, contiguous* storage array for the result, except the ``*_`` ones,
which write into their first argument. Shapes are already checked and broadcast by the ops
layer, so a backend never sees bad input.

| kernel shape | methods |
|---|---|
| allocate / move | ``empty``, ``full``, ``from_numpy``, ``to_numpy`` |
| map           | ``map(op, a, out_dtype)``: ``out[i] = f(a[i])`` |
| zip           | ``zip(op, a, b, out_dtype)``: ``out[i] = f(a[i], b[i])`` (a, b already broadcast) |
| where         | ``where(cond, a, b)`` |
| reduce        | ``reduce(op, a, dims)``, ``arg_reduce(op, a, dim)`` |
| sort / scan   | ``sort(a, descending)``, ``scan(op, a)``: along the last dim |
| matmul        | ``matmul(a, b)`` on (B, M, K) @ (B, K, N), or (M, K) @ (K, N) |
| copy / fill   | ``copy_(dst, src)``, ``fill_(dst, value)`` |
| gather / scatter | ``gather(src, positions)``, ``scatter_add(shape, src, positions)``, ``scatter_(dst, src, positions)`` |
| conv / pool   | ``conv2d``, ``conv2d_backward_input``, ``conv2d_backward_weight``, ``max_pool2d``, ... |
| optimizer     | ``sgd_step_``, ``adam_step_``, ... (fused, in place) |
"""
from __future__ import annotations

from typing import Any


class Backend:
    """Base class: each method documents its kernel; subclasses fill them in."""

    name = "abstract"

    def _missing(self, what: str) -> Any:
        raise NotImplementedError(f"the {self.name} backend has no {what} kernel yet")

    def empty(self, numel: int, dtype: Any) -> Any: return self._missing("empty")
    def full(self, numel: int, value: Any, dtype: Any) -> Any:
        """A flat array of ``numel`` copies of ``value`` (NumPy dtype), made on the device itself."""
        return self._missing("full")
    def from_numpy(self, array: Any) -> Any: return self._missing("from_numpy")
    def to_numpy(self, t: Any) -> Any: return self._missing("to_numpy")
    def map(self, op: str, a: Any, out_dtype: Any) -> Any: return self._missing(f"map {op}")
    def zip(self, op: str, a: Any, b: Any, out_dtype: Any) -> Any: return self._missing(f"zip {op}")
    def where(self, cond: Any, a: Any, b: Any) -> Any: return self._missing("where")
    def reduce(self, op: str, a: Any, dims: tuple[int, ...]) -> Any: return self._missing(f"reduce {op}")
    def arg_reduce(self, op: str, a: Any, dim: int) -> Any: return self._missing(f"arg_reduce {op}")
    def sort(self, a: Any, descending: bool) -> tuple[Any, Any]:
        """(values, indices): each row of the last dim of ``a`` (ndim >= 1) sorted, stably, NaN
        largest; indices (int64) are positions within the row."""
        return self._missing("sort")

    def scan(self, op: str, a: Any) -> Any:
        """The running ``op`` (``"sum"`` or ``"prod"``) along the last dim of ``a`` (ndim >= 1),
        accumulated in float64 for floats and rounded to ``a``'s dtype."""
        return self._missing(f"scan {op}")

    def matmul(self, a: Any, b: Any) -> Any: return self._missing("matmul")
    def copy_(self, dst: Any, src: Any) -> None: return self._missing("copy_")
    def fill_(self, dst: Any, value: Any) -> None: return self._missing("fill_")
    def gather(self, src: Any, positions: Any) -> Any: return self._missing("gather")
    def scatter_add(self, numel: int, src: Any, positions: Any) -> Any: return self._missing("scatter_add")
    def scatter_(self, dst: Any, src: Any, positions: Any) -> None: return self._missing("scatter_")

    # ---- conv / pool (NCHW; x, weight, grad_out, indices are Tensors; sizes are (h, w) pairs)
    def conv2d(self, x: Any, weight: Any, bias: Any, stride: Any, padding: Any, dilation: Any) -> Any:
        """(N, O, OH, OW) = conv2d(x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None)."""
        return self._missing("conv2d")

    def conv2d_backward_input(self, grad_out: Any, weight: Any, input_shape: Any, stride: Any, padding: Any,
                              dilation: Any) -> Any:
        """grad_x (N, C, H, W) of conv2d given grad_out (N, O, OH, OW)."""
        return self._missing("conv2d_backward_input")

    def conv2d_backward_weight(self, grad_out: Any, x: Any, weight_shape: Any, stride: Any, padding: Any,
                               dilation: Any) -> Any:
        """grad_w (O, C, KH, KW) of conv2d given grad_out (N, O, OH, OW)."""
        return self._missing("conv2d_backward_weight")

    def max_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                   ceil_mode: bool) -> tuple[Any, Any]:
        """(y, indices), both (N, C, OH, OW); indices (int64) are flat ``ih * W + iw`` per plane."""
        return self._missing("max_pool2d")

    def max_pool2d_backward(self, grad_out: Any, indices: Any, input_shape: Any) -> Any:
        """grad_x (N, C, H, W): ``grad_x.flat[plane, indices] += grad_out``."""
        return self._missing("max_pool2d_backward")

    def avg_pool2d(self, x: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,
                   count_include_pad: bool) -> Any:
        """y (N, C, OH, OW): the mean of each window of x (N, C, H, W)."""
        return self._missing("avg_pool2d")

    def avg_pool2d_backward(self, grad_out: Any, input_shape: Any, kernel_size: Any, stride: Any, padding: Any,
                            ceil_mode: bool, count_include_pad: bool) -> Any:
        """grad_x (N, C, H, W): each grad_out value spread evenly over its window."""
        return self._missing("avg_pool2d_backward")

    # ---- fused optimizer updates (param, grad and state buffers are Tensors; unused buffers are None)
    def sgd_step_(self, param: Any, grad: Any, momentum_buffer: Any, lr: float, momentum: float,
                  dampening: float, nesterov: bool, weight_decay: float, first_step: bool) -> None:
        """One torch.optim.SGD update of ``param`` and ``momentum_buffer``, in place."""
        return self._missing("sgd_step_")

    def adam_step_(self, param: Any, grad: Any, exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any, lr: float,
                   beta1: float, beta2: float, eps: float, weight_decay: float, decoupled_weight_decay: bool,
                   amsgrad: bool, step: int) -> None:
        """One Adam (AdamW when ``decoupled_weight_decay``) update, in place; ``step`` counts from 1."""
        return self._missing("adam_step_")

    def rmsprop_step_(self, param: Any, grad: Any, square_avg: Any, grad_avg: Any, momentum_buffer: Any,
                      lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                      centered: bool) -> None:
        """One torch.optim.RMSprop update, in place."""
        return self._missing("rmsprop_step_")

    def adagrad_step_(self, param: Any, grad: Any, state_sum: Any, lr: float, lr_decay: float,
                      weight_decay: float, eps: float, step: int) -> None:
        """One torch.optim.Adagrad update, in place; ``step`` counts from 1."""
        return self._missing("adagrad_step_")
