"""Layout semantics: storage, shape, strides, offset; which ops are views; conversions.

A view shares its base's storage (writes through one show in the other); a copy doesn't.
"""
import numpy as np
import pytest

import learntorch as lt


def shares_storage(a, b):
    return a._storage is b._storage


def arange(*shape, dtype=None):
    n = int(np.prod(shape))
    return lt.arange(n, dtype=dtype or lt.float32).reshape(*shape)


# ---------------------------------------------------------------- metadata
def test_contiguous_metadata():
    x = lt.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4)
    assert x.size() == lt.Size([2, 3, 4])
    assert x.size(1) == 3 and x.size(-1) == 4
    assert x.stride() == (12, 4, 1)
    assert x.stride(0) == 12 and x.stride(-1) == 1
    assert x.storage_offset() == 0
    assert x.dim() == x.ndim == 3
    assert x.numel() == 24
    assert x.element_size() == 4
    assert x.is_contiguous()
    assert repr(x.shape) == "learntorch.Size([2, 3, 4])"


def test_zero_d_metadata():
    x = lt.tensor(3.0)
    assert x.shape == () and x.stride() == () and x.dim() == 0 and x.numel() == 1
    assert x.is_contiguous()


def test_size_dim_out_of_range():
    with pytest.raises(IndexError, match="Dimension out of range"):
        lt.zeros(2, 3).size(2)


# ---------------------------------------------------------------- views share storage
def test_view_shares_storage_and_writes_through():
    x = arange(2, 6)
    v = x.view(3, 4)
    assert shares_storage(x, v)
    assert v.shape == (3, 4) and v.stride() == (4, 1)
    v[0, 0] = 100.0
    assert x[0, 0].item() == 100.0


def test_view_infers_minus_one():
    assert arange(2, 6).view(-1, 3).shape == (4, 3)
    assert arange(2, 6).view(-1).shape == (12,)


def test_reshape_is_a_view_when_viewable():
    x = arange(2, 6)
    r = x.reshape(4, 3)
    assert shares_storage(x, r)


def test_reshape_copies_when_needed():
    x = arange(2, 3)
    t = x.t()
    r = t.reshape(6)
    assert not shares_storage(x, r)
    assert r.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    r[0] = -1.0
    assert x[0, 0].item() == 0.0


def test_permute_strides():
    x = arange(2, 3, 4)
    p = x.permute(2, 0, 1)
    assert p.shape == (4, 2, 3)
    assert p.stride() == (1, 12, 4)
    assert shares_storage(x, p)
    assert not p.is_contiguous()
    np.testing.assert_array_equal(p.numpy(), x.numpy().transpose(2, 0, 1))


def test_permute_negative_dims():
    x = arange(2, 3, 4)
    assert x.permute(-1, 0, 1).shape == (4, 2, 3)


def test_transpose_t_and_T():
    x = arange(2, 3)
    for y in (x.transpose(0, 1), x.t(), x.T, x.transpose(-1, -2)):
        assert y.shape == (3, 2)
        assert y.stride() == (1, 3)
        assert shares_storage(x, y)
        np.testing.assert_array_equal(y.numpy(), x.numpy().T)
    z = arange(2, 3, 4)
    assert z.T.shape == (4, 3, 2)
    assert z.T.stride() == (1, 4, 12)
    assert z.mT.shape == (2, 4, 3)


def test_t_of_1d_and_0d_is_itself():
    v = lt.ones(3)
    assert v.t().shape == (3,)
    assert lt.tensor(1.0).t().shape == ()


def test_t_rejects_3d():
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        lt.zeros(2, 3, 4).t()


def test_transpose_write_through():
    x = arange(2, 3)
    x.t()[2, 1] = 42.0
    assert x[1, 2].item() == 42.0


