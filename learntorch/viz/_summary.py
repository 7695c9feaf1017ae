"""Short text for a tensor in a graph box, and the colours that encode gradient magnitude.

    describe(t)  -> "(3, 4) float32"
    summarize(t) -> "[1, 2, 3]" for small tensors, else "mean 0.01 std 0.98 [-3.1, 2.9]"
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib import colormaps, colors

SMALL = 6                 # tensors with at most this many elements print their values
ZERO_COLOR = "#d9d9d9"    # a gradient that is exactly zero (vanished)
_CMAP = colormaps["YlOrRd"]


def to_numpy(t: Any) -> np.ndarray:
    """The values of a tensor (or an array) on the host, outside the graph."""
    return np.asarray(t.detach().cpu().numpy()) if hasattr(t, "detach") else np.asarray(t)


def describe(t: Any) -> str:
    """Shape and dtype, as ``(3, 4) float32``."""
    return f"{tuple(t.shape)} {t.dtype.name}"


def num(x: float) -> str:
    """A number as a learner reads it: ``3.0``, ``-0.1235``, ``1.5e-07``."""
    if isinstance(x, (bool, int, np.integer, np.bool_)):
        return str(x)
    if x == 0 or (1e-3 <= abs(x) < 1e5):
        return np.format_float_positional(x, precision=4, trim="0")
    return f"{x:.3e}" if math.isfinite(x) else str(x)


def summarize(t: Any) -> str:
    """The values of a small tensor, otherwise its mean, std and range."""
    a = to_numpy(t)
    if a.size == 0:
        return "empty"
    if a.ndim == 0:
        return num(a.item())
    if a.size <= SMALL:
        return "[" + ", ".join(num(v) for v in a.ravel().tolist()) + "]"
    f = a.astype(np.float64)
    return f"mean {num(f.mean())} std {num(f.std())} [{num(f.min())}, {num(f.max())}]"


def magnitude(t: Any) -> float:
    """Mean |t|: the number a grad colour encodes."""
    a = to_numpy(t)
    return float(np.abs(a.astype(np.float64)).mean()) if a.size else 0.0


class GradScale:
    """Maps gradient magnitudes to colours on a log scale spanning those of one graph."""

    def __init__(self, mags: list[float]) -> None:
        logs = [math.log10(m) for m in mags if m > 0 and math.isfinite(m)]
        self.lo, self.hi = (min(logs), max(logs)) if logs else (0.0, 0.0)

    def color(self, mag: float) -> str:
        if not mag > 0:
            return ZERO_COLOR
        if not math.isfinite(mag):
            return "#67000d"
        x = (math.log10(mag) - self.lo) / (self.hi - self.lo) if self.hi > self.lo else 1.0
        return colors.to_hex(_CMAP(0.1 + 0.65 * min(max(x, 0.0), 1.0)))

    def swatches(self, n: int = 5) -> list[tuple[str, str]]:
        """``(colour, "1e-3")`` pairs from the smallest to the largest magnitude."""
        if self.hi == self.lo:
            return [(self.color(10 ** self.hi), f"{10 ** self.hi:.1e}")]
        steps = [self.lo + (self.hi - self.lo) * i / (n - 1) for i in range(n)]
        return [(self.color(10 ** s), f"{10 ** s:.1e}") for s in steps]
