"""``finfo`` and ``iinfo``: the numeric limits of a dtype, as ``torch.finfo`` / ``torch.iinfo``."""
from __future__ import annotations

import numpy as np

from . import _dtype as dt


class finfo:
    """Limits of a floating dtype (the default dtype when none is given): ``eps``, ``max``,
    ``min``, ``tiny`` (the smallest normal number), ``resolution``, ``bits``."""

    def __init__(self, type: dt.dtype | None = None) -> None:
        type = dt.get_default_dtype() if type is None else type
        if not isinstance(type, dt.dtype) or not type.is_floating_point:
            raise TypeError("learntorch.finfo() requires a floating point input type. Use learntorch.iinfo to "
                            f"handle 'learntorch.finfo' (got {type})")
        info = np.finfo(type.np)
        self.dtype = type.name
        self.bits = int(info.bits)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(info.resolution)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype: ``min``, ``max``, ``bits``."""

    def __init__(self, type: dt.dtype) -> None:
        if not isinstance(type, dt.dtype) or type.category != 1:
            raise TypeError("learntorch.iinfo() requires an integer input type. Use learntorch.finfo to handle "
                            f"'learntorch.iinfo' (got {type})")
        info = np.iinfo(type.np)
        self.dtype = type.name
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
