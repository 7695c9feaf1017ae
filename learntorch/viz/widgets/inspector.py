"""``TensorInspector``: a tensor is storage + shape + strides + offset; views only change the last three.

It draws the storage as a row of cells and the chosen view as a grid. Selecting an element of the
view highlights the storage cell it reads, ``offset + Σ index[d] · stride[d]``; the cells no
element of the view reads are greyed out. Views are ``permute``, slicing, ``expand`` and ``view``
of the tensor you pass, and each shares the original storage: nothing is copied.
"""
from __future__ import annotations

import html
from typing import Callable

import ipywidgets as widgets
import numpy as np

from ..._tensor import Tensor
from .._summary import num, to_numpy

MAX_CELLS = 256


def preset_views(t: Tensor) -> dict[str, Callable[[Tensor], Tensor]]:
    """The views the inspector offers for ``t``, by the code that makes them."""
    views: dict[str, Callable[[Tensor], Tensor]] = {"t": lambda x: x}
    if t.dim() >= 2:
        dims = tuple(reversed(range(t.dim())))
        views[f"t.permute{dims}"] = lambda x: x.permute(*dims)
        views["t[1:, ::2]"] = lambda x: x[1:, ::2]
    if t.dim() >= 1:
        views["t[::2]"] = lambda x: x[::2]
        views[f"t.unsqueeze(0).expand(2, {', '.join(map(str, t.shape))})"] = \
            lambda x: x.unsqueeze(0).expand(2, *x.shape)
    if t.is_contiguous():
        views["t.view(-1)"] = lambda x: x.view(-1)
        if t.numel() % 2 == 0 and t.numel() > 2:
            views[f"t.view(2, {t.numel() // 2})"] = lambda x: x.view(2, -1)
    return views


def storage_index(t: Tensor, index: tuple[int, ...]) -> int:
    """Where element ``index`` of ``t`` lives in its storage: offset + Σ index[d] · stride[d]."""
    return t.storage_offset() + sum(i * s for i, s in zip(index, t.stride()))


def _storage_values(t: Tensor) -> np.ndarray:
    storage = t._storage
    return np.asarray(storage) if isinstance(storage, np.ndarray) else storage.copy_to_host()


class TensorInspector(widgets.VBox):
    """Pick a view and an element; see its strides and the storage cell it maps to."""

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor.detach()
        self.views = preset_views(self.tensor)
        self.view_select = widgets.Dropdown(options=list(self.views), description="view")
        self.element = widgets.IntSlider(value=0, min=0, max=max(self.tensor.numel() - 1, 0),
                                         description="element")
        self.info = widgets.HTML()
        self.grid = widgets.HTML()
        self.storage = widgets.HTML()
        self.view_select.observe(lambda _: self._new_view(), names="value")
        self.element.observe(lambda _: self.update(), names="value")
        super().__init__([widgets.HBox([self.view_select, self.element]), self.info, self.grid, self.storage])
        self._new_view()

    @property
    def view(self) -> Tensor:
        """The view being shown."""
        return self.views[self.view_select.value](self.tensor)

    @property
    def selected(self) -> tuple[int, ...]:
        """The selected element's index in the view."""
        return tuple(int(i) for i in np.unravel_index(self.element.value, tuple(self.view.shape))) \
            if self.view.numel() else ()

    def _new_view(self) -> None:
        n = self.view.numel()
        if self.element.value >= n:
            self.element.value = 0
        self.element.max = max(n - 1, 0)
        self.update()

    def update(self) -> None:
        """Redraw the info line, the view grid and the storage row."""
        v = self.view
        idx = self.selected
        target = storage_index(v, idx) if v.numel() else None
        used = {storage_index(v, tuple(i)) for i in np.ndindex(*v.shape)} if v.numel() <= 4 * MAX_CELLS else set()
        same = v._storage is self.tensor._storage
        terms = " + ".join(f"{i}·{s}" for i, s in zip(idx, v.stride()))
        self.info.value = (
            f"<code>{html.escape(self.view_select.value)}</code>: shape <b>{tuple(v.shape)}</b>, "
            f"strides <b>{v.stride()}</b>, offset <b>{v.storage_offset()}</b>, "
            f"contiguous: {v.is_contiguous()}, shares t's storage: <b>{'yes, no copy' if same else 'no'}</b><br>"
            + (f"element {idx} → storage[{v.storage_offset()}{' + ' + terms if terms else ''}] = "
               f"storage[<b>{target}</b>]" if target is not None else "empty view"))
        self.grid.value = self._grid_html(v, idx)
        self.storage.value = self._storage_html(_storage_values(v), used, target)

    def _grid_html(self, v: Tensor, idx: tuple[int, ...]) -> str:
        a = to_numpy(v).reshape(-1) if v.dim() == 0 else to_numpy(v)
        rows = a.reshape(-1, a.shape[-1]) if a.ndim >= 2 else a.reshape(1, -1)
        flat_sel = self.element.value
        cells = []
        for r, row in enumerate(rows[:MAX_CELLS // 8]):
            tds = "".join(
                f'<td style="border:1px solid #999;padding:2px 6px;background:'
                f'{"#ffb3b3" if r * rows.shape[1] + c == flat_sel else "#eef"}">{num(x.item())}</td>'
                for c, x in enumerate(row[:32]))
            cells.append(f"<tr>{tds}</tr>")
        return f'<b>view</b> (rows of the last dim)<table style="border-collapse:collapse">{"".join(cells)}</table>'

    def _storage_html(self, storage: np.ndarray, used: set[int], target: int | None) -> str:
        tds = []
        for i, x in enumerate(storage[:MAX_CELLS]):
            color = "#ff6666" if i == target else "#cde" if i in used else "#f4f4f4"
            tds.append(f'<td style="border:1px solid #999;padding:2px 6px;background:{color};'
                       f'text-align:center">{num(x.item())}<br><small>{i}</small></td>')
        more = f"<td>… {len(storage) - MAX_CELLS} more</td>" if len(storage) > MAX_CELLS else ""
        return (f"<b>storage</b> ({len(storage)} cells; red: the selected element, blue: read by this view)"
                f'<div style="overflow-x:auto"><table style="border-collapse:collapse"><tr>{"".join(tds)}{more}'
                "</tr></table></div>")
