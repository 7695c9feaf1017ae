"""The kernel interface every backend implements.

Arguments are ``Tensor`` objects (the kernels read their storage, shape, strides and offset);
each method returns a *new, contiguous* storage array for the result, except the ``*_`` ones,
which write into their first argument. Shapes are already checked and broadcast by the ops
layer, so a backend never sees bad input.

| kernel shape | methods |
|---|---|
| allocate / move | ``empty``, ``from_numpy``, ``to_numpy`` |
| map           | ``map(op, a, out_dtype)``: ``out[i] = f(a[i])`` |
| zip           | ``zip(op, a, b, out_dtype)``: ``out[i] = f(a[i], b[i])`` (a, b already broadcast) |
| where         | ``where(cond, a, b)`` |
| reduce        | ``reduce(op, a, dims)``, ``arg_reduce(op, a, dim)`` |
| matmul        | ``matmul(a, b)`` on (B, M, K) @ (B, K, N) |
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
    def from_numpy(self, array: Any) -> Any: return self._missing("from_numpy")
    def to_numpy(self, t: Any) -> Any: return self._missing("to_numpy")
    def map(self, op: str, a: Any, out_dtype: Any) -> Any: return self._missing(f"map {op}")
    def zip(self, op: str, a: Any, b: Any, out_dtype: Any) -> Any: return self._missing(f"zip {op}")
    def where(self, cond: Any, a: Any, b: Any) -> Any: return self._missing("where")
    def reduce(self, op: str, a: Any, dims: tuple[int, ...]) -> Any: return self._missing(f"reduce {op}")
    def arg_reduce(self, op: str, a: Any, dim: int) -> Any: return self._missing(f"arg_reduce {op}")
    def matmul(self, a: Any, b: Any) -> Any: return self._missing("matmul")
    def copy_(self, dst: Any, src: Any) -> None: return self._missing("copy_")
    def fill_(self, dst: Any, value: Any) -> None: return self._missing("fill_")
    def gather(self, src: Any, positions: Any) -> Any: return self._missing("gather")
    def scatter_add(self, numel: int, src: Any, positions: Any) -> Any: return self._missing("scatter_add")
    def scatter_(self, dst: Any, src: Any, positions: Any) -> None: return self._missing("scatter_")
