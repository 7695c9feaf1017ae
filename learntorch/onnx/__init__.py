"""``learntorch.onnx``: importable, so programs that ``import torch.onnx`` at the top run; no exporter yet.

``export`` raises NotImplementedError naming what works instead; ``is_in_onnx_export()`` is
truthfully False (a forward can ask it, as under torch, and it never runs inside an export).
"""
from __future__ import annotations

from typing import Any


def is_in_onnx_export() -> bool:
    """Whether the code runs inside ``onnx.export``: never, learntorch has no exporter."""
    return False


def export(model: Any, args: Any = (), f: Any = None, *pos: Any, **kwargs: Any) -> None:
    """Not available: learntorch can't write ONNX files."""
    raise NotImplementedError(
        "onnx.export: learntorch has no ONNX exporter. Save the weights with "
        "learntorch.save(model.state_dict(), path) and load them into the same model under PyTorch "
        "(or learntorch) to export or serve it there")
