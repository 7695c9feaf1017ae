"""Gradient checks: autograd's Jacobian vs float64 central differences, for every differentiable op.

Every case is a function of float64 leaves. The leaves come in several layouts, so each op's
forward *and* backward see strided inputs:

* ``contig``   a plain contiguous tensor;
* ``permuted`` a leaf whose memory is laid out in reverse dim order (a transposed view);
* ``stepped``  a leaf that is every other element of a bigger buffer (``base[..., ::2]``);
* ``expanded`` a size-1 leaf broadcast with ``expand`` inside the function (stride 0).

Inputs are drawn away from the points where an op is not differentiable (``abs``/``relu`` at
0, the bounds of ``clamp``, ties of ``max``), so central differences are meaningful. Shapes
are tiny: the checks build the full Jacobian.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import learntorch as lt
from learntorch.autograd import grad, gradcheck, gradgradcheck

F64 = lt.float64
LAYOUTS = ("contig", "permuted", "stepped", "expanded")


# ---------------------------------------------------------------------------- input helpers
def _values(shape, seed, domain="any"):
    """float64 NumPy values for ``shape``: ``any`` (N(0,1)), ``pos`` ([0.5, 2]), or a tuple of
    points to keep at least 0.15 away from (the op's kinks)."""
    rng = np.random.default_rng(seed)
    if domain == "pos":
        return rng.uniform(0.5, 2.0, size=shape)
    x = rng.uniform(-2.0, 2.0, size=shape)
    if domain == "any":
        return x
    for p in domain:
        close = np.abs(x - p) < 0.15
        x[close] = p + np.where(x[close] >= p, 0.15, -0.15) + 0.05 * rng.uniform(size=int(close.sum()))
    return x


def leaf(shape, layout="contig", seed=0, domain="any"):
    """``(leaf, prep)``: a float64 leaf that requires grad, and ``prep(leaf)`` the op's input of
    ``shape`` in the requested layout."""
    shape = tuple(shape)
    if layout == "contig" or (layout == "permuted" and len(shape) < 2):
        layout = "contig" if layout == "contig" or not shape else "stepped"
    if layout == "contig":
        x = lt.tensor(_values(shape, seed, domain), dtype=F64).requires_grad_()
        return x, lambda t: t
    if layout == "permuted":
        rev = tuple(reversed(range(len(shape))))
        base = lt.tensor(np.ascontiguousarray(_values(shape, seed, domain).transpose(rev)), dtype=F64)
        x = base.permute(*rev).detach().requires_grad_()
        assert not x.is_contiguous() or sum(s > 1 for s in shape) < 2
        return x, lambda t: t
    if layout == "stepped":
        if not shape:
            base = lt.tensor(_values((3,), seed, domain), dtype=F64)
            return base[1].detach().requires_grad_(), lambda t: t
        big = shape[:-1] + (2 * shape[-1],)
        vals = np.zeros(big)
        vals[..., ::2] = _values(shape, seed, domain)
        x = lt.tensor(vals, dtype=F64)[..., ::2].detach().requires_grad_()
        assert shape[-1] == 1 or not x.is_contiguous()
        return x, lambda t: t
    if layout == "expanded":
        # the leaf has size 1 in its first non-trivial dim; the op sees it broadcast (stride 0)
        small = tuple(1 if i == 0 else s for i, s in enumerate(shape))
        x = lt.tensor(_values(small, seed, domain), dtype=F64).requires_grad_()
        return x, lambda t: t.expand(*shape)
    raise ValueError(layout)


def check(fn, *specs, double=False, **kw):
    """gradcheck (and gradgradcheck when ``double``) of ``fn`` over leaves made from ``specs``:
    each ``(shape, layout)`` or ``(shape, layout, domain)``."""
    leaves, preps = [], []
    for i, spec in enumerate(specs):
        shape, layout, domain = (tuple(spec) + ("any",))[:3]
        x, prep = leaf(shape, layout, seed=11 * i + 1, domain=domain)
        leaves.append(x)
        preps.append(prep)

    def f(*xs):
        return fn(*(p(x) for p, x in zip(preps, xs)))

    assert gradcheck(f, tuple(leaves), **kw)
    if double:
        assert gradgradcheck(f, tuple(leaves), **kw)


# ---------------------------------------------------------------------------- unary elementwise
UNARY = {
    "neg": (lambda x: -x, "any"),
    "neg_fn": (lambda x: lt.neg(x), "any"),
    "exp": (lambda x: x.exp(), "any"),
    "log": (lambda x: x.log(), "pos"),
    "sqrt": (lambda x: x.sqrt(), "pos"),
    "abs": (lambda x: x.abs(), (0.0,)),
    "abs_builtin": (lambda x: abs(x), (0.0,)),
    "sin": (lambda x: x.sin(), "any"),
    "cos": (lambda x: lt.cos(x), "any"),
    "tanh": (lambda x: x.tanh(), "any"),
    "sigmoid": (lambda x: x.sigmoid(), "any"),
    "relu": (lambda x: x.relu(), (0.0,)),
    "clamp_min": (lambda x: x.clamp(min=0.3), (0.3,)),
    "clamp_max": (lambda x: x.clamp(max=-0.2), (-0.2,)),
    "clamp_both": (lambda x: x.clamp(-1.0, 0.5), (-1.0, 0.5)),
    "clamp_int_bound": (lambda x: lt.clamp(x, min=-1, max=1), (-1.0, 1.0)),
    "square": (lambda x: x.square(), "any"),
    "reciprocal": (lambda x: x.reciprocal(), "pos"),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, layout):
    fn, domain = UNARY[name]
    check(fn, ((2, 3), layout, domain), double=True)


def test_unary_0d():
    for name in ("exp", "tanh", "abs", "relu", "clamp_both"):
        fn, domain = UNARY[name]
        check(fn, ((), "contig", domain), double=True)


def test_clamp_tensor_bounds():
    # tensor bounds broadcast and get their own gradient where they are the active side
    check(lambda x, lo: lt.clamp(x, min=lo), ((2, 3), "permuted", "any"), ((3,), "contig", "any"), double=True)
    check(lambda x, hi: x.clamp(max=hi), ((2, 3), "stepped", "any"), ((2, 1), "contig", "any"), double=True)
    check(lambda x, lo, hi: x.clamp(lo, hi), ((2, 3), "contig", "any"), ((3,), "contig", (1.0,)),
          ((2, 1), "contig", (-1.0,)))


# ---------------------------------------------------------------------------- binary elementwise
BINARY = {
    "add": (lambda a, b: a + b, "any", "any"),
    "add_fn_alpha": (lambda a, b: a.add(b, alpha=2.5), "any", "any"),
    "sub": (lambda a, b: a - b, "any", "any"),
    "sub_fn_alpha": (lambda a, b: lt.sub(a, b) + a.sub(b, alpha=-0.5), "any", "any"),
    "mul": (lambda a, b: a * b, "any", "any"),
    "div": (lambda a, b: a / b, "any", "pos"),
    "pow": (lambda a, b: a ** b, "pos", "any"),
    "maximum": (lambda a, b: lt.maximum(a, b), "any", "any"),
    "minimum": (lambda a, b: a.minimum(b), "any", "any"),
}
BCAST = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((3,), (2, 2, 3)), ((), (2, 3)), ((2, 3), ())]


