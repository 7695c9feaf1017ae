"""Tensor functions and methods that PyTorch programs use (issue 11): products, diagonals and
triangles, norms, splitting, flipping and repeating, sorting, running sums, gather/scatter,
masked_fill, einsum, sampling, and the small conveniences (``new_*``, ``size=``, ``format``,
``finfo``, ...).

Each differentiable op gets a float64 gradcheck and gradgradcheck (test_gradcheck.py's ``check``:
contiguous, permuted, stepped and expanded leaves, and broadcast operands), a comparison of
values and gradients with PyTorch (``reference``), and PyTorch's exception type for bad input.
"""
from __future__ import annotations

import collections
import math

import numpy as np
import pytest

import learntorch as lt
from test_gradcheck import LAYOUTS, check, rand_shape, rng  # noqa: F401  (rng: the seeded fixture)

F64 = lt.float64


def idx(*values):
    """An int64 index tensor (learntorch)."""
    return lt.tensor(values if len(values) != 1 or not isinstance(values[0], list) else values[0])


# ---------------------------------------------------------------------------- gradchecks
GRADCHECKS = {
    # name: (fn, specs); specs are (shape, layout, domain) per leaf, layouts filled in by the test
    "mm": (lambda a, b: lt.mm(a, b), [(2, 3), (3, 2)]),
    "bmm": (lambda a, b: lt.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    "addmm": (lambda c, a, b: lt.addmm(c, a, b, beta=0.5, alpha=2.0), [(3,), (2, 3), (3, 3)]),
    "addmm_method": (lambda c, a, b: c.addmm(a, b), [(2, 1), (2, 3), (3, 1)]),
    "diag_of_vector": (lambda v: lt.diag(v, 1), [(3,)]),
    "diag_of_matrix": (lambda a: a.diag(-1), [(3, 3)]),
    "diagonal": (lambda a: a.diagonal(1, 0, 2), [(3, 2, 3)]),
    "tril": (lambda a: a.tril(), [(3, 3)]),
    "triu": (lambda a: lt.triu(a, -1), [(2, 3, 3)]),
    "norm_2": (lambda a: a.norm(), [(2, 3)]),
    "norm_fro_dims": (lambda a: lt.norm(a, "fro", dim=(0, 1), keepdim=True), [(2, 3, 2)]),
    "norm_1_dim": (lambda a: a.norm(1, dim=1), [(2, 3)]),
    "norm_3": (lambda a: a.norm(3, dim=-1), [(3, 2)]),
    "norm_inf": (lambda a: a.norm(float("inf"), dim=0), [(3, 2)]),
    "norm_neg_inf": (lambda a: a.norm(-math.inf), [(3, 2)]),
    "split": (lambda a: a.split([1, 2], dim=1)[1] * a.split(2)[1][:, 1:], [(3, 3)]),
    "chunk": (lambda a: lt.chunk(a, 2, -1)[0] + lt.chunk(a, 2, -1)[1][..., :1], [(2, 3)]),
    "narrow": (lambda a: a.narrow(0, -2, 2), [(3, 2)]),
    "unbind": (lambda a: a.unbind(1)[0] * a.unbind(1)[2], [(2, 3)]),
    "flip": (lambda a: a.flip(0, -1), [(2, 3)]),
    "repeat": (lambda a: a.repeat(2, 1, 2), [(2, 3)]),
    "sort": (lambda a: a.sort(dim=0).values, [(3, 2)]),
    "sort_descending": (lambda a: lt.sort(a, descending=True).values, [(2, 3)]),
    "topk": (lambda a: a.topk(2, dim=0).values, [(3, 2)]),
    "topk_smallest": (lambda a: lt.topk(a, 1, largest=False)[0], [(2, 3)]),
    "cumsum": (lambda a: a.cumsum(0), [(3, 2)]),
    "cumsum_last": (lambda a: lt.cumsum(a, -1), [(2, 3)]),
    "cumprod": (lambda a: a.cumprod(1), [(2, 3)]),
    "cumprod_with_zero": (lambda a: (a * lt.tensor([1.0, 0.0, 1.0], dtype=F64)).cumprod(-1), [(2, 3)]),
    "gather": (lambda a: a.gather(1, idx([[0, 2, 0], [1, 1, 2]])), [(2, 3)]),
    "scatter": (lambda a, s: a.scatter(0, idx([[1, 0, 1]]), s), [(2, 3), (1, 3)]),
    "scatter_bigger_src": (lambda a, s: lt.scatter(a, 1, idx([[2], [0]]), s), [(2, 3), (2, 3)]),
    "scatter_value": (lambda a: a.scatter(1, idx([[0], [2]]), 1.5), [(2, 3)]),
    "scatter_add": (lambda a, s: a.scatter_add(0, idx([[1, 1, 0], [1, 0, 0]]), s), [(2, 3), (2, 3)]),
    "index_select": (lambda a: a.index_select(0, idx(2, 0, 2)), [(3, 2)]),
    "masked_fill": (lambda a: a.masked_fill(lt.tensor([True, False, True]), 0.5), [(2, 3)]),
    "masked_fill_tensor_value": (lambda a, v: lt.masked_fill(a, lt.tensor([[False], [True]]), v.sum()),
                                 [(2, 3), (1,)]),
    "einsum_matmul": (lambda a, b: lt.einsum("ij,jk->ik", a, b), [(2, 3), (3, 2)]),
    "einsum_batch": (lambda a, b: lt.einsum("bij,bkj->bik", a, b), [(2, 2, 3), (2, 3, 3)]),
    "einsum_outer": (lambda a, b: lt.einsum("i,j", a, b), [(2,), (3,)]),
    "einsum_dot": (lambda a, b: lt.einsum("ij,ij->", a, b), [(2, 3), (2, 3)]),
    "einsum_broadcast": (lambda a, b: lt.einsum("...ij,jk", a, b), [(2, 2, 3), (3, 2)]),
    "einsum_sum_left": (lambda a, b: lt.einsum("ij,k->ik", a, b), [(2, 3), (2,)]),
    "einsum_trace": (lambda a: lt.einsum("ii", a), [(3, 3)]),
    "einsum_transpose_sum": (lambda a: lt.einsum("ijk->kj", a), [(2, 3, 2)]),
    "einsum_three": (lambda a, b, c: lt.einsum("ij,jk,kl->il", [a, b, c]), [(2, 3), (3, 2), (2, 2)]),
}
DOUBLE = set(GRADCHECKS) - {"norm_inf", "norm_neg_inf"}  # max|a| is piecewise linear: its gradgrad is 0 anyway


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck(name, layout):
    fn, shapes = GRADCHECKS[name]
    specs = [(shape, layout if len(shape) >= 1 else "contig", "any") for shape in shapes]
    check(fn, *specs, double=name in DOUBLE)


def test_gradcheck_broadcast_operands(rng):
    # size-1 dims broadcast: addmm's input, masked_fill's mask, einsum's batch letters
    n, m = rand_shape(rng, 2)
    check(lambda c, a, b: lt.addmm(c, a, b), ((1, 1), "contig"), ((n, m), "stepped"), ((m, 2), "permuted"),
          double=True)
    check(lambda a: a.masked_fill(lt.tensor([[True], [False]]).expand(2, m), -1.0), ((2, m), "permuted"),
          double=True)
    check(lambda a, b: lt.einsum("bij,bjk->bik", a, b), ((1, n, m), "stepped"), ((2, m, 2), "contig"),
          double=True)


def test_gradcheck_norm_at_zero():
    # PyTorch's rule: the 2-norm's gradient at 0 is 0, not NaN
    x = lt.zeros(2, 3, dtype=F64, requires_grad=True)
    x.norm(dim=1).sum().backward()
    assert x.grad.tolist() == [[0.0] * 3] * 2
    y = lt.tensor([[1.0, 1.0], [0.0, 2.0]], dtype=F64, requires_grad=True)
    y.norm(float("inf"), dim=1).sum().backward()  # ties share the gradient
    assert y.grad.tolist() == [[0.5, 0.5], [0.0, 1.0]]


def test_inplace_variants_record_and_write():
    base = lt.tensor([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]], dtype=F64, requires_grad=True)
    y = base * 1.0
    y.masked_fill_(y < 0, 0.0).scatter_(0, lt.tensor([[1, 0, 1]]), 9.0).tril_()
    assert y.tolist() == [[1.0, 0.0, 0.0], [9.0, 5.0, 0.0]]
    y.sum().backward()
    assert base.grad.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    z = lt.zeros(3)
    z.scatter_add_(0, lt.tensor([0, 0, 2]), lt.tensor([1.0, 2.0, 3.0]))
    assert z.tolist() == [3.0, 0.0, 3.0]
    with pytest.raises(RuntimeError, match="leaf Variable"):
        base.masked_fill_(base > 0, 0.0)


