"""Reduction and clamp semantics against PyTorch: empty reductions, var/std signatures and
gradients at zero, dtype promotion of clamp, bool inputs, and float32 accuracy of long sums."""
from __future__ import annotations

import numpy as np
import pytest

import learntorch as lt
from learntorch.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.reference


def outcome(fn, lib):
    """``fn(lib)`` as comparable data: (dtype name, shape, values), or (error type,)."""
    try:
        out = fn(lib)
    except Exception as error:  # only the type is compared: our messages add the fix
        return (type(error).__name__,)
    if isinstance(out, tuple):
        return tuple(outcome(lambda _, o=o: o, lib) for o in out)
    return str(out.dtype).split(".")[-1], tuple(out.shape), out.reshape(-1).tolist()


def assert_like_torch(fn):
    ours, theirs = outcome(fn, lt), outcome(fn, torch)
    if isinstance(theirs[-1], list):
        assert ours[:2] == theirs[:2]
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)
    else:
        assert ours == theirs


# ---------------------------------------------------------------- argmax/argmin of empty inputs
EMPTY_ARG = {
    "argmax() of []": lambda L: L.tensor([]).argmax(),
    "argmin() of []": lambda L: L.tensor([]).argmin(),
    "argmax() of (0, 3)": lambda L: L.zeros(0, 3).argmax(),
    "argmax(0) of (0, 3)": lambda L: L.zeros(0, 3).argmax(0),
    "argmin(-1) of (3, 0)": lambda L: L.zeros(3, 0).argmin(-1, keepdim=True),
    "argmax(1) of (0, 3)": lambda L: L.zeros(0, 3).argmax(1),
    "argmax(0) of a 0-d tensor": lambda L: L.tensor(5.0).argmax(0),
    "argmin(-1, keepdim) of a 0-d tensor": lambda L: L.tensor(5.0).argmin(-1, keepdim=True),
    "argmax(keepdim) of (2, 2)": lambda L: L.tensor([[1.0, 3.0], [4.0, 0.0]]).argmax(keepdim=True),
}


@pytest.mark.parametrize("case", sorted(EMPTY_ARG))
def test_arg_reduce_of_empty_inputs_like_torch(case):
    assert_like_torch(EMPTY_ARG[case])


def test_arg_reduce_errors_name_the_dim():
    with pytest.raises(IndexError, match=r"argmax\(\): Expected reduction dim 0 to have non-zero size"):
        lt.zeros(0, 3).argmax(0)
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim to be specified"):
        lt.tensor([]).argmin()


def test_arg_reduce_kernel_reads_nothing_from_an_empty_row():
    # the kernel on its own (below the op's check): a zero-length row writes 0 and reads no element
    from learntorch.backends.cpu import reduce as kernels
    for parallel in (False, True):
        out = np.full(3, 7, np.int64)
        empty = np.empty(0, np.float32)
        kernels.arg_reduce_kernel("argmax", parallel)(out, empty, 0, np.array([3]), np.array([0]), 0, 1)
        np.testing.assert_array_equal(out, 0)


# ---------------------------------------------------------------- var and std
X = [[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]]
VARIANCE = {
    "var(0, False)": lambda L: L.tensor(X).var(0, False),
    "var(0, True, True)": lambda L: L.tensor(X).var(0, True, True),
    "var(False)": lambda L: L.tensor(X).var(False),
    "var(None, False)": lambda L: L.tensor(X).var(None, False),
    "var(dim=1, unbiased=False)": lambda L: L.tensor(X).var(dim=1, unbiased=False),
    "var(1, keepdim=True)": lambda L: L.tensor(X).var(1, keepdim=True),
    "var(correction=2.5)": lambda L: L.tensor(X).var(correction=2.5),
    "var(0, 1)": lambda L: L.tensor(X).var(0, 1),
    "var(0, unbiased, correction)": lambda L: L.tensor(X).var(0, unbiased=True, correction=1),
    "std(False)": lambda L: L.tensor(X).std(False),
    "std(1, False, True)": lambda L: L.tensor(X).std(1, False, True),
    "lib.var(x, 0, False)": lambda L: L.var(L.tensor(X), 0, False),
    "lib.std(x, (0, 1), False)": lambda L: L.std(L.tensor(X), (0, 1), False),
    "std of ints": lambda L: L.tensor([1, 2]).std(),
}


