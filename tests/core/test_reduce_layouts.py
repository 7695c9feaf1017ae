"""Reductions over leading dims take the row-by-row (column) kernel; check it on every op and layout."""
import numpy as np
import pytest

import learntorch as torch


@pytest.mark.parametrize("op", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("shape, dims", [((70000, 3), 0), ((600, 70), 0), ((5, 6, 300), (0, 1)),
                                         ((4, 3, 5), 0), ((40000, 2), 0)])
def test_reduce_leading_dims_matches_numpy(op, shape, dims):
    rng = np.random.default_rng(0)
    x = (rng.random(shape) + 0.5).astype(np.float64)
    t = torch.from_numpy(x)
    if op in ("sum", "prod"):
        got = getattr(t, op)(dims)
    elif isinstance(dims, int):
        got = getattr(t, op)(dims).values
    else:  # max/min take one dim: reduce the leading dims one at a time
        got = getattr(getattr(t, op)(0).values, op)(0).values
    want = getattr(np, op)(x, axis=dims)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)


def test_column_sum_of_a_sliced_view():
    x = torch.arange(60.0).reshape(6, 10)[::2, 1:9]  # strided rows, offset start
    np.testing.assert_allclose(x.sum(0).numpy(), x.numpy().sum(0))