# ---------------------------------------------------------------------------- against PyTorch
@pytest.fixture
def compare():
    """test_reference_torch's ``compare`` (values, dtypes and gradients in both libraries)."""
    pytest.importorskip("torch")
    import test_reference_torch
    return test_reference_torch.compare


REFERENCE = {
    # name: (fn(L, *inputs), specs)
    "mm": (lambda L, a, b: L.mm(a, b), [((2, 3), "permuted"), ((3, 4), "stepped")]),
    "bmm": (lambda L, a, b: a.bmm(b), [((2, 2, 3), "stepped"), ((2, 3, 2), "permuted")]),
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=-2), [((3,), "expanded"), ((2, 4), "contig"),
                                                                         ((4, 3), "permuted")]),
    "diag": (lambda L, a: (L.diag(a, 1), L.diag(a[0], -1), a.diagonal(-1)), [((3, 3), "permuted")]),
    "diagonal_3d": (lambda L, a: L.diagonal(a, 1, 2, 0), [((3, 2, 4), "stepped")]),
    "tril_triu": (lambda L, a: (a.tril(1), L.triu(a, -1)), [((2, 3, 4), "permuted")]),
    "norm": (lambda L, a: (a.norm(), L.norm(a, 1, dim=0), a.norm(float("inf"), 1, True), a.norm(3),
                           a.norm(-math.inf, dim=(0, 1)), a.norm(0), a.norm("fro", dim=(0, 1))),
             [((3, 4), "stepped")]),
    "split_chunk_narrow": (lambda L, a: (*a.split(2, 1), *L.chunk(a, 2), a.narrow(1, 1, 2), *a.unbind()),
                           [((3, 5), "permuted")]),
    "flip_repeat": (lambda L, a: (a.flip(0, 2), L.flip(a, [1]), a.repeat(1, 2, 1, 3)), [((2, 3, 2), "stepped")]),
    "sort": (lambda L, a: (*a.sort(), *L.sort(a, 0, descending=True), a.argsort(dim=1, descending=True)),
             [((3, 4), "permuted")]),
    "topk": (lambda L, a: (*a.topk(2), *L.topk(a, 3, dim=0, largest=False)), [((4, 3), "stepped")]),
    "cumsum_cumprod": (lambda L, a: (a.cumsum(0), L.cumsum(a, -1), a.cumprod(1), L.cumprod(a, 0)),
                       [((3, 4), "permuted")]),
    "gather_scatter": (lambda L, a, s: (a.gather(0, L.tensor([[2, 0, 1, 1], [0, 0, 2, 1]])),
                                        a.scatter(1, L.tensor([[3, 1], [0, 2], [1, 0]]), s[:, :2]),
                                        L.scatter_add(a, 0, L.tensor([[0, 0, 1, 2], [2, 2, 2, 2]]), s[:2, :4]),
                                        a.scatter(0, L.tensor([[1, 2, 0, 1]]), -1.0)),
                       [((3, 4), "stepped"), ((3, 4), "permuted")]),
    "index_select": (lambda L, a: (a.index_select(1, L.tensor([2, 0, 2])), L.index_select(a, 0, L.tensor(1))),
                     [((3, 4), "permuted")]),
    "masked_fill": (lambda L, a: (a.masked_fill(a > 0, -1.0), L.masked_fill(a, L.tensor([True, False, True, False]),
                                                                           L.tensor(2.0))), [((3, 4), "stepped")]),
    "einsum": (lambda L, a, b: (L.einsum("ij,kj->ik", a, b), L.einsum("ij,kj", a, b), L.einsum("ij->j", a),
                                L.einsum("ij,ij->i", a, a), L.einsum("ii->i", a[:, :3]), L.einsum("ij,jk", a, b.T),
                                L.einsum("...j,kj->...k", a, b), L.einsum("i,j->ji", a[0], b[0])),
               [((3, 4), "permuted"), ((2, 4), "stepped")]),
}


