"""uint8, int8, int16, int32: PyTorch's promotion (checked pair by pair against torch), wrap-around,
casts, creation, legacy types, and every kernel path (elementwise, reductions, cast, indexing,
where, cat, matmul) on the new dtypes.

``LEARNTORCH_BACKEND=reference python -m pytest tests/core/test_small_int_dtypes.py`` runs the
same checks on the NumPy reference backend.
"""
from __future__ import annotations

import itertools
import subprocess
import sys
import warnings

import numpy as np
import pytest

import learntorch as lt

SMALL = (lt.uint8, lt.int8, lt.int16, lt.int32)
INTEGERS = SMALL + (lt.int64,)
DTYPES = (lt.bool,) + INTEGERS + (lt.float32, lt.float64)
# a: values that overflow the narrow dtypes once cast (they wrap there); b: no zero in any dtype
A_VALUES = [0, 1, -7, 100, 127, 200, -128, 3]
B_VALUES = [3, 2, 5, 9, 1, 7, -3, 1]


def make(values, dtype):
    """A tensor of ``dtype`` with ``values`` cast from int64 (so they wrap into narrow dtypes)."""
    return lt.tensor(values).to(dtype)


def test_names_aliases_and_properties():
    assert lt.int is lt.int32 and lt.short is lt.int16 and lt.long is lt.int64
    assert [d.itemsize for d in SMALL] == [1, 1, 2, 4]
    assert not lt.uint8.is_signed and lt.int8.is_signed and not lt.bool.is_signed
    assert repr(lt.uint8) == "learntorch.uint8"
    x = lt.ones(2)
    assert (x.byte().dtype, x.char().dtype, x.short().dtype, x.int().dtype, x.long().dtype) == (
        lt.uint8, lt.int8, lt.int16, lt.int32, lt.int64)
    assert x.int().element_size() == 4 and not x.byte().is_signed() and x.char().is_signed()


@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, DTYPES)))
def test_promote_types_is_symmetric_and_category_based(a, b):
    c = lt.promote_types(a, b)
    assert c is lt.promote_types(b, a)
    assert c.category == max(a.category, b.category)
    assert c.itemsize >= max(x.itemsize for x in (a, b) if x.category == c.category)


def test_uint8_with_signed():
    assert lt.promote_types(lt.uint8, lt.int8) is lt.int16
    assert lt.promote_types(lt.uint8, lt.int16) is lt.int16
    assert lt.promote_types(lt.uint8, lt.int32) is lt.int32
    assert lt.promote_types(lt.bool, lt.uint8) is lt.uint8
    assert (make([1], lt.uint8) + make([1], lt.int8)).dtype is lt.int16


def test_python_scalars_never_lift_an_integer_tensor():
    u = make([1, 200], lt.uint8)
    assert (u + 1).dtype is lt.uint8 and (u + True).dtype is lt.uint8
    assert (u + 1000).tolist() == [233, 176]  # 1000 wraps to 232
    assert (u + -1).tolist() == [0, 199]
    assert (u * 1.5).dtype is lt.float32 and (u / 2).tolist() == [0.5, 100.0]
    assert (make([1], lt.int8) < 200).tolist() == [False]  # 200 is -56 in int8, as in PyTorch
    assert (lt.tensor(5, dtype=lt.int32) + make([1], lt.uint8)).dtype is lt.uint8  # a 0-d tensor neither
    assert (lt.tensor(5.0) + make([1], lt.uint8)).dtype is lt.float32  # ... unless of a higher category
    assert (lt.tensor(5.0, dtype=lt.float64) + make([1], lt.int32)).dtype is lt.float64


