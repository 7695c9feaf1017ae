"""Sparse COO tensors: construction and its errors, to_sparse/to_dense/coalesce, sparse.mm with
its gradients (float64 gradchecks, strided dense operands), the Numba CSR kernels against the
NumPy reference, and torch.sparse as the reference."""
from __future__ import annotations

import io
import pickle
from types import SimpleNamespace

import numpy as np
import pytest

import learntorch as lt
from learntorch.autograd import gradcheck, gradgradcheck
from learntorch.backends.cpu import sparse as cpu_sparse
from learntorch.backends.reference import sparse as reference_sparse
from learntorch.sparse import SparseCooTensor
from learntorch.sparse._csr import CSR
from learntorch.sparse.mm import _kernels

F64 = lt.float64
# (2, 3) with a repeated index (0, 2) and an unsorted order: uncoalesced
INDICES = [[0, 1, 1, 0], [2, 0, 2, 2]]
VALUES = [3.0, 4.0, 5.0, 1.0]


def random_coo(rng, m, k, nnz):
    """Random indices (repeats and any order) and values of an (m, k) sparse matrix."""
    return np.stack([rng.integers(0, m, nnz), rng.integers(0, k, nnz)]), rng.standard_normal(nnz)


def dense_layout(array, layout):
    """A float64 leaf with ``array``'s values, laid out contiguously, transposed or stepped."""
    if layout == "contig":
        return lt.tensor(array, dtype=F64).requires_grad_()
    if layout == "transposed":
        return lt.tensor(array.T.copy(), dtype=F64).t().detach().requires_grad_()
    base = np.zeros((array.shape[0], 2 * array.shape[1]))
    base[:, ::2] = array
    return lt.tensor(base, dtype=F64)[:, ::2].detach().requires_grad_()


# ---------------------------------------------------------------------------- construction
def test_construction_and_metadata():
    s = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    assert s.is_sparse and s.layout is lt.sparse_coo and not lt.ones(1).is_sparse and lt.ones(1).layout is lt.strided
    assert s.shape == (2, 3) and s.size(1) == 3 and s.dim() == 2 and s._nnz() == 4 and s.dtype is lt.float32
    assert s.sparse_dim() == 2 and s.dense_dim() == 0 and not s.is_coalesced()
    assert lt.sparse_coo_tensor(INDICES, VALUES).shape == (2, 3)  # size inferred from the largest index
    assert lt.sparse_coo_tensor(INDICES, VALUES, dtype=F64).dtype is F64
    assert lt.sparse_coo_tensor(INDICES, [1, 2, 3, 4], (2, 3)).dtype is lt.int64
    assert lt.sparse_coo_tensor(lt.zeros(2, 0, dtype=lt.int64), lt.zeros(0), (2, 2)).to_dense().tolist() == [[0, 0]] * 2


@pytest.mark.parametrize("args, error, match", [
    ((INDICES, VALUES[:3], (2, 3)), RuntimeError, "same nnz, but got nnz from indices: 4, nnz from values: 3"),
    ((INDICES, VALUES, (2, 3, 4)), RuntimeError, "len\\(size\\) = 3, sparse_dim = 2"),
    ((INDICES, VALUES, (1, 3)), RuntimeError, "for dim 0, size is 1 but found index 1"),
    (([[0, -1, 0, 0], [0, 0, 0, 0]], VALUES, (2, 3)), RuntimeError, "for dim 0, size is 2 but found index -1"),
    ((lt.tensor(INDICES, dtype=F64), VALUES, (2, 3)), RuntimeError, "integer tensor of shape \\(ndim, nnz\\)"),
    ((INDICES, lt.ones(4, 2), (2, 3)), NotImplementedError, "hybrid"),
])
def test_construction_errors(args, error, match):
    with pytest.raises(error, match=match):
        lt.sparse_coo_tensor(*args)


def test_is_coalesced_is_checked():
    with pytest.raises(RuntimeError, match="not sorted or repeat"):
        lt.sparse_coo_tensor(INDICES, VALUES, (2, 3), is_coalesced=True)
    assert lt.sparse_coo_tensor([[0, 1]], [1.0, 2.0], (2,), is_coalesced=True).is_coalesced()


