"""learntorch against PyTorch: forward values, dtypes and gradients on the same inputs.

Each case is ``fn(lib, *inputs)``, run once with ``lib = learntorch`` and once with
``lib = torch`` on inputs built the same way from the same NumPy values (including the
non-contiguous layouts: permuted, stepped and expanded). The outputs must agree in shape,
dtype and value; then a random upstream gradient is sent back through both, and the leaves'
``.grad`` must agree too.
"""
from __future__ import annotations

import numpy as np
import pytest

import learntorch as lt

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.reference,
              # torch warns where var/std have no degrees of freedom; those cases are checked on purpose
              pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")]

TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}
LAYOUTS = ("contig", "permuted", "stepped", "expanded")


# ---------------------------------------------------------------------------- helpers
def values(shape, seed=0, domain="any", kind="float"):
    """NumPy values: ``any`` (uniform [-2, 2]), ``pos`` ([0.5, 2]), or a tuple of points (kinks)
    to stay 0.1 away from; ``kind`` ``int``/``bool`` gives small ints or random bools."""
    rng = np.random.default_rng(seed)
    if kind == "int":
        return rng.integers(-4, 5, size=shape)
    if kind == "bool":
        return rng.uniform(size=shape) < 0.5
    if domain == "pos":
        return rng.uniform(0.5, 2.0, size=shape)
    x = rng.uniform(-2.0, 2.0, size=shape)
    if domain != "any":
        for p in domain:
            close = np.abs(x - p) < 0.1
            x[close] = p + np.where(x[close] >= p, 0.1, -0.1)
    return x


def make(lib, vals, layout, dtype):
    """``(leaf, input)``: the same layout in both libraries; ``input`` is what the op sees."""
    dt = getattr(lib, dtype)
    floating = dtype.startswith("float")
    shape = vals.shape
    if layout == "permuted" and len(shape) >= 2:
        rev = tuple(reversed(range(len(shape))))
        base = lib.tensor(np.ascontiguousarray(vals.transpose(rev)), dtype=dt).permute(*rev)
    elif layout in ("stepped", "permuted") and len(shape) >= 1:
        big = np.zeros(shape[:-1] + (2 * shape[-1],), dtype=vals.dtype)
        big[..., ::2] = vals
        base = lib.tensor(big, dtype=dt)[..., ::2]
    elif layout == "expanded" and len(shape) >= 1:
        leaf = lib.tensor(vals[:1], dtype=dt)
        if floating:
            leaf.requires_grad_()
        return leaf, leaf.expand(*shape)
    else:
        base = lib.tensor(vals, dtype=dt)
    leaf = base.detach()
    if floating:
        leaf.requires_grad_()
    return leaf, leaf


def tname(d):
    return str(d).replace("learntorch.", "").replace("torch.", "")


def as_np(t):
    return np.asarray(t.detach().cpu().numpy() if hasattr(t, "cpu") and not isinstance(t, lt.Tensor)
                      else t.detach().numpy())


def assert_same(ours, theirs, tol, what="output"):
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} vs {tuple(theirs.shape)}"
    assert tname(ours.dtype) == tname(theirs.dtype), f"{what}: dtype {ours.dtype} vs {theirs.dtype}"
    a, b = as_np(ours), as_np(theirs)
    if a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        np.testing.assert_allclose(a, b, err_msg=what, equal_nan=True, **tol)


