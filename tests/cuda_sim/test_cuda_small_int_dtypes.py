"""uint8, int8, int16 and int32 on CUDA equal the CPU backend: promotion, wrap-around, casts,
reductions, indexing, where and matmul (a smoke test at tiny shapes).

The values cast into the narrow dtypes fit all of them: the simulator stores through NumPy, which
refuses an out-of-range integer where a GPU (and the CPU backend) wraps it around. The arithmetic
on them still overflows and wraps."""
import numpy as np
import pytest

import learntorch as lt
from cuda_helpers import check_op

SMALL = (lt.uint8, lt.int8, lt.int16, lt.int32)


@pytest.mark.parametrize("dtype", SMALL)
def test_elementwise_wraps_and_promotes(dtype):
    a = np.array([[0, 1, 127, 100], [120, 3, 50, 7]])
    b = np.array([[3, 2, 5, 9], [1, 7, 13, 1]])
    check_op(lambda x, y: x.to(dtype) + y.to(dtype) * 3 - 1000, a, b, grad=False)
    check_op(lambda x, y: x.to(dtype) + y.to(lt.uint8), a, b, grad=False)  # uint8 + int8 is int16
    check_op(lambda x, y: x.to(dtype) // y.to(dtype), a, b, grad=False)
    check_op(lambda x, y: x.to(dtype) % y.to(dtype), a, b, grad=False)
    check_op(lambda x, y: x.to(dtype) / y.to(dtype), a, b, grad=False)  # floats
    check_op(lambda x, y: x.to(dtype) < y.to(dtype), a, b, grad=False)
    check_op(lambda x, y: lt.where(x.to(dtype) > 2, x.to(dtype), y.to(dtype)), a, b, grad=False)


@pytest.mark.parametrize("dtype", SMALL)
def test_casts_reductions_indexing_and_matmul(dtype):
    floats = np.array([[1.7, 126.5, 3.0], [0.2, 99.9, 7.0]], np.float32)
    check_op(lambda x: x.to(dtype), floats, grad=False)
    ints = np.array([[1, 2, 13], [4, 5, 6]])
    check_op(lambda x: x.to(dtype).sum(1), ints, grad=False)  # int64
    check_op(lambda x: x.to(dtype).max(0)[0], ints, grad=False)
    check_op(lambda x: x.to(dtype).argmin(1), ints, grad=False)
    check_op(lambda x: x.to(dtype)[:, lt.tensor([2, 0], device=x.device)], ints, grad=False)
    check_op(lambda x: lt.cat([x.to(dtype), x.to(dtype)]), ints, grad=False)
    check_op(lambda x: x.to(dtype) @ x.to(dtype).t(), ints, grad=False)
    t = lt.zeros(3, dtype=dtype, device="cuda")
    t.fill_(100)
    assert t.cpu().tolist() == [100] * 3
