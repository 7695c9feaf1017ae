"""``learntorch.cuda``: is there a GPU, and which one. As ``torch.cuda``.

What runs where:

* Tensors on ``"cuda"`` keep their storage in GPU memory (a numba ``DeviceNDArray``). Every op
  on them runs as a numba ``@cuda.jit`` kernel on the GPU (learntorch/backends/cuda/); Python
  on the CPU only checks shapes and launches kernels, and does not wait for them.
* Data crosses between host and GPU only at ``.to(device)`` / ``.cuda()`` / ``.cpu()``,
  ``.item()``, ``.tolist()`` and ``print``; these wait for the GPU to finish first.
* With ``NUMBA_ENABLE_CUDASIM=1`` set before numba is imported, numba's CUDA *simulator* runs
  the same kernels on the CPU, one Python thread per GPU thread: slow, but it needs no GPU,
  and it is how the test suite checks the kernels. ``is_available()`` is then True.
"""
from __future__ import annotations


def is_available() -> bool:
    """True when numba finds an NVIDIA GPU with a working driver (or runs its simulator)."""
    try:
        from numba import cuda
        return bool(cuda.is_available())
    except Exception:  # no numba.cuda, or a broken driver install
        return False


def device_count() -> int:
    """The number of GPUs numba can see (0 without a GPU)."""
    if not is_available():
        return 0
    from numba import cuda
    return len(cuda.gpus)


def current_device() -> int:
    """The index of the GPU that new CUDA tensors go to (learntorch uses one GPU: always 0)."""
    _require()
    return 0


def get_device_name(device: int | str | None = None) -> str:
    """The name of GPU ``device`` (default: the current one), e.g. 'NVIDIA H100 80GB HBM3'."""
    _require()
    from numba import config, cuda
    if config.ENABLE_CUDASIM:
        return "numba CUDA simulator"
    index = 0 if device is None else int(str(device).rpartition(":")[2] or 0)
    name = cuda.gpus[index].name
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize() -> None:
    """Wait until every kernel launched so far has finished (time GPU work with it)."""
    _require()
    from numba import cuda
    cuda.synchronize()


def _require() -> None:
    from .backends.cuda import require_device
    require_device()