def _outputs(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def compare(fn, *specs, dtype="float32", grad=True, tol=None, seed=0):
    """Run ``fn`` in both libraries on inputs from ``specs`` and compare outputs and gradients.

    A spec is ``(shape, layout[, domain[, kind]])``; ``kind`` picks the input dtype: ``float``
    (``dtype``), ``int`` (int64), ``bool``, or a dtype name such as ``"float64"``.
    """
    tol = tol or TOL[dtype]
    results = {}
    for lib in (lt, torch):
        leaves, inputs = [], []
        for i, spec in enumerate(specs):
            shape, layout, domain, kind = tuple(spec) + ("any", "float")[len(spec) - 2:]
            vkind = kind if kind in ("int", "bool") else "float"
            vals = values(shape, seed=seed + 7 * i, domain=domain, kind=vkind)
            d = {"int": "int64", "bool": "bool", "float": dtype}.get(kind, kind)
            leaf, x = make(lib, vals, layout, d)
            leaves.append(leaf)
            inputs.append(x)
        outs = _outputs(fn(lib, *inputs))
        results[lib] = (leaves, outs)
    (our_leaves, ours), (their_leaves, theirs) = results[lt], results[torch]
    assert len(ours) == len(theirs)
    for k, (o, t) in enumerate(zip(ours, theirs)):
        assert_same(o, t, tol, f"output {k}")
    if not grad:
        return
    diff = [k for k, t in enumerate(theirs) if t.requires_grad]
    assert [k for k, o in enumerate(ours) if o.requires_grad] == diff, "requires_grad of outputs differs"
    if not diff:
        return
    rng = np.random.default_rng(seed + 100)
    ups = [rng.standard_normal(tuple(theirs[k].shape)) for k in diff]
    lt.autograd.backward([ours[k] for k in diff],
                         [lt.tensor(u, dtype=ours[k].dtype) for k, u in zip(diff, ups)])
    torch.autograd.backward([theirs[k] for k in diff],
                            [torch.tensor(u, dtype=theirs[k].dtype) for k, u in zip(diff, ups)])
    for i, (a, b) in enumerate(zip(our_leaves, their_leaves)):
        if b.grad is None:
            assert a.grad is None or not a.requires_grad, f"input {i}: torch has no grad, learntorch has one"
            continue
        assert a.grad is not None, f"input {i}: learntorch computed no grad"
        assert_same(a.grad, b.grad, tol, f"grad of input {i}")


# ---------------------------------------------------------------------------- unary elementwise
UNARY = {
    "neg": (lambda L, x: -x, "any"),
    "exp": (lambda L, x: x.exp(), "any"),
    "log": (lambda L, x: L.log(x), "pos"),
    "log1p": (lambda L, x: x.log1p(), "pos"),
    "expm1": (lambda L, x: L.expm1(x), "any"),
    "erf": (lambda L, x: L.erf(x), "any"),
    "erfc": (lambda L, x: x.erfc(), "any"),
    "sqrt": (lambda L, x: x.sqrt(), "pos"),
    "abs": (lambda L, x: x.abs(), (0.0,)),
    "sin": (lambda L, x: L.sin(x), "any"),
    "cos": (lambda L, x: x.cos(), "any"),
    "tanh": (lambda L, x: x.tanh(), "any"),
    "sigmoid": (lambda L, x: L.sigmoid(x), "any"),
    "relu": (lambda L, x: L.relu(x), (0.0,)),
    "clamp_min": (lambda L, x: x.clamp(min=0.25), (0.25,)),
    "clamp_max": (lambda L, x: x.clamp(max=-0.5), (-0.5,)),
    "clamp_both": (lambda L, x: L.clamp(x, -1.0, 0.5), (-1.0, 0.5)),
    "clip": (lambda L, x: x.clip(-1, 1), (-1.0, 1.0)),
    "square": (lambda L, x: x.square(), "any"),
    "reciprocal": (lambda L, x: x.reciprocal(), (0.0,)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, layout):
    fn, domain = UNARY[name]
    compare(fn, ((2, 3), layout, domain))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float64_and_0d(name):
    fn, domain = UNARY[name]
    compare(fn, ((3, 2), "permuted", domain), dtype="float64")
    compare(fn, ((), "contig", domain))


def test_unary_special_values():
    # log(0) = -inf, sqrt(-1) = nan, log1p(-1) = -inf, sigmoid, tanh, erf saturate without overflow
    x = [0.0, -1.0, 1e-30, 100.0, -100.0, 1e4, -1e4, float("inf"), float("-inf")]
    for op in ("log", "sqrt", "exp", "sigmoid", "tanh", "abs", "relu", "neg", "log1p", "expm1", "erf", "erfc"):
        with np.errstate(all="ignore"):
            ours = getattr(lt, op)(lt.tensor(x))
            theirs = getattr(torch, op)(torch.tensor(x))
        assert_same(ours, theirs, TOL["float32"], op)


# ---------------------------------------------------------------------------- binary elementwise
BINARY = {
    "add": (lambda L, a, b: a + b, "any", "any"),
    "sub": (lambda L, a, b: a - b, "any", "any"),
    "mul": (lambda L, a, b: L.mul(a, b), "any", "any"),
    "div": (lambda L, a, b: a / b, "any", (0.0,)),
    "pow": (lambda L, a, b: a ** b, "pos", "any"),
    "maximum": (lambda L, a, b: L.maximum(a, b), "any", "any"),
    "minimum": (lambda L, a, b: L.minimum(a, b), "any", "any"),
    "add_alpha": (lambda L, a, b: a.add(b, alpha=2), "any", "any"),
    "sub_alpha": (lambda L, a, b: L.sub(a, b) - a.sub(b, alpha=0.5), "any", "any"),
}
BCAST = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((3,), (2, 2, 3)), ((), (2, 3)), ((2, 3), ()),
         ((4, 1, 3), (2, 1))]


@pytest.mark.parametrize("shapes", BCAST, ids=lambda s: f"{s[0]}x{s[1]}".replace(" ", ""))
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcast(name, shapes):
    fn, da, db = BINARY[name]
    compare(fn, (shapes[0], "contig", da), (shapes[1], "contig", db))


@pytest.mark.parametrize("layouts", [("permuted", "stepped"), ("expanded", "permuted"), ("stepped", "expanded")])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_noncontiguous(name, layouts):
    fn, da, db = BINARY[name]
    compare(fn, ((2, 3), layouts[0], da), ((2, 3), layouts[1], db))
    compare(fn, ((2, 3), layouts[0], da), ((3,), "stepped", db), dtype="float64")


def test_maximum_minimum_ties_and_nan():
    a = [1.0, 2.0, float("nan"), 3.0, 0.0]
    b = [1.0, 3.0, 1.0, float("nan"), -0.0]
    for op in ("maximum", "minimum"):
        x, y = lt.tensor(a, requires_grad=True), lt.tensor(b, requires_grad=True)
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        out, tout = getattr(lt, op)(x, y), getattr(torch, op)(tx, ty)
        assert_same(out, tout, TOL["float32"], op)
        g = [0.5, 1.0, 2.0, 3.0, 4.0]
        out.backward(lt.tensor(g))
        tout.backward(torch.tensor(g))
        assert_same(x.grad, tx.grad, TOL["float32"], op + " grad a")  # ties split the gradient
        assert_same(y.grad, ty.grad, TOL["float32"], op + " grad b")


SCALAR = {
    "add_r": (lambda L, x: x + 2.5, "any"),
    "add_l": (lambda L, x: 2.5 + x, "any"),
    "add_int": (lambda L, x: 3 + x, "any"),
    "sub_r": (lambda L, x: x - 1.5, "any"),
    "sub_l": (lambda L, x: 1 - x, "any"),
    "mul_r": (lambda L, x: x * 3.0, "any"),
    "mul_l": (lambda L, x: -2 * x, "any"),
    "div_r": (lambda L, x: x / 4, "any"),
    "div_l": (lambda L, x: 2.0 / x, (0.0,)),
    "pow_2": (lambda L, x: x ** 2, "any"),
    "pow_3": (lambda L, x: x ** 3.0, "any"),
    "pow_frac": (lambda L, x: x ** 0.5, "pos"),
    "pow_neg": (lambda L, x: x ** -2, (0.0,)),
    "pow_0": (lambda L, x: x ** 0, "any"),
    "rpow": (lambda L, x: 2 ** x, "any"),
    "rpow_float": (lambda L, x: 0.5 ** x, "any"),
    "pow_fn": (lambda L, x: L.pow(x, 1.5), "pos"),
}


@pytest.mark.parametrize("layout", ["contig", "permuted", "expanded"])
@pytest.mark.parametrize("name", sorted(SCALAR))
def test_scalar_operand(name, layout):
    fn, domain = SCALAR[name]
    compare(fn, ((2, 3), layout, domain))


def test_clamp_tensor_bounds():
    compare(lambda L, x, lo: L.clamp(x, min=lo), ((2, 3), "permuted"), ((3,), "contig"))
    compare(lambda L, x, hi: x.clamp(max=hi), ((2, 3), "stepped"), ((2, 1), "expanded"))
    compare(lambda L, x, lo, hi: x.clamp(lo, hi), ((2, 3), "contig"), ((3,), "stepped"), ((2, 1), "contig"),
            dtype="float64")
    # ties (a == bound) send the gradient to a; min > max gives max, and max the gradient
    a, lo, hi = [1.0, 2.0, 0.5, -1.0, 3.0], [1.0, 3.0, 0.0, -1.0, 0.0], [0.5, 1.5, 0.5, 2.0, 3.0]
    x, tx = lt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    l, tl = lt.tensor(lo, requires_grad=True), torch.tensor(lo, requires_grad=True)
    h, th = lt.tensor(hi, requires_grad=True), torch.tensor(hi, requires_grad=True)
    out, tout = x.clamp(l, h), tx.clamp(tl, th)
    assert_same(out, tout, TOL["float32"])
    g = [1.0, 2.0, 3.0, 4.0, 5.0]
    out.backward(lt.tensor(g))
    tout.backward(torch.tensor(g))
    for ours, theirs, what in ((x, tx, "a"), (l, tl, "min"), (h, th, "max")):
        assert_same(ours.grad, theirs.grad, TOL["float32"], "clamp grad " + what)


def test_where_and_masked_fill():
    cond = lambda L: L.tensor([[True, False, True], [False, False, True]])  # noqa: E731
    compare(lambda L, a, b: L.where(cond(L), a, b), ((2, 3), "permuted"), ((2, 3), "stepped"))
    compare(lambda L, a, b: L.where(a > 0, a, b), ((3,), "stepped"), ((2, 1), "contig"))
    compare(lambda L, a: L.where(cond(L), a, 0.5), ((2, 3), "expanded"))
    compare(lambda L, b: L.where(cond(L), -1.0, b), ((2, 3), "permuted"), dtype="float64")
    compare(lambda L, a: a.masked_fill(cond(L), 2.0), ((2, 3), "stepped"))
    compare(lambda L, a, b: L.where(cond(L)[:, :1], a, b), ((2, 3), "contig"), ((), "contig"))
    compare(lambda L, a, b: L.where(b > 0, a, b), ((2, 3), "contig", "any", "int"), ((3,), "contig"))


# ---------------------------------------------------------------------------- dtype promotion
PROMOTION = {
    "int_tensor+float_scalar": (lambda L, i: i + 1.5, [((3,), "contig", "any", "int")]),
    "int_tensor*int_scalar": (lambda L, i: i * 3, [((3,), "contig", "any", "int")]),
    "int_tensor+bool_scalar": (lambda L, i: i + True, [((3,), "contig", "any", "int")]),
    "float_scalar*int_tensor": (lambda L, i: 2.5 * i, [((2, 2), "permuted", "any", "int")]),
    "f32+f64": (lambda L, a, b: a + b, [((3,), "contig"), ((3,), "contig", "any", "float64")]),
    "f64*f32": (lambda L, a, b: a * b, [((2, 3), "contig", "any", "float64"), ((3,), "stepped")]),
    "f32+f64_0d": (lambda L, a, b: a + b, [((3,), "contig"), ((), "contig", "any", "float64")]),
    "f32_0d+f64_0d": (lambda L, a, b: a - b, [((), "contig"), ((), "contig", "any", "float64")]),
    "int+f32": (lambda L, i, a: i * a, [((3,), "contig", "any", "int"), ((2, 3), "contig")]),
    "int+f64_0d": (lambda L, i, a: i + a, [((3,), "contig", "any", "int"), ((), "contig", "any", "float64")]),
    "int_0d+f32": (lambda L, i, a: i + a, [((), "contig", "any", "int"), ((3,), "contig")]),
    "int/int": (lambda L, i, j: i / (j * j + 1), [((3,), "contig", "any", "int"), ((3,), "contig", "any", "int")]),
    "int/int_scalar": (lambda L, i: i / 2, [((4,), "stepped", "any", "int")]),
    "int_scalar/int": (lambda L, i: 7 / (i * i + 1), [((4,), "contig", "any", "int")]),
    "int**int": (lambda L, i: i ** 2, [((4,), "contig", "any", "int")]),
    "int**float": (lambda L, i: (i * i) ** 0.5, [((4,), "contig", "any", "int")]),
    "int+int": (lambda L, i, j: i + j - i * j, [((3,), "contig", "any", "int"), ((2, 3), "contig", "any", "int")]),
    "bool+int": (lambda L, b, i: b + i, [((3,), "contig", "any", "bool"), ((3,), "contig", "any", "int")]),
    "bool*float": (lambda L, b, a: b * a, [((3,), "contig", "any", "bool"), ((3,), "contig")]),
    "bool+float_scalar": (lambda L, b: b + 0.5, [((3,), "contig", "any", "bool")]),
    "bool+int_scalar": (lambda L, b: b + 2, [((3,), "contig", "any", "bool")]),
    "int_neg_abs": (lambda L, i: (-i).abs(), [((3,), "contig", "any", "int")]),
    "int_exp": (lambda L, i: i.exp(), [((3,), "contig", "any", "int")]),
    "int_sqrt": (lambda L, i: (i * i).sqrt(), [((3,), "contig", "any", "int")]),
    "int_sigmoid": (lambda L, i: L.sigmoid(i), [((3,), "contig", "any", "int")]),
    "int_relu": (lambda L, i: i.relu(), [((3,), "contig", "any", "int")]),
    "int_clamp": (lambda L, i: i.clamp(-1, 2), [((5,), "contig", "any", "int")]),
    "int_maximum_float": (lambda L, i, a: L.maximum(i, a), [((3,), "contig", "any", "int"), ((3,), "contig")]),
    "where_int_float": (lambda L, i, a: L.where(a > 0, i, a), [((3,), "contig", "any", "int"), ((3,), "contig")]),
    "where_scalars_int": (lambda L, a: L.where(a > 0, 1, 0), [((3,), "contig")]),
    "where_scalars_float": (lambda L, a: L.where(a > 0, 1.0, 0), [((3,), "contig")]),
    "compare_float_int": (lambda L, a, i: (a < i, a == i, a >= 0, i != 1, a > i, i <= 0.5),
                          [((4,), "contig"), ((4,), "contig", "any", "int")]),
    "compare_f32_f64": (lambda L, a, b: (a > b, a <= b), [((3,), "contig"), ((3,), "contig", "any", "float64")]),
    "logical": (lambda L, a, b: (L.logical_and(a > 0, b > 0), L.logical_or(a > 0, b > 0), (a > 0) & (b > 0),
                                 (a > 0) | (b > 0), ~(a > 0), L.logical_not(a > b)),
                [((4,), "contig"), ((4,), "stepped")]),
    "bool_sum": (lambda L, b: (b.sum(), b.sum(0), L.sum(b, 1, keepdim=True)), [((2, 3), "contig", "any", "bool")]),
    "int_sum_prod": (lambda L, i: (i.sum(), i.sum(1), i.prod(0), i.prod()), [((2, 3), "permuted", "any", "int")]),
    "sum_dtype": (lambda L, i: (i.sum(dtype=L.float64), i.sum(0, dtype=L.float32)), [((2, 3), "contig", "any", "int")]),
    "int_max_min": (lambda L, i: (i.max(), i.min(), *i.max(1), *i.min(0), i.argmax(), i.argmin(1)),
                    [((3, 4), "contig", "any", "int")]),
    "bool_any_all": (lambda L, b: (b.any(), b.all(), (b | True).all(), (b & False).any()),
                     [((2, 3), "contig", "any", "bool")]),
    "isnan": (lambda L, a: L.isnan(a / a), [((4,), "contig", (0.0,))]),
}


@pytest.mark.parametrize("name", sorted(PROMOTION))
def test_dtype_promotion(name):
    fn, specs = PROMOTION[name]
    compare(fn, *specs)


def test_promotion_helpers():
    for a, b in [(lt.int64, lt.float32), (lt.bool, lt.int64), (lt.float32, lt.float64), (lt.bool, lt.float32)]:
        assert tname(lt.promote_types(a, b)) == tname(torch.promote_types(getattr(torch, tname(a)),
                                                                           getattr(torch, tname(b))))
    cases = [(lambda L: L.tensor([1, 2]), 1.5), (lambda L: L.tensor([1.0]), 2), (lambda L: L.tensor(True), 3),
             (lambda L: L.tensor([1, 2]), lambda L: L.tensor(1.0, dtype=L.float64)),
             (lambda L: L.tensor([1.0]), lambda L: L.tensor([1], dtype=L.int64))]
    for a, b in cases:
        ours = lt.result_type(a(lt), b(lt) if callable(b) else b)
        theirs = torch.result_type(a(torch), b(torch) if callable(b) else b)
        assert tname(ours) == tname(theirs)


def test_int_division_by_zero_and_true_division():
    i = [3, -3, 0, 4]
    j = [0, 0, 0, 3]
    with np.errstate(all="ignore"):
        assert_same(lt.tensor(i) / lt.tensor(j), torch.tensor(i) / torch.tensor(j), TOL["float32"])
        assert_same(lt.tensor(i) / 2, torch.tensor(i) / 2, TOL["float32"])


def test_float32_leaf_cast_to_float64_gets_float32_grad():
    compare(lambda L, x: (x.to(L.float64) * 3).exp(), ((2, 3), "permuted"))
    compare(lambda L, x: x.double().sum() + x.float().sum(), ((2, 3), "stepped"))
    compare(lambda L, x: x.to(L.float32) * x, ((3,), "contig"), dtype="float64", tol=TOL["float32"])
    compare(lambda L, x: (x.long() + 1, x.bool(), x.to(L.int64) * x), ((2, 3), "contig", (0.0,)))


# ---------------------------------------------------------------------------- reductions
DIMS = [None, 0, 1, -1, (0, 2), (2, 0), ()]  # () means all dims, as None
REDUCE = {
    "sum": lambda L, x, d, k: x.sum() if d is None and not k else x.sum(d, keepdim=k),
    "mean": lambda L, x, d, k: x.mean() if d is None and not k else L.mean(x, d, keepdim=k),
    "prod": lambda L, x, d, k: x.prod() if d in (None, ()) else x.prod(d if isinstance(d, int) else d[0],
                                                                      keepdim=k),
    "var": lambda L, x, d, k: x.var() if d is None and not k else x.var(d, keepdim=k),
    "var_biased": lambda L, x, d, k: x.var(d, keepdim=k, unbiased=False),
    "var_correction2": lambda L, x, d, k: L.var(x, d, keepdim=k, correction=2),
    "std": lambda L, x, d, k: x.std() if d is None and not k else L.std(x, d, keepdim=k),
    "std_biased": lambda L, x, d, k: x.std(d, keepdim=k, correction=0),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduction(name, dim, keepdim):
    fn = REDUCE[name]
    # torch's VarBackward/StdBackward treat dim=() as "no dims" (inf gradients, disagreeing with
    # its own forward): only the forward is compared there; test_gradcheck checks our gradient
    grad = not (dim == () and name.startswith(("var", "std")))
    compare(lambda L, x: fn(L, x, dim, keepdim), ((2, 3, 3), "permuted" if keepdim else "stepped"), grad=grad)


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reduction_float64_expanded(name):
    fn = REDUCE[name]
    compare(lambda L, x: fn(L, x, 1, False), ((3, 4), "expanded"), dtype="float64")
    compare(lambda L, x: fn(L, x, None, False), ((5,), "stepped"), dtype="float64")


def test_sum_mean_list_dims_and_negative():
    compare(lambda L, x: x.sum([0, -1]), ((2, 3, 2), "permuted"))
    compare(lambda L, x: x.mean((-1, -3), keepdim=True), ((2, 3, 2), "stepped"))
    compare(lambda L, x: L.sum(x, dim=(1,)), ((2, 3), "expanded"))
    compare(lambda L, x: (x.sum([]), x.mean([], keepdim=True)), ((2, 3), "permuted"))
    compare(lambda L, x: (x.var(dim=[]), x.std(())), ((2, 3), "permuted"), grad=False)  # see test_reduction


def test_prod_with_zeros():
    for vals in ([[0.0, 2.0, 3.0], [1.5, -2.0, 0.5]], [[0.0, 2.0, 0.0], [1.0, 0.0, 0.0]]):
        for dim in (None, 0, 1):
            x, tx = lt.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
            out, tout = (x.prod(), tx.prod()) if dim is None else (x.prod(dim), tx.prod(dim))
            assert_same(out, tout, TOL["float32"])
            out.sum().backward()
            tout.sum().backward()
            assert_same(x.grad, tx.grad, TOL["float32"], "prod grad")


def test_var_std_single_element_is_nan():
    compare(lambda L, x: (x.var(), x.std(), x.var(unbiased=False)), ((1,), "contig"), grad=False)
    compare(lambda L, x: (x.var(0), x.std(1, keepdim=True)), ((1, 3), "contig"), grad=False)


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min(op):
    compare(lambda L, x: getattr(x, op)(), ((2, 3, 2), "permuted"))
    compare(lambda L, x: getattr(L, op)(x), ((4,), "stepped"), dtype="float64")
    for dim in (0, 1, -1):
        for keepdim in (False, True):
            compare(lambda L, x: tuple(getattr(L, op)(x, dim, keepdim)), ((2, 3, 2), "stepped"))
            compare(lambda L, x: getattr(x, op)(dim=dim, keepdim=keepdim).values * 2, ((2, 3, 2), "permuted"))
            compare(lambda L, x: getattr(x, op)(dim, keepdim).indices, ((3, 2), "contig"))
    compare(lambda L, x: tuple(getattr(x, op)(1)), ((2, 3), "expanded"))
    compare(lambda L, x: tuple(getattr(x, op)(0)), ((), "contig"))
    compare(lambda L, a, b: getattr(L, op)(a, b), ((2, 3), "permuted"), ((3,), "contig"))


def test_max_min_named_tuple_fields():
    x = lt.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    tx = torch.tensor(x.tolist())
    for op in ("max", "min"):
        ours, theirs = getattr(x, op)(1), getattr(tx, op)(1)
        assert_same(ours.values, theirs.values, TOL["float32"])
        assert_same(ours.indices, theirs.indices, TOL["float32"])
        assert_same(ours[0], theirs[0], TOL["float32"])
        v, i = ours
        assert v.tolist() == theirs.values.tolist() and i.tolist() == theirs.indices.tolist()


def test_max_ties():
    # max() of all elements splits the gradient between ties; max(dim) sends it to the
    # returned index (the first maximum), as PyTorch's CPU kernels do
    vals = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]
    for op in ("max", "min"):
        x, tx = lt.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
        getattr(x, op)().backward()
        getattr(tx, op)().backward()
        assert_same(x.grad, tx.grad, TOL["float32"], f"{op}() ties")
    x, tx = lt.tensor(vals, requires_grad=True), torch.tensor(vals, requires_grad=True)
    out, tout = x.max(1), tx.max(1)
    assert_same(out.indices, tout.indices, TOL["float32"])
    out.values.sum().backward()
    tout.values.sum().backward()
    assert_same(x.grad, tx.grad, TOL["float32"], "max(dim) ties")


@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin(op):
    compare(lambda L, x: getattr(x, op)(), ((2, 3, 2), "permuted"), grad=False)
    compare(lambda L, x: getattr(L, op)(x, keepdim=True), ((2, 3), "stepped"), grad=False)
    for dim in (0, 1, -1):
        compare(lambda L, x: (getattr(x, op)(dim), getattr(L, op)(x, dim, keepdim=True)),
                ((2, 3, 2), "stepped"), grad=False)
    compare(lambda L, i: (getattr(i, op)(), getattr(i, op)(0)), ((3, 4), "contig", "any", "int"), grad=False)
    ties = [[1.0, 4.0, 4.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, -3.0, 5.0, -3.0]]
    assert_same(getattr(lt.tensor(ties), op)(1), getattr(torch.tensor(ties), op)(1), TOL["float32"], "ties")
    assert_same(getattr(lt.tensor(ties), op)(), getattr(torch.tensor(ties), op)(), TOL["float32"], "ties")


# ---------------------------------------------------------------------------- softmax
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax(op, dim, layout):
    compare(lambda L, x: getattr(L, op)(x, dim), ((2, 3), layout))
    compare(lambda L, x: getattr(x, op)(dim), ((2, 3, 2), layout), dtype="float64")


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_large_values(op):
    # exp(1000) overflows: only the max subtraction keeps these finite
    big = [[1000.0, 999.0, -1000.0], [-5000.0, -5001.0, -4999.5], [88.0, 89.0, 90.0]]
    for dtype in ("float32", "float64"):
        x = lt.tensor(big, dtype=getattr(lt, dtype), requires_grad=True)
        tx = torch.tensor(big, dtype=getattr(torch, dtype), requires_grad=True)
        out, tout = getattr(x, op)(1), getattr(tx, op)(1)
        assert np.isfinite(as_np(out)).all()
        assert_same(out, tout, TOL[dtype], op)
        g = np.random.default_rng(0).standard_normal((3, 3))
        out.backward(lt.tensor(g, dtype=out.dtype))
        tout.backward(torch.tensor(g, dtype=tout.dtype))
        assert_same(x.grad, tx.grad, TOL[dtype], op + " grad")
    compare(lambda L, x: getattr(L, op)(x * 400.0, 0), ((3, 2), "permuted"))


# ---------------------------------------------------------------------------- matmul
MATMUL = [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 2)),
          ((2, 3), (2, 3, 2)), ((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 2)), ((2, 2, 3), (3,)),
          ((1, 2, 3), (2, 3, 1)), ((4, 1, 2, 3), (1, 2, 3, 5))]


