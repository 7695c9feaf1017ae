"""Indexing: ``x[key]`` and ``x[key] = value`` against NumPy's (= PyTorch's) semantics.

Basic keys (ints, slices, None, ...) give views; advanced keys (int lists/tensors, bool
masks) copy. Gradients through indexing scatter-add back into the input's shape.
"""
import numpy as np
import pytest

import learntorch as lt


def grid(*shape, dtype=np.float32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


def check(key, shape=(4, 5, 6)):
    a = grid(*shape)
    t = lt.tensor(a)
    got = t[key]
    want = a[tuple(k.numpy() if isinstance(k, lt.Tensor) else k for k in key)] if isinstance(key, tuple) else \
        a[key.numpy() if isinstance(key, lt.Tensor) else key]
    assert tuple(got.shape) == want.shape, (key, got.shape, want.shape)
    np.testing.assert_array_equal(got.numpy(), want)
    return got


# ---------------------------------------------------------------- basic keys
@pytest.mark.parametrize("key", [
    0, -1, 3, -4,
    (1, 2), (1, 2, 3), (-1, -2, -3),
    slice(None), slice(1, 3), slice(None, None, 2), slice(1, None, 3), slice(-3, -1), slice(10, 20),
    slice(3, 1),
    (slice(None), 1), (slice(None), slice(None), -1), (slice(1, 4, 2), slice(None, None, 2), 0),
    None, (None, 0), (0, None), (slice(None), None, 2), (None, None, Ellipsis, None),
    Ellipsis, (Ellipsis, 1), (0, Ellipsis), (1, Ellipsis, 2), (Ellipsis, None), (Ellipsis, slice(None, None, 3)),
])
def test_basic_key(key):
    got = check(key)
    assert got._base is not None  # basic keys give views


def test_basic_key_is_a_view():
    t = lt.tensor(grid(4, 5))
    v = t[1:3, ::2]
    v[0, 0] = -1.0
    assert t[1, 0].item() == -1.0
    assert t[2][3]._storage is t._storage


def test_numpy_integer_keys():
    t = lt.tensor(grid(4, 5))
    assert t[np.int64(2), np.int32(3)].item() == 13.0


def test_zero_d_indexing():
    t = lt.tensor(5.0)
    assert t[...].item() == 5.0
    assert t[None].shape == (1,)
    with pytest.raises(IndexError):
        t[0]


# ---------------------------------------------------------------- advanced keys
@pytest.mark.parametrize("make_key", [
    lambda: [0, 2],
    lambda: [3, 0, 3],
    lambda: [-1, -4],
    lambda: lt.tensor([1, 1, 2]),
    lambda: lt.tensor([[0, 1], [2, 3]]),
    lambda: ([0, 2], [1, 3]),
    lambda: ([0, 2], slice(None), [1, 3]),
    lambda: (slice(None), [4, 0]),
    lambda: (1, [0, 2]),
    lambda: (slice(1, 3), [0, 2], 1),
    lambda: (Ellipsis, [5, 1]),
    lambda: (None, [1, 2]),
    lambda: [True, False, True, False],
    lambda: lt.tensor([False, True, True, False]),
    lambda: (slice(None), lt.tensor([True, False, True, False, True])),
    lambda: lt.tensor(2),
    lambda: (lt.tensor([0, 3]), lt.tensor([[1], [2]])),  # broadcast index tensors
])
def test_advanced_key(make_key):
    check(make_key())


def test_bool_mask_same_shape():
    a = grid(3, 4) - 5
    t = lt.tensor(a)
    got = t[t > 0]
    np.testing.assert_array_equal(got.numpy(), a[a > 0])
    assert got.shape == (int((a > 0).sum()),)


def test_advanced_key_copies():
    t = lt.tensor(grid(4, 5))
    c = t[[0, 1]]
    c[0, 0] = 100.0
    assert t[0, 0].item() == 0.0


def test_advanced_on_non_contiguous():
    a = grid(4, 5)
    t = lt.tensor(a).t()
    np.testing.assert_array_equal(t[[0, 3], 1:].numpy(), a.T[[0, 3], 1:])
    s = lt.tensor(a)[1:, ::2]
    np.testing.assert_array_equal(s[[2, 0]].numpy(), a[1:, ::2][[2, 0]])
    e = lt.tensor([1.0, 2.0]).expand(3, 2)
    assert e[[0, 2], 1].tolist() == [2.0, 2.0]


def test_float_index_tensor_raises():
    t = lt.zeros(3)
    with pytest.raises(IndexError, match="long"):
        t[lt.tensor([0.0, 1.0])]


# ---------------------------------------------------------------- out of range
def test_int_out_of_range_message():
    t = lt.tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t[5]
    with pytest.raises(IndexError, match="index -4 is out of bounds for dimension 0 with size 3"):
        t[-4]


def test_int_out_of_range_second_dim():
    t = lt.zeros(2, 3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 1 with size 3"):
        t[0, 3]
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 1 with size 3"):
        t[:, 7]


def test_list_out_of_range_message():
    t = lt.tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t[[0, 5]]
    with pytest.raises(IndexError, match="out of bounds"):
        t[lt.tensor([3])]


def test_too_many_indices():
    with pytest.raises(IndexError, match="too many indices"):
        lt.zeros(2, 3)[0, 0, 0]


def test_negative_step_raises():
    with pytest.raises(ValueError, match="step must be greater than zero"):
        lt.zeros(4)[::-1]


def test_two_ellipses_raise():
    with pytest.raises(IndexError, match="single ellipsis"):
        lt.zeros(2, 3)[..., 0, ...]


# ---------------------------------------------------------------- __setitem__
@pytest.mark.parametrize("key, value", [
    (1, 7.0),
    ((1, 2), -3.0),
    (slice(1, 3), 5.0),
    ((slice(None), 0), np.array([1.0, 2.0, 3.0, 4.0], np.float32)),
    ((slice(None), slice(None, None, 2)), np.array([9.0, 8.0, 7.0], np.float32)),  # broadcast a row
    ((slice(None), [0, 4]), np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)),  # broadcast a column
    (Ellipsis, 0.5),
    ([0, 3], 1.0),
    (([0, 3], [1, 2]), np.array([10.0, 20.0], np.float32)),
    ((slice(None), [True, False, True, False, True]), 4.0),
    (1, np.array([[1.0, 2.0, 3.0, 4.0, 5.0]], np.float32)),  # leading 1 dims are dropped
])
def test_setitem_matches_numpy(key, value):
    a = grid(4, 5)
    t = lt.tensor(a)
    v0 = t._version
    t[key] = lt.tensor(value) if isinstance(value, np.ndarray) else value
    a[key] = value[0] if isinstance(value, np.ndarray) and value.ndim == 2 and key == 1 else value
    np.testing.assert_array_equal(t.numpy(), a)
    assert t._version == v0 + 1


def test_setitem_bool_mask_tensor():
    a = grid(3, 4) - 5
    t = lt.tensor(a)
    t[t < 0] = 0.0
    a[a < 0] = 0.0
    np.testing.assert_array_equal(t.numpy(), a)


def test_setitem_writes_through_view():
    base = lt.zeros(3, 4)
    view = base[1:]
    view[0, 1:3] = 2.0
    assert base[1].tolist() == [0.0, 2.0, 2.0, 0.0]
    assert base._version == 1


def test_setitem_advanced_on_non_contiguous():
    a = grid(4, 5)
    t = lt.tensor(a)
    t.t()[[0, 2]] = -1.0
    a.T[[0, 2]] = -1.0
    np.testing.assert_array_equal(t.numpy(), a)
    t2 = lt.tensor(grid(4, 5))
    t2[:, 1:][[1, 3], 0] = 100.0
    b = grid(4, 5)
    b[:, 1:][[1, 3], 0] = 100.0
    np.testing.assert_array_equal(t2.numpy(), b)


def test_setitem_casts_value():
    t = lt.zeros(3, dtype=lt.int64)
    t[0] = 2.7
    assert t.tolist() == [2, 0, 0]
    f = lt.zeros(2)
    f[1] = lt.tensor(3)
    assert f.tolist() == [0.0, 3.0] and f.dtype is lt.float32


def test_setitem_shape_mismatch_raises():
    t = lt.zeros(4, 5)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        t[0] = lt.ones(4)
    with pytest.raises(RuntimeError):
        t[[0, 1]] = lt.ones(3, 5)


def test_setitem_out_of_range():
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        lt.zeros(3)[3] = 1.0


# ---------------------------------------------------------------- gradients
def test_grad_of_basic_index():
    x = lt.zeros(3, 4, requires_grad=True)
    x[1:, ::2].sum().backward()
    want = np.zeros((3, 4), np.float32)
    want[1:, ::2] = 1
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_grad_of_int_index():
    x = lt.zeros(3, requires_grad=True)
    (x[1] * 5).backward()
    assert x.grad.tolist() == [0.0, 5.0, 0.0]


def test_grad_of_repeated_indices_accumulates():
    x = lt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[[0, 2, 0, 0]]
    assert y.grad_fn.name() == "IndexBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_grad_of_weighted_gather():
    x = lt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x[[1, 1, 0], [0, 0, 1]]
    (y * lt.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [[0.0, 100.0], [11.0, 0.0]]


def test_grad_of_mask():
    x = lt.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    (x[x > 0] ** 2).sum().backward()
    assert x.grad.tolist() == [0.0, 4.0, 0.0, 8.0]


def test_grad_through_index_of_non_contiguous():
    x = lt.tensor(grid(3, 4), requires_grad=True)
    y = x.t()[[0, 0, 3]]  # rows of x.t() = columns of x
    y.sum().backward()
    want = np.zeros((3, 4), np.float32)
    want[:, 0] = 2
    want[:, 3] = 1
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_setitem_records_grad_for_value_and_target():
    w = lt.tensor([5.0, 6.0], requires_grad=True)
    base = lt.ones(4, requires_grad=True)
    t = base * 1.0
    t[[1, 3]] = w * 2
    assert t.grad_fn is not None
    (t * lt.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert w.grad.tolist() == [4.0, 8.0]
    assert base.grad.tolist() == [1.0, 0.0, 3.0, 0.0]


def test_setitem_into_plain_tensor_from_grad_value():
    w = lt.tensor(2.0, requires_grad=True)
    t = lt.zeros(3)
    t[1] = w
    assert t.requires_grad and not t.is_leaf
    t.sum().backward()
    assert w.grad.item() == 1.0


def test_setitem_on_leaf_requiring_grad_raises():
    x = lt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 1.0
    with lt.no_grad():
        x[0] = 1.0
    assert x.detach().tolist() == [1.0, 0.0, 0.0]


@pytest.mark.reference
def test_indexing_grads_match_torch():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((4, 5, 3))
    keys = [
        lambda m: (slice(1, None), [0, 0, 4], 2),
        lambda m: ([3, 1, 3], slice(None, None, 2)),
        lambda m: (m.tensor([[0, 1], [1, 1]]), Ellipsis, m.tensor([2, 2])),
        lambda m: (None, slice(None), 0),
    ]
    for k in keys:
        x = lt.tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        y, ty = x[k(lt)], tx[k(torch)]
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy())
        w = np.random.default_rng(1).standard_normal(tuple(ty.shape))
        (y * lt.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_setitem_grad_with_leading_one_value():
    w = lt.ones(1, 3, requires_grad=True)
    t = lt.zeros(2, 3) * 1.0
    t[0] = w * 3
    t.sum().backward()
    assert w.grad.shape == (1, 3)
    assert w.grad.tolist() == [[3.0, 3.0, 3.0]]


# ---------------------------------------------------------------- PyTorch's rule for mixed keys
# ints are selects, not advanced indices: only lists, index tensors, masks and bools are advanced
def _mask(m, *rows):
    return m.tensor(np.array(rows, dtype=bool))


MIXED_KEYS = [  # over a (4, 5, 6, 3) tensor; no repeated positions, so setitem is well defined
    lambda m: (0, slice(None), [1, 0]),
    lambda m: (-1, slice(None), slice(None), [2, 0]),
    lambda m: ([1, 0], slice(None), -2),
    lambda m: (0, slice(None), 0, [1, 0]),
    lambda m: (slice(None, None, 2), 1, [0, 2], slice(1, None, 2)),
    lambda m: (0, [1, 2], slice(None), [0, 1]),
    lambda m: ([0, 3], 2, [4, 1]),
    lambda m: ([0, 1], [1, 2], -1, [2, 0]),
    lambda m: (None, 0, slice(None), [2, 3, 5]),
    lambda m: (-1, None, [3, 0], None, -1),
    lambda m: (Ellipsis, 1, [0, 2]),
    lambda m: (1, Ellipsis, [0, 2]),
    lambda m: ([1, 2], Ellipsis, 0),
    lambda m: ([-1, -4], slice(1, 5, 3), -3),
    lambda m: (m.tensor([[0, 1], [2, 3]]), 1, slice(None), m.tensor([0, 2])),
    lambda m: (m.tensor(2), slice(None), [1, 0]),
    lambda m: ([[0], [3]], slice(None), 4, [[1, 2]]),
    lambda m: (0, _mask(m, True, False, True, True, False), 2),
    lambda m: (slice(1, 3), _mask(m, True, False, True, False, False), slice(None, None, 3), [0, 2]),
    lambda m: (1, _mask(m, *[[True, False, True, False, False, True]] * 5)),
    lambda m: (slice(None), _mask(m, *[[False, True, True, False, False, True]] * 5), 0),
    lambda m: (True, 0, [1, 2]),
    lambda m: (0, False, slice(None), 1),
    lambda m: (m.tensor(True), slice(None), [1, 0]),
    lambda m: ([2, 0], slice(None), True),
]


def _torch_and_lt(torch, key_fn, requires_grad=False):
    a = np.random.default_rng(0).standard_normal((4, 5, 6, 3))
    return (lt.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad),
            key_fn(lt), key_fn(torch))


@pytest.mark.reference
@pytest.mark.parametrize("key_fn", MIXED_KEYS)
def test_mixed_key_getitem_matches_torch(key_fn):
    torch = pytest.importorskip("torch")
    x, tx, key, tkey = _torch_and_lt(torch, key_fn)
    want = tx[tkey]
    got = x[key]
    assert got.shape == tuple(want.shape), (got.shape, want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.reference
@pytest.mark.parametrize("key_fn", MIXED_KEYS)
def test_mixed_key_setitem_matches_torch(key_fn):
    torch = pytest.importorskip("torch")
    x, tx, key, tkey = _torch_and_lt(torch, key_fn)
    value = np.random.default_rng(1).standard_normal(tuple(tx[tkey].shape))
    x[key] = lt.tensor(value)
    tx[tkey] = torch.tensor(value)
    np.testing.assert_array_equal(x.numpy(), tx.numpy())
    x[key] = 7.0
    tx[tkey] = 7.0
    np.testing.assert_array_equal(x.numpy(), tx.numpy())


@pytest.mark.reference
@pytest.mark.parametrize("key_fn", MIXED_KEYS)
def test_mixed_key_grads_match_torch(key_fn):
    torch = pytest.importorskip("torch")
    x, tx, key, tkey = _torch_and_lt(torch, key_fn, requires_grad=True)
    y, ty = x[key], tx[tkey]
    w = np.random.default_rng(2).standard_normal(tuple(ty.shape))
    (y * lt.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.reference
@pytest.mark.parametrize("key_fn", MIXED_KEYS[::4])
def test_mixed_key_setitem_grads_match_torch(key_fn):
    torch = pytest.importorskip("torch")
    base, tbase, key, tkey = _torch_and_lt(torch, key_fn, requires_grad=True)
    shape = tuple(tbase[tkey].shape)
    v = lt.ones(*shape, dtype=lt.float64, requires_grad=True)
    tv = torch.ones(*shape, dtype=torch.float64, requires_grad=True)
    t, tt = base * 1.0, tbase * 1.0
    t[key] = v * 2
    tt[tkey] = tv * 2
    w = np.random.default_rng(3).standard_normal((4, 5, 6, 3))
    (t * lt.tensor(w)).sum().backward()
    (tt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(base.grad.numpy(), tbase.grad.numpy())
    np.testing.assert_allclose(v.grad.numpy(), tv.grad.numpy())


@pytest.mark.parametrize("key", [(0, slice(None), [1, 0]), ([1, 0], slice(None), -1), (0, [2, 2, 0], True)])
def test_mixed_key_gradcheck(key):
    x = lt.tensor(np.random.default_rng(4).standard_normal((2, 3, 2)), requires_grad=True)
    assert lt.autograd.gradcheck(lambda t: t[key], (x,))
    assert lt.autograd.gradgradcheck(lambda t: t[key], (x,))


def test_int_with_list_key_from_the_audit():
    x = lt.arange(12).reshape(2, 3, 2)
    y = x[0, :, [1, 0]]
    assert y.shape == (3, 2)
    assert y.tolist() == [[1, 0], [3, 2], [5, 4]]


def test_zero_d_int_tensor_index_is_a_view():
    x = lt.arange(6).reshape(2, 3)
    y = x[lt.tensor(1)]
    assert y._base is not None and y.tolist() == [3, 4, 5]


# ---------------------------------------------------------------- bad keys: PyTorch's exceptions
BAD_KEYS = [
    ((2, 3), lambda m: ([0, 1], [0, 1, 2]), "shape mismatch.*\\[2\\], \\[3\\]"),
    ((3,), lambda m: m.tensor([[True]]), "too many indices for tensor of dimension 1"),
    ((3,), lambda m: 1.0, "valid indices.*float"),
    ((3,), lambda m: {1: 2}, "valid indices.*dict"),
    ((2, 3), lambda m: m.tensor([True, False, True]), "mask \\[3\\].*\\[2, 3\\]"),
    ((2, 3), lambda m: (slice(None), m.tensor([True, False])), "mask \\[2\\].*\\[2, 3\\] at index 1"),
    ((3,), lambda m: m.tensor([0.0, 1.0]), "long, int, byte or bool"),
    ((3,), lambda m: m.tensor(1.0), "long, int, byte or bool"),
    ((3,), lambda m: m.tensor([5]), "index 5 is out of bounds for dimension 0 with size 3"),
    ((2, 3), lambda m: (0, [1, -4]), "index -4 is out of bounds for dimension 1 with size 3"),
    ((2, 3), lambda m: ([[0, 1], [1, 0]], [[0], [1], [2]]), "shape mismatch.*\\[2, 2\\], \\[3, 1\\]"),
    ((2, 3), lambda m: (0, False, [1, 2]), "shape mismatch.*\\[0\\], \\[2\\]"),  # a bool is advanced
    ((3,), lambda m: "a", "str"),
]


@pytest.mark.reference
@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")  # torch, for the str key
@pytest.mark.parametrize("shape, key_fn, message", BAD_KEYS)
def test_bad_key_raises_torch_exception(shape, key_fn, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as want:
        torch.ones(*shape)[key_fn(torch)]
    with pytest.raises(want.type, match=message) as got:
        lt.ones(*shape)[key_fn(lt)]
    assert "indexing" in str(got.value)
    with pytest.raises(want.type, match=message):
        lt.ones(*shape)[key_fn(lt)] = 1.0


def test_ragged_list_index_raises_index_error():
    with pytest.raises(IndexError, match="ragged"):
        lt.ones(3)[[[0, 1], [1]]]
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        lt.ones(3)[[1.0]]
