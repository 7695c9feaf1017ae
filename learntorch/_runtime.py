"""Process-wide settings that the CPU kernels need for full speed, applied once by ``import learntorch``.

Both fix traps measured on the course machine (``shared/docs/PERFORMANCE.md``); set
``LEARNTORCH_NO_TUNING=1`` before the import to skip both. ``applied`` records what was done.

1. **BLAS threads stop spinning.** Matrix products run in OpenBLAS (``np.dot`` inside ``@njit``),
   everything else in Numba's thread pool. After a call, each pool's threads spin for a while
   waiting for more work; on 2 cores the two pools then fight for the CPUs, which doubled the
   CNN's training step (27 ms to 61 ms). ``OPENBLAS_THREAD_TIMEOUT=4`` makes OpenBLAS's
   threads sleep almost at once.

   OpenBLAS reads the variable once, when its library is loaded, so *where* it is set
   matters. It is set here, the first thing ``import learntorch`` runs, with ``setdefault`` (a
   value of yours wins). That is in time for the OpenBLAS that the kernels use: Numba binds
   ``np.dot`` to SciPy's copy of OpenBLAS, which loads on the first matrix product, after this
   import. It is too late when SciPy was imported before learntorch, and for NumPy's own copy
   when NumPy was: put ``OPENBLAS_THREAD_TIMEOUT=4`` in the environment (or the very top of
   the script) to cover those cases too.

2. **No page faults for big temporaries.** glibc's malloc hands each block above 128 KiB
   to its own ``mmap`` and unmaps it on ``free``, so every fresh activation or gradient
   buffer (a few MB in the CNN) is faulted in page by page again: about 9,000 page faults
   per training step, several milliseconds. ``mallopt`` raises the mmap threshold to
   1 GiB and the trim threshold likewise, so freed blocks stay in the heap and are reused
   warm. Only on glibc (Linux); elsewhere nothing happens. The environment variables
   ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` do the same before start-up (and
   then take precedence: a threshold already set that way is left alone).
"""
from __future__ import annotations

import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers (malloc.h)
MALLOC_THRESHOLD = 1 << 30
BLAS_THREAD_TIMEOUT = "4"

applied: dict[str, object] = {}


def _set_blas_thread_timeout() -> None:
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", BLAS_THREAD_TIMEOUT)
    applied["OPENBLAS_THREAD_TIMEOUT"] = os.environ["OPENBLAS_THREAD_TIMEOUT"]
    loaded = [m for m in ("numpy", "scipy") if m in sys.modules]
    if loaded:  # their OpenBLAS read the environment already
        applied["openblas_loaded_before"] = loaded


def _raise_malloc_thresholds() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
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


def apply() -> None:
    """Apply both settings (once; later calls do nothing)."""
    if applied or os.environ.get("LEARNTORCH_NO_TUNING", "") not in ("", "0"):
        return
    _set_blas_thread_timeout()
    _raise_malloc_thresholds()


apply()
