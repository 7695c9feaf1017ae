"""Every CUDA kernel compiles for a real GPU (sm_90, an H100), without one: numba's compile_ptx
runs the CUDA compiler (NVVM) alone. The simulator runs kernels as Python, so it cannot catch
what only the GPU compiler rejects (a Python builtin it lacks, a type it can't unify).

Each kernel is compiled for float32 and the argument types the backend passes; the elementwise
and reduction kernels for every dtype too. Skipped where NVVM is not installed."""
from __future__ import annotations

import types

import numpy as np
import pytest
from numba import config

if config.ENABLE_CUDASIM:
    pytest.skip("compile_ptx needs the real CUDA target, not the simulator", allow_module_level=True)

from numba import cuda  # noqa: E402
from numba import types as T  # noqa: E402
from numba.cuda.cudadrv import nvvm  # noqa: E402

from learntorch.backends.cuda import conv, copy, elementwise, matmul, optim, pool, reduce  # noqa: E402

pytestmark = pytest.mark.skipif(not nvvm.is_available(), reason="NVVM (the CUDA compiler library) not installed")

f32, f64, i64, b1 = T.float32, T.float64, T.int64, T.boolean


def arr(dtype: T.Type) -> T.Array:
    return T.Array(dtype, 1, "C")  # storages are flat, C-contiguous device arrays


def tup(n: int) -> T.UniTuple:
    return T.UniTuple(i64, n)  # shapes, strides and conv parameters travel as int tuples


def kernels() -> list[tuple[str, object, tuple]]:
    jobs = []
    for dt in (f32, f64, i64, b1):
        out = b1 if dt is b1 else f32
        jobs.append((f"map {dt}", elementwise.map_kernel("exp"),
                     (arr(out), tup(2), arr(dt), i64, tup(2))))
    for name in ("add", "div", "pow", "maximum", "relu_grad", "lt", "logical_or"):
        for dt in (f32, i64):
            jobs.append((f"zip {name} {dt}", elementwise.zip_kernel(name),
                         (arr(dt), tup(2), arr(dt), i64, tup(2), arr(dt), i64, tup(2))))
    jobs.append(("where", elementwise.where_loop,
                 (arr(f32), tup(2), arr(b1), i64, tup(2), arr(f32), i64, tup(2), arr(f32), i64, tup(2))))
    for op in ("sum", "max"):
        for dt, shared in ((f32, np.float32), (i64, np.int64), (b1, np.uint8)):
            jobs.append((f"reduce {op} {dt}", reduce.reduce_kernel(op, shared),
                         (arr(dt), arr(dt), i64, tup(1), tup(1), tup(2), tup(2), i64, i64, dt)))
    jobs.append(("argmax", reduce.arg_reduce_kernel("argmax"), (arr(i64), arr(f32), i64, tup(1), tup(1), i64, i64)))
    jobs.append(("matmul", matmul.matmul_kernel(np.float32, matmul.GPU_TILES),
                 (arr(f32), arr(f32), i64, tup(3), arr(f32), i64, tup(3), i64, i64, i64)))
    jobs.append(("copy cast", copy.copy_loop, (i64, tup(2), arr(f32), i64, tup(2), arr(i64), i64, tup(2))))
    jobs.append(("fill", copy.fill_loop, (i64, tup(1), arr(f32), i64, tup(1), f32)))
    for name in ("gather_loop", "scatter_add_loop", "scatter_loop"):
        jobs.append((name, getattr(copy, name), (arr(f32), arr(f32), i64, arr(i64))))
    jobs.append(("conv", conv.conv2d_forward_kernel, (arr(f32),) * 4 + (tup(4),) * 3 + (tup(2),) * 3))
    jobs.append(("conv grad x", conv.conv2d_backward_input_kernel, (arr(f32),) * 3 + (tup(4),) * 3 + (tup(2),) * 3))
    jobs.append(("conv grad w", conv.conv2d_backward_weight_kernel(np.float32),
                 (arr(f32),) * 3 + (tup(4),) * 3 + (tup(2),) * 3))
    jobs.append(("max pool", pool.max_pool2d_kernel, (arr(f32), arr(i64), arr(f32)) + (i64,) * 4 + (tup(2),) * 4))
    jobs.append(("max pool grad", pool.max_pool2d_backward_kernel, (arr(f32), arr(f32), arr(i64), i64, i64)))
    jobs.append(("avg pool", pool.avg_pool2d_kernel, (arr(f32),) * 2 + (i64,) * 4 + (tup(2),) * 3 + (b1,)))
    jobs.append(("avg pool grad", pool.avg_pool2d_backward_kernel,
                 (arr(f32),) * 2 + (i64,) * 4 + (tup(2),) * 3 + (b1,)))
    jobs.append(("sgd", optim.sgd_kernel, (arr(f32),) * 3 + (T.UniTuple(f32, 4), b1, b1)))
    jobs.append(("adam", optim.adam_kernel, (arr(f32),) * 5 + (T.UniTuple(f32, 9), b1, b1)))
    jobs.append(("rmsprop", optim.rmsprop_kernel, (arr(f32),) * 5 + (T.UniTuple(f32, 6), b1)))
    jobs.append(("adagrad", optim.adagrad_kernel, (arr(f32),) * 3 + (T.UniTuple(f32, 3),)))
    return jobs


@pytest.mark.parametrize("name,kernel,signature", kernels(), ids=[job[0] for job in kernels()])
def test_kernel_compiles_for_sm90(name, kernel, signature, monkeypatch):
    if not cuda.is_available():
        # device functions called from a kernel compile for "the current GPU": there is none, so say sm_90
        import numba.cuda.dispatcher as dispatcher
        monkeypatch.setattr(dispatcher, "get_current_device",
                            lambda: types.SimpleNamespace(compute_capability=(9, 0)))
    ptx, _ = cuda.compile_ptx(kernel.py_func, signature, cc=(9, 0))
    assert ".entry" in ptx
