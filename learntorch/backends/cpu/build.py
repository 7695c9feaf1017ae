"""How CPU kernels are compiled, and the one rule that picks a kernel's one-thread or parallel build.

Every loop kernel exists twice: ``parallel=True`` shares its ``prange`` out over Numba's thread
pool, ``parallel=False`` runs it on the calling thread (``prange`` acts as ``range``). Waking the
pool costs a few microseconds, more than a small loop itself, so the backend asks
``parallel(numel)`` (PyTorch's GRAIN_SIZE rule) and nothing else.
"""
from __future__ import annotations

import types
from functools import cache
from typing import Callable

from numba import njit

# Below this many elements a kernel runs on one thread: waking the thread pool costs more than
# the loop itself (PyTorch's GRAIN_SIZE).
GRAIN = 32768
# reassociation lets LLVM vectorise; no "nnan"/"ninf", so NaN and inf checks survive
FASTMATH = {"reassoc", "contract", "arcp", "nsz"}


def parallel(numel: int) -> bool:
    """Whether a kernel over ``numel`` elements should run on the thread pool."""
    return numel >= GRAIN


@cache
def compile_kernel(loop: Callable, parallel: bool) -> Callable:
    """``@njit`` a kernel loop, multi-threaded (``prange`` shares it out) or on one thread.

    The one-thread build is a copy of the function named ``<name>_serial``: Numba's disk cache
    is keyed by the function's name and code, not by the ``parallel`` flag, so the two builds
    must not share an entry. Both use NumPy's error model (``1.0 / 0.0`` is ``inf``, not a
    ZeroDivisionError), which ``parallel=True`` implies.
    """
    if not parallel:
        twin = types.FunctionType(loop.__code__, loop.__globals__, loop.__name__ + "_serial",
                                  loop.__defaults__, loop.__closure__)
        twin.__qualname__ = loop.__qualname__ + "_serial"
        twin.__doc__ = loop.__doc__
        loop = twin
    return njit(parallel=parallel, fastmath=FASTMATH, error_model="numpy", cache=True)(loop)
