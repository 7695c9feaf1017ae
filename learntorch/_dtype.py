"""dtypes and PyTorch's type-promotion rules.

learntorch has eight dtypes: ``float32`` (the default), ``float64``, the integers ``uint8``,
``int8``, ``int16``, ``int32``, ``int64``, and ``bool``. Promotion follows PyTorch: categories
rank bool < integer < floating; within a category the wider dtype wins, and ``uint8`` with a
signed dtype gives the next signed dtype wide enough for both (``uint8`` + ``int8`` is
``int16``); a dimensioned tensor outranks a 0-d tensor of the same category, and a 0-d tensor
outranks a Python scalar (so ``uint8_tensor + 1000`` stays uint8, and wraps). An integer tensor
plus a Python float gives the default float dtype (float32).
"""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type, e.g. ``learntorch.float32``.

    ``legacy`` is PyTorch's old type name (``"Byte"`` for uint8): ``Tensor.type()`` answers
    ``"torch.ByteTensor"`` and error messages name dtypes by it, as PyTorch's do."""

    def __init__(self, name: str, np_dtype: type, category: int, legacy: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.itemsize = self.np.itemsize
        self.legacy = legacy

    @property
    def is_floating_point(self) -> bool:
        return self.category == 2

    @property
    def is_signed(self) -> bool:
        return self.np.kind in "if"

    def __repr__(self) -> str:
        return f"learntorch.{self.name}"

    def __reduce__(self):
        return self.name


bool_ = dtype("bool", np.bool_, 0, "Bool")
uint8 = dtype("uint8", np.uint8, 1, "Byte")
int8 = dtype("int8", np.int8, 1, "Char")
int16 = dtype("int16", np.int16, 1, "Short")
int32 = dtype("int32", np.int32, 1, "Int")
int64 = dtype("int64", np.int64, 1, "Long")
float32 = dtype("float32", np.float32, 2, "Float")
float64 = dtype("float64", np.float64, 2, "Double")
# PyTorch's other names: torch.int is int32, torch.short int16, torch.long int64
short, int_, long, double, float_ = int16, int32, int64, float64, float32

ALL = (bool_, uint8, int8, int16, int32, int64, float32, float64)
BY_NUMPY = {d.np: d for d in ALL}
_SIGNED = {d.itemsize: d for d in (int8, int16, int32, int64)}
NAMES = ", ".join(d.name for d in ALL)
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
    """Map a NumPy dtype to a learntorch dtype. Those learntorch lacks widen: float16 to float32,
    uint16 to int32, uint32 and uint64 to int64 (``from_numpy`` refuses them: it cannot share
    their memory)."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype in BY_NUMPY:
        return BY_NUMPY[np_dtype]
    if np_dtype.kind == "u":
        return _SIGNED[min(2 * np_dtype.itemsize, 8)]
    if np_dtype.kind == "f" and np_dtype.itemsize < 4:
        return float32
    raise TypeError(
        f"can't convert {what} of type numpy.{np_dtype}: learntorch supports {NAMES} "
        f"(convert with .astype(numpy.float32) first)"
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
        named = BY_NUMPY.get(np.dtype(value))
    except (TypeError, ValueError):
        named = None
    if named is not None:
        return f"use learntorch.{named.name}"
    return "use one of " + ", ".join(f"learntorch.{d.name}" for d in ALL)


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to safely, as ``torch.promote_types``:
    the higher category wins; within one, the wider dtype, except that ``uint8`` with a signed
    dtype needs a signed dtype wider than 8 bits (``uint8`` and ``int8`` give ``int16``)."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == 1 and a.is_signed != b.is_signed:
        unsigned, signed = (a, b) if b.is_signed else (b, a)
        return _SIGNED[max(signed.itemsize, 2 * unsigned.itemsize)]
    return a if a.itemsize >= b.itemsize else b


def cast_value(fn: str, value: object, d: dtype) -> object:
    """A Python or NumPy number as an element of ``d``, as PyTorch stores a fill value or a list
    element. Into an integer dtype, a float truncates toward zero, and a value outside the dtype's
    range raises RuntimeError, except that an unsigned dtype takes negative values down to
    ``-max``, which wrap around (``-1`` is 255 in uint8). Other dtypes take the value as it is."""
    if d.category != 1 or isinstance(value, (bool, np.bool_)):
        return value
    info = np.iinfo(d.np)
    low = -info.max if info.min == 0 else info.min
    if not low <= value <= info.max:  # NaN fails this too
        wraps = f" (negative values down to {low} wrap around)" if info.min == 0 else ""
        raise RuntimeError(f"{fn}(): value cannot be converted to type {d.name} without overflow: {value!r} is "
                           f"outside {d.name}'s range [{info.min}, {info.max}]{wraps}; use a wider dtype, or "
                           f"cast a wider tensor with .to(learntorch.{d.name}) to wrap around")
    return _wrapped(value, d)


def wrap_scalar(value: object, d: dtype) -> object:
    """A Python or NumPy integer of an operation with a tensor of ``d``, as PyTorch casts it: into
    an integer dtype narrower than int64 it wraps around, unchecked (``uint8_tensor + 1000`` adds
    232). Anything else is returned as it is."""
    if d.category == 1 and d.itemsize < 8 and isinstance(value, (int, np.integer)) \
            and not isinstance(value, (bool, np.bool_)):
        return _wrapped(value, d)
    return value


def _wrapped(value: object, d: dtype) -> int:
    """``int(value)`` modulo ``2 ** bits`` into the range of the integer dtype ``d``."""
    low = int(np.iinfo(d.np).min)
    return (int(value) - low) % (1 << 8 * d.itemsize) + low


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
