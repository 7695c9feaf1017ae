"""Every kernel of the CPU backend against the NumPy reference backend, the executable specification.

Each case is one backend call (``Call``): its array arguments are ``Spec``s (a storage and a
layout: contiguous, transposed, offset, stepped or broadcast with stride 0) made afresh on each
backend's device, so an in-place kernel writes into its own copy, and its outputs are ``Out``s,
allocated by the backend. A case passes when both backends write the same outputs and leave the
same storages behind (so a kernel that writes outside its view fails too). Most cases must agree exactly, NaNs and the sign of zero
included; float sums, matrix products, convolutions and transcendental functions within
``rtol``, since their order of operations or libm differs.

tests/cuda_sim/test_vs_reference.py runs the same cases, at tiny shapes, on the CUDA backend.
The last test checks the reference's NumPy functions against the shared scalar functions
(backends/common/scalar_ops.py), value by value, so the elementwise math has one source.
"""
from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

from learntorch import _dtype as dt
from learntorch.backends.common import scalar_ops, shapes
from learntorch._storage import contiguous_strides
from learntorch.backends.interface import Backend, Strided
from learntorch.backends.reference import ReferenceBackend, conv_pool
from learntorch.backends.reference.elementwise import BINARY, UNARY, elementwise

FLOATS = (dt.float32, dt.float64)
ALL = (dt.bool_, dt.int64, dt.float32, dt.float64)
CORRECTLY_ROUNDED = {"sqrt", "copysign", "floor", "ceil", "trunc", "fabs", "inf", "nan", "isnan", "isinf"}


def calls_libm(fn: Any) -> bool:
    """True for a scalar function that calls a ``math`` function other than the correctly rounded
    ones: CPU libm, CUDA's libdevice and NumPy may differ there in the last bit."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    return any(isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "math"
               and n.attr not in CORRECTLY_ROUNDED for n in ast.walk(tree))


# compared within rtol: the libm callers (exp, log, sigmoid, ...: found, so a new op needs no entry) and pow
TRANSCENDENTAL = {"pow"} | {name for table in (scalar_ops.UNARY_OPS, scalar_ops.BINARY_OPS)
                            for name, fn in table.items() if calls_libm(fn)}
INT64 = np.iinfo(np.int64)


@dataclass
class Spec:
    """An array argument: ``storage`` seen through ``shape``, ``strides`` and ``offset``."""

    storage: np.ndarray
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int = 0
    layout: str = "contiguous"

    def on(self, backend: Backend) -> Strided:
        """The array over a fresh copy of the storage, on ``backend``'s device."""
        return Strided(backend.from_numpy(self.storage.copy()), self.shape, self.strides, self.offset,
                       dt.from_numpy_dtype(self.storage.dtype))


@dataclass
class Out:
    """An output argument: a new contiguous array of ``shape`` and ``dtype``, which the backend
    allocates (filled with 7, so that an element no kernel writes shows)."""

    shape: tuple[int, ...]
    dtype: dt.dtype

    def on(self, backend: Backend) -> Strided:
        return Strided(backend.full(int(np.prod(self.shape)), 7, self.dtype), self.shape,
                       contiguous_strides(self.shape), 0, self.dtype)


@dataclass
class Call:
    """One backend call; ``exact``: results must be equal, else within ``rtol``/``atol``."""

    method: str
    args: tuple
    id: str
    exact: bool = True
    rtol: float = 1e-5
    atol: float = 1e-6
    compare_values: bool = True  # False for empty(): only shape and dtype are defined
    zero_sign: bool = True  # exact results must agree on the sign of a zero, too


# ---------------------------------------------------------------------------------- inputs

