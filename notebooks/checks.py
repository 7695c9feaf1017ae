"""Self-checks for the course's exercises: ``from checks import check``.

Every check prints one friendly line and returns True or False; none of them raises, so a
notebook with unfinished exercises still runs top to bottom. The reference answers are in
``solutions/`` (one small module per notebook), and ``tests/notebooks/test_solutions.py`` runs
every check against them.
"""
from __future__ import annotations

import math
import traceback
from typing import Any, Callable

import numpy as np

import learntorch as torch

OK = "✅ "
NO = "❌ Not quite: "
TODO = "✏️  Not answered yet: "


class Verdict:
    """A check's result: true or false, and silent as a cell's last value (the message is printed)."""

    def __init__(self, ok: bool) -> None:
        self.ok = bool(ok)

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict({self.ok})"

    def _ipython_display_(self) -> None:
        pass


def _report(ok: bool, good: str, bad: str) -> Verdict:
    print(OK + good if ok else NO + bad)
    return Verdict(ok)


def _unanswered(answer: Any, what: str) -> bool:
    if answer is None or answer is Ellipsis:
        print(TODO + what)
        return True
    return False


def _call(fn: Callable, *args: Any, name: str | None = None) -> tuple[bool, Any]:
    """Run the learner's code; print its error kindly instead of raising."""
    try:
        return True, fn(*args)
    except NotImplementedError:
        print(TODO + f"`{name or getattr(fn, '__name__', 'your function')}` still raises NotImplementedError.")
    except Exception as e:  # noqa: BLE001 - any error is the learner's to see, not a crash
        last = traceback.extract_tb(e.__traceback__)[-1]
        print(NO + f"your code raised {type(e).__name__}: {e} (line {last.lineno}: `{last.line}`)")
    return False, None


def _close(a: Any, b: Any, tol: float = 1e-4) -> bool:
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a, dtype=float)
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


# ---------------------------------------------------------------- 00_welcome
def welcome_grad(answer: Any) -> Verdict:
    """a, b, c = 2, -3, 10; y = a * b + c. What is dy/da?"""
    if _unanswered(answer, "set `answer` to the number you predict for a.grad."):
        return Verdict(False)
    return _report(math.isclose(float(answer), -3.0), "dy/da = b = -3: a multiplication sends each input "
                   "the *other* input times the incoming gradient.",
                   f"you said {answer}. Hint: y = a·b + c, so changing a by a tiny ε changes y by b·ε.")


# ---------------------------------------------------------------- 01_tensors
def strides(answer: Any, shape: tuple = (2, 3, 4)) -> Verdict:
    """The strides of a contiguous tensor of ``shape``, then of its ``.transpose(0, 2)``."""
    if _unanswered(answer, "fill in `my_strides` with two tuples: (contiguous strides, strides after transpose(0, 2))."):
        return Verdict(False)
    t = torch.zeros(*shape)
    want = (tuple(t.stride()), tuple(t.transpose(0, 2).stride()))
    try:
        got = (tuple(answer[0]), tuple(answer[1]))
    except (TypeError, IndexError):
        return _report(False, "", "give two tuples, e.g. ((12, 4, 1), (1, 4, 12)).")
    if got[0] != want[0]:
        return _report(False, "", f"the contiguous strides are wrong ({got[0]}). Hint: the last dim has stride 1, "
                       "and each dim's stride is the product of the sizes to its right.")
    return _report(got[1] == want[1], f"contiguous {want[0]}, transposed {want[1]}: a transpose only swaps "
                   "strides, the storage stays where it is.",
                   f"the contiguous strides are right, but after transpose(0, 2) you said {got[1]}. "
                   "Hint: transpose swaps the two dims' sizes *and* strides.")