def test_coalesce_sorts_and_sums_repeats():
    s = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    with pytest.raises(RuntimeError, match="uncoalesced tensor, please call .coalesce"):
        s.indices()
    with pytest.raises(RuntimeError, match="uncoalesced"):
        s.values()
    assert s._indices().tolist() == INDICES and s._values().tolist() == VALUES
    c = s.coalesce()
    assert c.is_coalesced() and c.coalesce() is c
    assert c.indices().tolist() == [[0, 1, 1], [2, 0, 2]] and c.values().tolist() == [4.0, 4.0, 5.0]
    assert c.to_dense().tolist() == s.to_dense().tolist() == [[0, 0, 4], [4, 0, 5]]


def test_to_sparse_and_back():
    x = lt.tensor([[0.0, 1.5, 0.0], [-2.0, 0.0, float("nan")]])
    s = x.to_sparse()
    assert isinstance(s, SparseCooTensor) and s.is_coalesced() and s.to_sparse() is s
    assert s.indices().tolist() == [[0, 1, 1], [1, 0, 2]]
    assert np.array_equal(s.to_dense().numpy(), x.numpy(), equal_nan=True)
    assert x.to_dense() is x
    assert lt.zeros(2, 2).to_sparse()._nnz() == 0
    with pytest.raises(NotImplementedError, match="sparse_dim"):
        x.to_sparse(1)


def test_conversions_and_transpose():
    s = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    assert s.double().dtype is F64 and s.to(F64).to("cpu").dtype is F64 and s.cpu() is s
    assert s.t().shape == (3, 2) and s.t().to_dense().tolist() == s.to_dense().t().tolist()
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        lt.sparse_coo_tensor([[0], [0], [0]], [1.0], (1, 1, 1)).t()


def test_repr_is_torch_like():
    assert repr(lt.sparse_coo_tensor(INDICES, VALUES, (2, 3))) == (
        "tensor(indices=tensor([[0, 1, 1, 0],\n"
        "                       [2, 0, 2, 2]]),\n"
        "       values=tensor([3., 4., 5., 1.]),\n"
        "       size=(2, 3), nnz=4, layout=learntorch.sparse_coo)")
    s = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3), dtype=F64, requires_grad=True)
    assert repr(s).endswith("size=(2, 3), nnz=4, dtype=learntorch.float64, layout=learntorch.sparse_coo, "
                            "requires_grad=True)")


def test_sparse_tensors_pickle_and_save():
    s = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3), requires_grad=True).coalesce()
    for got in (pickle.loads(pickle.dumps(s)), _round_trip(s)):
        assert isinstance(got, SparseCooTensor) and got.is_coalesced() and got.requires_grad
        assert got.to_dense().tolist() == s.to_dense().tolist()


def _round_trip(obj):
    buf = io.BytesIO()
    lt.save(obj, buf)
    buf.seek(0)
    return lt.load(buf)  # weights_only=True: sparse tensors are allowlisted, as in torch


# ---------------------------------------------------------------------------- sparse.mm forward
@pytest.mark.parametrize("dtype", [lt.float32, F64, lt.int64])
def test_mm_matches_the_dense_product(dtype):
    rng = np.random.default_rng(0)
    idx, vals = random_coo(rng, 5, 4, 9)
    vals = (vals * 3).round() if dtype is lt.int64 else vals
    s = lt.sparse_coo_tensor(idx, vals, (5, 4), dtype=dtype)
    d = lt.tensor(rng.integers(-3, 4, (4, 3)) if dtype is lt.int64 else rng.standard_normal((4, 3)), dtype=dtype)
    want = s.to_dense() @ d if dtype is not lt.int64 else lt.tensor(s.to_dense().numpy() @ d.numpy())
    for got in (lt.sparse.mm(s, d), lt.spmm(s, d), s @ d, s.mm(d), lt.matmul(s, d), lt.mm(s, d)):
        assert got.dtype is dtype and got.shape == (5, 3)
        assert np.allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_mm_edge_cases():
    empty = lt.sparse_coo_tensor(lt.zeros(2, 0, dtype=lt.int64), lt.zeros(0), (3, 4))
    assert lt.sparse.mm(empty, lt.ones(4, 2)).tolist() == [[0.0, 0.0]] * 3
    s = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    assert lt.sparse.mm(s, lt.ones(3, 0)).shape == (2, 0)
    assert lt.sparse.mm(s, lt.ones(3, 2).expand(3, 2)).tolist() == [[4.0, 4.0], [9.0, 9.0]]