@pytest.mark.reference
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_against_torch(name, dtype, compare):
    fn, specs = REFERENCE[name]
    compare(fn, *specs, dtype=dtype)


@pytest.mark.reference
def test_dtypes_against_torch(compare):
    compare(lambda L, i: (i.cumsum(0), L.cumprod(i, 1), *i.sort(dim=1, stable=True), i.topk(2).values, i.flip(0),
                          i.repeat(2, 1),
                          i.tril(), i.gather(1, L.tensor([[0], [1], [0]])), i.masked_fill(i > 0, 7), i.diag(),
                          L.einsum("ij->", i)), ((3, 3), "permuted", "any", "int"), grad=False)
    compare(lambda L, b: (b.cumsum(1), b.all(1), b.any(0, keepdim=True), b.all(), b.logical_xor(b.flip(0)),
                          *b.sort(dim=0, stable=True)), ((3, 2), "stepped", "any", "bool"), grad=False)


@pytest.mark.reference
def test_sort_nan_and_stability_against_torch():
    import torch
    x = [3.0, 1.0, float("nan"), 1.0, -0.0, 0.0, float("inf"), 1.0, float("nan"), -float("inf")]
    for descending in (False, True):
        ours = lt.sort(lt.tensor(x), descending=descending, stable=True)
        theirs = torch.sort(torch.tensor(x), descending=descending, stable=True)
        assert ours.indices.tolist() == theirs.indices.tolist()
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())