def layouts(values: np.ndarray) -> dict[str, Spec]:
    """``values`` (at least 1-D) laid out five ways. Storage outside the view holds a marker that
    no kernel may read or write; "broadcast" shows ``values[0]`` repeated along dim 0 (stride 0)."""
    shape, numel = values.shape, values.size
    marker = np.full(3, 7, values.dtype)
    flat = values.reshape(-1)
    back = tuple(reversed(range(values.ndim)))
    stepped = np.repeat(marker[:1], 2 * numel)
    stepped[::2] = flat
    return {
        "contiguous": Spec(flat.copy(), shape, contiguous_strides(shape)),
        "offset": Spec(np.concatenate([marker, flat]), shape, contiguous_strides(shape), 3, "offset"),
        "transposed": Spec(values.transpose(back).reshape(-1).copy(), shape,
                              tuple(reversed(contiguous_strides(tuple(reversed(shape))))), 0, "transposed"),
        "stepped": Spec(stepped, shape, tuple(2 * s for s in contiguous_strides(shape)), 0, "stepped"),
        "broadcast": Spec(np.concatenate([marker, values[0].reshape(-1)]), shape,
                             (0,) + contiguous_strides(shape[1:]), 3, "broadcast"),
    }


def random_values(rng: np.random.Generator, shape: tuple[int, ...], dtype: dt.dtype,
                  special: bool = True) -> np.ndarray:
    """Small ints, bools, or normal floats with some NaN, +-inf and +-0 sprinkled in."""
    if dtype is dt.bool_:
        return rng.random(shape) < 0.5
    if dtype is dt.int64:
        return rng.integers(-6, 7, shape)
    x = (rng.standard_normal(shape) * 3).astype(dtype.np)
    if special and x.size >= 8:
        x.reshape(-1)[rng.choice(x.size, 5, replace=False)] = [np.nan, np.inf, -np.inf, 0.0, -0.0]
    return x


def layout_pairs(a: np.ndarray, b: np.ndarray) -> list[tuple[Spec, Spec]]:
    """(a, b) in five pairings of layouts, each layout on each side once."""
    la, lb = layouts(a), layouts(b)
    names = list(la)
    return [(la[x], lb[y]) for x, y in zip(names, names[2:] + names[:2])]


# ---------------------------------------------------------------------------------- the cases

INT_UNARY = {"identity", "neg", "abs", "sign", "relu", "logical_not"}
BOOL_UNARY = {"identity", "logical_not"}
FLOAT_BINARY = {"floor_divide", "trunc_divide", "remainder", "relu_grad"}  # ints take the *_int twins


def unary_dtypes(name: str) -> list[dt.dtype]:
    """The dtypes the ops hand map ``name`` (a new op: the floats)."""
    return [d for d in ALL if d.is_floating_point or name in (INT_UNARY if d is dt.int64 else BOOL_UNARY)]


def binary_dtypes(name: str) -> list[dt.dtype]:
    """The dtypes the ops hand zip ``name`` (a new op: the floats)."""
    if name.endswith("_int"):
        return [dt.int64]
    if name in scalar_ops.COMPARISONS or name in ("maximum", "minimum"):
        return list(ALL)
    if name in ("add", "sub", "mul", "div", "pow"):
        return [dt.int64, *FLOATS]
    return list(FLOATS)