@pytest.mark.parametrize("a, b, error, match", [
    ("s", "d42", RuntimeError, r"shapes cannot be multiplied \(2x3 and 4x2\)"),
    ("s", "d64", RuntimeError, "expected mat2 of dtype learntorch.float32, found learntorch.float64"),
    ("s", "d1", RuntimeError, "expected 2-D matrices"),
    ("d32", "d32", TypeError, "mat1 must be a sparse tensor"),
    ("s", "s", NotImplementedError, "sparse @ sparse.*to_dense"),
    ("sb", "db", RuntimeError, "bool"),
])
def test_mm_errors(a, b, error, match):
    ops = {"s": lt.sparse_coo_tensor(INDICES, VALUES, (2, 3)), "d42": lt.ones(4, 2), "d64": lt.ones(3, 2, dtype=F64),
           "d1": lt.ones(3), "d32": lt.ones(3, 3), "sb": lt.sparse_coo_tensor(INDICES, [True] * 4, (2, 3)),
           "db": lt.ones(3, 2, dtype=lt.bool)}
    with pytest.raises(error, match=match):
        lt.sparse.mm(ops[a], ops[b])


def test_cuda_operands_say_what_to_do_instead():
    fake = SimpleNamespace(_backend=SimpleNamespace(name="cuda"))
    with pytest.raises(NotImplementedError, match=r"sparse.mm: .*no CUDA kernel.*to_dense\(\) @ D"):
        _kernels("sparse.mm", fake)


# ---------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("layout", ["contig", "transposed", "stepped"])
def test_mm_gradcheck_values_and_dense(layout):
    rng = np.random.default_rng(1)
    idx, vals = random_coo(rng, 3, 4, 6)
    values = lt.tensor(vals, dtype=F64, requires_grad=True)
    dense = dense_layout(rng.standard_normal((4, 2)), layout)
    fn = lambda v, d: lt.sparse.mm(lt.sparse_coo_tensor(idx, v, (3, 4)), d)  # noqa: E731
    assert gradcheck(fn, (values, dense))
    assert gradgradcheck(fn, (values, dense))


def test_mm_gradcheck_with_an_expanded_dense_and_a_coalesced_sparse():
    rng = np.random.default_rng(2)
    idx, vals = random_coo(rng, 3, 3, 5)
    values = lt.tensor(vals, dtype=F64, requires_grad=True)
    row = lt.tensor(rng.standard_normal((1, 2)), dtype=F64, requires_grad=True)
    fn = lambda v, r: lt.sparse.mm(lt.sparse_coo_tensor(idx, v, (3, 3)).coalesce(), r.expand(3, 2))  # noqa: E731
    assert gradcheck(fn, (values, row))


def test_to_dense_coalesce_and_to_sparse_gradcheck():
    values = lt.tensor(VALUES, dtype=F64, requires_grad=True)
    assert gradcheck(lambda v: lt.sparse_coo_tensor(INDICES, v, (2, 3)).to_dense(), (values,))
    assert gradcheck(lambda v: lt.sparse_coo_tensor(INDICES, v, (2, 3)).coalesce().values(), (values,))
    dense = lt.tensor([[1.0, 1.5], [-2.0, 0.5]], dtype=F64, requires_grad=True)  # no zeros: nnz can't change
    assert gradcheck(lambda x: x.to_sparse().values(), (dense,))
    with_zeros = lt.tensor([[0.0, 1.5], [-2.0, 0.0]], requires_grad=True)
    (with_zeros.to_sparse().values() * lt.tensor([1.0, 2.0])).sum().backward()
    assert with_zeros.grad.tolist() == [[0.0, 1.0], [2.0, 0.0]]  # as torch: zeros get no gradient


