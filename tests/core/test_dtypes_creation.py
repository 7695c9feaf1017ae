"""dtypes (inference, promotion, conversion), creation functions, random numbers, and repr."""
import numpy as np
import pytest

import learntorch as lt


# ---------------------------------------------------------------- inference
@pytest.mark.parametrize("data, dtype", [
    (1.5, lt.float32),
    ([1.0, 2.0], lt.float32),
    ([1, 2.5], lt.float32),
    (3, lt.int64),
    ([[1, 2], [3, 4]], lt.int64),
    (True, lt.bool),
    ([True, False], lt.bool),
    ([True, 2], lt.int64),
    (np.array([1.0, 2.0]), lt.float64),
    (np.array([1.0], np.float32), lt.float32),
    (np.array([1, 2], np.int32), lt.int32),
    (np.array([1, 2], np.uint16), lt.int32),
    (np.array([True]), lt.bool),
    (np.float64(1.5), lt.float64),
    ((1.0, 2.0), lt.float32),
    ([], lt.float32),
])
def test_tensor_infers_dtype(data, dtype):
    assert lt.tensor(data).dtype is dtype


def test_default_dtype_is_float32():
    assert lt.get_default_dtype() is lt.float32
    for t in (lt.zeros(2), lt.ones(2), lt.empty(2), lt.rand(2), lt.randn(2), lt.linspace(0, 1, 3),
              lt.eye(2), lt.full((2,), 1.5), lt.arange(0.0, 2.0)):
        assert t.dtype is lt.float32


def test_set_default_dtype():
    try:
        lt.set_default_dtype(lt.float64)
        assert lt.tensor([1.0]).dtype is lt.float64
        assert lt.zeros(1).dtype is lt.float64
        assert (lt.tensor([1]) * 0.5).dtype is lt.float64
    finally:
        lt.set_default_dtype(lt.float32)
    with pytest.raises(TypeError):
        lt.set_default_dtype(lt.int64)


def test_tensor_dtype_argument():
    t = lt.tensor([1, 2], dtype=lt.float64)
    assert t.dtype is lt.float64 and t.tolist() == [1.0, 2.0]
    assert lt.tensor([1.7, -1.7], dtype=lt.int64).tolist() == [1, -1]


def test_tensor_copies_data():
    a = np.zeros(3)
    t = lt.tensor(a)
    a[0] = 1.0
    assert t[0].item() == 0.0


def test_tensor_from_tensors():
    t = lt.tensor([lt.tensor([1.0, 2.0]), lt.tensor([3.0, 4.0])])
    assert t.shape == (2, 2) and t.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_as_tensor_shares_numpy():
    a = np.zeros(3, np.float32)
    t = lt.as_tensor(a)
    a[1] = 5.0
    assert t[1].item() == 5.0
    x = lt.ones(2)
    assert lt.as_tensor(x) is x


# ---------------------------------------------------------------- promotion
@pytest.mark.parametrize("make, dtype", [
    (lambda: lt.tensor([1, 2]) + 1.5, lt.float32),
    (lambda: lt.tensor([1, 2]) * 2, lt.int64),
    (lambda: lt.tensor([1.0], dtype=lt.float32) + lt.tensor([1.0], dtype=lt.float64), lt.float64),
    (lambda: lt.tensor([1.0], dtype=lt.float32) + lt.tensor(1.0, dtype=lt.float64), lt.float32),
    (lambda: lt.tensor([1], dtype=lt.int64) + lt.tensor(1.0, dtype=lt.float64), lt.float64),
    (lambda: lt.tensor([1.0], dtype=lt.float64) + 2.0, lt.float64),
    (lambda: lt.tensor([1.0], dtype=lt.float32) + 2, lt.float32),
    (lambda: lt.tensor([1, 2]) / lt.tensor([2, 4]), lt.float32),
    (lambda: lt.tensor([1, 2]) / 2, lt.float32),
    (lambda: 1 / lt.tensor([1, 2]), lt.float32),
    (lambda: lt.tensor([True]) + lt.tensor([1]), lt.int64),
    (lambda: lt.tensor([True]) + 1.5, lt.float32),
    (lambda: lt.tensor([True]) + True, lt.bool),
    (lambda: lt.tensor(1) + lt.tensor(1.0), lt.float32),
    (lambda: lt.tensor(1.0, dtype=lt.float64) * lt.tensor(2.0), lt.float64),
    (lambda: lt.tensor([1, 2]) ** 2, lt.int64),
    (lambda: lt.tensor([1, 2]) ** 0.5, lt.float32),
    (lambda: lt.tensor([1, 2]) > 1, lt.bool),
    (lambda: lt.tensor([1, 2]).exp(), lt.float32),
    (lambda: lt.tensor([1, 2]).sum(), lt.int64),
    (lambda: lt.tensor([True, True]).sum(), lt.int64),
    (lambda: lt.maximum(lt.tensor([1]), lt.tensor([2.0], dtype=lt.float64)), lt.float64),
    (lambda: lt.where(lt.tensor([True]), lt.tensor([1]), 2.5), lt.float32),
])
def test_promotion(make, dtype):
    assert make().dtype is dtype


