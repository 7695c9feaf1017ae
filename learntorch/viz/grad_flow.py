"""``plot_grad_flow``: per-parameter mean and max |grad| as bars, the well-known snippet as a function.

    loss.backward()
    plot_grad_flow(model.named_parameters())      # -> matplotlib Figure

Bars: max |grad| (light, behind) and mean |grad| (dark), one pair per parameter, names on the x axis.
A black line marks zero; red crosses mark parameters whose gradient vanished (max |grad| below
``VANISHED``, or no gradient at all).
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._figure import new_figure
from ._summary import to_numpy

VANISHED = 1e-8
NO_GRADIENTS = "no gradients yet: call loss.backward() first"


def grad_stats(named_parameters: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Names, mean |grad| and max |grad| of the parameters that require grad (None counts as 0).

    Raises ``RuntimeError`` when no parameter has a gradient yet."""
    pairs = named_parameters.named_parameters() if hasattr(named_parameters, "named_parameters") \
        else named_parameters
    pairs = [(n, p) for n, p in pairs if p.requires_grad]
    if not any(p.grad is not None for _, p in pairs):
        raise RuntimeError(NO_GRADIENTS)
    means, maxes = [], []
    for _, p in pairs:
        g = np.abs(to_numpy(p.grad).astype(np.float64)) if p.grad is not None else np.zeros(1)
        means.append(g.mean() if g.size else 0.0)
        maxes.append(g.max() if g.size else 0.0)
    return [n for n, _ in pairs], np.array(means), np.array(maxes)


def draw_grad_flow(ax: Axes, names: Sequence[str], means: np.ndarray, maxes: np.ndarray,
                   log: bool = False) -> None:
    """Draw the bars into ``ax`` (the dashboard reuses this with a Monitor's numbers)."""
    x = np.arange(len(names))
    ax.bar(x, maxes, width=0.8, color="c", alpha=0.35, label="max |grad|")
    ax.bar(x, means, width=0.8, color="b", alpha=0.85, label="mean |grad|")
    ax.axhline(0.0, color="k", lw=1.5)
    vanished = x[maxes < VANISHED]
    if len(vanished):
        ax.scatter(vanished, np.zeros(len(vanished)), marker="x", color="red", s=60, zorder=3,
                   label="vanished", clip_on=False)
    if log:
        positive = maxes[maxes > 0]
        ax.set_yscale("symlog", linthresh=float(positive.min()) if len(positive) else 1e-8)
    ax.set_xticks(x, list(names), rotation=90, fontsize=8)
    ax.set_xlim(-0.75, len(names) - 0.25)
    ax.set_ylabel("|grad|")
    ax.set_title("gradient flow")
    ax.legend(loc="upper right", fontsize=8)


def plot_grad_flow(named_parameters: Iterable[tuple[str, Any]] | Any, ax: Axes | None = None,
                   log: bool = False) -> Figure:
    """Bars of mean and max |grad| per parameter, after ``backward()``; ``log`` uses a symlog y axis."""
    names, means, maxes = grad_stats(named_parameters)
    if ax is None:
        fig = new_figure(max(4.0, 0.35 * len(names) + 1.5), 4.0)
        ax = fig.add_subplot()
    draw_grad_flow(ax, names, means, maxes, log)
    return ax.figure