def test_sparse_leaf_gets_a_sparse_grad():
    s = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3), requires_grad=True)
    assert s.is_leaf and s.grad is None
    d = lt.ones(3, 2, requires_grad=True)
    lt.sparse.mm(s, d).sum().backward()
    # as torch: the gradient of the matrix, one entry per position (the repeated (0, 2) once)
    assert isinstance(s.grad, SparseCooTensor) and s.grad._indices().tolist() == [[0, 1, 1], [2, 0, 2]]
    assert s.grad._values().tolist() == [2.0, 2.0, 2.0]
    assert d.grad.tolist() == [[4.0, 4.0], [0.0, 0.0], [9.0, 9.0]]
    s.grad = None
    assert s.grad is None


# ---------------------------------------------------------------------------- kernels
@pytest.mark.parametrize("m, k, n, nnz", [(1, 1, 1, 1), (6, 5, 3, 12), (7, 3, 0, 4), (5, 5, 4, 0),
                                          (300, 200, 8, 12000)])  # the last runs the threaded build
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cpu_kernels_match_the_reference(m, k, n, nnz, dtype):
    rng = np.random.default_rng(m * 1000 + nnz)
    idx, vals = random_coo(rng, m, k, nnz)
    vals = vals.astype(dtype)
    for csr, (rows, cols) in ((CSR(idx[0], idx[1], m, k), (m, k)), (CSR(idx[0], idx[1], m, k).T, (k, m))):
        dense = rng.standard_normal((cols, n)).astype(dtype)
        a = rng.standard_normal((rows, n)).astype(dtype)
        tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
        args = (csr.indptr, csr.cols, csr.order)
        np.testing.assert_allclose(cpu_sparse.spmm(*args, vals, dense), reference_sparse.spmm(*args, vals, dense),
                                   **tol)
        np.testing.assert_allclose(cpu_sparse.sampled_dot(*args, a, dense),
                                   reference_sparse.sampled_dot(*args, a, dense), **tol)


def test_csr_index_of_a_coo_matrix():
    csr = CSR(np.array([1, 0, 1, 0]), np.array([0, 2, 2, 2]), 2, 3)
    assert csr.indptr.tolist() == [0, 2, 4] and csr.cols.tolist() == [2, 2, 0, 2] and csr.order.tolist() == [1, 3, 0, 2]
    assert csr.T.indptr.tolist() == [0, 1, 1, 4] and csr.T.cols.tolist() == [1, 0, 1, 0]
    assert csr.T is csr.T  # built once


# ---------------------------------------------------------------------------- against torch.sparse
@pytest.mark.reference
def test_mm_forward_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    idx, vals = random_coo(rng, 6, 5, 14)
    dense = rng.standard_normal((5, 3))
    upstream = rng.standard_normal((6, 3))
    results = {}
    for lib in (lt, torch):
        s = lib.sparse_coo_tensor(lib.tensor(idx), lib.tensor(vals, dtype=lib.float64), (6, 5), requires_grad=True)
        d = lib.tensor(dense, dtype=lib.float64, requires_grad=True)
        out = lib.sparse.mm(s, d)
        out.backward(lib.tensor(upstream))
        g = s.grad.coalesce()
        results[lib.__name__] = (out.detach().numpy(), d.grad.numpy(), g.indices().numpy(), g.values().numpy())
    for ours, theirs in zip(results["learntorch"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.reference
def test_coalesce_to_sparse_and_repr_match_torch():
    torch = pytest.importorskip("torch")
    ours = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    theirs = torch.sparse_coo_tensor(INDICES, VALUES, (2, 3))
    assert repr(ours).replace("learntorch", "torch") == repr(theirs)
    assert repr(ours.coalesce()).replace("learntorch", "torch") == repr(theirs.coalesce())
    assert ours.coalesce().indices().tolist() == theirs.coalesce().indices().tolist()
    x = np.array([[0.0, 2.0], [3.0, 0.0]])
    assert lt.tensor(x).to_sparse().indices().tolist() == torch.tensor(x).to_sparse().indices().tolist()
    d = lt.sparse_coo_tensor(INDICES, VALUES, (2, 3), dtype=F64)
    assert repr(d).replace("learntorch", "torch") == repr(torch.sparse_coo_tensor(INDICES, VALUES, (2, 3),
                                                                                   dtype=torch.float64))
