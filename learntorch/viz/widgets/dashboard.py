"""``TrainingDashboard``: live loss and accuracy curves, a progress bar and a Stop button.

    board = TrainingDashboard(total_steps=len(loader), monitor=Monitor(model))
    display(board)
    for step, (x, y) in enumerate(loader):
        ...; monitor.step()
        board.log(step=step, loss=loss.item(), accuracy=acc)
        if board.stopped:
            break

Metrics whose name contains "acc" go to the right-hand panel, the others (losses) to the left.
Curves are drawn into a ``widgets.Image`` at most every ``min_interval`` seconds (and by ``refresh()``).
"""
from __future__ import annotations

import time
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from .._figure import figure_png, new_figure


class TrainingDashboard(widgets.VBox):
    """Curves of ``log()``-ged metrics, an optional gradient-flow panel fed by a ``Monitor``."""

    def __init__(self, total_steps: int | None = None, monitor: Any = None, min_interval: float = 0.5) -> None:
        self.monitor = monitor
        self.min_interval = min_interval
        self.history: dict[str, tuple[list[float], list[float]]] = {}   # metric -> (steps, values)
        self.stopped = False
        self._last_draw = float("-inf")
        self.progress = widgets.IntProgress(value=0, min=0, max=total_steps or 1, description="step",
                                            layout=widgets.Layout(visibility="visible" if total_steps else "hidden"))
        self.stop_button = widgets.Button(description="Stop", icon="stop", button_style="danger")
        self.stop_button.on_click(lambda _: self.stop())
        self.status = widgets.HTML()
        self.curves = widgets.Image(format="png", value=b"")
        self.grad_flow = widgets.Image(format="png", value=b"")
        panels = [self.curves] + ([self.grad_flow] if monitor is not None else [])
        super().__init__([widgets.HBox([self.progress, self.stop_button, self.status]), widgets.HBox(panels)])

    def stop(self) -> None:
        """What the Stop button does: ``stopped`` becomes True, for the training loop to check."""
        self.stopped = True
        self.stop_button.disabled = True
        self.status.value += " <b>stopped</b>"

    def log(self, step: int | None = None, **metrics: float) -> None:
        """Add one point per metric at ``step`` (default: one more than the last)."""
        if step is None:
            step = max((s[-1] for s, _ in self.history.values() if s), default=-1) + 1
        for name, value in metrics.items():
            steps, values = self.history.setdefault(name, ([], []))
            steps.append(step)
            values.append(float(value))
        self.progress.value = min(step + 1, self.progress.max)
        self.status.value = f"step {step}: " + ", ".join(f"{k} = {float(v):.4g}" for k, v in metrics.items())
        if time.perf_counter() - self._last_draw >= self.min_interval:
            self.refresh()

    def figure(self) -> Figure:
        """The curves: losses on the left, accuracies on the right."""
        groups = {"loss": [n for n in self.history if "acc" not in n.lower()],
                  "accuracy": [n for n in self.history if "acc" in n.lower()]}
        groups = {k: v for k, v in groups.items() if v}
        fig = new_figure(4.2 * max(len(groups), 1), 3.2)
        for i, (title, names) in enumerate(groups.items()):
            ax = fig.add_subplot(1, len(groups), i + 1)
            for name in names:
                ax.plot(*self.history[name], label=name)
            ax.set_title(title)
            ax.set_xlabel("step")
            ax.legend(fontsize=8)
        return fig

    def refresh(self) -> None:
        """Redraw the curves (and the gradient flow of the monitor's last step) now."""
        self._last_draw = time.perf_counter()
        self.curves.value = figure_png(self.figure())
        if self.monitor is not None and self.monitor.history:
            self.grad_flow.value = figure_png(self.monitor.plot_grad_flow())