@pytest.mark.parametrize("layouts", [("contig", "contig"), ("permuted", "stepped"), ("stepped", "expanded")])
@pytest.mark.parametrize("shapes", MATMUL, ids=lambda s: f"{s[0]}@{s[1]}".replace(" ", ""))
def test_matmul(shapes, layouts):
    compare(lambda L, a, b: a @ b, (shapes[0], layouts[0]), (shapes[1], layouts[1]))
    compare(lambda L, a, b: L.matmul(a, b), (shapes[0], layouts[1]), (shapes[1], layouts[0]), dtype="float64")


def test_matmul_methods_and_promotion():
    compare(lambda L, a, b: a.mm(b), ((2, 3), "permuted"), ((3, 4), "stepped"))
    compare(lambda L, a, b: a.matmul(b.T), ((2, 3), "contig"), ((4, 3), "permuted"))
    compare(lambda L, a: a @ a.mT, ((2, 2, 3), "stepped"))
    compare(lambda L, i, j: i @ j, ((2, 3), "contig", "any", "int"), ((3, 2), "permuted", "any", "int"))


def test_matmul_mixed_dtypes_promote():
    # documented difference: torch raises for float32 @ float64, learntorch promotes; the
    # result must equal torch's on the promoted operands, with a float32 grad for the float32 side
    a = values((2, 3))
    b = values((3, 2), seed=1)
    with pytest.raises(RuntimeError):
        torch.tensor(a, dtype=torch.float32) @ torch.tensor(b, dtype=torch.float64)
    x, y = lt.tensor(a, dtype=lt.float32, requires_grad=True), lt.tensor(b, dtype=lt.float64, requires_grad=True)
    tx = torch.tensor(a, dtype=torch.float32, requires_grad=True)
    ty = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    out, tout = x @ y, tx.double() @ ty
    assert_same(out, tout, TOL["float64"])
    out.sum().backward()
    tout.sum().backward()
    assert_same(x.grad, tx.grad, TOL["float32"])
    assert_same(y.grad, ty.grad, TOL["float32"])


