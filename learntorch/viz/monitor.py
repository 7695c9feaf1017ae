"""``Monitor``: nn-zero-to-hero's training diagnostics, attached to a model through hooks.

    mon = Monitor(model)
    for x, y in batches:
        opt.zero_grad(); loss = crit(model(x), y); loss.backward(); opt.step()
        mon.step()                       # close the step: record its statistics
    mon.plot_activations(); mon.plot_gradients(); mon.plot_update_ratios()
    mon.remove()                         # (or use `with Monitor(model) as mon:`)

Per step and per leaf module: the mean, std and saturated share of its output (|tanh| > 0.97,
sigmoid outside [0.03, 0.97], ReLU at 0), the mean and std of the gradient w.r.t. that
output, and, per parameter, mean/max |grad| and the update:data ratio |Δθ| / |θ|.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .._tensor import Tensor
from ._figure import new_figure
from ._summary import to_numpy
from .grad_flow import draw_grad_flow

GUIDE = 1e-3     # the update:data ratio nn-zero-to-hero aims for
BINS = 50
SATURATING = ("Tanh", "Sigmoid", "ReLU")


def saturated(kind: str, a: np.ndarray) -> float | None:
    """The share of saturated units in an activation ``a`` of a module of class ``kind``."""
    if kind == "Tanh":
        return float((np.abs(a) > 0.97).mean())
    if kind == "Sigmoid":
        return float(((a < 0.03) | (a > 0.97)).mean())
    if kind == "ReLU":
        return float((a <= 0).mean())
    return None


class Monitor:
    """Records activation, gradient and update statistics of ``model`` at every ``step()``."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.layers = [(n, m) for n, m in model.named_modules() if next(iter(m.children()), None) is None]
        self.params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        self.history: list[dict] = []       # one dict per step (see step())
        self.activations: dict[str, np.ndarray] = {}   # last forward's outputs, per layer
        self.out_grads: dict[str, np.ndarray] = {}     # last backward's grads w.r.t. those outputs
        self._before = {n: to_numpy(p).copy() for n, p in self.params}
        self._handles = [m.register_forward_hook(self._hook(n)) for n, m in self.layers]

    def _hook(self, name: str):
        def hook(module: Any, args: tuple, output: Any) -> None:
            if not isinstance(output, Tensor):
                return
            self.activations[name] = to_numpy(output).copy()
            if output.requires_grad:
                output.register_hook(lambda g: self.out_grads.__setitem__(name, to_numpy(g).copy()))
        return hook

    def step(self) -> dict:
        """Record this step's statistics (call it after ``optimizer.step()``); returns the record.

        Record: {"layers": {name: {mean, std, saturated, grad_mean, grad_std}},
                 "params": {name: {grad_mean, grad_max, update_ratio}}}."""
        kinds = {n: type(m).__name__ for n, m in self.layers}
        layers = {}
        for name, a in self.activations.items():
            g = self.out_grads.get(name)
            layers[name] = {"mean": float(a.mean()), "std": float(a.std()),
                            "saturated": saturated(kinds[name], a),
                            "grad_mean": float(g.mean()) if g is not None else None,
                            "grad_std": float(g.std()) if g is not None else None}
        params = {}
        for name, p in self.params:
            now = to_numpy(p)
            before = self._before[name]
            g = np.abs(to_numpy(p.grad)) if p.grad is not None else np.zeros(1)
            norm = float(np.linalg.norm(before))
            params[name] = {"grad_mean": float(g.mean()), "grad_max": float(g.max()),
                            "update_ratio": float(np.linalg.norm(now - before)) / norm if norm else float("nan")}
            self._before[name] = now.copy()
        record = {"layers": layers, "params": params}
        self.history.append(record)
        return record

    def remove(self) -> None:
        """Detach every hook; the model runs exactly as before."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> "Monitor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    # ---------------------------------------------------------------- plots
    def _histograms(self, arrays: dict[str, np.ndarray], title: str) -> Figure:
        fig = new_figure(8, 3.5)
        ax = fig.add_subplot()
        for name, a in arrays.items():
            counts, edges = np.histogram(a, bins=BINS, density=True)
            ax.plot((edges[:-1] + edges[1:]) / 2, counts, label=name)
        ax.set_title(title)
        if arrays:
            ax.legend(fontsize=7)
        return fig

    def plot_activations(self, layers: list[str] | None = None) -> Figure:
        """Histograms of the last forward's outputs, one curve per layer (default: activation layers)."""
        kinds = {n: type(m).__name__ for n, m in self.layers}
        names = layers or [n for n in self.activations if kinds[n] in SATURATING] or list(self.activations)
        return self._histograms({n: self.activations[n] for n in names}, "activation distribution")

    def plot_gradients(self, layers: list[str] | None = None) -> Figure:
        """Histograms of the last backward's gradients w.r.t. each layer's output."""
        names = layers or list(self.out_grads)
        return self._histograms({n: self.out_grads[n] for n in names}, "gradient distribution")

    def plot_update_ratios(self) -> Figure:
        """|Δθ|/|θ| per parameter over the steps, log scale, with the 1e-3 guide line."""
        fig = new_figure(8, 3.5)
        ax = fig.add_subplot()
        for name, _ in self.params:
            ax.plot([r["params"][name]["update_ratio"] for r in self.history], label=name)
        ax.axhline(GUIDE, color="k", ls="--", lw=1, label="1e-3 guide")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("|Δθ| / |θ|")
        ax.set_title("update:data ratio")
        ax.legend(fontsize=7)
        return fig

    def plot_grad_flow(self, ax: Any = None, log: bool = False) -> Figure:
        """The gradient-flow bars of the last recorded step."""
        if not self.history:
            raise RuntimeError("no gradients yet: call loss.backward() first (and monitor.step())")
        stats = self.history[-1]["params"]
        names = list(stats)
        if ax is None:
            fig = new_figure(max(4.0, 0.35 * len(names) + 1.5), 4.0)
            ax = fig.add_subplot()
        draw_grad_flow(ax, names, np.array([stats[n]["grad_mean"] for n in names]),
                       np.array([stats[n]["grad_max"] for n in names]), log)
        return ax.figure