@pytest.mark.parametrize("shapes", BCAST, ids=lambda s: f"{s[0]}x{s[1]}".replace(" ", ""))
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcast(name, shapes):
    fn, da, db = BINARY[name]
    check(fn, (shapes[0], "contig", da), (shapes[1], "contig", db), double=True)


@pytest.mark.parametrize("layouts", [("permuted", "stepped"), ("stepped", "expanded"), ("expanded", "permuted")])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_noncontiguous(name, layouts):
    fn, da, db = BINARY[name]
    check(fn, ((2, 3), layouts[0], da), ((2, 3), layouts[1], db), double=True)
    # broadcast together with a strided operand
    check(fn, ((2, 3), layouts[0], da), ((3,), "stepped", db))


SCALAR = {
    "add_r": (lambda x: x + 2.5, "any"),
    "add_l": (lambda x: 2.5 + x, "any"),
    "add_int": (lambda x: x + 2, "any"),
    "sub_r": (lambda x: x - 1.5, "any"),
    "sub_l": (lambda x: 1.5 - x, "any"),
    "mul_r": (lambda x: x * 3.0, "any"),
    "mul_l": (lambda x: -3 * x, "any"),
    "div_r": (lambda x: x / 4.0, "any"),
    "div_l": (lambda x: 2.0 / x, (0.0,)),
    "div_int_l": (lambda x: 2 / x, (0.0,)),
    "pow_2": (lambda x: x ** 2, "any"),
    "pow_3_neg_base": (lambda x: x ** 3, "any"),
    "pow_frac": (lambda x: x ** 2.5, "pos"),
    "pow_neg": (lambda x: x ** -1.5, "pos"),
    "pow_0": (lambda x: x ** 0, "any"),
    "pow_1": (lambda x: x ** 1, "any"),
    "rpow": (lambda x: 2.0 ** x, "any"),
    "rpow_e": (lambda x: math.e ** x, "any"),
    "pow_fn": (lambda x: lt.pow(x, 0.5), "pos"),
}