def test_matmul_larger_float32():
    # long inner dimension: float32 accumulation order differs a little from torch
    compare(lambda L, a, b: a @ b, ((3, 7, 64), "contig"), ((64, 5), "permuted"), tol=dict(rtol=1e-4, atol=1e-5))


# ---------------------------------------------------------------------------- shape ops
SHAPE = {
    "view": (lambda L, x: x.view(3, 4), (2, 6), "contig"),
    "view_-1": (lambda L, x: x.view(-1, 2), (3, 4), "contig"),
    "view_split_stepped": (lambda L, x: x.view(2, 2, 4), (4, 4), "stepped"),
    "reshape": (lambda L, x: x.reshape(4, 3), (3, 4), "permuted"),
    "reshape_tuple": (lambda L, x: L.reshape(x, (2, -1)), (3, 4), "stepped"),
    "reshape_expanded": (lambda L, x: x.reshape(6, 2), (3, 4), "expanded"),
    "permute": (lambda L, x: x.permute(2, 0, 1), (2, 3, 2), "stepped"),
    "permute_fn": (lambda L, x: L.permute(x, (1, 2, 0)), (2, 3, 2), "permuted"),
    "transpose": (lambda L, x: x.transpose(0, -1), (2, 3, 2), "stepped"),
    "transpose_fn": (lambda L, x: L.transpose(x, 1, 0), (3, 4), "expanded"),
    "t": (lambda L, x: x.t(), (3, 4), "permuted"),
    "T": (lambda L, x: x.T, (3, 4), "stepped"),
    "mT": (lambda L, x: x.mT, (2, 3, 2), "permuted"),
    "expand": (lambda L, x: x.expand(2, 3, 4), (3, 1), "stepped"),
    "expand_-1": (lambda L, x: x.expand(2, -1, 4), (3, 1), "contig"),
    "expand_as": (lambda L, x: x.expand_as(L.zeros(2, 3)), (3,), "stepped"),
    "squeeze_all": (lambda L, x: x.squeeze(), (1, 3, 1), "stepped"),
    "squeeze_dim": (lambda L, x: x.squeeze(0), (1, 3, 1), "stepped"),
    "squeeze_noop": (lambda L, x: x.squeeze(1) * 1, (1, 3, 1), "contig"),
    "squeeze_fn": (lambda L, x: L.squeeze(x, -1), (3, 1), "expanded"),
    "unsqueeze": (lambda L, x: x.unsqueeze(1), (2, 3), "permuted"),
    "unsqueeze_neg": (lambda L, x: L.unsqueeze(x, -1), (2, 3), "stepped"),
    "flatten": (lambda L, x: x.flatten(), (2, 3, 2), "permuted"),
    "flatten_range": (lambda L, x: L.flatten(x, 1, 2), (2, 3, 2), "stepped"),
    "flatten_0d": (lambda L, x: x.flatten(), (), "contig"),
    "unflatten": (lambda L, x: x.unflatten(1, (2, 3)), (2, 6), "stepped"),
    "chain": (lambda L, x: x.T.reshape(-1)[1::2].view(2, 3).unsqueeze(0).expand(2, 2, 3), (3, 4), "permuted"),
}
VIEW_OPS = {"view", "view_-1", "view_split_stepped", "permute", "permute_fn", "transpose", "t", "T", "mT",
            "expand", "expand_-1", "expand_as", "squeeze_all", "squeeze_dim", "squeeze_fn", "unsqueeze",
            "unsqueeze_neg", "flatten_range", "unflatten", "transpose_fn"}