@pytest.mark.parametrize("case", sorted(VARIANCE))
def test_var_std_signatures_like_torch(case):
    assert_like_torch(VARIANCE[case])


@pytest.mark.parametrize("values, dim", [([2.0, 2.0], None), ([[2.0, 2.0], [1.0, 3.0]], 1),
                                         ([[2.0, 1.0], [2.0, 3.0]], 0)])
def test_std_gradient_is_zero_where_std_is_zero(values, dim):
    x = lt.tensor(values, dtype=lt.float64, requires_grad=True)
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    x.std(dim).sum().backward()
    tx.std(dim).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    # second derivative at a constant slice: 0, as in torch, not nan
    g, = lt.autograd.grad(x.std(dim).sum(), x, create_graph=True)
    tg, = torch.autograd.grad(tx.std(dim).sum(), tx, create_graph=True)
    gg, = lt.autograd.grad((g * g).sum(), x)
    tgg, = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("correction", [0, 1])
def test_std_gradcheck_and_gradgradcheck(correction):
    x = lt.tensor([[0.3, -1.2, 2.0], [1.5, 0.1, -0.7]], dtype=lt.float64, requires_grad=True)
    for dim in (None, 0, 1):
        fn = lambda t, d=dim: t.std(d, correction=correction)  # noqa: E731
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))


def test_std_grad_fn_name_like_torch():
    x = lt.tensor([1.0, 2.0, 4.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
    assert x.std().grad_fn.name() == tx.std().grad_fn.name() == "StdBackward0"


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")
@pytest.mark.parametrize("n, correction", [(1, 1), (2, 2)])
def test_std_without_degrees_of_freedom_like_torch(n, correction):
    x = lt.arange(1.0, n + 1, dtype=lt.float64, requires_grad=True)
    tx = torch.arange(1.0, n + 1, dtype=torch.float64, requires_grad=True)
    y, ty = x.std(correction=correction), tx.std(correction=correction)
    y.backward()
    ty.backward()
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


# ---------------------------------------------------------------- clamp promotion
CLAMP = {
    "int min=2.5": lambda L: L.tensor([1, 5]).clamp(min=2.5),
    "int max=2.5": lambda L: L.tensor([1, 5]).clamp(max=2.5),
    "int 2, 4": lambda L: L.tensor([1, 5]).clamp(2, 4),
    "int min=True": lambda L: L.tensor([1, 5]).clamp(min=True),
    "int min=0-d float tensor": lambda L: L.tensor([1, 5]).clamp(min=L.tensor(2.5)),
    "int min=float tensor": lambda L: L.tensor([1, 5]).clamp(min=L.tensor([2.5, 1.5])),
    "float32 min=float64 tensor": lambda L: L.tensor([1.0, 5.0]).clamp(min=L.tensor([2.0, 1.0], dtype=L.float64)),
    "float32 max=0-d float64": lambda L: L.tensor([1.0, 5.0]).clamp(min=2, max=L.tensor(4.0, dtype=L.float64)),
    "float min=0-d int": lambda L: L.tensor([1.0, 5.0]).clamp(min=L.tensor(2)),
    "bool min=0.5": lambda L: L.tensor([True, False]).clamp(min=0.5),
    "bool min=0": lambda L: L.tensor([True, False]).clamp(min=0),
    "min > max": lambda L: L.tensor([1.0, 5.0]).clamp(3, 2),
}


@pytest.mark.parametrize("case", sorted(CLAMP))
def test_clamp_promotes_like_torch(case):
    assert_like_torch(CLAMP[case])


def test_clamp_to_a_wider_bound_still_differentiates():
    x = lt.tensor([1.0, 5.0], requires_grad=True)
    x.clamp(min=lt.tensor([2.0, 1.0], dtype=lt.float64)).sum().backward()
    assert x.grad.dtype is lt.float32
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])


