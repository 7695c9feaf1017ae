"""map, zip and where on CUDA equal the CPU backend, forward and backward, strided and broadcast."""
import numpy as np
import pytest

import learntorch as lt
from cuda_helpers import assert_close, check_op

UNARY = ["neg", "exp", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "sign"]


@pytest.mark.parametrize("name", UNARY)
def test_unary(name, rng):
    x = rng.standard_normal((3, 5)).astype(np.float32)
    if name == "sqrt":
        x = np.abs(x) + 0.1
    check_op(lambda a: getattr(a, name)(), x)


def test_log_and_strided_input(rng):
    x = (np.abs(rng.standard_normal((4, 3))) + 0.1).astype(np.float32)
    check_op(lambda a: a.t().log(), x)  # a transposed view: strides (1, 3)
    check_op(lambda a: a[::2, 1:].exp(), x)  # offset and step


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "minimum"])
def test_binary_broadcast(op, rng):
    a = (np.abs(rng.standard_normal((2, 3, 4))) + 0.5).astype(np.float32)
    b = (rng.standard_normal((3, 1)) * 0.5 + 1).astype(np.float32)
    check_op(lambda x, y: getattr(lt, op)(x, y), a, b, atol=1e-4)


def test_scalars_and_dtypes(rng):
    a = rng.standard_normal((3, 4)).astype(np.float64)
    check_op(lambda x: 2.5 * x - 1 + x / 3, a)
    check_op(lambda x: (x > 0.1) | (x < -1.0), a, grad=False)
    ints = rng.integers(-5, 5, (6,))
    check_op(lambda x: x * 3 + 1, ints, grad=False)
    check_op(lambda x: x.float() * 0.5, ints, grad=False)
    check_op(lambda x: x % 1.5 + x // 0.7, a)  # floor division has zero gradient, remainder passes g
    nonzero = np.where(ints == 0, 3, ints)
    check_op(lambda x: x // 2 + x % -3 + lt.div(x, 2, rounding_mode="trunc"), nonzero, grad=False)


@pytest.mark.parametrize("op", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons(op, rng):
    a = rng.integers(0, 3, (3, 4)).astype(np.float32)
    b = rng.integers(0, 3, (4,)).astype(np.float32)
    check_op(lambda x, y: getattr(lt, op)(x, y), a, b, grad=False)


def test_where_and_clamp(rng):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((1, 4)).astype(np.float32)
    check_op(lambda x, y: lt.where(x > y, x, y * 2), a, b)
    check_op(lambda x: x.clamp(-0.5, 0.5), a)


def test_logical_not_and_bool(rng):
    a = rng.standard_normal(7).astype(np.float32)
    check_op(lambda x: ~(x > 0), a, grad=False)


def test_copy_fill_setitem(rng):
    a = rng.standard_normal((4, 5)).astype(np.float32)
    for dev in ("cpu", "cuda"):
        t = lt.tensor(a, device=dev)
        t[1:3, ::2] = 7.0
        t[0] = lt.arange(5, device=dev).float()
        t[:, 4].fill_(-1)
        t[3].copy_(t[2] * 2)
        if dev == "cpu":
            ref = t
    assert_close(t, ref)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the simulator computes 1/0 and (-2)**0.5 in NumPy
def test_every_op_code_matches_the_cpu_backend(rng):
    """Each code of UNARY_OPS / BINARY_OPS (shared with the CPU backend) means the same function on
    the GPU: a code added on the CPU side alone fails here."""
    from learntorch.backends.common.scalar_ops import BINARY_OPS, COMPARISONS, UNARY_OPS
    values = np.array([-2.0, -0.5, 0.0, 0.5, 1.5, 3.0], np.float32)
    from learntorch.ops._common import output

    def kernel(method: str, op: str, *tensors: lt.Tensor) -> np.ndarray:
        backend = tensors[0]._backend
        out = output(backend, tensors[0]._shape, lt.bool if op in COMPARISONS else lt.float32)
        getattr(backend, method)(op, *(t._array for t in tensors), out)
        return backend.to_numpy(out)

    x = lt.tensor(values)
    y = lt.tensor(values[::-1].copy())
    for op in UNARY_OPS:
        np.testing.assert_allclose(kernel("map", op, x.cuda()), kernel("map", op, x), rtol=1e-6, err_msg=op)
    for op in BINARY_OPS:
        np.testing.assert_allclose(kernel("zip", op, x.cuda(), y.cuda()), kernel("zip", op, x, y), rtol=1e-6,
                                   err_msg=op)
