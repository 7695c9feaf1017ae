"""``learntorch.cpu``: as ``torch.cpu``, plus learntorch's opt-in tuning for its CPU kernels.

``tune_allocator()`` keeps freed big buffers in the heap for the whole process, so training
steps stop faulting fresh pages in (see ``learntorch/_runtime.py``); ``import learntorch`` does
not call it.
"""
from __future__ import annotations

from ._runtime import tune_allocator

__all__ = ["is_available", "tune_allocator"]


def is_available() -> bool:
    """Always True: learntorch always runs on the CPU (as ``torch.cpu.is_available``)."""
    return True
