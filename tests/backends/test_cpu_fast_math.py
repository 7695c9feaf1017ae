"""The float32 exp, log, sigmoid, tanh (backends/cpu/fast_math.py), sin and cos (fast_trig.py)
against float64 libm rounded to float32, and the CPU elementwise kernels that use them (SIMD,
strided and broadcast inputs; sin/cos beyond TRIG_MAX through libm)."""
import math

import numpy as np
import pytest
from numba import njit

import learntorch as lt
from learntorch.backends.cpu.fast.fast_math import exp_f32, log_f32, sigmoid_f32, tanh_f32
from learntorch.backends.cpu.fast.fast_trig import TRIG_MAX, cos_f32, sin_f32

pytestmark = pytest.mark.numba_kernels  # the elementwise kernels run through tensors

M = float(TRIG_MAX)
# Max error in units in the last place: also measured over every float32 (sin and cos: over
# every one with 2^-20 <= |x| <= TRIG_MAX; 1 ulp up to |x| = 10).
CASES = {
    "exp": (exp_f32, np.exp, -104.0, 89.0, 1),
    "sigmoid": (sigmoid_f32, lambda x: 1.0 / (1.0 + np.exp(-x)), -104.0, 104.0, 2),
    "tanh": (tanh_f32, np.tanh, -10.0, 10.0, 1),
    "log": (log_f32, np.log, 0.0, 100.0, 1),
    "sin": (sin_f32, np.sin, -M, M, 2),
    "cos": (cos_f32, np.cos, -M, M, 2),
}
SPECIALS = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 1.4e-45, 0.625, -0.625,
                     88.72283172607422, 88.72283935546875, 89.0, -87.33654, -87.34, -103.97,
                     -103.972, -103.98, -104.0, 1e30, -1e30, 3.4028235e38, -3.4028235e38,
                     1.0, 1.1754942e-38, 1.1754944e-38, -1.4e-45, 0.70710677, 0.7071068,
                     1.5707964, 3.1415927, -3.1415927, 4.712389, 6.2831855, M, -M], np.float32)
# the float32s nearest to multiples of pi/2, and their neighbours: sin or cos of them is tiny,
# so an inexact range reduction shows there as a large relative error
_NEAR = (np.arange(int(M / (np.pi / 2)) + 1) * (np.pi / 2)).astype(np.float32).view(np.int32)
NEAR_PI_2 = np.concatenate([(_NEAR + d).view(np.float32) for d in (-1, 0, 1)])
NEAR_PI_2 = np.concatenate([NEAR_PI_2, -NEAR_PI_2])
LIBM = {"sin": njit(lambda x: math.sin(x)), "cos": njit(lambda x: math.cos(x))}  # float32: sinf, cosf


@njit
def apply(f, x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = f(x[i])
    return out


def ulp_distance(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """How many float32s lie between ``got`` and ``ref`` (0 where both are NaN)."""
    def ordered(v):  # float32 bits as integers in the order of the values
        i = v.view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)
    both_nan = np.isnan(got) & np.isnan(ref)
    return np.where(both_nan, 0, np.abs(ordered(got) - ordered(ref)))


def reference(f64, x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return f64(x.astype(np.float64)).astype(np.float32)


def relevant(name: str, x: np.ndarray) -> np.ndarray:
    """The inputs the function is specified for: sin and cos only to |x| <= TRIG_MAX."""
    return x[~(np.abs(x) > M)] if name in ("sin", "cos") else x


@pytest.mark.parametrize("name", CASES)
def test_max_ulp_error_over_the_whole_range(name):
    f, f64, lo, hi, max_ulp = CASES[name]
    rng = np.random.default_rng(0)
    x = np.concatenate([
        np.linspace(lo, hi, 2_000_001, dtype=np.float32),
        rng.uniform(lo - 10, hi + 10, 500_000).astype(np.float32),
        (rng.standard_normal(200_000) * 10.0 ** rng.uniform(-45, 1, 200_000)).astype(np.float32),  # tiny |x|
        np.abs(rng.standard_normal(200_000) * 10.0 ** rng.uniform(-45, 37, 200_000)).astype(np.float32),  # up to 1e38
        rng.uniform(-10, 10, 500_000).astype(np.float32), NEAR_PI_2, SPECIALS])
    x = relevant(name, x)
    err = ulp_distance(apply(f, x), reference(f64, x))
    assert err.max() <= max_ulp, f"{name}: {err.max()} ulp at x = {x[err.argmax()]!r}"


@pytest.mark.parametrize("name", CASES)
def test_specials_exactly(name):
    f, f64 = CASES[name][:2]
    x = relevant(name, SPECIALS)
    got, ref = apply(f, x), reference(f64, x)
    exact = np.isinf(ref) | (ref == 0) | (np.abs(ref) == 1)  # inf, +-1, and 0 with its sign
    np.testing.assert_array_equal(got[exact], ref[exact])
    np.testing.assert_array_equal(np.signbit(got[exact]), np.signbit(ref[exact]))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))