# ---------------------------------------------------------------------------- errors
def _bad_inputs(L):
    x = L.ones(2, 3)
    return {
        "mm_vector": lambda: L.mm(x[0], x),
        "mm_shapes": lambda: L.mm(x, x),
        "mm_dtypes": lambda: L.mm(x, x.double().t()),
        "bmm_2d": lambda: L.bmm(x, x),
        "bmm_shapes": lambda: L.bmm(x[None], x[None]),
        "diag_3d": lambda: L.diag(x[None]),
        "tril_1d": lambda: L.tril(x[0]),
        "norm_int": lambda: L.tensor([1, 2]).norm(),
        "narrow_length": lambda: x.narrow(1, 2, 2),
        "narrow_start": lambda: x.narrow(1, 4, 1),
        "chunk_zero": lambda: x.chunk(0),
        "split_sizes": lambda: x.split([1, 1], 1),
        "topk_k": lambda: x.topk(4),
        "sort_dim": lambda: x.sort(dim=3),
        "cumsum_dim": lambda: x.cumsum(2),
        "gather_range": lambda: x.gather(0, L.tensor([[5]])),
        "gather_ndim": lambda: x.gather(0, L.tensor([0])),
        "gather_size": lambda: x.gather(0, L.tensor([[0, 0, 0, 0]])),
        "gather_float_index": lambda: x.gather(0, L.tensor([[0.0]])),
        "scatter_dtype": lambda: x.scatter(0, L.tensor([[0]]), x.double()),
        "scatter_size": lambda: x.scatter(0, L.tensor([[0, 1, 0, 1]]), x),
        "index_select_2d": lambda: x.index_select(0, L.tensor([[0]])),
        "index_select_range": lambda: x.index_select(0, L.tensor([3])),
        "masked_fill_long_mask": lambda: x.masked_fill(L.tensor([1, 0, 1]), 1.0),
        "masked_fill_1d_value": lambda: x.masked_fill(x > 0, L.tensor([1.0, 2.0])),
        "masked_fill_inplace_broadcast": lambda: x.clone().masked_fill_(L.ones(2, 2, 3, dtype=L.bool), 1.0),
        "repeat_few": lambda: x.repeat(2),
        "flip_dim": lambda: x.flip(3),
        "multinomial_negative": lambda: L.multinomial(L.tensor([-1.0, 1.0]), 1),
        "multinomial_zero": lambda: L.multinomial(L.tensor([0.0, 0.0]), 1),
        "multinomial_too_many": lambda: L.multinomial(L.tensor([1.0, 1.0]), 3),
        "einsum_size": lambda: L.einsum("ij,jk", x, x),
        "einsum_output": lambda: L.einsum("ij->k", x),
        "einsum_operands": lambda: L.einsum("ij,jk", x),
        "finfo_int": lambda: L.finfo(L.int64),
        "iinfo_float": lambda: L.iinfo(L.float32),
        "format_vector": lambda: format(x[0, :1], ".2f"),
        "zeros_size_twice": lambda: L.zeros(2, size=(2,)),
        "all_dim": lambda: x.all(5),
    }


