"""``learntorch.accelerator``: the device-agnostic view of the accelerator, as ``torch.accelerator``.

learntorch has one kind of accelerator, CUDA (through numba), and drives one GPU, ``cuda:0``.
Everything here answers from ``learntorch.cuda``: with a GPU (or numba's CUDA simulator)
``current_accelerator()`` is ``device("cuda")``; without one it is None, ``is_available()`` is
False and ``device_count()`` 0, and the calls that need a device raise RuntimeError, as a
CPU-only PyTorch does. So the usual line works unchanged::

    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"
"""
from __future__ import annotations

from . import cuda
from ._device import device as Device

_NONE_AVAILABLE = "Cannot access accelerator device when none is available."


def current_accelerator(check_available: bool = False) -> Device | None:
    """``device("cuda")`` when learntorch can use a GPU, else None (``check_available`` changes
    nothing: learntorch reports an accelerator only when it is usable)."""
    return Device("cuda") if cuda.is_available() else None


def is_available() -> bool:
    """True when a GPU is usable (numba finds one with a working driver, or runs its simulator)."""
    return current_accelerator() is not None


def device_count() -> int:
    """The number of GPUs numba can see (0 without one)."""
    return cuda.device_count() if is_available() else 0


def current_device_index() -> int:
    """The index of the GPU new accelerator tensors go to (always 0: learntorch drives one GPU)."""
    if not is_available():
        raise RuntimeError(_NONE_AVAILABLE)
    return cuda.current_device()


def _device_index(device: Device | str | int | None) -> int:
    """The GPU index ``device`` names (None: the current one), checked against the accelerator."""
    if isinstance(device, str):
        device = Device(device)
    if isinstance(device, Device):
        accelerator = current_accelerator()
        if accelerator is None:
            raise RuntimeError("Accelerator expected")
        if accelerator.type != device.type:
            raise ValueError(f"{device.type} doesn't match the current accelerator {accelerator}.")
        device = device.index
    if device is None:
        return current_device_index()
    if not isinstance(device, int):
        raise TypeError(f"expected a device, a device string or an int index, got {type(device).__name__}")
    return device


def set_device_index(device: Device | str | int) -> None:
    """Select the GPU new tensors go to; learntorch drives only ``cuda:0``, so only index 0 is accepted."""
    if not is_available():
        raise RuntimeError(_NONE_AVAILABLE)
    index = _device_index(device)
    if index != 0:
        raise RuntimeError(f"CUDA error: invalid device ordinal: learntorch drives one GPU, cuda:0, not cuda:{index}")


def synchronize(device: Device | str | int | None = None) -> None:
    """Wait until every kernel launched on the accelerator has finished (time GPU work with it)."""
    if not is_available():
        raise RuntimeError(_NONE_AVAILABLE)
    _device_index(device)
    cuda.synchronize()


__all__ = ["current_accelerator", "current_device_index", "device_count", "is_available", "set_device_index",
           "synchronize"]
