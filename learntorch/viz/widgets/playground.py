"""``OptimizerPlayground``: SGD, momentum, RMSprop and Adam racing on 2-D loss surfaces.

Every trajectory is computed by ``learntorch.optim`` itself: two scalar parameters ``x, y``, and per
step ``zero_grad(); f(x, y).backward(); step()``. The surface is drawn as contours with the paths
on top, into a ``widgets.Image``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets
import numba
import numpy as np
from matplotlib.figure import Figure

from ... import optim
from ..._creation import tensor
from ..._dtype import float64
from .._figure import figure_png, new_figure


@dataclass(frozen=True)
class Surface:
    """A loss f(x, y) written with operators only, so it runs on tensors and on NumPy grids."""

    f: Callable
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    lr: float           # a learning rate that shows the optimizers' differences


def _rosenbrock(x, y):
    a, b = 1 - x, y - x * x
    return a * a + 100 * b * b


# squares are written x * x: cheaper to differentiate than x ** 2
SURFACES = {
    "quadratic bowl": Surface(lambda x, y: x * x + y * y, (-1.6, 1.2), (-2, 2), (-1.6, 1.6), 0.1),
    "ill-conditioned valley": Surface(lambda x, y: 0.05 * x * x + 2 * y * y, (-4.5, 1.2), (-5, 5), (-1.6, 1.6), 0.2),
    "rosenbrock": Surface(_rosenbrock, (-1.5, 2.0), (-2, 2), (-1, 3), 2e-3),
    "saddle": Surface(lambda x, y: x * x - y * y, (-1.6, 0.01), (-2, 2), (-2, 2), 0.05),
}
COLORS = {"SGD": "tab:blue", "SGD momentum": "tab:orange", "RMSprop": "tab:green", "Adam": "tab:red"}


def make_optimizer(name: str, params: list, lr: float, momentum: float, beta1: float, beta2: float,
                   eps: float) -> optim.Optimizer:
    """The ``learntorch.optim`` optimizer the playground races under ``name``."""
    if name == "SGD":
        return optim.SGD(params, lr=lr)
    if name == "SGD momentum":
        return optim.SGD(params, lr=lr, momentum=momentum)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=lr, eps=eps)
    return optim.Adam(params, lr=lr, betas=(beta1, beta2), eps=eps)


def trajectory(surface: Surface, name: str, steps: int, **hyper: float) -> np.ndarray:
    """(steps + 1, 2) positions of ``name`` from the surface's start; stops early once it leaves the
    plot far behind (a divergence). Runs the kernels on one thread: for 0-d tensors, waking the
    thread pool costs more than the arithmetic."""
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return _trajectory(surface, name, steps, **hyper)
    finally:
        numba.set_num_threads(threads)


def _trajectory(surface: Surface, name: str, steps: int, **hyper: float) -> np.ndarray:
    x = tensor(surface.start[0], dtype=float64, requires_grad=True)
    y = tensor(surface.start[1], dtype=float64, requires_grad=True)
    opt = make_optimizer(name, [x, y], **hyper)
    path = [surface.start]
    span = max(surface.xlim[1] - surface.xlim[0], surface.ylim[1] - surface.ylim[0])
    for _ in range(steps):
        opt.zero_grad()
        surface.f(x, y).backward()
        opt.step()
        point = (x.item(), y.item())
        path.append(point)
        if not np.all(np.isfinite(point)) or max(abs(point[0]), abs(point[1])) > 10 * span:
            break
    return np.array(path)


class OptimizerPlayground(widgets.VBox):
    """Pick a surface, move the sliders, watch the four trajectories; ``trajectories`` holds the data."""

    def __init__(self, surface: str = "rosenbrock", steps: int = 100) -> None:
        style = {"description_width": "70px"}
        self.surface = widgets.Dropdown(options=list(SURFACES), value=surface, description="surface", style=style)
        self.lr = widgets.FloatLogSlider(value=SURFACES[surface].lr, base=10, min=-4, max=0, step=0.1,
                                         description="lr", readout_format=".1e", style=style)
        self.momentum = widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="momentum",
                                            style=style)
        self.beta1 = widgets.FloatSlider(value=0.9, min=0.0, max=0.999, step=0.001, description="β1",
                                         readout_format=".3f", style=style)
        self.beta2 = widgets.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001, description="β2",
                                         readout_format=".4f", style=style)
        self.eps = widgets.FloatLogSlider(value=1e-8, base=10, min=-10, max=-1, step=1, description="ε",
                                          readout_format=".0e", style=style)
        self.steps = widgets.IntSlider(value=steps, min=1, max=500, description="steps", style=style)
        self.image = widgets.Image(format="png", value=b"")
        self.trajectories: dict[str, np.ndarray] = {}
        self.surface.observe(self._new_surface, names="value")
        for w in (self.lr, self.momentum, self.beta1, self.beta2, self.eps, self.steps):
            w.observe(lambda _: self.update(), names="value")
        controls = widgets.VBox([self.surface, self.lr, self.momentum, self.beta1, self.beta2, self.eps,
                                 self.steps])
        super().__init__([widgets.HBox([controls, self.image])])
        self.update()

    def _new_surface(self, change: dict) -> None:
        lr = SURFACES[change["new"]].lr
        if self.lr.value != lr:
            self.lr.value = lr           # its observer redraws
        else:
            self.update()

    def update(self) -> None:
        """Recompute the trajectories with the current settings and redraw."""
        surface = SURFACES[self.surface.value]
        hyper = dict(lr=self.lr.value, momentum=self.momentum.value, beta1=self.beta1.value,
                     beta2=self.beta2.value, eps=self.eps.value)
        self.trajectories = {name: trajectory(surface, name, self.steps.value, **hyper) for name in COLORS}
        self.image.value = figure_png(self.figure())

    def figure(self) -> Figure:
        """Contours of the surface and the trajectories, with each optimizer's final loss."""
        s = SURFACES[self.surface.value]
        xs, ys = np.meshgrid(np.linspace(*s.xlim, 200), np.linspace(*s.ylim, 200))
        z = s.f(xs, ys)
        fig = new_figure(6.4, 4.8)
        ax = fig.add_subplot()
        levels = np.quantile(z, np.linspace(0, 1, 25) ** 2)
        ax.contour(xs, ys, z, levels=np.unique(levels), cmap="viridis", linewidths=0.8)
        for name, path in self.trajectories.items():
            final = s.f(*path[-1])
            ax.plot(path[:, 0], path[:, 1], ".-", ms=2.5, lw=1.2, color=COLORS[name],
                    label=f"{name}: f = {final:.3g}")
        ax.plot(*s.start, "ko", ms=5)
        ax.set_xlim(*s.xlim)
        ax.set_ylim(*s.ylim)
        ax.set_title(f"{self.surface.value}, {self.steps.value} steps")
        ax.legend(fontsize=8, loc="upper right")
        return fig
