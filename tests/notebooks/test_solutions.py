"""The exercises' self-checks pass on the reference solutions, and answer kindly when wrong.

A check must never raise: a notebook with unfinished exercises still runs top to bottom. So each
check is also run on an unanswered exercise (None, or a function that raises NotImplementedError)
and on a wrong answer, and must print a message and return a false verdict.
"""
from __future__ import annotations

import numpy as np
import pytest

from .conftest import NOTEBOOKS_DIR  # noqa: F401  (puts notebooks/ on sys.path)

import checks  # noqa: E402
from solutions import (s00_welcome, s01_tensors, s02_autograd, s03_optimizers, s04_cnn_mnist,  # noqa: E402
                       s05_gpu, s06_performance)

import learntorch as torch  # noqa: E402


def todo(*args):
    raise NotImplementedError


def value_class():
    """The micrograd-style Value of 02_autograd (copied here: the check builds its graph with it)."""
    class Value:
        def __init__(self, data, _prev=()):
            self.data, self.grad, self._prev = data, 0.0, tuple(_prev)
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other))

            def _backward():
                self.grad += out.grad
                other.grad += out.grad
            out._backward = _backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other))

            def _backward():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad
            out._backward = _backward
            return out
    return Value


def backward_recursive(v):
    v._backward()
    for child in v._prev:
        backward_recursive(child)


def backward_recursive_root(root):
    root.grad = 1.0
    backward_recursive(root)


class WrongCube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x ** 2


# (check, the solution's answer, a wrong answer)
CASES = {
    "welcome_grad": (checks.welcome_grad, s00_welcome.answer, 3.0),
    "strides": (checks.strides, s01_tensors.my_strides, ((12, 4, 1), (12, 4, 1))),
    "storage_index": (checks.storage_index, s01_tensors.storage_position, lambda t, i: sum(i)),
    "numba_kernel": (checks.numba_kernel, s01_tensors.affine, lambda x, out: None),
    "promotion": (checks.promotion, s01_tensors.my_dtypes, [torch.float64] * 4),
    "manual_derivative": (checks.manual_derivative, s02_autograd.fprime_at_3, 27.0),
    "cube_function": (checks.cube_function, s02_autograd.Cube, WrongCube),
    "hvp": (checks.hvp, s02_autograd.hessian_vector_product, lambda f, x, v: v),
    "adam_step": (checks.adam_step, s03_optimizers.my_adam_step, lambda p, g, m, v, *a: (p - 0.1 * g, m, v)),
    "warmup_lr": (checks.warmup_lr, s03_optimizers.warmup_cosine, lambda step, base, w, t: base),
    "conv_output_size": (checks.conv_output_size, s04_cnn_mnist.out_size, lambda n, k, s, p: n - k + 1),
    "confusion_matrix": (checks.confusion_matrix, s04_cnn_mnist.my_confusion,
                         lambda p, t, c: np.zeros((c, c), int)),
    "thread_index": (checks.thread_index, s05_gpu.global_index, lambda b, t, d: b + t),
    "blocks_needed": (checks.blocks_needed, s05_gpu.num_blocks, lambda n, t: n // t),
    "gflops": (checks.gflops, s06_performance.my_gflops, lambda m, n, k, s: m * n * k / s / 1e9),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_solution_passes(name, capsys):
    check, solution, _ = CASES[name]
    assert check(solution), capsys.readouterr().out
    assert capsys.readouterr().out.startswith(checks.OK)


@pytest.mark.parametrize("name", sorted(CASES))
def test_wrong_answer_gets_a_friendly_message(name, capsys):
    check, _, wrong = CASES[name]
    assert not check(wrong)
    out = capsys.readouterr().out
    assert out.startswith(checks.NO) and len(out) > 30, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_unanswered_exercise_does_not_raise(name, capsys):
    check, solution, _ = CASES[name]
    assert not check(todo if callable(solution) and not isinstance(solution, type) else None)
    assert capsys.readouterr().out.startswith((checks.TODO, checks.NO))


def test_topological_backward():
    Value = value_class()
    assert checks.topo_backward(s02_autograd.backward_topo, Value)
    assert not checks.topo_backward(backward_recursive_root, Value)      # the double-counting version
    assert not checks.topo_backward(todo, Value)


def test_unfinished_function_class_is_reported():
    class Todo(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError

        @staticmethod
        def backward(ctx, g):
            raise NotImplementedError
    assert not checks.cube_function(Todo)


def test_verdict_is_silent_in_a_notebook():
    verdict = checks.welcome_grad(-3)
    assert bool(verdict) and verdict._ipython_display_() is None