def test_expand_has_stride_zero():
    x = lt.tensor([[1.0], [2.0]])
    e = x.expand(2, 3)
    assert e.shape == (2, 3)
    assert e.stride() == (1, 0)
    assert shares_storage(x, e)
    assert e.tolist() == [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    e2 = lt.tensor([1.0, 2.0]).expand(4, 2)
    assert e2.stride() == (0, 1)
    assert x.expand(-1, 5).shape == (2, 5)
    assert x.expand_as(lt.zeros(2, 7)).shape == (2, 7)


def test_expand_rejects_non_singleton():
    with pytest.raises(RuntimeError, match="expanded size"):
        lt.zeros(2, 3).expand(4, 3)


def test_squeeze_unsqueeze():
    x = arange(1, 3, 1)
    s = x.squeeze()
    assert s.shape == (3,) and shares_storage(x, s)
    assert x.squeeze(0).shape == (3, 1)
    assert x.squeeze(1).shape == (1, 3, 1)  # non-singleton: unchanged
    assert x.squeeze(-1).shape == (1, 3)
    u = s.unsqueeze(0)
    assert u.shape == (1, 3) and shares_storage(x, u)
    assert s.unsqueeze(-1).shape == (3, 1)
    assert s.unsqueeze(1).shape == (3, 1)
    assert lt.tensor(2.0).unsqueeze(0).shape == (1,)


def test_unsqueeze_out_of_range():
    with pytest.raises(IndexError, match="Dimension out of range"):
        lt.zeros(3).unsqueeze(3)


def test_flatten():
    x = arange(2, 3, 4)
    f = x.flatten()
    assert f.shape == (24,) and shares_storage(x, f)
    assert x.flatten(1).shape == (2, 12)
    assert x.flatten(0, 1).shape == (6, 4)
    assert lt.tensor(5.0).flatten().shape == (1,)
    # a non-contiguous input is copied
    p = x.permute(2, 1, 0)
    fp = p.flatten()
    np.testing.assert_array_equal(fp.numpy(), x.numpy().transpose(2, 1, 0).reshape(-1))


def test_unflatten():
    assert arange(2, 12).unflatten(1, (3, 4)).shape == (2, 3, 4)
    assert arange(2, 12).unflatten(1, (3, -1)).shape == (2, 3, 4)


def test_basic_slicing_views():
    x = arange(4, 5)
    s = x[1:3, ::2]
    assert s.shape == (2, 3)
    assert s.stride() == (5, 2)
    assert s.storage_offset() == 5
    assert shares_storage(x, s)
    np.testing.assert_array_equal(s.numpy(), x.numpy()[1:3, ::2])
    row = x[2]
    assert row.storage_offset() == 10 and row.stride() == (1,)
    col = x[:, 3]
    assert col.storage_offset() == 3 and col.stride() == (5,)
    el = x[3, 4]
    assert el.shape == () and el.storage_offset() == 19


def test_view_of_view_offsets_compose():
    x = arange(4, 5)
    v = x[1:][1:, 2:]
    assert v.storage_offset() == 12
    np.testing.assert_array_equal(v.numpy(), x.numpy()[1:][1:, 2:])


def test_view_raises_on_incompatible_layout():
    t = arange(2, 3).t()
    with pytest.raises(RuntimeError) as info:
        t.view(6)
    msg = str(info.value)
    assert "view size is not compatible" in msg
    assert "[3, 2]" in msg and "[6]" in msg
    assert "reshape" in msg


def test_view_works_on_compatible_non_contiguous():
    # splitting a dim of a transposed tensor is fine: only merges need contiguity
    x = arange(4, 6).t()            # shape (6, 4), strides (1, 6)
    v = x.view(2, 3, 4)
    assert v.stride() == (3, 1, 6)
    assert shares_storage(x, v)
    np.testing.assert_array_equal(v.numpy(), x.numpy().reshape(2, 3, 4))


def test_view_of_expanded_dims():
    e = lt.ones(3, 1).expand(3, 4)
    assert e.view(3, 2, 2).stride() == (1, 0, 0)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        e.view(12)


def test_view_wrong_numel():
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        lt.zeros(2, 3).view(4)


def test_contiguous():
    x = arange(2, 3)
    assert x.contiguous() is x
    t = x.t()
    c = t.contiguous()
    assert c.is_contiguous() and not shares_storage(c, x)
    assert c.stride() == (2, 1)
    np.testing.assert_array_equal(c.numpy(), x.numpy().T)


def test_is_contiguous_with_size_one_dims():
    x = lt.zeros(3, 1)
    assert x.t().is_contiguous()  # size-1 dims can have any stride
    assert not lt.zeros(1, 3)[:, ::2].is_contiguous()


def test_slicing_with_step_is_not_contiguous():
    assert not lt.zeros(6)[::2].is_contiguous()
    assert lt.zeros(6)[1:4].is_contiguous()


# ---------------------------------------------------------------- NumPy interop
def test_from_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = lt.from_numpy(a)
    assert t.dtype is lt.float32 and t.shape == (2, 3)
    a[0, 1] = 10.0
    assert t[0, 1].item() == 10.0
    t[1, 2] = -5.0
    assert a[1, 2] == -5.0
    t.add_(1.0)
    assert a[0, 0] == 1.0


def test_from_numpy_keeps_dtypes():
    assert lt.from_numpy(np.zeros(2)).dtype is lt.float64
    assert lt.from_numpy(np.zeros(2, np.int64)).dtype is lt.int64
    assert lt.from_numpy(np.zeros(2, bool)).dtype is lt.bool


def test_from_numpy_non_contiguous_shares():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::2]
    t = lt.from_numpy(a)
    assert t.stride() == (4, 2)
    a[1, 1] = 99.0
    assert t[1, 1].item() == 99.0


