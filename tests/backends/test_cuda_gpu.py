"""Checks that only mean something on a real GPU (marker ``cuda``): sizes the simulator can't run,
and the GPU tile shapes at full size. Skipped without a GPU and under the simulator."""
import numpy as np
import pytest
from numba import config

import learntorch as lt

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(bool(config.ENABLE_CUDASIM) or not lt.cuda.is_available(), reason="needs a real GPU")]


def test_large_matmul_and_reduction_match_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 300, 257)).astype(np.float32), rng.standard_normal((257, 130)).astype(np.float32)
    out = (lt.tensor(a, device="cuda") @ lt.tensor(b, device="cuda")).cpu().numpy()
    np.testing.assert_allclose(out, a @ b, rtol=1e-4, atol=1e-3)
    x = rng.standard_normal(1_000_003).astype(np.float32)
    assert abs(lt.tensor(x, device="cuda").sum().item() - x.astype(np.float64).sum()) < 1e-1


def test_conv_step_matches_cpu_at_batch_16():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3, 28, 28)).astype(np.float32)
    w = rng.standard_normal((32, 3, 3, 3)).astype(np.float32)
    grads = {}
    for dev in ("cpu", "cuda"):
        xt, wt = lt.tensor(x, device=dev, requires_grad=True), lt.tensor(w, device=dev, requires_grad=True)
        y = lt.nn.functional.conv2d(xt, wt, padding=1)
        lt.nn.functional.max_pool2d(y, 2).sum().backward()
        grads[dev] = (y.detach().cpu().numpy(), xt.grad.cpu().numpy(), wt.grad.cpu().numpy())
    for g_cuda, g_cpu in zip(grads["cuda"], grads["cpu"]):
        np.testing.assert_allclose(g_cuda, g_cpu, rtol=1e-4, atol=1e-3)