@pytest.mark.parametrize("name", sorted(SHAPE))
def test_shape_op(name):
    fn, shape, layout = SHAPE[name]
    compare(fn, (shape, layout))
    compare(fn, (shape, "contig"), dtype="float64")


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_view_strides_match(name):
    # views share storage: the same shape, strides and offset as torch's
    fn, shape, layout = SHAPE[name]
    for lay in (layout, "contig"):
        vals = values(shape)
        (_, x), (_, tx) = make(lt, vals, lay, "float32"), make(torch, vals, lay, "float32")
        ours, theirs = fn(lt, x), fn(torch, tx)
        assert tuple(ours.shape) == tuple(theirs.shape)
        sizes_gt1 = [d for d, s in enumerate(ours.shape) if s > 1]
        assert [ours.stride(d) for d in sizes_gt1] == [theirs.stride(d) for d in sizes_gt1], name
        assert ours.is_contiguous() == theirs.is_contiguous(), name


# ---------------------------------------------------------------------------- indexing
INDEX = {
    "int": lambda L, x: x[1],
    "neg_int": lambda L, x: x[-1, 0],
    "slice": lambda L, x: x[1:],
    "slice_neg_bounds": lambda L, x: x[-2:, :-1],
    "slice_step": lambda L, x: x[::2, 1::2],
    "slice_step_3": lambda L, x: x[:, ::3],
    "slice_empty": lambda L, x: x[2:1] * 1,
    "none": lambda L, x: x[None, :, None],
    "ellipsis": lambda L, x: x[..., 1],
    "ellipsis_none": lambda L, x: x[1, ..., None],
    "int_list_repeats": lambda L, x: x[[2, 0, 2, 2]],
    "int_list_neg": lambda L, x: x[[-1, 0]],
    "int_tensor_2d": lambda L, x: x[L.tensor([[0, 1], [1, 1]])],
    "two_lists": lambda L, x: x[[0, 2, 2], [3, 1, 3]],
    "two_tensors_bcast": lambda L, x: x[L.tensor([[0], [2]]), L.tensor([1, 3, 1])],
    "slice_then_list": lambda L, x: x[1:, [0, 0, 3]],
    "list_then_slice": lambda L, x: x[[1, 1], ::2],
    "tensor_repeats_col": lambda L, x: x[:, L.tensor([1, 1, 0])],
    "bool_mask": lambda L, x: x[x > 0],
    "bool_row_mask": lambda L, x: x[L.tensor([True, False, True])],
    "bool_list": lambda L, x: x[[False, True, True]],
    "int_and_list": lambda L, x: x[1, [0, 3, 3]],
    "chained": lambda L, x: x[1:][[0, 1, 0]][:, None, 1::2],
}


