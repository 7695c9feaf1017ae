"""Gradient checks: autograd's Jacobian vs float64 central differences, for every differentiable op.

Shapes are random but reproducible: each test draws them from a NumPy Generator seeded by its
test id (the ``rng`` fixture), with sizes in 1..3 and the same ranks as the kernels already
compiled, so a new shape costs no Numba compile. Every case is a function of float64 leaves,
which come in several layouts so each op's forward *and* backward see strided inputs:

* ``contig``   a plain contiguous tensor;
* ``permuted`` a leaf whose memory is laid out in reverse dim order (a transposed view);
* ``stepped``  a leaf that is every other element of a bigger buffer (``base[..., ::2]``);
* ``expanded`` a size-1 leaf broadcast with ``expand`` inside the function (stride 0).

Binary ops also see random broadcasts: size-1 dims and missing leading dims, on either side.
Inputs are drawn away from the points where an op is not differentiable (``abs``/``relu`` at
0, the bounds of ``clamp``, ties of ``max``), so central differences are meaningful. Shapes
are tiny: the checks build the full Jacobian.
"""
from __future__ import annotations

import math
import zlib

import numpy as np
import pytest

import learntorch as lt
import learntorch.nn.functional as F
from learntorch.autograd import grad, gradcheck, gradgradcheck

F64 = lt.float64
LAYOUTS = ("contig", "permuted", "stepped", "expanded")