def storage_index(fn: Callable) -> Verdict:
    """``fn(t, index)`` -> the position in storage of ``t[index]`` (offset + Σ index·stride)."""
    base = torch.arange(60.0).reshape(3, 4, 5)
    cases = [(base, (1, 2, 3)), (base.transpose(0, 2), (4, 1, 0)), (base[1:, ::2], (1, 1, 4)),
             (base[:, 1], (2, 3)), (base.permute(2, 0, 1)[1:], (0, 2, 3))]
    for t, index in cases:
        ran, got = _call(fn, t, index)
        if not ran:
            return Verdict(False)
        want = int(t[index].item())          # base holds 0..59, so a value *is* its storage position
        if got != want:
            return _report(False, "", f"for a tensor of shape {tuple(t.shape)}, strides {t.stride()}, offset "
                           f"{t.storage_offset()} and index {index} you returned {got}, expected {want}. "
                           "Hint: offset + Σ index[d]·stride[d].")
    return _report(True, "you computed the storage position exactly as every learntorch kernel does.", "")


def numba_kernel(fn: Callable) -> Verdict:
    """``fn(x, out)``: out[i] = 2·x[i] + 1 for contiguous float32 arrays, written as a Numba kernel."""
    if not hasattr(fn, "py_func"):
        print(NO + "decorate your function with @njit (from numba import njit), so Numba compiles it.")
        return Verdict(False)
    x = np.linspace(-3, 3, 1001).astype(np.float32)
    out = np.zeros_like(x)
    ran, _ = _call(fn, x, out)
    if not ran:
        return Verdict(False)
    return _report(np.allclose(out, 2 * x + 1), "your compiled kernel matches 2·x + 1.",
                   f"out[:3] = {out[:3]}, expected {2 * x[:3] + 1}. Write into `out`, don't return a new array.")


def promotion(answer: Any) -> Verdict:
    """Result dtypes of int64 + float32, float32 + float64, int64 tensor + 2.5, bool + int64."""
    if _unanswered(answer, "fill in `my_dtypes` with four learntorch dtypes."):
        return Verdict(False)
    i, f, d, b = (torch.tensor([1]), torch.tensor([1.0]), torch.tensor([1.0], dtype=torch.float64),
                  torch.tensor([True]))
    want = [(i + f).dtype, (f + d).dtype, (i + 2.5).dtype, (b + i).dtype]
    answer = list(answer)
    wrong = [k for k, (a, w) in enumerate(zip(answer, want)) if a != w]
    if len(answer) != 4 or wrong:
        k = wrong[0] if wrong else 0
        return _report(False, "", f"entry {k} should be {want[k]}. Hint: the result is the 'larger' category "
                       "(bool < int < float); a Python number only changes the category, never the width.")
    return _report(True, "you know learntorch's (and PyTorch's) promotion rules.", "")


# ---------------------------------------------------------------- 02_autograd
def manual_derivative(answer: Any) -> Verdict:
    """f(x) = x³ + 2x at x = 3: f'(3) = 3·9 + 2 = 29."""
    if _unanswered(answer, "set `fprime_at_3` to your number."):
        return Verdict(False)
    return _report(math.isclose(float(answer), 29.0, rel_tol=1e-6), "f'(x) = 3x² + 2 = 29 at x = 3.",
                   f"you said {answer}. Hint: differentiate term by term: d(x³)/dx = 3x².")


def topo_backward(fn: Callable, Value: type) -> Verdict:
    """``fn(root)`` runs backward on micrograd-style ``Value``s (the notebook's class) in topological order."""
    a = Value(3.0)
    b = a * a            # a used twice in one op
    c = b + a            # and again here
    d = c * c            # c reused
    ran, _ = _call(fn, d)
    if not ran:
        return Verdict(False)
    want = 2 * (3.0 ** 2 + 3.0) * (2 * 3.0 + 1)      # d = (a² + a)², dd/da = 2(a² + a)(2a + 1)
    return _report(math.isclose(a.grad, want), f"a.grad = {a.grad:g}: each node ran once, after all its users.",
                   f"a.grad = {a.grad:g}, expected {want:g}. Hint: order the nodes so a node runs only after "
                   "every node that uses it; and accumulate (+=) into grads.")