@pytest.mark.parametrize("layout", ["contig", "permuted", "expanded"])
@pytest.mark.parametrize("name", sorted(SCALAR))
def test_scalar_operand(name, layout):
    fn, domain = SCALAR[name]
    check(fn, ((2, 3), layout, domain), double=True)


def test_pow_tensor_exponent_at_zero_base():
    # d/db a**b at a == 0 (b > 0) is 0; d/da is finite for b >= 1
    b = lt.tensor([1.5, 2.0, 3.0], dtype=F64, requires_grad=True)
    a = lt.tensor([0.0, 0.0, 0.0], dtype=F64, requires_grad=True)
    (a ** b).sum().backward()
    assert b.grad.tolist() == [0.0, 0.0, 0.0]
    assert a.grad.tolist() == [0.0, 0.0, 0.0]


def test_where():
    cond = lt.tensor([[True, False, True], [False, False, True]])
    cond_b = lt.tensor([[True], [False]])
    check(lambda a, b: lt.where(cond, a, b), ((2, 3), "permuted"), ((2, 3), "stepped"), double=True)
    check(lambda a, b: lt.where(cond_b, a, b), ((3,), "stepped"), ((2, 1), "contig"), double=True)
    check(lambda a, b: lt.where(cond, a, b), ((2, 3), "expanded"), ((), "contig"), double=True)
    check(lambda a: lt.where(cond, a, 0.5), ((2, 3), "contig"), double=True)
    check(lambda b: lt.where(cond_b, -1.0, b), ((2, 3), "permuted"), double=True)
    check(lambda a: a.masked_fill(cond, 2.0), ((2, 3), "stepped"), double=True)


# ---------------------------------------------------------------------------- reductions
DIMS = [None, 0, -1, (0, 2), (2, 0, 1), ()]
REDUCE = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "prod": lambda x, d, k: x.prod() if d in (None, ()) else x.prod(d if isinstance(d, int) else d[0], keepdim=k),
    "var": lambda x, d, k: x.var(d, keepdim=k),
    "var_biased": lambda x, d, k: x.var(d, keepdim=k, unbiased=False),
    "std": lambda x, d, k: x.std(d, keepdim=k),
    "std_correction0": lambda x, d, k: lt.std(x, d, keepdim=k, correction=0),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduction(name, dim, keepdim):
    fn = REDUCE[name]
    layout = "permuted" if keepdim else "stepped"
    domain = (0.0,) if name == "prod" else "any"
    check(lambda x: fn(x, dim, keepdim), ((2, 3, 2), layout, domain), double=True)


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduction_expanded_and_1d(name):
    fn = REDUCE[name]
    domain = (0.0,) if name == "prod" else "any"
    check(lambda x: fn(x, 1, False), ((3, 2), "expanded", domain), double=True)
    check(lambda x: fn(x, None, False), ((4,), "stepped", domain), double=True)