# ---------------------------------------------------------------------------- random shapes
@pytest.fixture
def rng(request) -> np.random.Generator:
    """A Generator seeded by the test id: random shapes that are the same on every run."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def rand_shape(rng: np.random.Generator, ndim: int, high: int = 3, low: int = 1) -> tuple[int, ...]:
    """A random shape of ``ndim`` sizes in [low, high] whose last size and (for ndim >= 2) one more
    are > 1, so that ``permuted`` and ``stepped`` leaves of it are really strided."""
    while True:
        shape = tuple(int(s) for s in rng.integers(low, high + 1, ndim))
        if ndim == 0 or (shape[-1] > 1 and sum(s > 1 for s in shape) >= min(ndim, 2)):
            return shape


def ones_at(shape: tuple[int, ...], mask) -> tuple[int, ...]:
    """``shape`` with the sizes where ``mask`` is true set to 1."""
    return tuple(1 if m else n for n, m in zip(shape, mask))


def broadcast_pair(rng: np.random.Generator, kind: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two random shapes that broadcast together, of the given ``kind``:

    ``same`` equal shapes; ``ones`` the right one has size-1 dims; ``lead`` the right one lacks
    leading dims (and may have size-1 dims); ``mutual`` each side has size 1 where the other does not;
    ``lead_left`` the left one is the shorter; ``0d_right`` / ``0d_left`` a 0-d operand."""
    shape = rand_shape(rng, 3)
    big = [i for i, n in enumerate(shape) if n > 1]
    some = rng.permutation(big)[:int(rng.integers(1, len(big) + 1))]
    mask = [i in some for i in range(3)]
    drop = int(rng.integers(1, 3))
    if kind == "same":
        return shape, shape
    if kind == "ones":
        return shape, ones_at(shape, mask)
    if kind == "lead":
        return shape, ones_at(shape, mask)[drop:]
    if kind == "mutual":
        return ones_at(shape, mask), ones_at(shape, [not m for m in mask])
    if kind == "lead_left":
        return ones_at(shape, mask)[drop:], shape
    return ((), shape) if kind == "0d_left" else (shape, ())


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
    each ``(shape, layout)`` or ``(shape, layout, domain)``. A failure names the specs."""
    leaves, preps = [], []
    for i, spec in enumerate(specs):
        shape, layout, domain = (tuple(spec) + ("any",))[:3]
        x, prep = leaf(shape, layout, seed=11 * i + 1, domain=domain)
        leaves.append(x)
        preps.append(prep)

    def f(*xs):
        return fn(*(p(x) for p, x in zip(preps, xs)))

    try:
        assert gradcheck(f, tuple(leaves), **kw)
        if double:
            assert gradgradcheck(f, tuple(leaves), **kw)
    except RuntimeError as e:
        raise AssertionError(f"inputs {specs}: {e}") from e


# ---------------------------------------------------------------------------- unary elementwise
UNARY = {
    "neg": (lambda x: -x, "any"),
    "neg_fn": (lambda x: lt.neg(x), "any"),
    "exp": (lambda x: x.exp(), "any"),
    "log": (lambda x: x.log(), "pos"),
    "log1p": (lambda x: x.log1p(), "pos"),
    "expm1": (lambda x: lt.expm1(x), "any"),
    "erf": (lambda x: x.erf(), "any"),
    "erfc": (lambda x: lt.erfc(x), "any"),
    "sqrt": (lambda x: x.sqrt(), "pos"),
    "abs": (lambda x: x.abs(), (0.0,)),
    "abs_builtin": (lambda x: abs(x), (0.0,)),
    "sign": (lambda x: x.sign() * x, (0.0,)),
    "sin": (lambda x: x.sin(), "any"),
    "cos": (lambda x: lt.cos(x), "any"),
    "tanh": (lambda x: x.tanh(), "any"),
    "sigmoid": (lambda x: x.sigmoid(), "any"),
    "relu": (lambda x: x.relu(), (0.0,)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), (0.0,)),
    "gelu": (lambda x: F.gelu(x), "any"),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), "any"),
    "clamp_min": (lambda x: x.clamp(min=0.3), (0.3,)),
    "clamp_max": (lambda x: x.clamp(max=-0.2), (-0.2,)),
    "clamp_both": (lambda x: x.clamp(-1.0, 0.5), (-1.0, 0.5)),
    "clamp_int_bound": (lambda x: lt.clamp(x, min=-1, max=1), (-1.0, 1.0)),
    "square": (lambda x: x.square(), "any"),
    "reciprocal": (lambda x: x.reciprocal(), "pos"),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, layout, rng):
    fn, domain = UNARY[name]
    check(fn, (rand_shape(rng, 2), layout, domain), double=True)


def test_unary_0d():
    for name in ("exp", "tanh", "abs", "relu", "clamp_both"):
        fn, domain = UNARY[name]
        check(fn, ((), "contig", domain), double=True)


def test_clamp_tensor_bounds(rng):
    # tensor bounds broadcast and get their own gradient where they are the active side
    shape = rand_shape(rng, 2)
    check(lambda x, lo: lt.clamp(x, min=lo), (shape, "permuted", "any"), (shape[1:], "stepped", "any"),
          double=True)
    check(lambda x, hi: x.clamp(max=hi), (shape, "stepped", "any"), ((shape[0], 1), "contig", "any"),
          double=True)
    check(lambda x, lo, hi: x.clamp(lo, hi), (shape, "contig", "any"), (shape[1:], "stepped", (1.0,)),
          ((shape[0], 1), "contig", (-1.0,)))


# ---------------------------------------------------------------------------- binary elementwise
BINARY = {
    "add": (lambda a, b: a + b, "any", "any"),
    "add_fn_alpha": (lambda a, b: a.add(b, alpha=2.5), "any", "any"),
    "sub": (lambda a, b: a - b, "any", "any"),
    "sub_fn_alpha": (lambda a, b: lt.sub(a, b) + a.sub(b, alpha=-0.5), "any", "any"),
    "mul": (lambda a, b: a * b, "any", "any"),
    "div": (lambda a, b: a / b, "any", "pos"),
    "pow": (lambda a, b: a ** b, "pos", "any"),
    "pow_fn": (lambda a, b: lt.pow(a, b), "pos", "any"),
    "maximum": (lambda a, b: lt.maximum(a, b), "any", "any"),
    "minimum": (lambda a, b: a.minimum(b), "any", "any"),
}
BCAST_KINDS = ("same", "ones", "lead", "mutual", "lead_left", "0d_right", "0d_left")


@pytest.mark.parametrize("kind", BCAST_KINDS)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcast(name, kind, rng):
    fn, da, db = BINARY[name]
    a_shape, b_shape = broadcast_pair(rng, kind)
    check(fn, (a_shape, "contig", da), (b_shape, "contig", db), double=True)


@pytest.mark.parametrize("layouts", [("permuted", "stepped"), ("stepped", "expanded"), ("expanded", "permuted")])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_noncontiguous(name, layouts, rng):
    fn, da, db = BINARY[name]
    shape = rand_shape(rng, 2)
    check(fn, (shape, layouts[0], da), (shape, layouts[1], db), double=True)
    # broadcast together with a strided operand, on either side
    a_shape, b_shape = broadcast_pair(rng, "lead")
    check(fn, (a_shape, layouts[0], da), (b_shape, "stepped", db))
    a_shape, b_shape = broadcast_pair(rng, "mutual")
    check(fn, (a_shape, layouts[1], da), (b_shape, "permuted", db))


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
def test_scalar_operand(name, layout, rng):
    fn, domain = SCALAR[name]
    check(fn, (rand_shape(rng, 2), layout, domain), double=True)


def test_pow_tensor_exponent_at_zero_base():
    # d/db a**b at a == 0 (b > 0) is 0; d/da is finite for b >= 1
    b = lt.tensor([1.5, 2.0, 3.0], dtype=F64, requires_grad=True)
    a = lt.tensor([0.0, 0.0, 0.0], dtype=F64, requires_grad=True)
    (a ** b).sum().backward()
    assert b.grad.tolist() == [0.0, 0.0, 0.0]
    assert a.grad.tolist() == [0.0, 0.0, 0.0]


def test_where(rng):
    shape = rand_shape(rng, 2)
    cond = lt.tensor(rng.random(shape) < 0.5)
    cond_b = lt.tensor(rng.random((shape[0], 1)) < 0.5)
    check(lambda a, b: lt.where(cond, a, b), (shape, "permuted"), (shape, "stepped"), double=True)
    check(lambda a, b: lt.where(cond_b, a, b), (shape[1:], "stepped"), ((shape[0], 1), "contig"), double=True)
    check(lambda a, b: lt.where(cond, a, b), (shape, "expanded"), ((), "contig"), double=True)
    check(lambda a: lt.where(cond, a, 0.5), (shape, "contig"), double=True)
    check(lambda b: lt.where(cond_b, -1.0, b), (shape, "permuted"), double=True)
    check(lambda a: a.masked_fill(cond, 2.0), (shape, "stepped"), double=True)


# ---------------------------------------------------------------------------- reductions
DIMS = [None, 0, -1, (0, 2), (2, 0, 1), ()]


def _prod(x, dim, keepdim):
    """prod over ``dim``; a tuple is reduced one dim at a time, the highest first, as PyTorch's
    prod takes a single dim."""
    if dim in (None, ()):
        return x.prod()
    for d in sorted((dim,) if isinstance(dim, int) else dim, key=lambda d: d % x.dim(), reverse=True):
        x = x.prod(d, keepdim=keepdim)
    return x


REDUCE = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "prod": _prod,
    "var": lambda x, d, k: x.var(d, keepdim=k),
    "var_biased": lambda x, d, k: x.var(d, keepdim=k, unbiased=False),
    "std": lambda x, d, k: x.std(d, keepdim=k),
    "std_correction0": lambda x, d, k: lt.std(x, d, keepdim=k, correction=0),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduction(name, dim, keepdim, rng):
    fn = REDUCE[name]
    layout = "permuted" if keepdim else "stepped"
    domain = (0.0,) if name == "prod" else "any"
    # every reduced dim has size >= 2: the unbiased var/std of one element is nan
    check(lambda x: fn(x, dim, keepdim), (rand_shape(rng, 3, low=2), layout, domain), double=True)


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduction_contig_expanded_and_1d(name, rng):
    fn = REDUCE[name]
    domain = (0.0,) if name == "prod" else "any"
    check(lambda x: fn(x, (0, 2), False), (rand_shape(rng, 3, low=2), "contig", domain), double=True)
    check(lambda x: fn(x, 1, False), (rand_shape(rng, 2), "expanded", domain), double=True)
    check(lambda x: fn(x, None, False), (rand_shape(rng, 1, high=5), "stepped", domain), double=True)


def test_prod_with_zeros():
    for vals in ([[0.0, 2.0, 3.0], [1.5, -2.0, 0.5]], [[0.0, 2.0, 0.0], [1.0, 0.0, 0.0]]):
        x = lt.tensor(vals, dtype=F64, requires_grad=True)
        # prod is a polynomial: central differences are exact, even at zeros
        assert gradcheck(lambda t: t.prod(1), (x,))
        assert gradcheck(lambda t: t.prod(), (x,))
        assert gradcheck(lambda t: t.prod(0, keepdim=True), (x,))
        assert gradgradcheck(lambda t: t.prod(1), (x,))


@pytest.mark.parametrize("zeros", [1, 2], ids=["one_zero", "two_zeros"])
def test_prod_several_dims_with_zeros(zeros, rng):
    # prod over all dims of a 3-D tensor with zeros takes the path that never divides by the input
    x = _values((2, 3, 2), 5)
    x.reshape(-1)[rng.permutation(x.size)[:zeros]] = 0.0
    leaf_x = lt.tensor(np.ascontiguousarray(x.transpose(2, 1, 0)), dtype=F64).permute(2, 1, 0)
    leaf_x = leaf_x.detach().requires_grad_()
    assert gradcheck(lambda t: t.prod(), (leaf_x,))
    assert gradgradcheck(lambda t: t.prod(), (leaf_x,))
    assert gradcheck(lambda t: _prod(t, (0, 2), True), (leaf_x,))
    assert gradgradcheck(lambda t: _prod(t, (2, 1), False), (leaf_x,))


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min(op, rng):
    f = getattr(lt, op)
    shape = rand_shape(rng, 3)
    check(lambda x: f(x), (shape, "permuted"), double=True)
    check(lambda x: getattr(x, op)(), (rand_shape(rng, 1, high=5), "stepped"), double=True)
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            check(lambda x: f(x, dim, keepdim).values, (shape, "stepped"), double=True)
            check(lambda x: getattr(x, op)(dim=dim, keepdim=keepdim)[0], (shape, "permuted"))
    check(lambda x: f(x, 1).values, (shape[1:], "expanded"), double=True)
    check(lambda x: f(x, 0).values, ((), "contig"))
    # max(a, b) with a tensor second argument is the elementwise maximum
    a_shape, b_shape = broadcast_pair(rng, "lead")
    check(lambda a, b: f(a, b), (a_shape, "permuted"), (b_shape, "contig"), double=True)


def test_max_ties_share_gradient():
    x = lt.tensor([1.0, 3.0, 3.0, 2.0], dtype=F64, requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5, 0.0]


# ---------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped", "expanded"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax(op, dim, layout, rng):
    check(lambda x: getattr(lt, op)(x, dim), (rand_shape(rng, 2), layout), double=True)
    check(lambda x: getattr(x, op)(dim) * 1.0, (rand_shape(rng, 3), layout), double=dim == 1)
    check(lambda x: getattr(F, op)(x, dim), (rand_shape(rng, 3), layout))


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_large_values(op, rng):
    # shifted by +-500: exp would overflow without the max subtraction
    shape = rand_shape(rng, 2)
    check(lambda x: getattr(lt, op)(x * 3 + 500.0, -1), (shape, "contig"), double=True)
    check(lambda x: getattr(lt, op)(x - 500.0, 0), (shape, "permuted"), double=True)


# ---------------------------------------------------------------------------- matmul
MATMUL = {  # (a, b) shapes from the random sizes: batch b/c, rows m, inner k, columns n
    "dot": lambda b, c, m, k, n: ((k,), (k,)),
    "vec@mat": lambda b, c, m, k, n: ((k,), (k, n)),
    "mat@vec": lambda b, c, m, k, n: ((m, k), (k,)),
    "mat@mat": lambda b, c, m, k, n: ((m, k), (k, n)),
    "batch@mat": lambda b, c, m, k, n: ((b, m, k), (k, n)),
    "mat@batch": lambda b, c, m, k, n: ((m, k), (b, k, n)),
    "batch@batch": lambda b, c, m, k, n: ((b, m, k), (b, k, n)),
    "4d_broadcast": lambda b, c, m, k, n: ((b, 1, m, k), (c, k, n)),
    "vec@batch": lambda b, c, m, k, n: ((k,), (b, k, n)),
    "batch@vec": lambda b, c, m, k, n: ((b, m, k), (k,)),
    "size1_batch": lambda b, c, m, k, n: ((1, m, k), (b, k, 1)),
}


@pytest.mark.parametrize("layouts", [("contig", "contig"), ("permuted", "stepped"), ("stepped", "permuted")])
@pytest.mark.parametrize("kind", sorted(MATMUL))
def test_matmul(kind, layouts, rng):
    b, c = (int(s) for s in rng.integers(2, 4, 2))
    m, k, n = (int(s) for s in rng.integers(1, 4, 3))
    a_shape, b_shape = MATMUL[kind](b, c, m, max(k, 2), n)
    check(lambda x, y: x @ y, (a_shape, layouts[0]), (b_shape, layouts[1]), double=True)


def test_matmul_expanded_and_methods(rng):
    b, m, k, n = (int(s) for s in rng.integers(2, 4, 4))
    check(lambda x, y: lt.matmul(x, y), ((b, m, k), "expanded"), ((k, n), "contig"), double=True)
    check(lambda x, y: x.mm(y), ((m, k), "contig"), ((k, n), "expanded"), double=True)
    check(lambda x, y: x.matmul(y.T), ((m, k), "stepped"), ((n, k), "permuted"), double=True)
    check(lambda x: x @ x.mT, ((b, m, k), "permuted"), double=True)  # the same leaf on both sides


# ---------------------------------------------------------------------------- shape ops
SHAPE = {  # name -> (fn, input shape, strided layout), from random sizes a, b, c >= 2
    "view": lambda a, b, c: (lambda x: x.view(a * b, c), (a, b * c), "contig"),
    "view_-1": lambda a, b, c: (lambda x: x.view(-1), (a, b), "contig"),
    "view_split_stepped": lambda a, b, c: (lambda x: x.view(a, b, c), (a * b, c), "stepped"),
    "view_as": lambda a, b, c: (lambda x: x.view_as(lt.zeros(b, a * c)), (a * b, c), "contig"),
    "reshape": lambda a, b, c: (lambda x: x.reshape(b, a), (a, b), "permuted"),
    "reshape_tuple": lambda a, b, c: (lambda x: lt.reshape(x, (b, -1)), (a, b), "stepped"),
    "reshape_expanded": lambda a, b, c: (lambda x: x.reshape(a * b, c), (a, b, c), "expanded"),
    "permute": lambda a, b, c: (lambda x: x.permute(2, 0, 1), (a, b, c), "stepped"),
    "permute_fn": lambda a, b, c: (lambda x: lt.permute(x, (1, 2, 0)), (a, b, c), "permuted"),
    "transpose": lambda a, b, c: (lambda x: x.transpose(0, -1), (a, b, c), "stepped"),
    "transpose_fn": lambda a, b, c: (lambda x: lt.transpose(x, 1, 0), (a, b), "expanded"),
    "t": lambda a, b, c: (lambda x: x.t(), (a, b), "permuted"),
    "T": lambda a, b, c: (lambda x: x.T, (a, b, c), "stepped"),
    "mT": lambda a, b, c: (lambda x: x.mT, (a, b, c), "permuted"),
    "expand": lambda a, b, c: (lambda x: x.expand(a, b, c), (b, 1), "stepped"),
    "expand_-1": lambda a, b, c: (lambda x: x.expand(a, -1, c), (b, 1), "stepped"),
    "expand_as": lambda a, b, c: (lambda x: x.expand_as(lt.zeros(a, b)), (b,), "stepped"),
    "squeeze_all": lambda a, b, c: (lambda x: x.squeeze(), (1, b, 1), "stepped"),
    "squeeze_dim": lambda a, b, c: (lambda x: x.squeeze(0), (1, b, 1), "stepped"),
    "squeeze_fn": lambda a, b, c: (lambda x: lt.squeeze(x, -1), (b, 1), "expanded"),
    "squeeze_dims": lambda a, b, c: (lambda x: x.squeeze((0, 2)), (1, b, 1, c), "stepped"),
    "unsqueeze": lambda a, b, c: (lambda x: x.unsqueeze(1), (a, b), "permuted"),
    "unsqueeze_neg": lambda a, b, c: (lambda x: lt.unsqueeze(x, -1), (a, b), "stepped"),
    "flatten": lambda a, b, c: (lambda x: x.flatten(), (a, b, c), "permuted"),
    "flatten_range": lambda a, b, c: (lambda x: lt.flatten(x, 1, 2), (a, b, c), "stepped"),
    "flatten_expanded": lambda a, b, c: (lambda x: x.flatten(0, 1), (a, b, c), "expanded"),
    "unflatten": lambda a, b, c: (lambda x: x.unflatten(1, (b, c)), (a, b * c), "stepped"),
    "contiguous": lambda a, b, c: (lambda x: x.contiguous(), (a, b, c), "permuted"),
    "chain": lambda a, b, c: (lambda x: x.T.reshape(-1)[1::2].view(b, c).unsqueeze(0).expand(a, b, c),
                              (b, 2 * c), "permuted"),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
def test_shape_op(name, rng):
    fn, shape, layout = SHAPE[name](*(int(s) for s in rng.integers(2, 4, 3)))
    check(lambda x: fn(x) * 1.0, (shape, "contig"), double=True)
    check(fn, (shape, layout), double=True)


# ---------------------------------------------------------------------------- indexing
def _index_keys(rng: np.random.Generator, rows: int, cols: int) -> dict:
    """name -> key for a (rows, cols) tensor, rows >= 3 and cols >= 4: every key kind, with random
    (repeated, negative) integer indices and random boolean masks."""
    def ints(n, size):
        return [int(i) for i in rng.integers(-n, n, size)]

    mask = rng.random((rows, cols)) < 0.5
    mask[0, 1] = True
    row_mask = rng.random(rows) < 0.5
    row_mask[-1] = True
    repeated = ints(rows, 3)
    return {
        "int": 1,
        "neg_int": (-1, 0),
        "slice": slice(1, None),
        "slice_step": (slice(None, None, 2), slice(1, None, 2)),
        "slice_step_3": (slice(None), slice(None, None, 3)),
        "none": (None, slice(None), None),
        "ellipsis": (..., 1),
        "ellipsis_none": (1, ..., None),
        "alias_ellipsis": ...,
        "alias_full_slice": (slice(None), ...),
        "bool_scalar": (True, slice(1, None)),
        "int_list_repeats": repeated + repeated[:1],
        "int_list_neg": [-1, 0],
        "int_tensor_2d": lt.tensor(rng.integers(0, rows, (2, 2))),
        "two_lists": (ints(rows, 3), ints(cols, 3)),
        "slice_then_list": (slice(1, None), ints(cols, 3)),
        "list_then_slice": (ints(rows, 2), slice(None, None, 2)),
        "tensor_repeats_col": (slice(None), lt.tensor([1, 1] + ints(cols, 1))),
        "bool_mask": lt.tensor(mask),
        "bool_row_mask": lt.tensor(row_mask),
        "bool_list": [bool(b) for b in row_mask],
        "chained": None,
    }


INDEX_NAMES = sorted(_index_keys(np.random.default_rng(0), 3, 4))


@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped", "expanded"])
@pytest.mark.parametrize("name", INDEX_NAMES)
def test_indexing(name, layout, rng):
    shape = (int(rng.integers(3, 5)), int(rng.integers(4, 6)))
    key = _index_keys(rng, *shape)[name]
    fn = (lambda x: x[1:][[0, 1, 0]][:, None, 1::2]) if name == "chained" else (lambda x: x[key])
    check(fn, (shape, layout), double=True)


def test_setitem_out_of_place_grad(rng):
    # x[key] = v on a non-leaf is recorded (IndexPut); the gradient flows to both sides
    rows, cols = int(rng.integers(3, 5)), int(rng.integers(2, 6))

    def basic(x, v):
        y = x * 1.0
        y[1:, ::2] = v
        return y

    def advanced(x, v):
        y = x * 1.0
        y[[0, 2]] = v
        return y

    check(basic, ((rows, cols), "permuted"), (((cols + 1) // 2,), "contig"), double=True)
    check(advanced, ((rows, cols), "stepped"), ((cols,), "contig"), double=True)


# ---------------------------------------------------------------------------- join, copy, cast
def test_cat(rng):
    m, n, p, q = (int(s) for s in rng.integers(1, 4, 4))
    m, n = m + 1, n + 1
    check(lambda a, b: lt.cat([a, b]), ((m, n), "permuted"), ((p, n), "stepped"), double=True)
    check(lambda a, b: lt.cat([a, b], dim=1), ((m, n), "stepped"), ((m, q + 1), "expanded"), double=True)
    check(lambda a, b, c: lt.cat((a, b, c), -1), ((m, 1), "contig"), ((m, n), "permuted"),
          ((m, q), "contig"), double=True)
    check(lambda a: lt.cat([a, a * 2, a[:1]], 0), ((m, n), "permuted"), double=True)
    check(lambda a, b: lt.cat([a, b], 1), ((m, p, n), "stepped"), ((m, q, n), "permuted"), double=True)


def test_stack(rng):
    shape = rand_shape(rng, 2)
    for dim in (0, 1, -1):
        check(lambda a, b: lt.stack([a, b], dim), (shape, "permuted"), (shape, "expanded"), double=True)
    check(lambda a: lt.stack([a, a.sin(), a * a], 0), (rand_shape(rng, 1, high=4), "stepped"), double=True)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clone_contiguous_to(layout, rng):
    shape = rand_shape(rng, 2)
    check(lambda x: x.clone(), (shape, layout), double=True)
    check(lambda x: x.contiguous() * 1.0, (shape, layout), double=True)
    check(lambda x: x.to(lt.float64) * 2.0, (shape, layout), double=True)
    check(lambda x: x.double().clone(), (shape, layout), double=True)
    check(lambda x: x.to("cpu").clone(), (shape, layout), double=True)


def test_cast_through_float32(rng):
    # x -> float32 -> float64 is the identity up to float32 rounding: a larger eps keeps the
    # central difference well above the rounding, the function being linear
    shape = rand_shape(rng, 2)
    check(lambda x: x.to(lt.float32).to(lt.float64) * 3.0, (shape, "permuted"), eps=1e-2, atol=1e-4)
    check(lambda x: (x.float() * 2.0).double(), (shape, "stepped"), eps=1e-2, atol=1e-4)


# ---------------------------------------------------------------------------- nn functional ops
# conv and pooling double backward is checked in tests/nn/test_nn_gradcheck.py: it is slow here
def projected(fn, seed=7):
    """``(fn(*xs) * r).sum()`` for a fixed random ``r`` of the output's shape: every Jacobian entry
    still counts, and autograd needs one backward instead of one per output element."""
    weights = {}

    def f(*xs):
        y = fn(*xs)
        if "r" not in weights:
            weights["r"] = lt.tensor(np.random.default_rng(seed).standard_normal(y.shape), dtype=F64)
        return (y * weights["r"]).sum()

    return f


def conv_args(rng: np.random.Generator) -> tuple[tuple, tuple, dict]:
    """Random (x shape, weight shape, kwargs) of a valid conv2d: sizes, stride, padding, dilation."""
    while True:
        n, c, o = (int(s) for s in rng.integers(1, 3, 3))
        h, w = (int(s) for s in rng.integers(3, 6, 2))
        kh, kw = (int(s) for s in rng.integers(1, 4, 2))
        kwargs = dict(stride=(int(rng.integers(1, 3)), int(rng.integers(1, 3))), padding=int(rng.integers(0, 2)),
                      dilation=int(rng.integers(1, 3)))
        p, d = kwargs["padding"], kwargs["dilation"]
        if h + 2 * p > d * (kh - 1) and w + 2 * p > d * (kw - 1):
            return (n, c, h, w), (o, c, kh, kw), kwargs


@pytest.mark.parametrize("layouts", [("contig", "contig"), ("permuted", "stepped"), ("stepped", "permuted")])
@pytest.mark.parametrize("bias", [False, True])
def test_conv2d(layouts, bias, rng):
    x_shape, w_shape, kwargs = conv_args(rng)
    if bias:
        check(projected(lambda x, w, b: F.conv2d(x, w, b, **kwargs)), (x_shape, layouts[0]),
              (w_shape, layouts[1]), ((w_shape[0],), "stepped"))
    else:
        check(projected(lambda x, w: F.conv2d(x, w, **kwargs)), (x_shape, layouts[0]), (w_shape, layouts[1]))


POOL = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2, stride=1, dilation=2),
        dict(kernel_size=2, ceil_mode=True)]


@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped"])
@pytest.mark.parametrize("kwargs", POOL, ids=str)
def test_max_pool2d(kwargs, layout, rng):
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 3)), int(rng.integers(4, 6)), int(rng.integers(4, 6)))
    check(projected(lambda x: F.max_pool2d(x, **kwargs)), (shape, layout))


@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped"])
@pytest.mark.parametrize("kwargs", POOL[:2] + [dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)],
                         ids=str)
def test_avg_pool2d(kwargs, layout, rng):
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 3)), int(rng.integers(4, 6)), int(rng.integers(4, 6)))
    check(projected(lambda x: F.avg_pool2d(x, **kwargs)), (shape, layout))


@pytest.mark.parametrize("layouts", [("contig", "contig"), ("permuted", "stepped"), ("expanded", "permuted")])
def test_linear(layouts, rng):
    n, t, i, o = (int(s) for s in rng.integers(2, 4, 4))
    check(lambda x, w, b: F.linear(x, w, b), ((n, i), layouts[0]), ((o, i), layouts[1]), ((o,), "stepped"),
          double=True)
    check(projected(lambda x, w: F.linear(x, w)), ((n, t, i), layouts[0]), ((o, i), layouts[1]), double=True)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped"])
def test_cross_entropy_and_nll(reduction, layout, rng):
    n, c = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    target = lt.tensor(rng.integers(0, c, n))
    weight = lt.tensor(rng.uniform(0.5, 2.0, c), dtype=F64)
    check(lambda x: F.cross_entropy(x, target, reduction=reduction), ((n, c), layout))
    check(lambda x: F.cross_entropy(x, target, weight, reduction=reduction, label_smoothing=0.1), ((n, c), layout))
    check(lambda x: F.nll_loss(F.log_softmax(x, 1), target, weight, reduction=reduction), ((n, c), layout))
    probs = lt.tensor(rng.dirichlet(np.ones(c), n), dtype=F64)
    check(lambda x: F.cross_entropy(x, probs, reduction=reduction), ((n, c), layout))


@pytest.mark.parametrize("layouts", [("contig", "contig"), ("permuted", "stepped")])
def test_losses_and_batch_norm(layouts, rng):
    shape = rand_shape(rng, 2)
    check(lambda x, y: F.mse_loss(x, y), (shape, layouts[0]), (shape, layouts[1]), double=True)
    labels = lt.tensor((rng.random(shape) < 0.5).astype(np.float64), dtype=F64)
    check(lambda x: F.binary_cross_entropy_with_logits(x, labels), (shape, layouts[0]), double=True)
    n, c, h = int(rng.integers(2, 4)), int(rng.integers(1, 3)), int(rng.integers(2, 4))
    check(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), ((n, c, h), layouts[0]),
          ((c,), layouts[1]), ((c,), "contig"))


# ---------------------------------------------------------------------------- compositions
def test_composite_mlp_and_logsumexp(rng):
    n, i, h, o = (int(s) for s in rng.integers(2, 4, 4))

    def mlp(x, w1, w2):
        hidden = (x @ w1).tanh()
        return (hidden @ w2).log_softmax(-1).sum(0)

    check(mlp, ((n, i), "permuted"), ((i, h), "stepped"), ((h, o), "contig"), double=True)
    check(lambda x: ((x - x.mean(0)) / x.std(0, keepdim=True)).sigmoid().prod(1), ((n + 1, o), "stepped"),
          double=True)


def test_shared_input_many_paths(rng):
    # the same tensor reaches the output along several paths, with different layouts
    check(lambda x: x * x.T.T + x.exp().sum(0) - x[1:].sum(),
          (rand_shape(rng, 2), "permuted"), double=True)


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