# ---------------------------------------------------------------- bool inputs
BOOLS = {
    "max()": lambda L: L.tensor([True, False]).max(),
    "min()": lambda L: L.tensor([True, False]).min(),
    "max(0)": lambda L: L.tensor([True, False]).max(0),
    "min(1, keepdim)": lambda L: L.tensor([[True, False]]).min(1, keepdim=True),
    "sum()": lambda L: L.tensor([True, True]).sum(),
    "sum(0)": lambda L: L.tensor([[True, True]]).sum(0),
    "prod()": lambda L: L.tensor([True, False]).prod(),
    "prod(1)": lambda L: L.tensor([[True, True]]).prod(1),
    "abs()": lambda L: L.tensor([True, False]).abs(),
    "relu()": lambda L: L.tensor([True, False]).relu(),
    "argmax()": lambda L: L.tensor([True, False]).argmax(),
    "argmin(0)": lambda L: L.tensor([True, False]).argmin(0),
    "mean()": lambda L: L.tensor([True, False]).mean(),
}


@pytest.mark.parametrize("case", sorted(BOOLS))
def test_bool_inputs_like_torch(case):
    assert_like_torch(BOOLS[case])


@pytest.mark.parametrize("op, fix", [("abs", "x.long().abs()"), ("relu", "x.float().relu()"),
                                     ("argmax", "x.long().argmax()")])
def test_bool_errors_suggest_a_conversion(op, fix):
    with pytest.raises((RuntimeError, NotImplementedError), match=op) as info:
        getattr(lt.tensor([True, False]), op)()
    assert fix in str(info.value)


# ---------------------------------------------------------------- float32 accuracy of long sums
def float32_sum_error(x: np.ndarray, fn) -> float:
    """Largest relative error of ``fn`` on the float32 ``x`` against the float64 sum."""
    got = fn(lt.from_numpy(x)).numpy().astype(np.float64)
    want = fn(lt.from_numpy(x.astype(np.float64))).numpy()
    return float(np.max(np.abs(got - want) / np.abs(want)))


@pytest.mark.parametrize("shape, fn", [
    ((1_000_000, 3), lambda t: t.sum(0)),                 # column kernel, one reduced dim
    ((2000, 500, 3), lambda t: t.sum((0, 1))),            # column kernel, two reduced dims
    ((3, 1_000_000), lambda t: t.sum(1)),                 # one long contiguous row per output
    ((1_000_000, 3), lambda t: t[:, 1:].sum()),           # strided full reduction
    ((2000, 3, 500), lambda t: t.sum((0, 2))),            # many rows per output
    ((1_000_000, 3), lambda t: t.mean(0)),
])
def test_long_float32_sums_stay_accurate(shape, fn):
    # a running float32 sum drifts by ~1e-5 over a million values; pairwise blocks stay at
    # ~1e-7, as PyTorch does
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    assert float32_sum_error(x, fn) < 2e-7


@pytest.mark.parametrize("n", [4097, 5000, 70_000])
def test_blocked_sums_add_every_element_once(n):
    # ints are exact, so any lost or repeated block would show; n crosses the block sizes
    x = np.arange(n, dtype=np.int64).reshape(-1, 1) * np.array([1, -3], dtype=np.int64)
    t = lt.from_numpy(x)
    np.testing.assert_array_equal(t.sum(0).numpy(), x.sum(0))
    np.testing.assert_array_equal(t.sum().numpy(), x.sum())
    np.testing.assert_array_equal(lt.from_numpy(x.T.copy()).sum(1).numpy(), x.sum(0))
    np.testing.assert_array_equal(t[::3].sum(0).numpy(), x[::3].sum(0))


