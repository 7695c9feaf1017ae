"""Bad input: each error has PyTorch's exception type, a message that names the op and the
shapes or dtypes involved and hints at the fix, and is raised before any kernel runs (no
Numba error ever reaches the user)."""
import numpy as np
import pytest
from numba.core.errors import NumbaError

import learntorch as lt


def raises(exc_type, fn, *fragments):
    """Call ``fn``; it must raise ``exc_type`` (not a Numba error) whose message holds every fragment."""
    with pytest.raises(exc_type) as info:
        fn()
    assert not isinstance(info.value, NumbaError), f"a Numba error leaked: {info.value!r}"
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


# ---------------------------------------------------------------- shapes
def test_broadcast_mismatch():
    raises(RuntimeError, lambda: lt.ones(2, 3) + lt.ones(3, 2), "add", "[2, 3]", "[3, 2]", "must match")


def test_broadcast_mismatch_mul_sub_and_comparisons():
    raises(RuntimeError, lambda: lt.ones(4) * lt.ones(5), "mul", "[4]", "[5]")
    raises(RuntimeError, lambda: lt.ones(2, 4) - lt.ones(3, 1), "sub", "[2, 4]", "[3, 1]")
    raises(RuntimeError, lambda: lt.ones(3) < lt.ones(2), "[3]", "[2]")
    raises(RuntimeError, lambda: lt.where(lt.ones(3) > 0, lt.ones(3), lt.ones(4)), "where")


def test_matmul_mismatch_2d():
    raises(RuntimeError, lambda: lt.ones(2, 3) @ lt.ones(2, 3), "2x3 and 2x3", "[2, 3]", "Transpose")


def test_matmul_mismatch_vector():
    raises(RuntimeError, lambda: lt.ones(3) @ lt.ones(4), "[3]", "[4]")
    raises(RuntimeError, lambda: lt.ones(2, 3) @ lt.ones(4), "[2, 3]", "[4]")


def test_matmul_mismatch_batched():
    raises(RuntimeError, lambda: lt.ones(4, 2, 3) @ lt.ones(4, 2, 3), "[4, 2, 3]", "matmul")
    raises(RuntimeError, lambda: lt.ones(4, 2, 3) @ lt.ones(5, 3, 2), "matmul", "[4]", "[5]")


def test_matmul_zero_d():
    raises(RuntimeError, lambda: lt.tensor(1.0) @ lt.ones(2), "at least 1D", "0D")


def test_view_incompatible_layout():
    raises(RuntimeError, lambda: lt.ones(2, 3).t().view(6), "view", "[3, 2]", "[6]", "reshape")


def test_view_and_reshape_wrong_size():
    raises(RuntimeError, lambda: lt.ones(2, 3).view(4, 2), "[4, 2]", "6")
    raises(RuntimeError, lambda: lt.ones(2, 3).reshape(-1, 4), "[-1, 4]", "6")
    raises(RuntimeError, lambda: lt.ones(2, 3).view(-1, -1), "only one dimension can be inferred")


def test_expand_error():
    raises(RuntimeError, lambda: lt.ones(2, 3).expand(2, 4), "expanded size", "[2, 4]", "[2, 3]")


def test_permute_errors():
    raises(RuntimeError, lambda: lt.ones(2, 3).permute(0), "permute", "[2, 3]")
    raises(RuntimeError, lambda: lt.ones(2, 3).permute(0, 0), "duplicate")


def test_dim_out_of_range():
    raises(IndexError, lambda: lt.ones(2, 3).sum(2), "Dimension out of range", "[-2, 1]", "2")
    raises(IndexError, lambda: lt.ones(2, 3).softmax(-3), "Dimension out of range")
    raises(IndexError, lambda: lt.ones(2).transpose(0, 1), "Dimension out of range")


def test_cat_and_stack_mismatch():
    raises(RuntimeError, lambda: lt.cat([lt.ones(2, 3), lt.ones(2, 4)], 0), "[2, 3]", "[2, 4]", "dimension 0")
    raises(RuntimeError, lambda: lt.stack([lt.ones(2), lt.ones(3)]), "[2]", "[3]")
    raises(RuntimeError, lambda: lt.cat([]), "non-empty")


def test_setitem_shape_mismatch():
    def f():
        x = lt.zeros(4, 5)
        x[0] = lt.ones(4)
    raises(RuntimeError, f, "shape mismatch", "[4]", "[5]")


def test_copy_shape_mismatch():
    raises(RuntimeError, lambda: lt.zeros(3).copy_(lt.ones(4)), "copy_", "[4]", "[3]")