def test_promote_types_and_result_type():
    assert lt.promote_types(lt.int64, lt.float32) is lt.float32
    assert lt.promote_types(lt.float32, lt.float64) is lt.float64
    assert lt.promote_types(lt.bool, lt.int64) is lt.int64
    assert lt.result_type(lt.tensor([1]), 1.0) is lt.float32
    assert lt.result_type(lt.tensor([1.0]), lt.tensor(1.0, dtype=lt.float64)) is lt.float32


def test_int_true_division_values():
    assert (lt.tensor([1, 3]) / lt.tensor([2, 2])).tolist() == [0.5, 1.5]


@pytest.mark.reference
def test_promotion_matches_torch():
    torch = pytest.importorskip("torch")
    values = {
        "f32": lambda m: m.tensor([1.0, 2.0]),
        "f64": lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
        "i64": lambda m: m.tensor([1, 2]),
        "b": lambda m: m.tensor([True, False]),
        "0f64": lambda m: m.tensor(1.0, dtype=m.float64),
        "0i64": lambda m: m.tensor(3),
        "0f32": lambda m: m.tensor(3.0),
        "py_f": lambda m: 2.5,
        "py_i": lambda m: 2,
        "py_b": lambda m: True,
    }
    names = {lt.float32: "float32", lt.float64: "float64", lt.int64: "int64", lt.bool: "bool"}
    for na, fa in values.items():
        for nb, fb in values.items():
            if na.startswith("py") and nb.startswith("py"):
                continue
            for op in ("add", "mul", "div", "maximum"):
                if op == "maximum" and (na.startswith("py") or nb.startswith("py")):
                    continue
                got = getattr(lt, op)(fa(lt), fb(lt)) if op != "add" else fa(lt) + fb(lt)
                want = getattr(torch, op)(fa(torch), fb(torch)) if op != "add" else fa(torch) + fb(torch)
                assert names[got.dtype] == str(want.dtype).split(".")[1], (na, nb, op)


# ---------------------------------------------------------------- conversion
def test_to_and_shortcuts():
    x = lt.tensor([1.7, -2.2])
    assert x.to(lt.float64).dtype is lt.float64
    assert x.double().dtype is lt.float64
    assert x.long().tolist() == [1, -2]
    assert x.long().dtype is lt.int64
    assert lt.tensor([0, 2]).bool().tolist() == [False, True]
    assert lt.tensor([1, 2]).float().dtype is lt.float32
    assert x.to(lt.float32) is x
    assert x.to(lt.float32, copy=True) is not x
    assert x.to(lt.tensor([1], dtype=lt.float64)).dtype is lt.float64
    assert x.to("cpu") is x
    assert x.type_as(lt.tensor([1])).dtype is lt.int64
    assert x.is_floating_point() and not x.long().is_floating_point()


def test_to_accepts_python_types_and_rejects_numpy_dtypes_and_dtype_names():
    x = lt.ones(2)
    assert x.to(float).dtype is lt.float64 and x.to(dtype=int).dtype is lt.int64  # as torch
    assert x.to("cpu", lt.int64).dtype is lt.int64
    for bad in (np.float32, np.dtype("float64")):
        with pytest.raises(TypeError, match=r"to\(\): argument 'dtype' must be learntorch.dtype.*use learntorch.float"):
            x.to(dtype=bad)
        with pytest.raises(TypeError, match="use learntorch.float"):
            x.to(bad)
    with pytest.raises(RuntimeError, match="'float32' is a dtype name: pass learntorch.float32"):
        x.to("float32")  # a string is a device, as in torch


def test_cast_is_differentiable():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype is lt.float32 and x.grad.tolist() == [2.0, 4.0]


def test_cast_to_int_is_not_differentiable():
    x = lt.tensor([1.5], requires_grad=True)
    assert not x.long().requires_grad


