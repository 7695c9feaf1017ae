"""dtypes and PyTorch's type-promotion rules.

learntorch has four dtypes: ``float32`` (the default), ``float64``, ``int64`` and ``bool``.
Promotion follows PyTorch: categories rank bool < integer < floating; within a category the
wider dtype wins; a dimensioned tensor outranks a 0-d tensor of the same category, and a
0-d tensor outranks a Python scalar. An int tensor plus a Python float gives the default
float dtype (float32).
"""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, e.g. ``learntorch.float32``."""

    def __init__(self, name: str, np_dtype: type, category: int, itemsize: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.itemsize = itemsize

    @property
    def is_floating_point(self) -> bool:
        return self.category == 2

    def __repr__(self) -> str:
        return f"learntorch.{self.name}"

    def __reduce__(self):
        return self.name


bool_ = dtype("bool", np.bool_, 0, 1)
int64 = dtype("int64", np.int64, 1, 8)
float32 = dtype("float32", np.float32, 2, 4)
float64 = dtype("float64", np.float64, 2, 8)
long, double, float_ = int64, float64, float32

_ALL = (bool_, int64, float32, float64)
_BY_NP = {d.np: d for d in _ALL}
_default_dtype = float32


def get_default_dtype() -> dtype:
    return _default_dtype


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of new floating tensors (float32 or float64), as ``torch.set_default_dtype``."""
    global _default_dtype
    if d not in (float32, float64):
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {d}")
    _default_dtype = d


def from_numpy_dtype(np_dtype: np.dtype, *, what: str = "array") -> dtype:
    """Map a NumPy dtype to a learntorch dtype; narrower ints and floats widen to int64/float32."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _BY_NP:
        return _BY_NP[np_dtype]
    if np_dtype.kind in "iu":
        return int64
    if np_dtype.kind == "f":
        return float32 if np_dtype.itemsize <= 4 else float64
    raise TypeError(
        f"can't convert {what} of type numpy.{np_dtype}: learntorch supports float32, float64, "
        f"int64 and bool (convert with .astype(numpy.float32) first)"
    )


_BY_PYTHON_TYPE = {bool: bool_, int: int64, float: float64}  # as PyTorch: dtype=float is float64


def check_dtype(fn: str, value: object) -> dtype | None:
    """``value`` of a ``dtype=`` argument as a learntorch dtype (``None`` stays ``None``).

    As PyTorch, the Python types ``bool``, ``int`` and ``float`` are accepted (``float`` means
    float64); strings and NumPy dtypes raise TypeError naming ``fn`` and the dtype to use.
    """
    if value is None or isinstance(value, dtype):
        return value
    if isinstance(value, type) and value in _BY_PYTHON_TYPE:
        return _BY_PYTHON_TYPE[value]
    raise TypeError(f"{fn}(): argument 'dtype' must be learntorch.dtype, not {type(value).__name__} "
                    f"({value!r}); {_dtype_hint(value)}")


def _dtype_hint(value: object) -> str:
    """The fix for a wrong ``dtype=`` argument: the learntorch dtype it most likely means."""
    try:
        named = _BY_NP.get(np.dtype(value))
    except (TypeError, ValueError):
        named = None
    if named is not None:
        return f"use learntorch.{named.name}"
    return "use learntorch.float32, learntorch.float64, learntorch.int64 or learntorch.bool"


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to safely, as ``torch.promote_types``."""
    if a.category != b.category:
        return a if a.category > b.category else b
    return a if a.itemsize >= b.itemsize else b


def scalar_dtype(value: object) -> dtype:
    """The dtype a Python scalar would get on its own."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return _default_dtype
    raise TypeError(f"unsupported scalar of type {type(value).__name__}")


def result_type(*operands: object) -> dtype:
    """The dtype of an op over tensors and Python scalars, with PyTorch's three priority levels.

    A tensor is told by its ``_dtype`` field (this module sits below ``_tensor.py``)."""
    best: list[dtype | None] = [None, None, None]  # dimensioned tensors, 0-d tensors, scalars
    for x in operands:
        d = getattr(x, "_dtype", None)
        if isinstance(d, dtype):
            level = 0 if x.dim() > 0 else 1
        else:
            level, d = 2, scalar_dtype(x)
        best[level] = d if best[level] is None else promote_types(best[level], d)
    result = None
    for d in best:  # a lower level only counts where its category is higher
        if d is not None and (result is None or d.category > result.category):
            result = d
    return result