# ---------------------------------------------------------------- floor division and remainder
INF, NAN = float("inf"), float("nan")
FLOATS_A = [7.5, -7.5, 7.5, -7.5, 0.0, -0.0, 1.0, -1.0, 0.0, INF, -INF, 5.0, -5.0, 5.0, NAN, 1e30, -0.4, -6.0]
FLOATS_B = [2.0, 2.0, -2.0, -2.0, 3.0, 3.0, 0.0, 0.0, 0.0, 2.0, 2.0, INF, INF, -INF, 1.0, 7.0, 1.0, 3.0]
INTS_A = [7, -7, 7, -7, 0, 9, -2**63, 123456789012345678, 5]
INTS_B = [2, 2, -2, -2, 5, -1, 1, -7, 3]
ROUNDING = {
    "float //": lambda L: L.tensor(FLOATS_A) // L.tensor(FLOATS_B),
    "float %": lambda L: L.tensor(FLOATS_A) % L.tensor(FLOATS_B),
    "float64 //": lambda L: L.tensor(FLOATS_A, dtype=L.float64) // L.tensor(FLOATS_B, dtype=L.float64),
    "float64 %": lambda L: L.tensor(FLOATS_A, dtype=L.float64) % L.tensor(FLOATS_B, dtype=L.float64),
    "float div trunc": lambda L: L.div(L.tensor(FLOATS_A), L.tensor(FLOATS_B), rounding_mode="trunc"),
    "float div floor": lambda L: L.div(L.tensor(FLOATS_A), L.tensor(FLOATS_B), rounding_mode="floor"),
    "int //": lambda L: L.tensor(INTS_A) // L.tensor(INTS_B),
    "int %": lambda L: L.tensor(INTS_A) % L.tensor(INTS_B),
    "int div trunc": lambda L: L.div(L.tensor(INTS_A), L.tensor(INTS_B), rounding_mode="trunc"),
    "int min // -1": lambda L: L.tensor([-2**63]) // -1,
    "int min % -1": lambda L: L.tensor([-2**63]) % -1,
    "int // 0": lambda L: L.tensor(INTS_A) // 0,
    "int % 0": lambda L: L.tensor(INTS_A) % L.tensor([0]),
    "int div trunc 0": lambda L: L.div(L.tensor([1, 2]), 0, rounding_mode="trunc"),
    "int // 2.5": lambda L: L.tensor([7, -7]) // 2.5,
    "int % 2.5": lambda L: L.tensor([7, -7]) % 2.5,
    "7 // tensor": lambda L: 7 // L.tensor([2, -2]),
    "7.5 % tensor": lambda L: 7.5 % L.tensor([2, -2]),
    "broadcast %": lambda L: L.tensor([[7.0], [-3.0]]) % L.tensor([2.0, -2.0, 4.0]),
    "bool //": lambda L: L.tensor([True, False]) // L.tensor([True, True]),
    "bool %": lambda L: L.tensor([True, False]) % L.tensor([True, True]),
    "div round": lambda L: L.div(L.tensor([1.0]), 2.0, rounding_mode="round"),
    "div of ints": lambda L: L.div(L.tensor([7, 5]), 2),
}


@pytest.mark.parametrize("case", sorted(ROUNDING))
def test_floor_divide_and_remainder_like_torch(case):
    ours, theirs = outcome(ROUNDING[case], lt), outcome(ROUNDING[case], torch)
    assert ours[:2] == theirs[:2]
    if len(theirs) == 3:  # equal values, NaNs included, and the same sign on zeros
        got, want = np.array(ours[2], dtype=float), np.array(theirs[2], dtype=float)
        np.testing.assert_array_equal(got, want)
        assert (np.signbit(got) == np.signbit(want))[~np.isnan(want)].all()


def test_integer_division_by_zero_names_the_op():
    with pytest.raises(RuntimeError, match=r"ZeroDivisionError: remainder\(\) of int64 tensors by zero"):
        lt.tensor([1, 2]) % 0


def test_remainder_gradients_like_torch():
    a, b = [7.5, -3.2, 4.1], [2.0, 2.5, -1.5]
    x, y = (lt.tensor(v, dtype=lt.float64, requires_grad=True) for v in (a, b))
    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b))
    (x % y * lt.tensor([1.0, 2.0, 3.0], dtype=lt.float64)).sum().backward()
    (tx % ty * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy())
    assert gradcheck(lambda p, q: p % q, (x, y))
    assert gradgradcheck(lambda p, q: (p % q) * p, (x, y))


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_rounded_division_has_zero_gradients_like_torch(mode):
    x = lt.tensor([7.5, -3.2], requires_grad=True)
    tx = torch.tensor([7.5, -3.2], requires_grad=True)
    y, ty = lt.div(x, 2.0, rounding_mode=mode), torch.div(tx, 2.0, rounding_mode=mode)
    assert y.grad_fn.name() == ty.grad_fn.name() == "DivBackward2"
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    # x // 2 (floor_divide) gets the same zero gradient; torch's raises in backward instead
    np.testing.assert_array_equal(lt.autograd.grad((x // 2).sum(), x)[0].numpy(), [0.0, 0.0])
