"""An opt-in process-wide setting that the CPU kernels need for full speed.

``import learntorch`` changes nothing in the process. A script that wants the speed asks for it
(``benchmarks/bench_cnn.py`` and ``learntorch/examples/mnist_cnn.py`` do)::

    learntorch.cpu.tune_allocator()      # or LEARNTORCH_TUNE_MALLOC=1 before `import learntorch`

It fixes a trap measured on the course machine (``shared/docs/PERFORMANCE.md``).
``LEARNTORCH_NO_TUNING=1`` makes it do nothing (to measure what it is worth); ``applied``
records what was done.

**No page faults for big temporaries.** glibc's malloc hands each block above 128 KiB
to its own ``mmap`` and unmaps it on ``free``, so every fresh activation or gradient
buffer (a few MB in the CNN) is faulted in page by page again: about 9,000 page faults
per training step, several milliseconds. ``mallopt`` raises the mmap threshold to
1 GiB and the trim threshold likewise, so freed blocks stay in the heap and are reused
warm. That holds for the whole process (NumPy's and other libraries' arrays too, and a
Jupyter kernel's), which is why it is opt-in. Only on glibc (Linux); elsewhere nothing
happens. The environment variables ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_``
do the same before start-up (and then take precedence: a threshold already set that way is
left alone).

(The other trap, two thread pools fighting for the cores, needs no setting: BLAS runs
inside Numba's threads, see ``backends/cpu/fast/blas.py``.)
"""
from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers (malloc.h)
MALLOC_THRESHOLD = 1 << 30

applied: dict[str, object] = {}


def _raise_malloc_thresholds() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        gnu_get_libc_version = libc.gnu_get_libc_version  # present on glibc only (not musl)
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    gnu_get_libc_version.restype = ctypes.c_char_p
    done = {}
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        done["M_MMAP_THRESHOLD"] = bool(mallopt(M_MMAP_THRESHOLD, MALLOC_THRESHOLD))
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        done["M_TRIM_THRESHOLD"] = bool(mallopt(M_TRIM_THRESHOLD, MALLOC_THRESHOLD))
    applied["mallopt"] = done
    applied["glibc"] = gnu_get_libc_version().decode()


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def tune_allocator() -> dict[str, object]:
    """Raise glibc's malloc thresholds for this whole process (once; later calls do nothing).
    Returns ``applied``: what was set (empty where nothing was, e.g. off glibc)."""
    if not applied and not _env_flag("LEARNTORCH_NO_TUNING"):
        _raise_malloc_thresholds()
    return applied


if _env_flag("LEARNTORCH_TUNE_MALLOC"):
    tune_allocator()
