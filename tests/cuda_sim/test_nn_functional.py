"""The nn.functional ops the models use, composed from the kernels, equal on CUDA and CPU."""
import numpy as np
import pytest

import learntorch as lt
import learntorch.nn.functional as F
from cuda_helpers import check_op

CASES = {
    "linear": (lambda x, w, b: F.linear(x, w, b), [(3, 4), (2, 4), (2,)]),
    "gelu": (lambda x: F.gelu(x), [(2, 5)]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), [(2, 5)]),
    "pad": (lambda x: F.pad(x, (1, 2, 0, 1), value=0.5), [(2, 3)]),
    "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [(4, 3, 2), (3,), (3,)]),
    "bce_with_logits": (lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()), [(3, 2), (3, 2)]),
}


@pytest.mark.parametrize("name", CASES)
def test_functional(name, rng):
    fn, shapes = CASES[name]
    check_op(fn, *(rng.standard_normal(s).astype(np.float32) for s in shapes), atol=1e-4)


def test_dropout_draws_the_same_mask_on_both_devices(rng):
    """Random numbers come from the host generator, so a seed gives the same mask on CPU and GPU."""
    x = rng.standard_normal((4, 5)).astype(np.float32)
    outs = []
    for dev in ("cpu", "cuda"):
        lt.manual_seed(3)
        outs.append(F.dropout(lt.tensor(x, device=dev), 0.5).cpu().numpy())
    np.testing.assert_array_equal(outs[0], outs[1])