def test_prod_with_zeros():
    for vals in ([[0.0, 2.0, 3.0], [1.5, -2.0, 0.5]], [[0.0, 2.0, 0.0], [1.0, 0.0, 0.0]]):
        x = lt.tensor(vals, dtype=F64, requires_grad=True)
        # prod is a polynomial: central differences are exact, even at zeros
        assert gradcheck(lambda t: t.prod(1), (x,))
        assert gradcheck(lambda t: t.prod(), (x,))
        assert gradcheck(lambda t: t.prod(0, keepdim=True), (x,))
        assert gradgradcheck(lambda t: t.prod(1), (x,))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min(op):
    f = getattr(lt, op)
    check(lambda x: f(x), ((2, 3, 2), "permuted"), double=True)
    check(lambda x: getattr(x, op)(), ((3,), "stepped"), double=True)
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            check(lambda x: f(x, dim, keepdim).values, ((2, 3, 2), "stepped"), double=True)
            check(lambda x: getattr(x, op)(dim=dim, keepdim=keepdim)[0], ((2, 3, 2), "permuted"))
    check(lambda x: f(x, 1).values, ((2, 3), "expanded"), double=True)
    check(lambda x: f(x, 0).values, ((), "contig"))
    # max(a, b) with a tensor second argument is the elementwise maximum
    check(lambda a, b: f(a, b), ((2, 3), "permuted"), ((3,), "contig"), double=True)


def test_max_ties_share_gradient():
    x = lt.tensor([1.0, 3.0, 3.0, 2.0], dtype=F64, requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]


# ---------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped", "expanded"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax(op, dim, layout):
    check(lambda x: getattr(lt, op)(x, dim), ((2, 3), layout), double=True)
    check(lambda x: getattr(x, op)(dim) * 1.0, ((2, 3, 2), layout), double=dim == 1)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_large_values(op):
    # shifted by +-500: exp would overflow without the max subtraction
    check(lambda x: getattr(lt, op)(x * 3 + 500.0, -1), ((2, 3), "contig"), double=True)
    check(lambda x: getattr(lt, op)(x - 500.0, 0), ((2, 3), "permuted"), double=True)


# ---------------------------------------------------------------------------- matmul
MATMUL = [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 2)),
          ((2, 3), (2, 3, 2)), ((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 2)), ((2, 2, 3), (3,)),
          ((1, 2, 3), (2, 3, 1))]


@pytest.mark.parametrize("layouts", [("contig", "contig"), ("permuted", "stepped"), ("stepped", "permuted")])
@pytest.mark.parametrize("shapes", MATMUL, ids=lambda s: f"{s[0]}@{s[1]}".replace(" ", ""))
def test_matmul(shapes, layouts):
    check(lambda a, b: a @ b, (shapes[0], layouts[0]), (shapes[1], layouts[1]), double=True)


def test_matmul_expanded_and_methods():
    check(lambda a, b: lt.matmul(a, b), ((2, 2, 3), "expanded"), ((3, 2), "contig"), double=True)
    check(lambda a, b: a.mm(b), ((2, 3), "contig"), ((3, 2), "expanded"), double=True)
    check(lambda a, b: a.matmul(b.T), ((2, 3), "stepped"), ((2, 3), "permuted"), double=True)
    check(lambda a: a @ a.mT, ((2, 2, 3), "permuted"), double=True)  # the same leaf on both sides


