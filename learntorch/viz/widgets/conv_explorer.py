"""``ConvExplorer``: the filters and feature maps of a CNN's convolutions for a chosen image.

The model runs once on the image, or on a batch of them (under ``no_grad``), with forward hooks on
every ``Conv2d`` that keep its output; with a batch, an ``image`` slider picks which one to show. Pick a layer to see all its filters and feature maps as tiled heatmaps, and a
channel to see that filter next to its feature map, enlarged. Images are tiled with NumPy and
encoded straight to PNG, so moving a slider redraws in milliseconds.
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...nn import Conv2d
from .._summary import to_numpy
from ._images import array_png, tile


def _titled(title: str, widget: widgets.Widget) -> widgets.VBox:
    return widgets.VBox([widgets.HTML(f"<b>{title}</b>"), widget])


class ConvExplorer(widgets.VBox):
    """Filters (out_channels, in_channels, kh, kw) and feature maps (C, H, W) per Conv2d of ``model``,
    for ``images``: one image (C, H, W) or a batch (N, C, H, W)."""

    def __init__(self, model: Any, images: Tensor) -> None:
        self.model = model
        self.convs = {name: m for name, m in model.named_modules() if isinstance(m, Conv2d)}
        if not self.convs:
            raise ValueError("ConvExplorer needs a model with at least one nn.Conv2d layer")
        batch = images if images.dim() == 4 else images.unsqueeze(0)
        self.images = to_numpy(batch)                     # (N, C, H, W)
        self.batch_maps: dict[str, np.ndarray] = {}       # layer -> (N, C, H, W)
        handles = [m.register_forward_hook(self._keep(name)) for name, m in self.convs.items()]
        try:
            with no_grad():
                out = model(batch)
        finally:
            for h in handles:
                h.remove()
        self.outputs = to_numpy(out) if isinstance(out, Tensor) else None

        first = next(iter(self.convs))
        self.layer = widgets.Dropdown(options=list(self.convs), value=first, description="layer")
        self.channel = widgets.IntSlider(value=0, min=0, max=self.convs[first].out_channels - 1,
                                         description="channel")
        self.image_index = widgets.IntSlider(value=0, min=0, max=len(self.images) - 1, description="image",
                                             layout=widgets.Layout(display=None if len(self.images) > 1 else "none"))
        self.info = widgets.HTML()
        self.input_image = widgets.Image(format="png")
        self.filters = widgets.Image(format="png")
        self.maps = widgets.Image(format="png")
        self.filter_zoom = widgets.Image(format="png")
        self.map_zoom = widgets.Image(format="png")
        self.layer.observe(self._new_layer, names="value")
        self.channel.observe(lambda _: self.update(), names="value")
        self.image_index.observe(lambda _: self.update(), names="value")
        super().__init__([
            widgets.HBox([self.image_index, self.layer, self.channel]), self.info,
            widgets.HBox([_titled("input", self.input_image), _titled("filter", self.filter_zoom),
                          _titled("feature map", self.map_zoom)]),
            widgets.HBox([_titled("all filters (input channel 0)", self.filters),
                          _titled("all feature maps", self.maps)]),
        ])
        self.update()

    def _keep(self, name: str):
        def hook(module: Any, args: tuple, output: Tensor) -> None:
            self.batch_maps[name] = to_numpy(output)
        return hook

    @property
    def feature_maps(self) -> dict[str, np.ndarray]:
        """layer -> (C, H, W) feature maps of the chosen image."""
        return {name: maps[self.image_index.value] for name, maps in self.batch_maps.items()}

    @property
    def output(self) -> np.ndarray | None:
        """The model's output for the chosen image."""
        return self.outputs[self.image_index.value] if self.outputs is not None else None

    def _new_layer(self, change: dict) -> None:
        self.channel.max = self.convs[change["new"]].out_channels - 1
        self.update()

    def update(self) -> None:
        """Redraw for the current layer and channel."""
        name, c = self.layer.value, self.channel.value
        weight = to_numpy(self.convs[name].weight)        # (out, in, kh, kw)
        maps = self.batch_maps[name][self.image_index.value]
        self.input_image.value = array_png(self.images[self.image_index.value, 0], "gray", scale=4)
        self.filters.value = array_png(tile(weight[:, 0]), "RdBu_r", scale=6)
        self.maps.value = array_png(tile(maps), "viridis", scale=2)
        self.filter_zoom.value = array_png(weight[c, 0], "RdBu_r", scale=24, symmetric=True)
        self.map_zoom.value = array_png(maps[c], "viridis", scale=4)
        pred = f", prediction: class <b>{int(self.output.argmax())}</b>" \
            if self.output is not None and self.output.ndim == 1 else ""
        self.info.value = (f"<code>{html.escape(name)}</code>: weight {weight.shape}, feature maps {maps.shape}; "
                           f"channel {c}: mean {maps[c].mean():.3g}, max {maps[c].max():.3g}{pred}")
