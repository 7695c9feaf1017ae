"""``repr(tensor)`` as PyTorch prints it: ``tensor([2., 4.], grad_fn=<MulBackward0>)``."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as dt

_EDGE, _THRESHOLD = 3, 1000


def _float_formatter(values: np.ndarray) -> Any:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return lambda v: f"{v}".replace("inf", "inf")
    if np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else f"{v}"
    big, small = np.abs(finite).max(), np.abs(finite[finite != 0]).min() if np.any(finite != 0) else 1.0
    if big >= 1e8 or small < 1e-4 or big / small > 1e3 and big > 1e3:
        return lambda v: f"{v:.4e}" if np.isfinite(v) else f"{v}"
    return lambda v: f"{v:.4f}" if np.isfinite(v) else f"{v}"


def _formatter(array: np.ndarray) -> Any:
    if array.dtype.kind == "f":
        sample = array if array.size <= _THRESHOLD else np.concatenate(
            [array.reshape(-1)[:_EDGE * 20], array.reshape(-1)[-_EDGE * 20:]])
        return _float_formatter(sample.astype(np.float64))
    if array.dtype.kind == "b":
        return lambda v: "True" if v else "False"
    return lambda v: f"{int(v)}"


def _format(array: np.ndarray, fmt: Any, width: int, indent: int, summarize: bool) -> str:
    if array.ndim == 0:
        return fmt(array.item()).rjust(width)
    n = array.shape[0]
    idx = list(range(_EDGE)) + [None] + list(range(n - _EDGE, n)) if summarize and n > 2 * _EDGE else list(range(n))
    if array.ndim == 1:
        parts = ["..." if i is None else fmt(array[i]).rjust(width) for i in idx]
        return "[" + ", ".join(parts) + "]"
    sep = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    parts = ["..." if i is None else _format(array[i], fmt, width, indent + 1, summarize) for i in idx]
    return "[" + sep.join(parts) + "]"


def tensor_repr(t: Any) -> str:
    array = t.detach()._host_numpy()
    summarize = array.size > _THRESHOLD
    fmt = _formatter(array)
    flat = array.reshape(-1)
    shown = flat if not summarize else np.concatenate([flat[:_EDGE * 20], flat[-_EDGE * 20:]])
    width = max((len(fmt(v)) for v in shown), default=1)
    indent = len("tensor(")
    body = "[]" if array.size == 0 and array.ndim == 1 else _format(array, fmt, width, indent, summarize)
    if array.size == 0 and array.ndim > 1:
        body = "[]"
    extras = []
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    if array.size == 0 and array.ndim != 1:
        extras.append(f"size={tuple(array.shape)}")
    default_dtypes = (dt.get_default_dtype(), dt.int64, dt.bool_)
    if t.dtype not in default_dtypes:
        extras.append(f"dtype={t.dtype!r}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
