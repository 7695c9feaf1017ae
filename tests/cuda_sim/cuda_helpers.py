"""Helpers for the CUDA tests: compare a CUDA result with the CPU backend's on the same inputs."""
from __future__ import annotations

from typing import Callable

import numpy as np

import learntorch as lt


def assert_close(cuda_t: lt.Tensor, cpu_t: lt.Tensor, atol: float = 1e-5, rtol: float = 1e-5) -> None:
    """cuda_t lives on the GPU and holds cpu_t's values (dtype and shape included)."""
    assert cuda_t.device.type == "cuda", cuda_t.device
    assert cuda_t.dtype is cpu_t.dtype and cuda_t.shape == cpu_t.shape, (cuda_t.dtype, cuda_t.shape, cpu_t.shape)
    np.testing.assert_allclose(cuda_t.detach().cpu().numpy(), cpu_t.detach().numpy(), atol=atol, rtol=rtol)


def check_op(fn: Callable[..., lt.Tensor], *arrays: np.ndarray, grad: bool = True, atol: float = 1e-5,
             rtol: float = 1e-5) -> None:
    """fn's forward and (if grad) backward on CUDA tensors equal those on CPU tensors."""
    leaves = {}
    for dev in ("cpu", "cuda"):
        leaves[dev] = [lt.tensor(a, device=dev, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out_cpu, out_cuda = fn(*leaves["cpu"]), fn(*leaves["cuda"])
    assert_close(out_cuda, out_cpu, atol, rtol)
    if grad and out_cpu.requires_grad:
        seed = np.random.default_rng(1).standard_normal(out_cpu.shape).astype(np.float32)
        g = lt.tensor(seed, dtype=out_cpu.dtype)
        out_cpu.backward(g)
        out_cuda.backward(g.cuda())
        for c, d in zip(leaves["cpu"], leaves["cuda"]):
            if c.grad is None:
                assert d.grad is None
            else:
                assert_close(d.grad, c.grad, atol, rtol)