@pytest.mark.reference
@pytest.mark.parametrize("name", sorted(_bad_inputs(lt)))
def test_errors_match_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        _bad_inputs(torch)[name]()
    with pytest.raises(theirs.type) as ours:
        _bad_inputs(lt)[name]()
    assert str(ours.value), name


def test_error_messages_name_the_shapes():
    x = lt.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"2x3 and 2x3"):
        lt.mm(x, x)
    with pytest.raises(RuntimeError, match=r"\[1, 4\].*\[2, 3\]"):
        x.gather(0, lt.tensor([[0, 0, 0, 0]]))
    with pytest.raises(RuntimeError, match=r"einsum\(\): subscript j has size 2 for operand 1"):
        lt.einsum("ij,jk", x, x)
    with pytest.raises(RuntimeError, match=r"\[2, 3\]"):
        lt.bmm(x, x)


# ---------------------------------------------------------------------------- conveniences
def test_new_tensors_take_dtype_and_device():
    x = lt.ones(2, dtype=F64)
    assert x.new_zeros(2, 3).dtype is F64 and x.new_zeros((2, 3)).shape == (2, 3)
    assert x.new_ones(1).tolist() == [1.0] and x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_empty(3).shape == (3,) and x.new_empty(3, dtype=lt.int64).dtype is lt.int64
    assert x.new_tensor([1, 2]).dtype is F64 and x.new_tensor([1, 2], dtype=lt.int64).dtype is lt.int64
    assert not x.new_tensor([1.0]).requires_grad and x.new_zeros(1, requires_grad=True).requires_grad


def test_creation_from_any_sequence_and_size_keyword():
    assert lt.tensor(collections.deque([1.0, 2.0])).tolist() == [1.0, 2.0]
    assert lt.tensor([lt.tensor(1.0), lt.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert lt.tensor([lt.tensor(1.0, dtype=F64)]).dtype is F64
    assert lt.tensor((lt.ones(2), lt.zeros(2))).shape == (2, 2)
    assert lt.zeros(size=(2, 3)).shape == (2, 3) and lt.ones(size=[2]).shape == (2,)
    assert lt.empty(size=(4,)).shape == (4,)


def test_indexing_with_a_range_and_format():
    x = lt.arange(6).reshape(2, 3)
    assert x[:, range(1, 3)].tolist() == [[1, 2], [4, 5]]
    assert x[range(0)].shape == (0, 3)
    assert f"{lt.tensor(3.14159):.2f}" == "3.14" and format(lt.tensor(7), "03d") == "007"
    assert f"{lt.tensor([1.0])}" == str(lt.tensor([1.0]))


def test_all_any_logical_and_typeinfo():
    b = lt.tensor([[True, False], [True, True]])
    assert b.all(1).tolist() == [False, True] and b.any(dim=0).tolist() == [True, True]
    assert b.all(0, keepdim=True).shape == (1, 2) and lt.all(b, (0, 1)).item() is False
    assert b.logical_and(~b).any().item() is False and b.logical_or(~b).all().item() is True
    assert lt.logical_xor(b, True).tolist() == [[False, True], [False, False]]
    assert lt.finfo(lt.float32).eps == np.finfo(np.float32).eps and lt.finfo().bits == 32
    assert lt.finfo(F64).tiny == np.finfo(np.float64).tiny and lt.iinfo(lt.int64).max == 2 ** 63 - 1


def test_multinomial():
    gen = lt.Generator().manual_seed(0)
    weights = lt.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 0.0]])
    draws = lt.multinomial(weights, 4000, replacement=True, generator=gen)
    assert draws.shape == (2, 4000) and draws.dtype is lt.int64
    counts = np.bincount(draws[0].numpy(), minlength=3)
    assert counts[0] == 0 and abs(counts[2] / 4000 - 0.75) < 0.03
    assert set(draws[1].tolist()) == {0}
    without = weights[0].multinomial(2, generator=gen)
    assert sorted(without.tolist()) == [1, 2]  # distinct, and the zero weight only when nothing else is left
    assert sorted(lt.multinomial(weights[0], 3).tolist()) == [0, 1, 2]
    again = lt.multinomial(weights, 5, True, generator=lt.Generator().manual_seed(0))
    assert again.tolist() == lt.multinomial(weights, 5, True, generator=lt.Generator().manual_seed(0)).tolist()