def views(base: lt.Tensor) -> dict[str, lt.Tensor]:
    """Inputs for the kernel's three loops: contiguous (SIMD), strided, and stride-0 rows."""
    return {"contiguous": base, "column slice": base[:, 1::3], "transposed": base.t(),
            "row broadcast": base[0].expand(base.shape[0], base.shape[1]),
            "column broadcast": base[:, :1].expand(base.shape[0], base.shape[1]),
            "small": base[:5, :7]}


@pytest.mark.parametrize("name", CASES)
def test_kernel_matches_the_scalar_function(name):
    """Tiles run in parallel (above GRAIN) or on one thread; all must equal one call at a time,
    but for sin and cos beyond TRIG_MAX, which the kernel hands to libm (float32 ``math.sin``)."""
    f = CASES[name][0]
    rng = np.random.default_rng(1)
    a = rng.uniform(-110, 95, (200, 240)).astype(np.float32)
    a.flat[rng.choice(a.size, SPECIALS.size, replace=False)] = SPECIALS
    a.flat[rng.choice(a.size, 50, replace=False)] = rng.uniform(-1e6, 1e6, 50)  # beyond TRIG_MAX
    for label, v in views(lt.tensor(a)).items():
        got = getattr(v, name)().numpy()
        x = v.numpy().ravel()
        want = apply(f, x)
        if name in LIBM:
            want = np.where(np.abs(x) > M, apply(LIBM[name], x), want)
        want = want.reshape(got.shape)
        np.testing.assert_array_equal(got, want, err_msg=f"{name}, {label}")


@pytest.mark.parametrize("name", ["sin", "cos"])
def test_beyond_trig_max_libm_in_the_kernel(name):
    """The fast functions give NaN for |x| > TRIG_MAX, and the kernel redoes those with libm."""
    rng = np.random.default_rng(3)
    big = np.concatenate([(rng.standard_normal(1000) * 10.0 ** rng.uniform(5, 37, 1000)),
                          [np.inf, -np.inf, np.nan, 3.4028235e38, -3.4028235e38]]).astype(np.float32)
    big = big[~(np.abs(big) <= M)]
    assert np.isnan(apply(CASES[name][0], big)).all()
    a = rng.uniform(-10, 10, 100_000).astype(np.float32)
    a[rng.choice(a.size, big.size, replace=False)] = big
    err = ulp_distance(getattr(lt.tensor(a), name)().numpy(), reference(getattr(np, name), a))
    assert err.max() <= 2


@pytest.mark.parametrize("name, scalar", [("exp", math.exp), ("tanh", math.tanh), ("sin", math.sin),
                                          ("cos", math.cos), ("log", math.log)])
def test_float64_keeps_libm(name, scalar):
    a = np.random.default_rng(2).uniform(0.1 if name == "log" else -50, 50, (300, 200))
    for label, v in views(lt.tensor(a)).items():
        got = getattr(v, name)().numpy()
        assert got.dtype == np.float64
        want = np.array([scalar(x) for x in v.numpy().ravel()]).reshape(got.shape)
        np.testing.assert_array_equal(got, want, err_msg=f"{name}, {label}")