def test_wrap_around():
    assert (make([127], lt.int8) + 1).tolist() == [-128]
    assert (make([0], lt.uint8) - 1).tolist() == [255]
    assert (make([5], lt.uint8) - make([6], lt.uint8)).tolist() == [255]
    assert (make([250], lt.uint8) + make([10], lt.uint8)).tolist() == [4]
    assert (make([300], lt.int16) * 300).tolist() == [90000 - 65536 * 1]
    assert (make([2 ** 31 - 1], lt.int32) + 1).tolist() == [-2 ** 31]
    m = make([-128], lt.int8)
    assert (m // -1).tolist() == [-128] and (-m).tolist() == [-128] and m.abs().tolist() == [-128]
    assert make([1, 2], lt.uint8).neg().tolist() == [255, 254]
    assert (make([[1, 2]], lt.uint8) @ make([[200], [100]], lt.uint8)).tolist() == [[144]]


def test_casts_truncate_then_wrap():
    x = lt.tensor([1.7, -1.5, 300.0, -0.5])
    assert x.to(lt.uint8).tolist() == [1, 255, 44, 0]
    assert x.to(lt.int8).tolist() == [1, -1, 44, 0]
    assert x.to(lt.int32).tolist() == [1, -1, 300, 0]
    assert make([1000, -1], lt.int64).to(lt.int16).tolist() == [1000, -1]
    assert make([70000], lt.int64).to(lt.int16).tolist() == [70000 - 65536]
    assert make([0, 3], lt.uint8).bool().tolist() == [False, True]
    assert lt.tensor([True, False]).to(lt.int8).tolist() == [1, 0]


def test_creation():
    assert lt.tensor([1, 2], dtype=lt.uint8).tolist() == [1, 2]
    assert lt.tensor([-1], dtype=lt.uint8).tolist() == [255]  # negatives down to -255 wrap, as in PyTorch
    assert lt.tensor([1.7, -1.5], dtype=lt.uint8).tolist() == [1, 255]
    assert lt.tensor(np.array([300]), dtype=lt.uint8).tolist() == [44]  # arrays are cast
    assert lt.zeros(2, 3, dtype=lt.int8).tolist() == [[0, 0, 0]] * 2
    assert lt.ones(2, dtype=lt.int16).sum().item() == 2
    assert lt.full((2,), -1, dtype=lt.uint8).tolist() == [255, 255]
    assert lt.arange(5, dtype=lt.int32).tolist() == [0, 1, 2, 3, 4]
    assert lt.empty(3, dtype=lt.int8).dtype is lt.int8
    assert lt.zeros_like(make([1], lt.uint8)).dtype is lt.uint8
    z = lt.zeros(2, dtype=lt.uint8)
    assert z.fill_(-1).tolist() == [255, 255] and z.zero_().tolist() == [0, 0]


@pytest.mark.parametrize("make_it", [
    lambda: lt.tensor([300], dtype=lt.uint8), lambda: lt.tensor([-256], dtype=lt.uint8),
    lambda: lt.tensor([128], dtype=lt.int8), lambda: lt.full((2,), 40000, dtype=lt.int16),
    lambda: lt.zeros(2, dtype=lt.uint8).fill_(300), lambda: lt.tensor([2.0 ** 31], dtype=lt.int32)])
def test_values_out_of_range_raise(make_it):
    with pytest.raises(RuntimeError, match="without overflow"):
        make_it()


def test_numpy_round_trip_shares_memory():
    a = np.arange(6, dtype=np.uint8).reshape(2, 3)
    t = lt.from_numpy(a)
    assert t.dtype is lt.uint8 and t.tolist() == a.tolist()
    a[0, 0] = 99
    assert t[0, 0].item() == 99
    for np_dtype, dtype in ((np.int8, lt.int8), (np.int16, lt.int16), (np.int32, lt.int32)):
        b = np.array([-1, 2], np_dtype)
        assert lt.from_numpy(b).dtype is dtype and lt.tensor(b).dtype is dtype and lt.as_tensor(b).dtype is dtype
        out = lt.tensor(b).numpy()
        assert out.dtype == np_dtype and out.tolist() == [-1, 2]
    assert lt.tensor(np.array([1], np.uint16)).dtype is lt.int32  # widened: learntorch has no uint16
    assert lt.tensor(np.array([1], np.uint32)).dtype is lt.int64
    with pytest.raises(TypeError, match="uint16"):
        lt.from_numpy(np.array([1], np.uint16))


def test_repr():
    assert repr(make([1, 200], lt.uint8)) == "tensor([  1, 200], dtype=learntorch.uint8)"
    assert repr(make([[1, -2]], lt.int16)) == "tensor([[ 1, -2]], dtype=learntorch.int16)"
    assert repr(lt.tensor(3, dtype=lt.int32)) == "tensor(3, dtype=learntorch.int32)"
    assert repr(lt.zeros(0, dtype=lt.int8)) == "tensor([], dtype=learntorch.int8)"


def test_save_load(tmp_path):
    state = {d.name: make(A_VALUES, d) for d in SMALL}
    lt.save(state, tmp_path / "ints.pt")
    loaded = lt.load(tmp_path / "ints.pt")
    for d in SMALL:
        assert loaded[d.name].dtype is d and loaded[d.name].tolist() == state[d.name].tolist()


def test_reductions():
    u = make([200, 100, 7], lt.uint8)
    assert u.sum().dtype is lt.int64 and u.sum().item() == 307
    assert make([[1, 2], [3, 4]], lt.int32).sum(0).tolist() == [4, 6]
    assert make([[1, 2], [3, 4]], lt.int32).sum(0).dtype is lt.int64
    assert u.sum(dtype=lt.uint8).item() == 307 - 256
    assert u.prod().dtype is lt.int64 and u.prod().item() == 140000
    assert u.max().item() == 200 and u.max().dtype is lt.uint8 and u.min().item() == 7
    assert u.argmax().item() == 0 and u.argmin().item() == 2
    values, indices = make([[1, -5], [3, 2]], lt.int8).max(1)
    assert values.tolist() == [1, 3] and values.dtype is lt.int8 and indices.tolist() == [0, 0]
    for d in SMALL:
        with pytest.raises(RuntimeError, match="floating point"):
            make([1], d).mean()


def test_division_and_remainder():
    u, v = make([7, 200], lt.uint8), make([2, 3], lt.uint8)
    assert (u / v).dtype is lt.float32 and (u / v).tolist() == pytest.approx([3.5, 200 / 3])
    assert (u // v).tolist() == [3, 66] and (u // v).dtype is lt.uint8
    assert (u % v).tolist() == [1, 2]
    assert (make([-7], lt.int8) // 2).tolist() == [-4] and (make([-7], lt.int8) % 3).tolist() == [2]
    assert lt.div(make([-7], lt.int16), 2, rounding_mode="trunc").tolist() == [-3]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        u // make([0, 1], lt.uint8)


def test_where_cat_and_indexing():
    cond = lt.tensor([True, False, True])
    u, i = make([1, 2, 3], lt.uint8), make([-1, -2, -3], lt.int8)
    assert lt.where(cond, u, 5).tolist() == [1, 5, 3] and lt.where(cond, u, 5).dtype is lt.uint8
    assert lt.where(cond, u, i).dtype is lt.int16 and lt.where(cond, u, i).tolist() == [1, -2, 3]
    assert lt.cat([u, i]).dtype is lt.int16 and lt.cat([u, i]).tolist() == [1, 2, 3, -1, -2, -3]
    x = make([[10, 20, 30], [40, 50, 60]], lt.int16)
    assert x[:, 1].tolist() == [20, 50] and x.t().contiguous().tolist() == [[10, 40], [20, 50], [30, 60]]
    assert x[make([1, 0], lt.int32)].tolist() == [[40, 50, 60], [10, 20, 30]]  # any integer index
    assert x[make([0, 1], lt.int8), make([2, 0], lt.int16)].tolist() == [30, 40]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert x[0][make([1, 0, 1], lt.uint8)].tolist() == [10, 30]  # a uint8 index is a mask, as in PyTorch
    assert "uint8" in str(caught[0].message)
    x[0, make([0, 2], lt.int64)] = 7
    x[1] = make([1, 2, 3], lt.uint8)
    assert x.tolist() == [[7, 20, 7], [1, 2, 3]]
    y = lt.zeros(4, dtype=lt.int8)
    y[1:3] += 3
    y.copy_(lt.tensor([1.9, -1.9, 300.0, 0.0]))
    assert y.tolist() == [1, -1, 44, 0]


def test_matmul_of_integers_with_the_tiled_kernel():
    rng = np.random.default_rng(0)
    for d in SMALL:
        a = rng.integers(-20, 20, (3, 5, 7))
        b = rng.integers(-20, 20, (3, 7, 4))
        out = make(a.tolist(), d) @ make(b.tolist(), d)
        expected = np.matmul(a.astype(d.np), b.astype(d.np), dtype=np.int64).astype(d.np)  # wraps as PyTorch
        assert out.dtype is d and out.tolist() == expected.tolist()


def test_float_ops_of_integers_give_floats():
    u = make([4, 9], lt.uint8)
    assert u.sqrt().dtype is lt.float32 and u.sqrt().tolist() == [2.0, 3.0]
    assert u.exp().dtype is lt.float32
    assert (make([3], lt.int32) ** 2).dtype is lt.int32 and (make([3], lt.int32) ** 2.0).dtype is lt.float32
    assert make([-3, 3], lt.int8).relu().tolist() == [0, 3] and make([-3, 0, 3], lt.int16).sign().tolist() == [-1, 0, 1]
    assert make([1, 2, 3], lt.uint8).clamp(min=-1).tolist() == [255, 255, 255]  # -1 wraps to 255, as in PyTorch


def test_requires_grad_needs_a_float():
    with pytest.raises(RuntimeError, match="floating point"):
        make([1], lt.uint8).requires_grad_()


@pytest.mark.numba_kernels
def test_kernels_compile_per_dtype_on_first_use():
    """More dtypes cost nothing until a program uses them: a float32 add compiles (or loads from
    Numba's cache) the float32 loop only."""
    code = ("import learntorch as lt; from learntorch.backends.cpu import elementwise as e; x = lt.ones(3); "
            "x + x; print(sorted(str(sig[0].dtype) for sig in e.zip_kernel('add', False).signatures))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600)
    assert out.stdout.split() == ["['float32']"]


# ---------------------------------------------------------------- legacy types
def test_legacy_constructors():
    t = lt.FloatTensor(2, 3)
    assert t.shape == (2, 3) and t.dtype is lt.float32
    assert lt.FloatTensor([1, 2]).tolist() == [1.0, 2.0] and lt.FloatTensor([1, 2]).dtype is lt.float32
    assert lt.DoubleTensor(2).dtype is lt.float64 and lt.LongTensor([1, 2]).dtype is lt.int64
    assert lt.IntTensor([1, 2]).dtype is lt.int32 and lt.ShortTensor([1]).dtype is lt.int16
    assert lt.CharTensor([1]).dtype is lt.int8 and lt.ByteTensor([1, 2]).dtype is lt.uint8
    assert lt.BoolTensor([True]).dtype is lt.bool
    assert lt.FloatTensor().shape == (0,) and lt.LongTensor(lt.Size([2, 3])).shape == (2, 3)
    assert lt.FloatTensor((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data, as in PyTorch
    assert lt.FloatTensor(np.array([1.0, 2.0])).tolist() == [1.0, 2.0]
    x = lt.ones(2)
    assert lt.FloatTensor(x).add_(1).tolist() == x.tolist() == [2.0, 2.0]  # the same memory
    with pytest.raises(TypeError, match="float32"):
        lt.FloatTensor(lt.tensor([1, 2]))
    with pytest.raises(TypeError, match="sizes"):
        lt.FloatTensor(2.5)
    assert isinstance(lt.ones(2), lt.FloatTensor) and not isinstance(lt.ones(2).double(), lt.FloatTensor)
    assert isinstance(lt.tensor([1]), lt.LongTensor) and not isinstance(3, lt.LongTensor)


def test_type_names_and_conversions():
    names = {lt.bool: "Bool", lt.uint8: "Byte", lt.int8: "Char", lt.int16: "Short", lt.int32: "Int",
             lt.int64: "Long", lt.float32: "Float", lt.float64: "Double"}
    for d, name in names.items():
        assert lt.zeros(1, dtype=d).type() == f"torch.{name}Tensor"
    x = make([1, 200], lt.uint8)
    assert x.type(lt.float64).dtype is lt.float64 and x.type(lt.float64).tolist() == [1.0, 200.0]
    assert x.type("torch.IntTensor").dtype is lt.int32 and x.type(lt.LongTensor).dtype is lt.int64
    assert x.type("learntorch.ShortTensor").dtype is lt.int16 and x.type(int).dtype is lt.int64
    with pytest.raises(ValueError, match="torch.FloatTensor"):
        x.type("torch.HalfTensor")


def test_half_is_not_supported():
    with pytest.raises(TypeError, match="float16"):
        lt.ones(2).half()
    assert not hasattr(lt, "float16")


# ---------------------------------------------------------------- against PyTorch
def _run(fn, mod, *args):
    """('raise', exception type name) or (dtype name, values) of ``fn(mod, *args)``."""
    try:
        out = fn(mod, *args)
    except (RuntimeError, TypeError, NotImplementedError) as e:
        return "raise", type(e).__name__
    values = out.tolist()
    if out.dtype.is_floating_point:  # so that NaN == NaN
        values = np.nan_to_num(np.array(values, np.float64), nan=0.125).tolist()
    return str(out.dtype).split(".")[-1], values


OPS = {
    "add": lambda m, a, b: a + b, "sub": lambda m, a, b: a - b, "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b, "floordiv": lambda m, a, b: a // b, "mod": lambda m, a, b: a % b,
    "lt": lambda m, a, b: a < b, "eq": lambda m, a, b: a == b, "maximum": lambda m, a, b: m.maximum(a, b),
    "where": lambda m, a, b: m.where(m.tensor([True, False] * (len(A_VALUES) // 2)), a, b),
    "cat": lambda m, a, b: m.cat([a, b]),
}
SCALARS = (3, -1, 300, 2.5, True)


def _operand(mod, spec):
    """A tensor of ``spec = (dtype name, values, 0-d?)`` or a Python scalar, built with ``mod``."""
    if not isinstance(spec, tuple):
        return spec
    name, values, zero_dim = spec
    return mod.tensor(values[0] if zero_dim else values).to(getattr(mod, name))


@pytest.mark.reference
@pytest.mark.parametrize("op", sorted(OPS))
def test_promotion_and_values_match_torch(op):
    """Every pair of the 8 dtypes, 0-d tensors and Python scalars, both orders, against torch."""
    torch = pytest.importorskip("torch")
    fn = OPS[op]
    specs = [(d.name, A_VALUES, False) for d in DTYPES] + [(d.name, B_VALUES, True) for d in DTYPES]
    others = [(d.name, B_VALUES, False) for d in DTYPES] + [(d.name, B_VALUES, True) for d in DTYPES]
    if op not in ("cat", "maximum"):  # learntorch's maximum takes numbers, too (torch's raises TypeError)
        others += list(SCALARS)
    mismatches = []
    for a, b in itertools.product(specs, others):
        for x, y in ((a, b), (b, a)) if not isinstance(b, tuple) or op == "cat" else ((a, b),):
            if op == "cat" and (x[2] or y[2]):
                continue  # cat takes no 0-d tensors
            expected = _run(fn, torch, _operand(torch, x), _operand(torch, y))
            got = _run(fn, lt, _operand(lt, x), _operand(lt, y))
            if op == "div" and expected[0] != "raise" and got[0] == expected[0]:
                if np.allclose(got[1], expected[1], rtol=1e-6, equal_nan=True):
                    continue
            if got != expected:
                mismatches.append((x, y, expected, got))
    assert not mismatches, f"{len(mismatches)} mismatches, e.g. {mismatches[:3]}"


@pytest.mark.reference
def test_promote_types_matches_torch():
    torch = pytest.importorskip("torch")
    for a, b in itertools.product(DTYPES, DTYPES):
        expected = torch.promote_types(getattr(torch, a.name), getattr(torch, b.name))
        assert lt.promote_types(a, b).name == str(expected).split(".")[-1], (a, b)


@pytest.mark.reference
@pytest.mark.parametrize("dtype", SMALL)
def test_unary_and_reductions_match_torch(dtype):
    torch = pytest.importorskip("torch")
    for name in ("neg", "abs", "sign", "relu", "sqrt", "exp", "sum", "prod", "max", "min", "argmax", "argmin",
                 "float", "bool", "long"):
        def fn(mod, x, name=name):
            return getattr(x, name)()
        expected = _run(fn, torch, torch.tensor(A_VALUES).to(getattr(torch, dtype.name)))
        got = _run(fn, lt, make(A_VALUES, dtype))
        if expected[0] in ("float32", "float64") and got[0] == expected[0]:
            np.testing.assert_allclose(got[1], expected[1], rtol=1e-6, err_msg=name)
        else:
            assert got == expected, name