def test_from_numpy_negative_strides_raise():
    with pytest.raises(ValueError, match="negative"):
        lt.from_numpy(np.arange(4.0)[::-1])


def test_inplace_into_expanded_tensor_raises():
    e = lt.zeros(3).expand(2, 3)
    for write in (lambda: e.add_(1.0), lambda: e.fill_(1.0), lambda: e.copy_(lt.ones(2, 3)),
                  lambda: e.__setitem__((slice(None), 0), 1.0)):
        with pytest.raises(RuntimeError, match="single memory location"):
            write()
    e[0] = 5.0  # one row of an expanded tensor has no repeated elements: allowed, as in PyTorch
    assert e.tolist() == [[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]]


def test_numpy_shares_memory():
    t = lt.zeros(2, 3)
    n = t.numpy()
    n[1, 1] = 7.0
    assert t[1, 1].item() == 7.0
    t.fill_(2.0)
    assert n[0, 0] == 2.0


def test_numpy_of_view_shares_memory():
    t = arange(3, 4)
    n = t.t().numpy()
    assert n.shape == (4, 3)
    n[0, 2] = -1.0
    assert t[2, 0].item() == -1.0


def test_numpy_requires_grad_raises():
    x = lt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 1.0]


def test_np_asarray_of_tensor():
    t = arange(2, 2)
    assert np.asarray(t).tolist() == [[0.0, 1.0], [2.0, 3.0]]


# ---------------------------------------------------------------- item / tolist
def test_item():
    assert lt.tensor(2.5).item() == 2.5
    assert isinstance(lt.tensor(2.5).item(), float)
    assert lt.tensor([7]).item() == 7
    assert isinstance(lt.tensor(7).item(), int)
    assert lt.tensor(True).item() is True
    assert lt.tensor([[3.0]]).item() == 3.0


def test_item_many_elements_raises():
    with pytest.raises(RuntimeError, match="2 elements cannot be converted to Scalar"):
        lt.tensor([1.0, 2.0]).item()


def test_tolist():
    assert lt.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert lt.tensor(1.5).tolist() == 1.5
    assert arange(2, 3).t().tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    assert lt.tensor([True, False]).tolist() == [True, False]
    assert type(lt.tensor([1]).tolist()[0]) is int