# ---------------------------------------------------------------- creation
def test_zeros_ones_full_empty_shapes():
    assert lt.zeros(2, 3).shape == (2, 3)
    assert lt.zeros((2, 3)).shape == (2, 3)
    assert lt.zeros([2, 3]).shape == (2, 3)
    assert lt.zeros(()).shape == ()
    assert lt.zeros(0).shape == (0,)
    assert lt.ones(2, dtype=lt.int64).tolist() == [1, 1]
    assert lt.ones(2, 2).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert lt.empty(3, 4).shape == (3, 4)
    assert lt.zeros(2, dtype=lt.bool).tolist() == [False, False]
    assert lt.zeros(2, requires_grad=True).requires_grad


def test_full_dtype_from_value():
    assert lt.full((2,), 7).dtype is lt.int64
    assert lt.full((2,), 7.0).dtype is lt.float32
    assert lt.full((2,), True).dtype is lt.bool
    assert lt.full((2, 2), 3.5).tolist() == [[3.5, 3.5], [3.5, 3.5]]
    assert lt.full(3, 1.0).shape == (3,)
    assert lt.full((2,), 7, dtype=lt.float64).dtype is lt.float64


def test_like_functions():
    x = lt.ones(2, 3, dtype=lt.float64)
    for f in (lt.zeros_like, lt.ones_like, lt.empty_like, lt.rand_like, lt.randn_like):
        y = f(x)
        assert y.shape == (2, 3) and y.dtype is lt.float64
    assert lt.zeros_like(x, dtype=lt.int64).dtype is lt.int64
    assert lt.full_like(x, 4.0).tolist() == [[4.0] * 3] * 2
    assert lt.ones_like(x).tolist() == [[1.0] * 3] * 2
    r = lt.randint_like(lt.zeros(5, dtype=lt.int64), 3, 6)
    assert r.dtype is lt.int64 and all(3 <= v < 6 for v in r.tolist())
    assert not lt.zeros_like(lt.ones(2, requires_grad=True)).requires_grad


def test_arange():
    assert lt.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert lt.arange(5).dtype is lt.int64
    assert lt.arange(2, 8, 2).tolist() == [2, 4, 6]
    assert lt.arange(5, 0, -2).tolist() == [5, 3, 1]
    a = lt.arange(0, 1, 0.25)
    assert a.dtype is lt.float32 and a.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert lt.arange(3, dtype=lt.float64).dtype is lt.float64
    assert lt.arange(0).shape == (0,)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        lt.arange(0, 5, 0)


@pytest.mark.reference
@pytest.mark.parametrize("args, dtype", [
    ((5,), None), ((2, 8, 2), None), ((5, 0, -2), None), ((0, 1, 0.1), None), ((-1.0, 1.0, 0.3), None),
    ((1, 2.5), None), ((5.0,), None), ((0, 1, 1 / 3), None), ((0, -1, -0.1), None), ((True,), None),
    ((np.int64(3),), None), ((0.1, 0.9, 0.2), None), ((3, 3), None), ((0, 10, 3), "float64"),
    ((1, 2.5, 1), "int64"), ((0.5,), "int64"), ((-1.5, 2.7), "int64"), ((0, 1, 0.25), "float64"),
])
def test_arange_matches_torch(args, dtype):
    """Length ceil((end - start) / step), dtype int64 for all-int arguments, int64 dtype truncating."""
    torch = pytest.importorskip("torch")
    ours = lt.arange(*args, dtype=getattr(lt, dtype) if dtype else None)
    theirs = torch.arange(*args, dtype=getattr(torch, dtype) if dtype else None)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.reference
def test_python_types_as_dtype_match_torch():
    """As PyTorch: dtype=float is float64, dtype=int is int64, dtype=bool is bool."""
    torch = pytest.importorskip("torch")
    for py_type in (float, int, bool):
        for make in (lambda m: m.zeros(2, dtype=py_type), lambda m: m.tensor([1, 0], dtype=py_type),
                     lambda m: m.arange(3, dtype=py_type) if py_type is not bool else m.eye(2, dtype=py_type),
                     lambda m: m.full((2,), 1, dtype=py_type)):
            ours, theirs = make(lt), make(torch)
            assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
            assert ours.tolist() == theirs.tolist()


@pytest.mark.reference
def test_cat_and_stack_promote_like_torch():
    torch = pytest.importorskip("torch")
    pairs = [("float32", "int64"), ("int64", "float64"), ("bool", "int64"), ("bool", "float32")]
    for a, b in pairs:
        for join in ("cat", "stack"):
            ours = getattr(lt, join)([lt.ones(2, dtype=getattr(lt, a)), lt.zeros(2, dtype=getattr(lt, b))])
            theirs = getattr(torch, join)([torch.ones(2, dtype=getattr(torch, a)), torch.zeros(2, dtype=getattr(torch, b))])
            assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1], (join, a, b)
            assert ours.tolist() == theirs.tolist()