def test_inplace_broadcast_to_smaller_output():
    raises(RuntimeError, lambda: lt.zeros(3).add_(lt.ones(2, 3)), "add_", "[3]", "[2, 3]")


# ---------------------------------------------------------------- autograd
def test_backward_non_scalar():
    x = lt.ones(3, requires_grad=True)
    raises(RuntimeError, lambda: (x * 2).backward(), "scalar outputs", "[3]", "gradient")


def test_second_backward_without_retain_graph():
    x = lt.ones(3, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    raises(RuntimeError, y.backward, "second time", "retain_graph=True")


def test_inplace_change_to_saved_tensor():
    x = lt.ones(3, requires_grad=True)
    h = x * 2
    y = (h * h).sum()
    h.mul_(3.0)
    raises(RuntimeError, y.backward, "modified by an inplace operation", "MulBackward0", "[3]",
           "version", "clone()")


def test_requires_grad_on_integer_tensor():
    raises(RuntimeError, lambda: lt.tensor([1, 2], requires_grad=True), "floating point", "int64", ".float()")
    raises(RuntimeError, lambda: lt.tensor([1, 2]).requires_grad_(), "floating point")
    raises(RuntimeError, lambda: lt.zeros(2, dtype=lt.bool, requires_grad=True), "floating point", "bool")


def test_backward_without_grad():
    raises(RuntimeError, lambda: lt.ones(2).sum().backward(), "does not require grad", "grad_fn")


def test_inplace_on_leaf():
    x = lt.ones(2, requires_grad=True)
    raises(RuntimeError, lambda: x.mul_(2), "leaf Variable", "in-place", "no_grad")


def test_numpy_of_tensor_requiring_grad():
    raises(RuntimeError, lambda: lt.ones(2, requires_grad=True).numpy(), "requires grad", "detach()")


def test_item_of_many_elements():
    raises(RuntimeError, lambda: lt.ones(3).item(), "3 elements", "Scalar")


def test_bool_of_many_elements():
    raises(RuntimeError, lambda: bool(lt.ones(3)), "ambiguous")


# ---------------------------------------------------------------- indexing
def test_index_out_of_range():
    raises(IndexError, lambda: lt.ones(3)[5], "index 5 is out of bounds for dimension 0 with size 3")
    raises(IndexError, lambda: lt.ones(3)[[1, 5]], "index 5 is out of bounds for dimension 0 with size 3")
    raises(IndexError, lambda: lt.ones(2, 3)[1, -4], "index -4 is out of bounds for dimension 1 with size 3")


def test_too_many_indices():
    raises(IndexError, lambda: lt.ones(3)[0, 0], "too many indices", "1")


def test_float_index():
    raises(IndexError, lambda: lt.ones(3)[lt.tensor([0.0])], "long", "float32")


def test_bool_mask_wrong_shape():
    raises(IndexError, lambda: lt.ones(3)[lt.tensor([True, False])])


# ---------------------------------------------------------------- dtypes
def test_mean_of_integers():
    raises(RuntimeError, lambda: lt.tensor([1, 2]).mean(), "mean", "int64", ".float()")


def test_integer_to_negative_power():
    raises(RuntimeError, lambda: lt.tensor([2, 3]) ** -1, "Integers to negative integer powers")


def test_subtract_bools():
    raises(RuntimeError, lambda: lt.tensor([True]) - lt.tensor([False]), "bool", "logical_not()")


def test_bool_matmul():
    raises(RuntimeError, lambda: lt.tensor([[True]]) @ lt.tensor([[True]]), "bool")


def test_inplace_float_into_int():
    raises(RuntimeError, lambda: lt.tensor([1, 2]).mul_(0.5), "mul_", "float32", "int64")


def test_softmax_of_integers():
    raises(RuntimeError, lambda: lt.tensor([1, 2]).softmax(0), "softmax", "int64")


def test_where_condition_not_bool():
    raises(RuntimeError, lambda: lt.where(lt.ones(2), lt.ones(2), lt.zeros(2)), "where", "bool")


def test_operand_of_wrong_type():
    raises(TypeError, lambda: lt.ones(2) + "a", "add", "str")
    raises(TypeError, lambda: lt.ones(2) * None, "mul", "NoneType")
    raises(TypeError, lambda: lt.ones(2) @ [1.0, 2.0], "matmul", "list")
    raises(TypeError, lambda: lt.exp([1.0]), "exp", "list")


def test_from_numpy_unsupported_dtype():
    raises(TypeError, lambda: lt.tensor(np.array([1 + 2j])), "complex128")
    raises(TypeError, lambda: lt.from_numpy(np.array([1, 2], np.int32)), "int32", "tensor(")
    raises(TypeError, lambda: lt.from_numpy([1, 2]), "np.ndarray", "list")


# ---------------------------------------------------------------- tensor() input
@pytest.mark.parametrize("data, name", [
    ("abc", "str"), ({"a": 1}, "dict"), (object(), "object"), ([1, "a"], "str"), ([[1.0], [None]], "NoneType"),
    (None, "NoneType"), ({1, 2}, "set"), (1 + 2j, "complex"),
])
def test_tensor_of_unsupported_object(data, name):
    raises(TypeError, lambda: lt.tensor(data), name, "expected")


@pytest.mark.parametrize("data", [
    [[1, 2], [3]], [[1.0, 2.0], 3.0], [[[1], [2]], [[3]]], [1, [2, 3]],
])
def test_tensor_of_ragged_list(data):
    raises(ValueError, lambda: lt.tensor(data), "sequence", "length")


# ---------------------------------------------------------------- creation
def test_bad_sizes():
    raises(RuntimeError, lambda: lt.zeros(-1), "negative dimension")
    raises(TypeError, lambda: lt.ones(2.0), "size", "float")
    raises(RuntimeError, lambda: lt.arange(0, 3, 0), "step")
    raises(RuntimeError, lambda: lt.randint(3, 1, (2,)), "from", "to")
    raises(RuntimeError, lambda: lt.linspace(0, 1, -1), "linspace", "steps")


def test_bad_device_string():
    raises(RuntimeError, lambda: lt.zeros(2, device="tpu"), "cpu, cuda", "tpu")


def test_mixed_devices():
    cuda = pytest.importorskip("numba.cuda")
    if not cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    a, b = lt.ones(2), lt.ones(2, device="cuda")
    raises(RuntimeError, lambda: a + b, "same device", "cpu", "cuda:0")


# ---------------------------------------------------------------- same exception types as PyTorch
@pytest.mark.reference
def test_exception_types_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m: m.ones(2, 3) + m.ones(3, 2),
        lambda m: m.ones(2, 3) @ m.ones(2, 3),
        lambda m: m.ones(4, 2, 3) @ m.ones(4, 2, 3),
        lambda m: m.ones(2, 3).t().view(6),
        lambda m: m.ones(3)[5],
        lambda m: m.ones(3)[[1, 5]],
        lambda m: m.ones(3)[0, 0],
        lambda m: m.ones(3)[::-1],
        lambda m: m.tensor([1, 2], requires_grad=True),
        lambda m: m.tensor("abc"),
        # (PyTorch raises RuntimeError "Could not infer dtype of dict" for a dict or an object();
        # learntorch raises TypeError for every unsupported element type, str included)
        lambda m: m.tensor([[1, 2], [3]]),
        lambda m: (m.ones(3, requires_grad=True) * 2).backward(),
        lambda m: m.ones(2).sum().backward(),
        lambda m: m.ones(2, 3).sum(2),
        lambda m: m.tensor([1, 2]).mean(),
        lambda m: m.tensor([2, 3]) ** -1,
        lambda m: m.tensor([True]) - m.tensor([False]),
        lambda m: m.ones(3).item(),
        lambda m: bool(m.ones(3)),
        lambda m: m.ones(2, 3).expand(2, 4),
        lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)], 0),
        lambda m: m.zeros(-1),
        lambda m: m.ones(2) + "a",
        lambda m: m.ones(2, requires_grad=True).mul_(2),
        lambda m: m.ones(2, requires_grad=True).numpy(),
        lambda m: m.tensor([1, 2]).mul_(0.5),
    ]
    for i, case in enumerate(cases):
        with pytest.raises(Exception) as ours:
            case(lt)
        with pytest.raises(Exception) as theirs:
            case(torch)
        assert isinstance(ours.value, type(theirs.value)) or type(ours.value) is type(theirs.value), (
            i, type(ours.value), type(theirs.value), str(theirs.value))

    def second_backward(m):
        x = m.ones(3, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()

    def saved_modified(m):
        x = m.ones(3, requires_grad=True)
        h = x * 2
        y = (h * h).sum()
        h.mul_(3.0)
        y.backward()

    for case in (second_backward, saved_modified):
        with pytest.raises(RuntimeError):
            case(lt)
        with pytest.raises(RuntimeError):
            case(torch)