def cube_function(cls: Any) -> Verdict:
    """A ``Function`` with forward x³ and backward 3x²·g, gradchecked in float64."""
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    ran, y = _call(lambda t: cls.apply(t), x, name=getattr(cls, '__name__', 'your Function'))
    if not ran:
        return Verdict(False)
    if not _close(y, x.detach() ** 3):
        return _report(False, "", "forward should return x ** 3.")
    try:
        ok = torch.autograd.gradcheck(lambda t: cls.apply(t), (x,))
    except Exception as e:  # noqa: BLE001
        return _report(False, "", f"gradcheck failed: {str(e).splitlines()[0][:300]}. Hint: backward returns "
                       "grad_output * 3 * x², using the x you saved in forward.")
    return _report(bool(ok), "your Function passes gradcheck: autograd agrees with finite differences.",
                   "gradcheck returned False.")


def hvp(fn: Callable) -> Verdict:
    """``fn(f, x, v)`` -> the Hessian-vector product H(x) @ v by double backward."""
    x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    v = torch.tensor([0.3, 1.0, -1.0], dtype=torch.float64)

    def f(t):
        return (t ** 3).sum() + (t[0] * t[1]) + (t[1] * t[2]) * 2.0

    ran, got = _call(fn, f, x, v)
    if not ran:
        return Verdict(False)
    xs = x.numpy()
    hess = np.diag(6 * xs)
    hess[0, 1] = hess[1, 0] = 1.0
    hess[1, 2] = hess[2, 1] = 2.0
    want = hess @ v.numpy()
    if got is None:
        return _report(False, "", "return the Hessian-vector product (a tensor).")
    return _report(_close(got, want, 1e-6), f"H·v = {np.round(want, 4)}, from two backward passes and no Hessian.",
                   f"got {got}, expected {want}. Hint: g = grad(f(x), x, create_graph=True); then "
                   "grad((g * v).sum(), x).")


# ---------------------------------------------------------------- 03_optimizers
def adam_step(fn: Callable) -> Verdict:
    """``fn(p, g, m, v, t, lr, b1, b2, eps)`` -> (p, m, v) after one Adam step, with NumPy arrays."""
    rng = np.random.default_rng(0)
    p, m, v = rng.standard_normal(4), np.zeros(4), np.zeros(4)
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    want_p, want_m, want_v = p.copy(), m.copy(), v.copy()
    for t in range(1, 4):
        g = rng.standard_normal(4)
        ran, out = _call(fn, p.copy(), g, m.copy(), v.copy(), t, lr, b1, b2, eps)
        if not ran:
            return Verdict(False)
        want_m = b1 * want_m + (1 - b1) * g
        want_v = b2 * want_v + (1 - b2) * g * g
        want_p = want_p - lr * (want_m / (1 - b1 ** t)) / (np.sqrt(want_v / (1 - b2 ** t)) + eps)
        try:
            p, m, v = (np.asarray(a, dtype=float) for a in out)
        except (TypeError, ValueError):
            return _report(False, "", "return the tuple (p, m, v).")
        if not np.allclose(m, want_m):
            return _report(False, "", f"m is wrong at step {t}. Hint: m = β1·m + (1 - β1)·g.")
        if not np.allclose(v, want_v):
            return _report(False, "", f"v is wrong at step {t}. Hint: v = β2·v + (1 - β2)·g².")
        if not np.allclose(p, want_p):
            return _report(False, "", f"p is wrong at step {t} (m and v are right). Hint: divide m and v by "
                           "(1 - β1**t) and (1 - β2**t) before the update; ε goes outside the square root.")
    return _report(True, "three Adam steps match the formula exactly.", "")


def warmup_lr(fn: Callable) -> Verdict:
    """``fn(step, base_lr, warmup, total)``: linear warm-up to base_lr, then cosine decay to 0."""
    want = {0: 0.0, 5: 0.05, 10: 0.1, 55: 0.05, 100: 0.0}
    for step, lr in want.items():
        ran, got = _call(fn, step, 0.1, 10, 100)
        if not ran:
            return Verdict(False)
        if got is None or not math.isclose(float(got), lr, abs_tol=1e-9):
            return _report(False, "", f"at step {step} you gave {got}, expected {lr:g} (base_lr 0.1, warmup 10, "
                           "total 100). Hint: warm-up is base·step/warmup; after it, "
                           "base·(1 + cos(π·(step - warmup)/(total - warmup)))/2.")
    return _report(True, "warm-up then cosine: the schedule most transformers train with.", "")


