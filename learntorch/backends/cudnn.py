"""``learntorch.backends.cudnn``: cuDNN's switches, as ``torch.backends.cudnn``.

learntorch's GPU kernels are its own (numba), never cuDNN's, so ``is_available()`` is False and
``version()`` None on every machine. The flags exist so that PyTorch programs can set them
(``torch.backends.cudnn.benchmark = True``, ``deterministic = True``); they are remembered and
change nothing: learntorch's kernels are deterministic and have no algorithm search.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = None


def is_available() -> bool:
    """False: learntorch does not use cuDNN."""
    return False


def version() -> int | None:
    """None: there is no cuDNN library in use."""
    return None


def is_acceptable(tensor: Any) -> bool:
    """Whether cuDNN would take ``tensor``: never, in learntorch."""
    return False


@contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10, deterministic: bool = False,
          allow_tf32: bool = True) -> Iterator[None]:
    """Set the flags for the ``with`` block, and restore them after it (``benchmark_limit`` is accepted and
    ignored, as PyTorch does without cuDNN)."""
    module = globals()
    names = ("enabled", "benchmark", "deterministic", "allow_tf32")
    saved = {name: module[name] for name in names}
    module.update(enabled=enabled, benchmark=benchmark, deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        module.update(saved)
