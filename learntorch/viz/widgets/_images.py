"""PNG bytes for ``widgets.Image`` straight from arrays: faster than drawing a figure."""
from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.image import imsave


def array_png(a: np.ndarray, cmap: str = "viridis", scale: int = 1, symmetric: bool = False) -> bytes:
    """A 2-D array (H, W) as a heatmap PNG, each value ``scale`` pixels wide; NaN shows white."""
    a = np.asarray(a, dtype=np.float64)
    finite = a[np.isfinite(a)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    if symmetric:
        lo, hi = -max(abs(lo), abs(hi)), max(abs(lo), abs(hi))
    norm = (a - lo) / (hi - lo) if hi > lo else np.full_like(a, 0.5)
    rgba = colormaps[cmap](np.nan_to_num(norm, nan=0.0))
    rgba[~np.isfinite(a)] = 1.0
    rgba = np.repeat(np.repeat(rgba, scale, axis=0), scale, axis=1)
    buf = io.BytesIO()
    imsave(buf, rgba, format="png")
    return buf.getvalue()


def tile(maps: np.ndarray, columns: int = 8, pad: int = 1) -> np.ndarray:
    """(N, H, W) -> one (rows*(H+pad), columns*(W+pad)) array, each map scaled to [0, 1], NaN between."""
    n, h, w = maps.shape
    columns = min(columns, n)
    rows = -(-n // columns)
    out = np.full((rows * (h + pad) - pad, columns * (w + pad) - pad), np.nan)
    for i, m in enumerate(maps):
        lo, hi = m.min(), m.max()
        r, c = divmod(i, columns)
        top, left = r * (h + pad), c * (w + pad)
        out[top:top + h, left:left + w] = (m - lo) / (hi - lo) if hi > lo else 0.5
    return out


def as_image(a: np.ndarray) -> np.ndarray | None:
    """A 2-D view of a tensor's values for a heatmap: (H, W), or the first map of (.., H, W); else None."""
    if a.ndim < 2:
        return None
    while a.ndim > 2:
        a = a[0]
    return a