# ---------------------------------------------------------------- 04_cnn_mnist
def conv_output_size(fn: Callable) -> Verdict:
    """``fn(size, kernel, stride, padding)`` -> the output size of a convolution along one dim."""
    cases = [(28, 3, 1, 1, 28), (28, 5, 1, 0, 24), (28, 3, 2, 1, 14), (7, 3, 2, 0, 3), (32, 4, 4, 0, 8)]
    for n, k, s, p, want in cases:
        ran, got = _call(fn, n, k, s, p)
        if not ran:
            return Verdict(False)
        if got != want:
            return _report(False, "", f"size {n}, kernel {k}, stride {s}, padding {p}: you gave {got}, expected "
                           f"{want}. Hint: floor((size + 2·padding - kernel) / stride) + 1.")
    return _report(True, "that is the formula Conv2d uses for its output shape.", "")


def confusion_matrix(fn: Callable) -> Verdict:
    """``fn(predictions, targets, num_classes)`` -> a (num_classes, num_classes) count matrix,
    rows the true class, columns the predicted one."""
    pred = np.array([0, 1, 1, 2, 2, 2, 0])
    true = np.array([0, 1, 2, 2, 2, 1, 1])
    want = np.zeros((3, 3), int)
    for t, p in zip(true, pred):
        want[t, p] += 1
    ran, got = _call(fn, pred, true, 3)
    if not ran:
        return Verdict(False)
    got = np.asarray(got)
    if got.shape == want.shape and np.array_equal(got, want.T):
        return _report(False, "", "rows and columns are swapped: row = true class, column = prediction.")
    return _report(got.shape == want.shape and np.array_equal(got, want), "rows are true classes, columns "
                   "predictions; the diagonal counts the correct ones.", f"got\n{got}\nexpected\n{want}")


# ---------------------------------------------------------------- 05_gpu
def thread_index(fn: Callable) -> Verdict:
    """``fn(block, thread, block_dim)`` -> the global index of a thread in a 1-D grid."""
    for b, t, d in [(0, 0, 32), (0, 5, 32), (3, 7, 32), (2, 255, 256), (10, 0, 128)]:
        ran, got = _call(fn, b, t, d)
        if not ran:
            return Verdict(False)
        if got != b * d + t:
            return _report(False, "", f"block {b}, thread {t}, {d} threads per block: you gave {got}, expected "
                           f"{b * d + t}. Hint: blocks before this one hold block·blockDim threads.")
    return _report(True, "that is what cuda.grid(1) computes: blockIdx.x * blockDim.x + threadIdx.x.", "")


def blocks_needed(fn: Callable) -> Verdict:
    """``fn(n, threads)`` -> how many blocks of ``threads`` cover n elements (one thread each)."""
    for n, th, want in [(1, 32, 1), (32, 32, 1), (33, 32, 2), (1000, 256, 4), (1024, 256, 4)]:
        ran, got = _call(fn, n, th)
        if not ran:
            return Verdict(False)
        if got != want:
            return _report(False, "", f"n = {n}, {th} threads per block: you gave {got}, expected {want}. "
                           "Hint: round up, (n + threads - 1) // threads.")
    return _report(True, "a ceiling division: the last block may have idle threads, so kernels check `i < n`.", "")


# ---------------------------------------------------------------- 06_performance
def gflops(fn: Callable) -> Verdict:
    """``fn(m, n, k, seconds)`` -> GFLOP/s of an (m, k) @ (k, n) matmul that took ``seconds``."""
    for m, n, k, s in [(256, 256, 256, 0.01), (64, 128, 32, 1e-4), (1000, 10, 1, 2.0)]:
        ran, got = _call(fn, m, n, k, s)
        if not ran:
            return Verdict(False)
        want = 2 * m * n * k / s / 1e9
        if got is None or not math.isclose(float(got), want, rel_tol=1e-6):
            return _report(False, "", f"for {m}x{k} @ {k}x{n} in {s} s you gave {got}, expected {want:g}. "
                           "Hint: each of the m·n outputs needs k multiplies and k adds.")
    return _report(True, "2·m·n·k floating-point operations, divided by the time, in billions.", "")
