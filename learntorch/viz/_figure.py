"""Figures made without pyplot, so a returned figure is shown once in Jupyter (not also by pyplot).

Such a ``Figure`` only displays if IPython has a PNG formatter for it, which matplotlib's inline
backend registers only once pyplot is imported; ``new_figure`` registers one when it is missing.
"""
from __future__ import annotations

import io

from matplotlib.figure import Figure


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _register_png_formatter() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    png = shell.display_formatter.formatters["image/png"]
    if Figure not in png.type_printers:
        png.for_type(Figure, lambda fig: figure_png(fig, dpi=100))


def new_figure(width: float, height: float) -> Figure:
    """A constrained-layout figure of ``width`` x ``height`` inches that Jupyter can display."""
    _register_png_formatter()
    return Figure(figsize=(width, height), layout="constrained")