def test_tensor_of_zero_d_tensors_and_empty_lists():
    assert lt.tensor([lt.tensor(1.0), lt.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert lt.tensor([[], []]).shape == (2, 0)
    assert lt.tensor([[], []]).dtype is lt.float32
    assert lt.tensor([np.ones(2), [3, 4]]).tolist() == [[1.0, 1.0], [3.0, 4.0]]


def test_linspace():
    x = lt.linspace(0, 1, 5)
    assert x.dtype is lt.float32
    np.testing.assert_allclose(x.numpy(), [0.0, 0.25, 0.5, 0.75, 1.0])
    assert lt.linspace(-1, 1, 1).tolist() == [-1.0]
    assert lt.linspace(0, 1, 3, dtype=lt.float64).dtype is lt.float64


def test_eye():
    assert lt.eye(3).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert lt.eye(2, 3).shape == (2, 3)
    assert lt.eye(2, dtype=lt.int64).tolist() == [[1, 0], [0, 1]]


def test_negative_size_raises():
    with pytest.raises(RuntimeError, match="negative dimension"):
        lt.zeros(2, -1)


def test_float_size_raises():
    with pytest.raises(TypeError, match="size"):
        lt.zeros(2.5)


def test_tensor_constructor_class():
    assert lt.Tensor([1.0, 2.0]).tolist() == [1.0, 2.0]
    assert lt.Tensor(2, 3).shape == (2, 3)
    assert lt.is_tensor(lt.zeros(1)) and not lt.is_tensor([1])


# ---------------------------------------------------------------- random
def test_rand_randn_shapes_and_ranges():
    r = lt.rand(1000)
    assert r.shape == (1000,) and 0.0 <= r.min().item() and r.max().item() < 1.0
    n = lt.randn(4000, dtype=lt.float64)
    assert n.dtype is lt.float64
    assert abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    assert lt.rand(2, 3).shape == (2, 3) and lt.randn((2, 3)).shape == (2, 3)


def test_randint():
    r = lt.randint(3, 7, (50,))
    assert r.dtype is lt.int64 and r.shape == (50,)
    assert 3 <= r.min().item() and r.max().item() < 7
    s = lt.randint(10, (2, 3))  # randint(high, size)
    assert s.shape == (2, 3) and 0 <= s.min().item() and s.max().item() < 10
    assert lt.randint(0, 5, size=(4,)).shape == (4,)
    with pytest.raises(RuntimeError):
        lt.randint(5, 5, (2,))


def test_randperm():
    p = lt.randperm(10)
    assert sorted(p.tolist()) == list(range(10)) and p.dtype is lt.int64


def test_manual_seed_reproducible():
    lt.manual_seed(123)
    a = (lt.rand(5), lt.randn(3), lt.randint(0, 100, (4,)))
    lt.manual_seed(123)
    b = (lt.rand(5), lt.randn(3), lt.randint(0, 100, (4,)))
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    assert lt.initial_seed() == 123
    assert lt.rand(5).tolist() != a[0].tolist()


def test_generator():
    g1 = lt.Generator().manual_seed(7)
    g2 = lt.Generator().manual_seed(7)
    assert lt.randn(4, generator=g1).tolist() == lt.randn(4, generator=g2).tolist()
    # a private generator doesn't disturb the default one
    lt.manual_seed(0)
    x = lt.rand(3)
    lt.manual_seed(0)
    lt.rand(3, generator=g1)
    assert lt.rand(3).tolist() == x.tolist()
    state = g1.get_state()
    u = lt.rand(2, generator=g1)
    g1.set_state(state)
    assert lt.rand(2, generator=g1).tolist() == u.tolist()
    assert g1.initial_seed() == 7


def test_inplace_random_fill():
    lt.manual_seed(1)
    x = lt.empty(1000).uniform_(2.0, 3.0)
    assert 2.0 <= x.min().item() and x.max().item() < 3.0
    y = lt.empty(2000, dtype=lt.float64).normal_(5.0, 0.5)
    assert abs(y.mean().item() - 5.0) < 0.1 and y.dtype is lt.float64


# ---------------------------------------------------------------- repr
@pytest.mark.parametrize("make, text", [
    (lambda: lt.tensor([2.0, 4.0]), "tensor([2., 4.])"),
    (lambda: lt.tensor([1.0, 2.0], requires_grad=True) * 2, "tensor([2., 4.], grad_fn=<MulBackward0>)"),
    (lambda: lt.tensor([1.0, 2.0], requires_grad=True), "tensor([1., 2.], requires_grad=True)"),
    (lambda: lt.tensor([1.0, 2.0], dtype=lt.float64), "tensor([1., 2.], dtype=learntorch.float64)"),
    (lambda: lt.tensor(2.5, dtype=lt.float64), "tensor(2.5000, dtype=learntorch.float64)"),
    (lambda: lt.tensor(3), "tensor(3)"),
    (lambda: lt.tensor(3.0), "tensor(3.)"),
    (lambda: lt.tensor(True), "tensor(True)"),
    (lambda: lt.tensor([True, False]), "tensor([ True, False])"),
    (lambda: lt.tensor([-1, 10]), "tensor([-1, 10])"),
    (lambda: lt.tensor([[1, 2], [300, 4]]), "tensor([[  1,   2],\n        [300,   4]])"),
    (lambda: lt.tensor([1.5, -2.0, 100.0]), "tensor([  1.5000,  -2.0000, 100.0000])"),
    (lambda: lt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True),
     "tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)"),
    (lambda: lt.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: lt.tensor([float("nan"), 1.0, float("inf")]), "tensor([nan, 1., inf])"),
    (lambda: lt.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda: lt.tensor([]), "tensor([])"),
    (lambda: lt.zeros(0, dtype=lt.int64), "tensor([], dtype=learntorch.int64)"),
    (lambda: lt.ones(2, dtype=lt.float64, requires_grad=True),
     "tensor([1., 1.], dtype=learntorch.float64, requires_grad=True)"),
])
def test_repr(make, text):
    assert repr(make()) == text


def test_repr_3d():
    assert repr(lt.zeros(2, 2, 1)) == ("tensor([[[0.],\n         [0.]],\n\n"
                                        "        [[0.],\n         [0.]]])")


def test_repr_of_non_contiguous():
    assert repr(lt.tensor([[1, 2], [3, 4]]).t()) == "tensor([[1, 3],\n        [2, 4]])"


@pytest.mark.reference
def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [
        np.array([1.5, -2.0, 100.0]), np.array([1e-5, 1.0]), np.array([0.001, 1.5]), np.array([1.0, 2000.0]),
        np.array([123456.0, 1.0]), np.array([-0.5, 0.25]), np.arange(2000.0), np.arange(30.0),
        rng.standard_normal(40), rng.standard_normal((3, 4)), rng.standard_normal((40, 40)),
        rng.standard_normal((2, 3, 4)), np.array([0.0, -0.0]), np.array([1e9, 2.0]), np.arange(1500).reshape(50, 30),
        np.array([[True, False], [False, True]]), np.arange(-5, 25).reshape(3, 10), np.array([1.123456789]),
        np.array([float("nan"), -float("inf")]), np.array(7.25), rng.standard_normal((1, 1, 1005)),
    ]
    for a in arrays:
        for dtype in ([None] if a.dtype != np.float64 else [np.float32, np.float64]):
            arr = a if dtype is None else a.astype(dtype)
            got = repr(lt.tensor(arr))
            want = repr(torch.tensor(arr)).replace("torch.", "learntorch.")
            assert got == want
    x, tx = lt.tensor(arrays[9], requires_grad=True), torch.tensor(arrays[9], requires_grad=True)
    assert repr(x * 2) == repr(tx * 2).replace("torch.", "learntorch.")
    assert repr(x) == repr(tx).replace("torch.", "learntorch.")


# ---------------------------------------------------------------- matmul dtypes and ranks
def test_integer_matmul():
    a = lt.tensor([[1, 2], [3, 4]])
    out = a @ lt.tensor([[5], [6]])
    assert out.dtype is lt.int64 and out.tolist() == [[17], [39]]
    assert (lt.arange(6).reshape(2, 1, 3) @ lt.arange(3)).tolist() == [[5], [14]]


def test_matmul_ranks():
    v = lt.tensor([1.0, 2.0])
    assert (v @ v).shape == () and (v @ v).item() == 5.0
    assert (lt.tensor([1, 2]) @ lt.tensor([3, 4])).shape == ()
    assert (v @ lt.ones(2, 3)).shape == (3,)
    assert (lt.ones(3, 2) @ v).shape == (3,)
    assert (lt.ones(4, 3, 2) @ v).shape == (4, 3)
    assert (v @ lt.ones(4, 2, 3)).shape == (4, 3)
    assert (lt.ones(5, 1, 2, 3) @ lt.ones(4, 3, 6)).shape == (5, 4, 2, 6)
