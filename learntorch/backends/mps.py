"""``learntorch.backends.mps``: Apple's Metal backend, as ``torch.backends.mps``. learntorch has none."""
from __future__ import annotations


def is_built() -> bool:
    """False: learntorch has no Metal (MPS) kernels."""
    return False


def is_available() -> bool:
    """False: learntorch cannot run on an Apple GPU."""
    return False