# ---------------------------------------------------------------------------- shape ops
SHAPE = {
    "view": (lambda x: x.view(3, 4), (2, 6), "contig"),
    "view_-1": (lambda x: x.view(-1), (3, 4), "contig"),
    "view_split_stepped": (lambda x: x.view(2, 2, 4), (4, 4), "stepped"),
    "view_as": (lambda x: x.view_as(lt.zeros(4, 3)), (2, 6), "contig"),
    "reshape": (lambda x: x.reshape(4, 3), (3, 4), "permuted"),
    "reshape_tuple": (lambda x: lt.reshape(x, (2, -1)), (3, 4), "stepped"),
    "reshape_expanded": (lambda x: x.reshape(6, 2), (3, 4), "expanded"),
    "permute": (lambda x: x.permute(2, 0, 1), (2, 3, 2), "stepped"),
    "permute_fn": (lambda x: lt.permute(x, (1, 2, 0)), (2, 3, 2), "permuted"),
    "transpose": (lambda x: x.transpose(0, -1), (2, 3, 2), "stepped"),
    "transpose_fn": (lambda x: lt.transpose(x, 1, 0), (3, 4), "expanded"),
    "t": (lambda x: x.t(), (3, 4), "permuted"),
    "T": (lambda x: x.T, (2, 3, 2), "stepped"),
    "mT": (lambda x: x.mT, (2, 3, 2), "permuted"),
    "expand": (lambda x: x.expand(2, 3, 4), (3, 1), "stepped"),
    "expand_-1": (lambda x: x.expand(2, -1, 4), (3, 1), "stepped"),
    "expand_as": (lambda x: x.expand_as(lt.zeros(2, 3)), (3,), "stepped"),
    "squeeze_all": (lambda x: x.squeeze(), (1, 3, 1), "stepped"),
    "squeeze_dim": (lambda x: x.squeeze(0), (1, 3, 1), "stepped"),
    "squeeze_fn": (lambda x: lt.squeeze(x, -1), (3, 1), "expanded"),
    "unsqueeze": (lambda x: x.unsqueeze(1), (2, 3), "permuted"),
    "unsqueeze_neg": (lambda x: lt.unsqueeze(x, -1), (2, 3), "stepped"),
    "flatten": (lambda x: x.flatten(), (2, 3, 2), "permuted"),
    "flatten_range": (lambda x: lt.flatten(x, 1, 2), (2, 3, 2), "stepped"),
    "flatten_expanded": (lambda x: x.flatten(0, 1), (2, 3, 2), "expanded"),
    "unflatten": (lambda x: x.unflatten(1, (2, 3)), (2, 6), "stepped"),
    "chain": (lambda x: x.T.reshape(-1)[1::2].view(2, 3).unsqueeze(0).expand(2, 2, 3), (3, 4), "permuted"),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
def test_shape_op(name):
    fn, shape, layout = SHAPE[name]
    check(lambda x: fn(x) * 1.0, (shape, "contig"), double=True)
    check(fn, (shape, layout), double=True)


# ---------------------------------------------------------------------------- indexing
INDEX = {
    "int": lambda x: x[1],
    "neg_int": lambda x: x[-1, 0],
    "slice": lambda x: x[1:],
    "slice_step": lambda x: x[::2, 1::2],
    "slice_step_3": lambda x: x[:, ::3],
    "none": lambda x: x[None, :, None],
    "ellipsis": lambda x: x[..., 1],
    "ellipsis_none": lambda x: x[1, ..., None],
    "int_list_repeats": lambda x: x[[2, 0, 2, 2]],
    "int_list_neg": lambda x: x[[-1, 0]],
    "int_tensor_2d": lambda x: x[lt.tensor([[0, 1], [1, 1]])],
    "two_lists": lambda x: x[[0, 2, 2], [3, 1, 3]],
    "slice_then_list": lambda x: x[1:, [0, 0, 3]],
    "list_then_slice": lambda x: x[[1, 1], ::2],
    "tensor_repeats_col": lambda x: x[:, lt.tensor([1, 1, 0])],
    "bool_mask": lambda x: x[lt.tensor([[True, False, True, False], [False, False, True, True],
                                        [True, True, False, False]])],
    "bool_row_mask": lambda x: x[lt.tensor([True, False, True])],
    "bool_list": lambda x: x[[False, True, True]],
    "chained": lambda x: x[1:][[0, 1, 0]][:, None, 1::2],
}


@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped", "expanded"])
@pytest.mark.parametrize("name", sorted(INDEX))
def test_indexing(name, layout):
    check(INDEX[name], ((3, 4), layout), double=True)


def test_setitem_out_of_place_grad():
    # x[key] = v on a non-leaf is recorded (IndexPut); the gradient flows to both sides
    def basic(x, v):
        y = x * 1.0
        y[1:, ::2] = v
        return y

    def advanced(x, v):
        y = x * 1.0
        y[[0, 2]] = v
        return y

    check(basic, ((3, 4), "permuted"), ((2,), "contig"), double=True)
    check(advanced, ((3, 4), "stepped"), ((4,), "contig"), double=True)


# ---------------------------------------------------------------------------- join, copy, cast
def test_cat():
    check(lambda a, b: lt.cat([a, b]), ((2, 3), "permuted"), ((1, 3), "stepped"), double=True)
    check(lambda a, b: lt.cat([a, b], dim=1), ((2, 3), "stepped"), ((2, 2), "expanded"), double=True)
    check(lambda a, b, c: lt.cat((a, b, c), -1), ((2, 1), "contig"), ((2, 3), "permuted"),
          ((2, 2), "contig"), double=True)
    check(lambda a: lt.cat([a, a * 2, a[:1]], 0), ((2, 3), "permuted"), double=True)


def test_stack():
    for dim in (0, 1, -1):
        check(lambda a, b: lt.stack([a, b], dim), ((2, 3), "permuted"), ((2, 3), "expanded"), double=True)
    check(lambda a: lt.stack([a, a.sin(), a * a], 0), ((3,), "stepped"), double=True)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clone_contiguous_to(layout):
    check(lambda x: x.clone(), ((2, 3), layout), double=True)
    check(lambda x: x.contiguous() * 1.0, ((2, 3), layout), double=True)
    check(lambda x: x.to(lt.float64) * 2.0, ((2, 3), layout), double=True)
    check(lambda x: x.double().clone(), ((2, 3), layout), double=True)


def test_cast_through_float32():
    # x -> float32 -> float64 is the identity up to float32 rounding: a larger eps keeps the
    # central difference well above the rounding, the function being linear
    check(lambda x: x.to(lt.float32).to(lt.float64) * 3.0, ((2, 3), "permuted"), eps=1e-2, atol=1e-4)
    check(lambda x: (x.float() * 2.0).double(), ((2, 3), "stepped"), eps=1e-2, atol=1e-4)


# ---------------------------------------------------------------------------- compositions
def test_composite_mlp_and_logsumexp():
    def mlp(x, w1, w2):
        h = (x @ w1).tanh()
        return (h @ w2).log_softmax(-1).sum(0)

    check(mlp, ((2, 3), "permuted"), ((3, 4), "stepped"), ((4, 2), "contig"), double=True)
    check(lambda x: ((x - x.mean(0)) / x.std(0, keepdim=True)).sigmoid().prod(1), ((3, 2), "stepped"),
          double=True)


def test_shared_input_many_paths():
    # the same tensor reaches the output along several paths, with different layouts
    check(lambda x: x * x.T.T + x.exp().sum(0) - x[1:].sum(),
          ((2, 3), "permuted"), double=True)


# ---------------------------------------------------------------------------- Hessian-vector products
def test_hessian_vector_product():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 4))
    xv = rng.standard_normal(4)
    vv = rng.standard_normal(4)
    A = lt.tensor(a, dtype=F64)
    x = lt.tensor(xv, dtype=F64, requires_grad=True)
    v = lt.tensor(vv, dtype=F64)

    # f(x) = sum(x^3) + x^T A x + log(sum(exp(x)))
    f = (x ** 3).sum() + x @ (A @ x) + x.exp().sum().log()
    g, = grad(f, x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    p = np.exp(xv) / np.exp(xv).sum()
    np.testing.assert_allclose(g.detach().numpy(), 3 * xv ** 2 + (a + a.T) @ xv + p, rtol=1e-10)

    hv, = grad((g * v).sum(), x)
    hessian = np.diag(6 * xv) + a + a.T + np.diag(p) - np.outer(p, p)
    np.testing.assert_allclose(hv.numpy(), hessian @ vv, rtol=1e-10, atol=1e-12)

    # the same through backward(create_graph=True) and a .grad that is itself differentiable
    x2 = lt.tensor(xv, dtype=F64, requires_grad=True)
    f2 = (x2 ** 3).sum() + x2 @ (A @ x2) + x2.exp().sum().log()
    f2.backward(create_graph=True)
    hv2, = grad((x2.grad * v).sum(), x2)
    np.testing.assert_allclose(hv2.numpy(), hessian @ vv, rtol=1e-10, atol=1e-12)


def test_hessian_vector_product_matrix_input():
    # f(W) = sum(tanh(W x)); grad_W = (1 - t^2) x^T; the HVP along V is
    # -2 t (1 - t^2) (V x) x^T, with t = tanh(W x)
    rng = np.random.default_rng(4)
    wv, xv, vv = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((3, 2))
    W = lt.tensor(wv, dtype=F64, requires_grad=True)
    x, V = lt.tensor(xv, dtype=F64), lt.tensor(vv, dtype=F64)
    g, = grad((W @ x).tanh().sum(), W, create_graph=True)
    hv, = grad(g, W, grad_outputs=V)
    t = np.tanh(wv @ xv)
    np.testing.assert_allclose(hv.numpy(), np.outer(-2 * t * (1 - t ** 2) * (vv @ xv), xv), rtol=1e-10)