@pytest.mark.parametrize("layout", ["contig", "permuted", "stepped", "expanded"])
@pytest.mark.parametrize("name", sorted(INDEX))
def test_indexing(name, layout):
    compare(INDEX[name], ((3, 4), layout))


def test_indexing_3d_and_int_tensors():
    compare(lambda L, x: x[:, [1, 0, 1], 1:], ((2, 3, 3), "permuted"), dtype="float64")
    compare(lambda L, x: x[[0, 1], :, [2, 0]], ((2, 3, 3), "stepped"))
    compare(lambda L, x: x[..., [True, False, True]], ((2, 3, 3), "contig"))
    compare(lambda L, i: (i[[2, 2, 0]], i[i > 0], i[1:, ::2]), ((3, 4), "permuted", "any", "int"))


def test_setitem():
    def basic(L, x, v):
        y = x * 1.0
        y[1:, ::2] = v
        return y

    def advanced(L, x, v):
        y = x * 1.0
        y[[0, 2]] = v
        return y

    def mask(L, x):
        y = x * 2.0
        y[x > 0] = 0.0
        return y

    compare(basic, ((3, 4), "permuted"), ((2,), "contig"))
    compare(advanced, ((3, 4), "stepped"), ((4,), "expanded"))
    compare(mask, ((3, 4), "contig"))