def binary_values(rng: np.random.Generator, name: str, shape: tuple[int, ...],
                  dtype: dt.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Inputs in the op's domain: ties, NaN and +-inf, zero divisors for floats, INT64's ends."""
    if name.endswith("_int"):
        x = rng.integers(-20, 21, shape)
        x.reshape(-1)[:2] = INT64.min, INT64.max
        return x, rng.choice(np.array([-7, -3, -2, -1, 1, 2, 5]), shape)  # the ops refuse a zero divisor
    if name == "pow" and dtype is dt.int64:
        return rng.integers(-4, 5, shape), rng.integers(0, 4, shape)  # the ops refuse negative powers
    x, y = random_values(rng, shape, dtype), random_values(rng, shape, dtype)
    if name in FLOAT_BINARY:
        y.reshape(-1)[::4] = rng.integers(-3, 4, y.reshape(-1)[::4].shape)  # exact multiples and zeros
    elif dtype is not dt.bool_:
        y.reshape(-1)[::3] = x.reshape(-1)[::3]  # ties, for the comparisons and maximum
    return x, y


def elementwise_calls(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Call]:
    """Every registered scalar function's map or zip, each dtype, each layout; where, each dtype."""
    calls = []
    for name in scalar_ops.UNARY_OPS:
        for dtype in unary_dtypes(name):
            out = dt.bool_ if name in scalar_ops.COMPARISONS else dtype
            for layout, a in layouts(random_values(rng, shape, dtype)).items():
                calls.append(Call("map", (name, a, Out(shape, out)), f"map-{name}-{dtype.name}-{layout}",
                                  exact=not (name in TRANSCENDENTAL and dtype.is_floating_point)))
    for source, target in itertools.product(ALL, ALL):  # the identity map is the cast
        values = random_values(rng, shape, source, special=target.is_floating_point)
        a = layouts(values)["transposed"]
        calls.append(Call("map", ("identity", a, Out(shape, target)), f"cast-{source.name}-{target.name}"))

    for name in scalar_ops.BINARY_OPS:
        for dtype in binary_dtypes(name):
            out = (dt.bool_ if name in scalar_ops.COMPARISONS else
                   dt.float32 if name == "div" and dtype is dt.int64 else dtype)
            for a, b in layout_pairs(*binary_values(rng, name, shape, dtype)):
                calls.append(Call("zip", (name, a, b, Out(shape, out)), f"zip-{name}-{dtype.name}-{a.layout}-{b.layout}",
                                  exact=not (name in TRANSCENDENTAL and dtype.is_floating_point)))

    for dtype in ALL:
        cond = layouts(rng.random(shape) < 0.5)
        for (a, b), c in zip(layout_pairs(random_values(rng, shape, dtype), random_values(rng, shape, dtype)),
                             cond.values()):
            calls.append(Call("where", (c, a, b, Out(shape, dtype)),
                              f"where-{dtype.name}-{c.layout}-{a.layout}-{b.layout}"))
    return calls


def reduce_calls(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Call]:
    calls = []
    dims_options = [(), (0,), (len(shape) - 1,), (0, len(shape) - 1), tuple(range(len(shape)))]
    for op, dtype in itertools.product(("sum", "prod", "max", "min"), ALL):
        if dtype is dt.bool_ and op in ("sum", "prod"):
            continue
        values = random_values(rng, shape, dtype, special=op in ("max", "min"))
        if op == "prod" and dtype.is_floating_point:
            values = np.clip(values, -2, 2)
        for dims, (layout, a) in zip(dims_options * 2, layouts(values).items()):
            kept = tuple(1 if d in dims and layout == "offset" else n  # the offset case keeps its dims
                         for d, n in enumerate(shape) if layout == "offset" or d not in dims)
            calls.append(Call("reduce", (op, a, dims, Out(kept, dtype)), f"reduce-{op}-{dtype.name}-{dims}-{layout}",
                              exact=op in ("max", "min") or not dtype.is_floating_point, atol=1e-4,
                              zero_sign=op not in ("max", "min")))  # of -0.0 and 0.0 either may win
    empty = Spec(np.zeros(0, np.float32), (0, 3), (3, 1))
    for op in ("sum", "prod", "max", "min"):
        calls += [Call("reduce", (op, empty, (0,), Out((3,), dt.float32)), f"reduce-{op}-empty-rows"),
                  Call("reduce", (op, empty, (1,), Out((0,), dt.float32)), f"reduce-{op}-no-outputs")]
    for op, dtype in itertools.product(("argmax", "argmin"), (dt.int64, dt.float32, dt.float64)):
        values = random_values(rng, shape, dtype)
        if dtype is dt.int64:
            values = values // 3  # many ties: the first one wins
        for dim, (layout, a) in zip(itertools.cycle(range(len(shape))), layouts(values).items()):
            kept = shape[:dim] + shape[dim + 1:]
            calls.append(Call("arg_reduce", (op, a, dim, Out(kept, dt.int64)), f"{op}-{dtype.name}-dim{dim}-{layout}"))
    calls.append(Call("arg_reduce", ("argmax", Spec(np.zeros(0), (3, 0), (0, 1)), 1, Out((3,), dt.int64)),
                      "argmax-empty-rows"))
    return calls


def sort_scan_calls(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Call]:
    """sort (both directions; ties, NaN, +-0 and +-inf, so stability and NaN's place show) and the
    running sum and product, along the last dim of each layout."""
    calls = []
    for dtype, descending in itertools.product(ALL, (False, True)):
        values = random_values(rng, shape, dtype)
        values = values // 2 if dtype is dt.int64 else np.round(values) if dtype.is_floating_point else values
        direction = "descending" if descending else "ascending"
        for layout, a in layouts(values).items():
            calls.append(Call("sort", (a, Out(shape, dtype), Out(shape, dt.int64), descending),
                              f"sort-{dtype.name}-{direction}-{layout}"))
    for op, dtype in itertools.product(("sum", "prod"), (dt.int64, dt.float32, dt.float64)):
        values = random_values(rng, shape, dtype, special=op == "sum")
        values = np.clip(values, -2, 2) if op == "prod" else values
        for layout, a in layouts(values).items():
            calls.append(Call("scan", (op, a, Out(shape, dtype)), f"scan-{op}-{dtype.name}-{layout}"))
    return calls


def matmul_calls(rng: np.random.Generator, m: int, k: int, n: int) -> list[Call]:
    calls = []
    for dtype in (dt.int64, dt.float32, dt.float64):
        for batch in ((), (2,)):
            a = random_values(rng, batch + (m, k), dtype, special=False)
            b = random_values(rng, batch + (k, n), dtype, special=False)
            for la, lb in layout_pairs(a, b):
                calls.append(Call("matmul", (la, lb, Out(batch + (m, n), dtype)), f"matmul-{dtype.name}-{len(batch) + 2}d-{la.layout}-{lb.layout}",
                                  exact=dtype is dt.int64, rtol=1e-5, atol=1e-5))
    zero_k = (Spec(np.zeros(0, np.float32), (m, 0), (1, 1)), Spec(np.zeros(0, np.float32), (0, n), (1, 1)))
    return calls + [Call("matmul", zero_k + (Out((m, n), dt.float32),), "matmul-inner-dim-0")]


def copy_calls(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Call]:
    calls = []
    for source, target in itertools.product(ALL, ALL):
        src = random_values(rng, shape, source, special=target.is_floating_point)
        for d, s in layout_pairs(random_values(rng, shape, target), src):
            if d.layout == "broadcast":
                continue  # a kernel never writes into a broadcast view (the ops refuse)
            calls.append(Call("copy_", (d, s), f"copy-{source.name}-to-{target.name}-{d.layout}-{s.layout}"))
    for dtype, value in ((dt.bool_, True), (dt.int64, -3), (dt.float32, 2.5), (dt.float64, -np.inf)):
        for layout, d in layouts(random_values(rng, shape, dtype)).items():
            if layout != "broadcast":
                calls.append(Call("fill_", (d, value), f"fill-{dtype.name}-{layout}"))
    return calls


def index_calls(rng: np.random.Generator, numel: int) -> list[Call]:
    calls = []
    for dtype in (dt.int64, dt.float32, dt.float64):
        src = layouts(random_values(rng, (numel,), dtype))["offset"]  # contiguous, past a marker
        positions = layouts(rng.integers(0, numel, (numel // 2, 2)))["offset"]  # flat positions in src
        calls.append(Call("gather", (src, positions, Out((numel // 2, 2), dtype)), f"gather-{dtype.name}"))
        dst = layouts(random_values(rng, (numel,), dtype, special=False))["offset"]
        values = layouts(random_values(rng, (2 * numel,), dtype, special=False))["offset"]
        repeated = layouts(rng.integers(0, numel, 2 * numel))["contiguous"]
        calls.append(Call("scatter_add_", (dst, values, repeated), f"scatter_add-{dtype.name}",
                          exact=dtype is dt.int64, rtol=1e-6))
        strided_dst = layouts(random_values(rng, (numel,), dtype))["stepped"]  # storage positions: any layout
        unique = layouts(2 * rng.permutation(numel)[:numel // 2])["contiguous"]
        src = layouts(random_values(rng, (numel // 2,), dtype))["offset"]
        calls.append(Call("scatter_", (strided_dst, src, unique), f"scatter-{dtype.name}"))
    return calls


CONV_GEOMETRIES = [((1, 1), (0, 0), (1, 1)), ((2, 1), (1, 2), (1, 1)), ((1, 2), (1, 0), (2, 1))]


def conv_calls(rng: np.random.Generator, n: int, c: int, o: int, hw: tuple[int, int]) -> list[Call]:
    calls = []
    for dtype, (stride, padding, dilation) in itertools.product(FLOATS, CONV_GEOMETRIES):
        tol = dict(exact=False, rtol=1e-4, atol=1e-4)
        x = layouts(random_values(rng, (n, c) + hw, dtype, special=False))
        w = random_values(rng, (o, c, 3, 2), dtype, special=False)
        bias = Spec(random_values(rng, (o,), dtype, special=False), (o,), (1,))
        geometry = f"{dtype.name}-s{stride}-p{padding}-d{dilation}"
        out_hw = shapes.conv2d_output_hw(hw, (3, 2), stride, padding, dilation)
        g = layouts(random_values(rng, (n, o) + out_hw, dtype, special=False))
        for layout in ("contiguous", "transposed"):
            wl = layouts(w)[layout]
            calls += [
                Call("conv2d", (x[layout], wl, bias if layout == "contiguous" else None, Out((n, o) + out_hw, dtype),
                                stride, padding, dilation), f"conv2d-{geometry}-{layout}", **tol),
                Call("conv2d_backward_input", (g[layout], wl, Out((n, c) + hw, dtype), stride, padding, dilation),
                     f"conv2d_backward_input-{geometry}-{layout}", **tol),
                Call("conv2d_backward_weight", (g[layout], x[layout], Out((o, c, 3, 2), dtype), stride, padding,
                                                dilation), f"conv2d_backward_weight-{geometry}-{layout}", **tol)]
    return calls


POOL_GEOMETRIES = [((2, 2), (2, 2), (0, 0), (1, 1), False), ((3, 2), (2, 1), (1, 1), (1, 2), True),
                   ((3, 3), (2, 2), (1, 1), (1, 1), True)]


def pool_calls(rng: np.random.Generator, n: int, c: int, hw: tuple[int, int]) -> list[Call]:
    calls = []
    for dtype, (kernel, stride, padding, dilation, ceil) in itertools.product(FLOATS, POOL_GEOMETRIES):
        values = random_values(rng, (n, c) + hw, dtype)
        x = layouts(values)
        geometry = f"{dtype.name}-k{kernel}-s{stride}-p{padding}-d{dilation}-ceil{ceil}"
        out_hw = shapes.pool2d_output_hw(hw, kernel, stride, padding, dilation, ceil)
        _, indices = conv_pool.max_pool2d(values, kernel, out_hw, stride, padding, dilation)
        g = random_values(rng, (n, c) + out_hw, dtype, special=False)
        calls += [Call("max_pool2d", (x["transposed"], Out((n, c) + out_hw, dtype), Out((n, c) + out_hw, dt.int64),
                                      kernel, stride, padding, dilation), f"max_pool2d-{geometry}"),
                  Call("max_pool2d_backward", (layouts(g)["transposed"], layouts(indices)["offset"],
                                               Out((n, c) + hw, dtype)),
                       f"max_pool2d_backward-{geometry}", exact=False, rtol=1e-6)]
        avg_out_hw = shapes.pool2d_output_hw(hw, kernel, stride, padding, (1, 1), ceil)
        g = layouts(random_values(rng, (n, c) + avg_out_hw, dtype, special=False))
        for include_pad in (False, True):
            tag = f"{geometry}-include_pad{include_pad}"
            finite = layouts(np.nan_to_num(values, posinf=5.0, neginf=-5.0))["stepped"]
            calls += [Call("avg_pool2d", (finite, Out((n, c) + avg_out_hw, dtype), kernel, stride, padding,
                                          include_pad), f"avg_pool2d-{tag}", exact=False),
                      Call("avg_pool2d_backward", (g["transposed"], Out((n, c) + hw, dtype), kernel, stride, padding,
                                                   include_pad), f"avg_pool2d_backward-{tag}", exact=False)]
    return calls


def optim_calls(rng: np.random.Generator, numel: int) -> list[Call]:
    def state(dtype: dt.dtype, positive: bool = False) -> Spec:
        values = random_values(rng, (numel,), dtype, special=False)
        return Spec(np.abs(values) if positive else values, (numel,), (1,))

    calls = []
    for dtype in FLOATS:
        p, g = state(dtype), state(dtype)
        for momentum, nesterov, wd, first in ((0.0, False, 0.0, False), (0.9, True, 0.01, True),
                                              (0.9, False, 0.0, False)):
            buf = state(dtype) if momentum else None
            calls.append(Call("sgd_step_", (p, g, buf, 0.1, momentum, 0.1, nesterov, wd, first),
                              f"sgd-{dtype.name}-m{momentum}-nesterov{nesterov}-wd{wd}-first{first}"))
        for wd, decoupled, amsgrad in ((0.0, False, False), (0.01, False, True), (0.01, True, False)):
            calls.append(Call("adam_step_", (p, g, state(dtype), state(dtype, True),
                                             state(dtype, True) if amsgrad else None,
                                             1e-3, 0.9, 0.999, 1e-8, wd, decoupled, amsgrad, 3),
                              f"adam-{dtype.name}-wd{wd}-decoupled{decoupled}-amsgrad{amsgrad}"))
        for momentum, centered, wd in ((0.0, False, 0.0), (0.9, True, 0.01)):
            square = state(dtype, True)
            grad_avg = Spec(square.storage * 0.1, (numel,), (1,)) if centered else None
            calls.append(Call("rmsprop_step_", (p, g, square, grad_avg, state(dtype) if momentum else None,
                                                0.01, 0.99, 1e-8, wd, momentum, centered),
                              f"rmsprop-{dtype.name}-m{momentum}-centered{centered}-wd{wd}"))
        for lr_decay, wd in ((0.0, 0.0), (0.01, 0.1)):
            calls.append(Call("adagrad_step_", (p, g, state(dtype, True), 0.01, lr_decay, wd, 1e-10, 4),
                              f"adagrad-{dtype.name}-decay{lr_decay}-wd{wd}"))
    return calls


def move_calls(rng: np.random.Generator, shape: tuple[int, ...]) -> list[Call]:
    calls = []
    for dtype in ALL:
        values = random_values(rng, shape, dtype)
        calls.append(Call("from_numpy", (values,), f"from_numpy-{dtype.name}"))
        calls.append(Call("empty", (int(np.prod(shape)), dtype), f"empty-{dtype.name}", compare_values=False))
        calls.append(Call("full", (int(np.prod(shape)), values.reshape(-1)[0].item(), dtype), f"full-{dtype.name}"))
        calls += [Call("to_numpy", (a,), f"to_numpy-{dtype.name}-{layout}") for layout, a in layouts(values).items()]
    return calls


def all_calls(small: bool) -> list[Call]:
    """Every case; ``small`` picks tiny shapes (the CUDA simulator runs a Python thread per GPU thread)."""
    rng = np.random.default_rng(0)
    shape = (2, 3) if small else (3, 4, 5)
    calls = (move_calls(rng, shape) + elementwise_calls(rng, shape) + reduce_calls(rng, shape)
             + matmul_calls(rng, 2, 3, 2) + copy_calls(rng, shape) + index_calls(rng, 8 if small else 40)
             + conv_calls(rng, 1, 2, 2, (4, 5)) + pool_calls(rng, 1, 2, (5, 6)) + optim_calls(rng, 6)
             + sort_scan_calls(rng, shape))
    if not small:  # big enough for the multi-threaded and two-pass paths of the CPU kernels
        big = (200, 200)
        calls += [replace(c, id=c.id + "-big") for c in
                  elementwise_calls(rng, big)[::23] + reduce_calls(rng, (300, 250))[::7]
                  + copy_calls(rng, big)[::9] + matmul_calls(rng, 64, 80, 48)[::4]
                  + optim_calls(rng, 70_000)[::3] + sort_scan_calls(rng, (300, 250))[::5]]
    return calls


# ---------------------------------------------------------------------------------- running them

def host(value: Any) -> np.ndarray:
    """A NumPy copy of a backend array (a DeviceNDArray comes back from the GPU)."""
    return value.copy_to_host() if hasattr(value, "copy_to_host") else np.array(value)


def run(call: Call, backend: Backend) -> list[np.ndarray]:
    """What the call returns on ``backend`` (the allocating kernels), then the storages of its
    array arguments: the outputs, and the inputs, which only the in-place kernels may change."""
    args = tuple(a.on(backend) if isinstance(a, (Spec, Out)) else a for a in call.args)
    result = getattr(backend, call.method)(*args)
    return [host(r) for r in ([] if result is None else [result])] + [
        host(a.storage) for a in args if isinstance(a, Strided)]


def assert_same(call: Call, got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert (g.dtype, g.shape) == (w.dtype, w.shape), (call.id, g.dtype, g.shape, w.dtype, w.shape)
        if not call.compare_values:
            continue
        if call.exact:
            np.testing.assert_array_equal(g, w, err_msg=call.id)
            if g.dtype.kind == "f" and call.zero_sign:
                numbers = ~np.isnan(w)
                np.testing.assert_array_equal(np.signbit(g[numbers]), np.signbit(w[numbers]), err_msg=call.id)
        else:
            np.testing.assert_allclose(g, w, rtol=call.rtol, atol=call.atol, err_msg=call.id)


def check_against_reference(call: Call, backend: Backend) -> None:
    assert_same(call, run(call, backend), run(call, ReferenceBackend()))


CALLS = all_calls(small=False)


@pytest.fixture(scope="module")
def cpu_backend() -> Backend:
    from learntorch.backends.cpu import CPUBackend
    return CPUBackend()


def test_cases_cover_every_kernel() -> None:
    methods = {name for name in vars(Backend) if not name.startswith("_") and callable(getattr(Backend, name))}
    assert methods <= {c.method for c in CALLS}, methods - {c.method for c in CALLS}


@pytest.mark.parametrize("call", CALLS, ids=[c.id for c in CALLS])
def test_cpu_backend_matches_reference(call: Call, cpu_backend: Backend) -> None:
    check_against_reference(call, cpu_backend)


# ---------------------------------------------------------------------------------- the scalar math

def scalar_inputs(dtype: np.dtype) -> np.ndarray:
    if dtype == np.bool_:
        return np.array([False, True])
    if dtype == np.int64:
        return np.array([INT64.min, -7, -2, -1, 0, 1, 2, 3, 7, INT64.max])
    return np.array([-np.inf, -7.5, -2.0, -1.0, -0.5, -0.0, 0.0, 0.25, 1.0, 3.0, 7.5, 100.0, np.inf, np.nan], dtype)


UNARY_MATH = [(name, d.np) for name in UNARY for d in unary_dtypes(name)
              if not (d is dt.int64 and name in TRANSCENDENTAL | {"sqrt", "log"})]
BINARY_MATH = [(name, d.np) for name in BINARY for d in binary_dtypes(name) if not (d is dt.int64 and name == "pow")]


@pytest.mark.parametrize("name, dtype", UNARY_MATH, ids=[f"{n}-{d}" for n, d in UNARY_MATH])
def test_reference_unary_math_is_the_scalar_function(name: str, dtype: np.dtype) -> None:
    """Each NumPy function of reference/elementwise.py computes its scalar function, element by
    element (a name without a NumPy function runs the scalar function itself)."""
    x = scalar_inputs(dtype)
    with np.errstate(all="ignore"):
        compare_math(name, UNARY[name](x), elementwise(scalar_ops.UNARY_OPS[name], x))


@pytest.mark.parametrize("name, dtype", BINARY_MATH, ids=[f"{n}-{d}" for n, d in BINARY_MATH])
def test_reference_binary_math_is_the_scalar_function(name: str, dtype: np.dtype) -> None:
    values = scalar_inputs(dtype)
    x, y = (a.reshape(-1) for a in np.meshgrid(values, values))
    if name.endswith("_int"):
        x, y = x[y != 0], y[y != 0]  # the ops raise on an integer division by zero
    with np.errstate(all="ignore"):
        compare_math(name, BINARY[name](x, y), elementwise(scalar_ops.BINARY_OPS[name], x, y))


def compare_math(name: str, got: np.ndarray, want: np.ndarray) -> None:
    """Exact, the sign of zero included, except libm's functions (within 1 ulp or so)."""
    got, want = np.asarray(got), np.asarray(want).astype(np.asarray(got).dtype)
    if name in TRANSCENDENTAL:
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=name)
        return
    np.testing.assert_array_equal(got, want, err_msg=name)
    if got.dtype.kind == "f":
        numbers = ~np.isnan(want)
        np.testing.assert_array_equal(np.signbit(got[numbers]), np.signbit(want[numbers]), err_msg=name)