def test_len_iter_bool_float_int():
    x = arange(3, 2)
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3 and rows[1].tolist() == [2.0, 3.0]
    assert float(lt.tensor(2.0)) == 2.0 and int(lt.tensor(3)) == 3
    assert bool(lt.tensor(1.0)) and not bool(lt.tensor(0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(lt.tensor([1, 2]))
    with pytest.raises(TypeError):
        len(lt.tensor(1.0))


# ---------------------------------------------------------------- detach / clone
def test_detach_shares_storage_and_version():
    x = lt.ones(3, requires_grad=True)
    d = x.detach()
    assert shares_storage(x, d)
    assert not d.requires_grad and d.grad_fn is None
    v = x._version
    d.add_(1.0)
    assert x._version == v + 1
    assert x.detach().tolist() == [2.0, 2.0, 2.0]


def test_clone_copies():
    x = arange(2, 2).t()
    c = x.clone()
    assert not shares_storage(x, c) and c.is_contiguous()
    assert c.tolist() == x.tolist()


def test_views_share_version_counter():
    x = lt.zeros(4)
    v = x[1:3]
    v.add_(1.0)
    assert x._version == v._version == 1
    x.zero_()
    assert v._version == 2


def test_operations_on_non_contiguous_inputs():
    x = arange(3, 4)
    t = x.t()
    np.testing.assert_allclose((t * 2 + t).numpy(), 3 * x.numpy().T)
    np.testing.assert_allclose(t.sum(0).numpy(), x.numpy().T.sum(0))
    np.testing.assert_allclose((t @ x).numpy(), x.numpy().T @ x.numpy())
    s = x[:, 1::2]
    np.testing.assert_allclose(s.exp().numpy(), np.exp(x.numpy()[:, 1::2]), rtol=1e-6)


def test_zero_size_layouts():
    z = lt.zeros(0, 3)
    assert z.numel() == 0 and z.shape == (0, 3)
    assert z.t().shape == (3, 0)
    assert z.reshape(3, 0).shape == (3, 0)
    assert z.sum().item() == 0.0
    assert z.tolist() == []


@pytest.mark.reference
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch warns about .T on 3-D
def test_strides_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m, x: x.permute(2, 0, 1),
        lambda m, x: x.transpose(0, 2),
        lambda m, x: x[1:, ::2, 1],
        lambda m, x: x[..., None, 1:3],
        lambda m, x: x[:, 0:1].expand(2, 5, 4),
        lambda m, x: x.unsqueeze(1),
        lambda m, x: x[:, :1].squeeze(),
        lambda m, x: x.reshape(6, 4),
        lambda m, x: x.permute(1, 0, 2).reshape(3, 8),
        lambda m, x: x.view(2, 12),
        lambda m, x: x.flatten(1),
        lambda m, x: x.T,
    ]
    for f in cases:
        a = f(lt, lt.arange(24).reshape(2, 3, 4).float())
        b = f(torch, torch.arange(24).reshape(2, 3, 4).float())
        assert a.shape == tuple(b.shape)
        assert a.stride() == b.stride()
        assert a.storage_offset() == b.storage_offset()
        assert a.is_contiguous() == b.is_contiguous()
        assert a.tolist() == b.tolist()


# ---------------------------------------------------------------- unsqueeze strides (PyTorch's rule)
LAYOUTS = [
    lambda m: m.zeros(4, 6),
    lambda m: m.zeros(4, 6).t(),
    lambda m: m.zeros(4, 6)[::2, ::2],
    lambda m: m.zeros(2, 3, 4).permute(2, 0, 1),
    lambda m: m.zeros(4, 6, 5)[:, 1::2, ::3],
    lambda m: m.zeros(4, 1, 6)[:, :, ::2],
    lambda m: m.zeros(3)[1:],
    lambda m: m.zeros(()),
]


@pytest.mark.reference
@pytest.mark.parametrize("make", LAYOUTS)
def test_unsqueeze_strides_match_torch_at_every_dim(make):
    torch = pytest.importorskip("torch")
    x, tx = make(lt), make(torch)
    for d in range(-x.dim() - 1, x.dim() + 1):
        u, tu = x.unsqueeze(d), tx.unsqueeze(d)
        assert (u.shape, u.stride(), u.storage_offset()) == (tuple(tu.shape), tu.stride(), tu.storage_offset()), d
        assert shares_storage(u, x)


def test_unsqueeze_of_step_slice_at_the_end():
    assert lt.zeros(4, 6)[::2, ::2].unsqueeze(2).stride() == (12, 2, 1)


def test_unsqueeze_grad():
    x = lt.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert lt.autograd.gradcheck(lambda t: t[:, ::2].unsqueeze(2) * 2, (x,))
    assert lt.autograd.gradgradcheck(lambda t: t[:, ::2].unsqueeze(2) * 2, (x,))


# ---------------------------------------------------------------- shape arguments must be ints
SHAPE_OPS = {
    "view": lambda m, bad: m.zeros(6).view(bad),
    "view2": lambda m, bad: m.zeros(6).view(2, bad),
    "reshape": lambda m, bad: m.zeros(6).reshape(bad),
    "reshape_list": lambda m, bad: m.zeros(6).reshape([bad, 3]),
    "expand": lambda m, bad: m.zeros(1, 6).expand(bad, 6),
    "permute": lambda m, bad: m.zeros(2, 3).permute(bad, 0),
    "flatten": lambda m, bad: m.zeros(2, 3).flatten(bad),
    "flatten_end": lambda m, bad: m.zeros(2, 3).flatten(0, bad),
    "squeeze": lambda m, bad: m.zeros(2, 1).squeeze(bad),
    "unsqueeze": lambda m, bad: m.zeros(2, 3).unsqueeze(bad),
    "transpose": lambda m, bad: m.zeros(2, 3).transpose(bad, 0),
}
BAD_ARGS = [2.5, 2.0, "a", None, True]


@pytest.mark.reference
@pytest.mark.parametrize("bad", BAD_ARGS, ids=repr)
@pytest.mark.parametrize("op", sorted(SHAPE_OPS))
def test_bad_shape_arg_raises_torch_exception(op, bad):
    torch = pytest.importorskip("torch")
    if (op, bad) == ("squeeze", None):  # None is Tensor.squeeze's default here: squeeze all dims
        assert SHAPE_OPS[op](lt, bad).shape == (2,)
        return
    if (op, bad) == ("view2", True):  # PyTorch lets a bool pass among several ints; every bool raises here
        with pytest.raises(TypeError, match="bool"):
            SHAPE_OPS[op](lt, bad)
        return
    with pytest.raises(Exception) as want:
        SHAPE_OPS[op](torch, bad)
    with pytest.raises(want.type):
        SHAPE_OPS[op](lt, bad)


@pytest.mark.parametrize("bad", [2.5, "a", None, True])
def test_bad_shape_arg_message_names_op_and_argument(bad):
    with pytest.raises(TypeError, match=r"view\(\).*" + type(bad).__name__):
        lt.zeros(6).view(bad)
    with pytest.raises(TypeError, match=r"reshape\(\).*" + type(bad).__name__):
        lt.zeros(6).reshape(2, bad)
    with pytest.raises(TypeError, match=r"expand\(\).*" + type(bad).__name__):
        lt.zeros(1, 6).expand(bad, 6)


def test_view_without_shape_raises_type_error():
    with pytest.raises(TypeError, match="view"):
        lt.zeros(6).view()


@pytest.mark.parametrize("shape", [(2, 3), [2, 3], (np.int64(2), np.int32(3)), (lt.tensor(2), 3)])
def test_int_like_shape_args_accepted(shape):
    assert lt.zeros(6).view(*shape).shape == (2, 3)
    assert lt.zeros(6).reshape(shape if isinstance(shape, list) else tuple(shape)).shape == (2, 3)
    assert lt.zeros(6).reshape(lt.Size([2, 3])).shape == (2, 3)
    assert lt.zeros(2, 1).squeeze(np.int64(1)).shape == (2,)