# ---------------------------------------------------------------------------- cat, stack, clone, to
def test_cat_stack():
    compare(lambda L, a, b: L.cat([a, b]), ((2, 3), "permuted"), ((1, 3), "stepped"))
    compare(lambda L, a, b: L.cat([a, b], dim=1), ((2, 3), "stepped"), ((2, 2), "expanded"))
    compare(lambda L, a, b, c: L.cat((a, b, c), -1), ((2, 1), "contig"), ((2, 3), "permuted"), ((2, 2), "contig"))
    compare(lambda L, a, b: L.cat([a, b]), ((2,), "contig"), ((3,), "contig", "any", "float64"))
    compare(lambda L, a, i: L.cat([a, i], 1), ((2, 2), "contig"), ((2, 3), "contig", "any", "int"))
    for dim in (0, 1, 2, -1):
        compare(lambda L, a, b: L.stack([a, b], dim), ((2, 3), "permuted"), ((2, 3), "expanded"))
    compare(lambda L, a: L.stack([a, a.sin(), a * a]), ((3,), "stepped"), dtype="float64")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clone_contiguous_to(layout):
    compare(lambda L, x: x.clone(), ((2, 3), layout))
    compare(lambda L, x: x.contiguous() * 1.0, ((2, 3), layout))
    compare(lambda L, x: x.to(L.float64) * 2.0, ((2, 3), layout))
    compare(lambda L, x: (x.float(), x.double()), ((2, 3), layout), dtype="float64", tol=TOL["float32"])
    compare(lambda L, x: x.to(L.float64) * x.clone(), ((2, 3), layout), dtype="float64")


def test_clone_is_independent():
    # (torch's clone keeps a transposed layout; learntorch's is always contiguous: only values compare)
    for lib in (lt, torch):
        x = lib.tensor(values((2, 3)), dtype=lib.float32).T
        y = x.clone()
        y[0, 0] = 100.0
        assert x[0, 0].item() != 100.0 and y[0, 0].item() == 100.0


# ---------------------------------------------------------------------------- composites
def test_composite_mlp():
    def mlp(L, x, w1, b1, w2):
        h = (x @ w1 + b1).relu()
        return (h @ w2).log_softmax(-1).mean()

    compare(mlp, ((4, 3), "permuted"), ((3, 5), "stepped"), ((5,), "contig"), ((5, 2), "contig"))
    compare(mlp, ((4, 3), "contig"), ((3, 5), "permuted"), ((5,), "stepped"), ((5, 2), "expanded"),
            dtype="float64")


def test_composite_normalize():
    def norm(L, x, g):
        mu = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return ((x - mu) / (var + 1e-5).sqrt() * g).tanh().sum(0)

    compare(norm, ((3, 4), "permuted"), ((4,), "stepped"), tol=dict(rtol=1e-4, atol=1e-5))
    compare(norm, ((3, 4), "stepped"), ((4,), "contig"), dtype="float64")


# ---------------------------------------------------------------------------- grad_fn names
GRAD_FN = {
    "AddBackward0": lambda L, x: x + x,
    "SubBackward0": lambda L, x: x - 1,
    "MulBackward0": lambda L, x: x * x,
    "DivBackward0": lambda L, x: x / 2,
    "PowBackward0": lambda L, x: x ** 2,
    "PowBackward1": lambda L, x: x ** x,
    "PowBackward2": lambda L, x: 2.0 ** x,
    "NegBackward0": lambda L, x: -x,
    "ExpBackward0": lambda L, x: x.exp(),
    "LogBackward0": lambda L, x: x.log(),
    "Log1PBackward0": lambda L, x: x.log1p(),
    "Expm1Backward0": lambda L, x: x.expm1(),
    "ErfBackward0": lambda L, x: x.erf(),
    "ErfcBackward0": lambda L, x: x.erfc(),
    "SqrtBackward0": lambda L, x: x.sqrt(),
    "AbsBackward0": lambda L, x: x.abs(),
    "SinBackward0": lambda L, x: x.sin(),
    "CosBackward0": lambda L, x: x.cos(),
    "TanhBackward0": lambda L, x: x.tanh(),
    "SigmoidBackward0": lambda L, x: x.sigmoid(),
    "ReluBackward0": lambda L, x: x.relu(),
    "ClampBackward1": lambda L, x: x.clamp(0, 1),
    "MaximumBackward0": lambda L, x: L.maximum(x, x * 2),
    "MinimumBackward0": lambda L, x: L.minimum(x, x * 2),
    "WhereBackward0": lambda L, x: L.where(x > 0, x, x * 2),
    "SumBackward0": lambda L, x: x.sum(),
    "MeanBackward0": lambda L, x: x.mean(),
    "ProdBackward0": lambda L, x: x.prod(),
    "VarBackward0": lambda L, x: x.var(1),
    "SoftmaxBackward0": lambda L, x: x.softmax(1),
    "LogSoftmaxBackward0": lambda L, x: x.log_softmax(-1),
    "MmBackward0": lambda L, x: x @ x.T,
    "ViewBackward0": lambda L, x: x.view(6),
    "PermuteBackward0": lambda L, x: x.permute(1, 0),
    "ExpandBackward0": lambda L, x: x[:1].expand(2, 3),
    "SqueezeBackward0": lambda L, x: x[:1].squeeze(),
    "UnsqueezeBackward0": lambda L, x: x.unsqueeze(0),
    "SliceBackward0": lambda L, x: x[:, 1:],
    "IndexBackward0": lambda L, x: x[[0, 0]],
    "CatBackward0": lambda L, x: L.cat([x, x]),
    "CloneBackward0": lambda L, x: x.clone(),
    "ToCopyBackward0": lambda L, x: x.to(L.float32),
}


@pytest.mark.parametrize("name", sorted(GRAD_FN))
def test_grad_fn_name(name):
    fn = GRAD_FN[name]
    x = lt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lt.float64, requires_grad=True)
    tx = torch.tensor(x.tolist(), dtype=torch.float64, requires_grad=True)
    assert fn(torch, tx).grad_fn.name() == name  # the table itself is right
    assert fn(lt, x).grad_fn.name() == name


def test_grad_fn_next_functions_shape():
    # the graph has the same skeleton: (x * y).sum() -> Sum -> Mul -> two AccumulateGrads
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = lt.tensor([3.0, 4.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    ty = torch.tensor([3.0, 4.0], requires_grad=True)
    ours, theirs = (x * y).sum().grad_fn, (tx * ty).sum().grad_fn
    assert ours.name() == theirs.name()
    assert len(ours.next_functions) == len(theirs.next_functions) == 1
    (mul, mul_nr), = ours.next_functions
    (tmul, tmul_nr), = theirs.next_functions
    assert mul.name() == tmul.name() and mul_nr == tmul_nr
    # (torch spells the leaf node "torch::autograd::AccumulateGrad")
    assert [(n.name(), nr) for n, nr in mul.next_functions] == \
        [(n.name().replace("torch::autograd::", ""), nr) for n, nr in tmul.next_functions]
    assert mul.next_functions[0][0].variable is x


def graph_skeleton(node):
    """``(name, [child skeleton or None per edge])``: the shape of a backward graph."""
    if node is None:
        return None
    return (node.name().replace("torch::autograd::", ""),
            [(graph_skeleton(child), nr) for child, nr in node.next_functions])


def _filled_by(method, *args):
    def fn(lib, x, other):
        y = x * 1
        getattr(y, method)(*[other if a == "other" else a for a in args])
        return y
    return fn


NEXT_FUNCTIONS = {
    "sum_dim": lambda lib, x, other: (x * x).sum(0),
    "mean_keepdim": lambda lib, x, other: x.mean(1, keepdim=True),
    "mul_scalar": lambda lib, x, other: x * 2,
    "mul_constant": lambda lib, x, other: x * other.detach(),
    "cat": lambda lib, x, other: lib.cat([x, x * 2], 1),
    "cat_constant": lambda lib, x, other: lib.cat([x, other.detach(), x], 0),
    "stack": lambda lib, x, other: lib.stack([x, other.detach(), x * 2], 1),
    "where_number": lambda lib, x, other: lib.where(x > 2, x, 0.0),
    "where_tensors": lambda lib, x, other: lib.where(x > 2, x, other * 2),
    "clamp_both": lambda lib, x, other: x.clamp(1.0, 4.0),
    "clamp_max": lambda lib, x, other: x.clamp(max=4.0),
    "pow_number": lambda lib, x, other: x ** 2,
    "pow_tensor": lambda lib, x, other: x ** other.detach(),
    "number_pow": lambda lib, x, other: 2 ** x,
    "fill_number": _filled_by("fill_", 2.0),
    "fill_tensor": lambda lib, x, other: _filled_by("fill_", "other")(lib, x, other.sum()),
    "copy_constant": lambda lib, x, other: _filled_by("copy_", "other")(lib, x, other.detach()),
    "copy_grad": lambda lib, x, other: _filled_by("copy_", "other")(lib, x.detach(), other),
}


@pytest.mark.parametrize("case", sorted(NEXT_FUNCTIONS))
def test_grad_fn_next_functions_match_torch(case):
    # one edge per tensor input, (None, 0) for a tensor that needs no grad; dims, keepdim and
    # other non-tensor arguments have no edge
    fn = NEXT_FUNCTIONS[case]
    data = np.arange(6.0).reshape(2, 3)
    ours = fn(lt, lt.tensor(data, requires_grad=True), lt.tensor(data + 1, requires_grad=True))
    theirs = fn(torch, torch.tensor(data, requires_grad=True), torch.tensor(data + 1, requires_grad=True))
    assert graph_skeleton(ours.grad_fn) == graph_skeleton(theirs.grad_fn)
