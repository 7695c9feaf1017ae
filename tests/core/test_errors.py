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
    raises(ValueError, lambda: lt.cat([]), "cat()", "non-empty")  # ValueError, as torch.cat


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
    raises(TypeError, lambda: lt.from_numpy(np.array([1, 2], np.uint32)), "uint32", "tensor(")
    raises(TypeError, lambda: lt.from_numpy([1, 2]), "np.ndarray", "list")


# ---------------------------------------------------------------- tensor() input
@pytest.mark.parametrize("data, name", [
    ("abc", "str"), ({"a": 1}, "dict"), (object(), "object"), ([1, "a"], "str"), ([[1.0], [None]], "NoneType"),
    (None, "NoneType"), ({1, 2}, "set"), (1 + 2j, "complex"),
])
def test_tensor_of_unsupported_object(data, name):
    raises(TypeError, lambda: lt.tensor(data), name, "expected")


@pytest.mark.parametrize("data, fragment", [
    ([[1, 2], [3]], "expected sequence of length 2 at dim 1 (got 1)"),
    ([[[1], [2]], [[3]]], "expected sequence of length 2 at dim 1 (got 1)"),
    ([[1], [2, 3]], "expected sequence of length 1 at dim 1 (got 2)"),
    ([[[1, 2], [3, 4]], [[5, 6], [7]]], "expected sequence of length 2 at dim 2 (got 1)"),
    ([np.ones(2), [1, 2, 3]], "expected sequence of length 2 at dim 1 (got 3)"),
])
def test_tensor_of_ragged_list(data, fragment):
    raises(ValueError, lambda: lt.tensor(data), "tensor()", fragment, "rectangular")


@pytest.mark.parametrize("data, fragment", [
    ([[1, 2], [3, [4]]], "expected a number at dim 2 but got a list of length 1"),
    ([1, [2, 3]], "expected a number at dim 1 but got a list of length 2"),
    ([[1.0, 2.0], 3.0], "expected a sequence of length 2 at dim 1 but got the number 3.0"),
    ([1, np.ones(2)], "expected a number at dim 1 but got a ndarray of shape [2]"),
])
def test_tensor_mixing_numbers_and_lists(data, fragment):
    """As PyTorch: a number where a list belongs (or the reverse) is a TypeError."""
    raises(TypeError, lambda: lt.tensor(data), "tensor()", fragment, "rectangular")


# ---------------------------------------------------------------- creation
def test_bad_sizes():
    raises(RuntimeError, lambda: lt.zeros(-1), "negative dimension")
    raises(TypeError, lambda: lt.ones(2.0), "size", "float")
    raises(RuntimeError, lambda: lt.arange(0, 3, 0), "step")
    raises(RuntimeError, lambda: lt.randint(3, 1, (2,)), "from", "to")
    raises(RuntimeError, lambda: lt.linspace(0, 1, -1), "linspace", "steps")


def test_creation_bad_sizes_and_counts():
    raises(RuntimeError, lambda: lt.eye(-1), "eye()", "n must be greater or equal to 0, got -1")
    raises(RuntimeError, lambda: lt.eye(2, -3), "eye()", "m must be greater or equal to 0, got -3")
    raises(TypeError, lambda: lt.eye(2.5), "eye()", "'n' must be int, not float", "2.5")
    raises(TypeError, lambda: lt.eye(True), "eye()", "'n' must be int, not bool")
    raises(TypeError, lambda: lt.eye(None), "eye()", "not NoneType")
    raises(TypeError, lambda: lt.linspace(0, 1, 2.5), "linspace()", "'steps' must be int, not float")
    raises(TypeError, lambda: lt.linspace(0, 1, True), "linspace()", "'steps' must be int, not bool")
    raises(TypeError, lambda: lt.linspace("a", 1, 3), "linspace()", "'start' must be a number", "str")
    raises(TypeError, lambda: lt.zeros("a"), "zeros()", "tuple of ints", "str", "pos 0")
    raises(TypeError, lambda: lt.empty((2, None)), "empty()", "tuple of ints", "NoneType", "pos 1")
    raises(TypeError, lambda: lt.rand(2.5), "rand()", "tuple of ints", "float")
    raises(RuntimeError, lambda: lt.randn(2, -1), "randn()", "negative dimension -1", "[2, -1]")
    raises(TypeError, lambda: lt.full(None, 1.0), "full()", "'size'", "NoneType")
    raises(RuntimeError, lambda: lt.randperm(-1), "randperm()", "negative dimension -1")
    raises(TypeError, lambda: lt.randperm(2.5), "randperm()", "'n' must be int, not float")


def test_creation_bad_values():
    raises(TypeError, lambda: lt.full((2,), "a"), "full()", "'fill_value' must be a number", "str")
    raises(TypeError, lambda: lt.full((2,), None), "full()", "'fill_value'", "NoneType")
    raises(TypeError, lambda: lt.full_like(lt.ones(2), [1, 2]), "full_like()", "'fill_value'", "list")
    raises(TypeError, lambda: lt.arange("a"), "arange()", "'end' must be a number", "str")
    raises(TypeError, lambda: lt.arange(0, 1, None), "arange()", "'step'", "NoneType")
    raises(RuntimeError, lambda: lt.arange(float("inf")), "arange()", "unsupported range", "inf")
    raises(TypeError, lambda: lt.randint(0.5, 3, (2,)), "randint()", "'low' must be int, not float")
    raises(TypeError, lambda: lt.randint(0, 3.5, (2,)), "randint()", "'high' must be int, not float")
    raises(RuntimeError, lambda: lt.randint(3, 3, (2,)), "randint()", "from=3 >= to=3", "high must exceed low")


def test_arange_step_sign_and_zero():
    raises(RuntimeError, lambda: lt.arange(5, 0, 1), "arange()", "inconsistent with step sign", "start=5",
           "end=0", "step=1", "negative step")
    raises(RuntimeError, lambda: lt.arange(0, 5, -1), "arange()", "inconsistent with step sign", "positive step")
    raises(RuntimeError, lambda: lt.arange(0.0, 1.0, 0.0), "arange()", "step must be nonzero")
    raises(ValueError, lambda: lt.arange(0, 1, 0.1, dtype=lt.int64), "arange()", "step=0.1 truncates to 0",
           "int64", "floating dtype")


def test_random_generator_of_wrong_type():
    raises(TypeError, lambda: lt.rand(2, generator=3), "rand()", "'generator' must be learntorch.Generator",
           "int", "manual_seed")
    raises(TypeError, lambda: lt.randn(2, generator="a"), "randn()", "'generator'", "str")
    raises(TypeError, lambda: lt.randint(3, (2,), generator=1), "randint()", "'generator'")


def test_rand_of_integer_dtype():
    raises(NotImplementedError, lambda: lt.rand(2, dtype=lt.int64), "rand()", "int64", "floating dtype", "randint")
    raises(NotImplementedError, lambda: lt.randn_like(lt.ones(2, dtype=lt.int64)), "randn()", "int64")


def test_like_of_non_tensor():
    raises(TypeError, lambda: lt.zeros_like(3), "zeros_like()", "must be Tensor, not int", "learntorch.tensor")
    raises(TypeError, lambda: lt.ones_like([1, 2]), "ones_like()", "not list")
    raises(TypeError, lambda: lt.full_like(None, 1.0), "full_like()", "not NoneType")
    raises(TypeError, lambda: lt.rand_like(2.0), "rand_like()", "not float")


# ---------------------------------------------------------------- dtype= arguments
@pytest.mark.parametrize("make, name", [
    (lambda d: lt.tensor([1.0], dtype=d), "tensor"), (lambda d: lt.as_tensor([1.0], dtype=d), "as_tensor"),
    (lambda d: lt.zeros(2, dtype=d), "zeros"), (lambda d: lt.ones(2, dtype=d), "ones"),
    (lambda d: lt.empty(2, dtype=d), "empty"), (lambda d: lt.full((2,), 1, dtype=d), "full"),
    (lambda d: lt.arange(3, dtype=d), "arange"), (lambda d: lt.linspace(0, 1, 3, dtype=d), "linspace"),
    (lambda d: lt.eye(2, dtype=d), "eye"), (lambda d: lt.zeros_like(lt.ones(2), dtype=d), "zeros_like"),
    (lambda d: lt.full_like(lt.ones(2), 1, dtype=d), "full_like"), (lambda d: lt.rand(2, dtype=d), "rand"),
    (lambda d: lt.randn(2, dtype=d), "randn"), (lambda d: lt.randint(0, 3, (2,), dtype=d), "randint"),
    (lambda d: lt.randperm(3, dtype=d), "randperm"), (lambda d: lt.rand_like(lt.ones(2), dtype=d), "rand_like"),
])
def test_dtype_argument_of_wrong_type(make, name):
    raises(TypeError, lambda: make("float32"), f"{name}(): argument 'dtype' must be learntorch.dtype, not str",
           "use learntorch.float32")
    raises(TypeError, lambda: make(np.float64), f"{name}()", "not type", "use learntorch.float64")
    raises(TypeError, lambda: make(np.dtype("int64")), f"{name}()", "use learntorch.int64")
    raises(TypeError, lambda: make(3), f"{name}()", "not int", "learntorch.float32, learntorch.float64")


# ---------------------------------------------------------------- cat / stack
def test_cat_and_stack_of_non_tensors():
    raises(TypeError, lambda: lt.cat([lt.ones(2), 1]), "cat()", "expected Tensor as element 1", "int",
           "learntorch.tensor")
    raises(TypeError, lambda: lt.stack([lt.ones(2), [1.0, 2.0]]), "stack()", "element 1", "list")
    raises(TypeError, lambda: lt.cat(lt.ones(2)), "cat()", "list or tuple of Tensors, not Tensor")


def test_cat_rank_mismatch_and_zero_d():
    raises(RuntimeError, lambda: lt.cat([lt.ones(2, 3), lt.ones(3)]), "cat()", "same number of dimensions",
           "got 2 and 1", "[2, 3]", "[3]")
    raises(RuntimeError, lambda: lt.cat([lt.ones(()), lt.ones(())]), "cat()", "zero-dimensional tensor (at position 0)",
           "stack")


def test_broadcast_error_names_the_conflicting_pair():
    c2 = lt.ones(2) > 0
    message = raises(RuntimeError, lambda: lt.where(c2, lt.ones(1), lt.ones(3)), "where",
                     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
                     "operand 0", "operand 2", "[2]", "[1]", "[3]")
    assert "tensor b (1)" not in message
    raises(RuntimeError, lambda: lt.ones(2, 3) + lt.ones(3, 2),
           "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1")
    raises(RuntimeError, lambda: lt.ones(2, 3) * lt.ones(4, 3, 2), "mul", "tensor a (3)", "tensor b (2)",
           "dimension 2", "[2, 3]", "[4, 3, 2]")


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
        lambda m: m.tensor([[1, 2], [3, [4]]]),
        lambda m: m.tensor([[1.0, 2.0], 3.0]),
        lambda m: m.tensor([[[1, 2], [3, 4]], [[5, 6], [7]]]),
        lambda m: m.eye(-1), lambda m: m.eye(2.5), lambda m: m.eye(2, -1),
        lambda m: m.linspace(0, 1, 2.5), lambda m: m.linspace(0, 1, -1), lambda m: m.linspace("a", 1, 3),
        lambda m: m.zeros("a"), lambda m: m.zeros(None), lambda m: m.zeros(True), lambda m: m.ones(2, None),
        lambda m: m.empty(2.5), lambda m: m.full((2,), "a"), lambda m: m.full((2.5,), 1.0),
        lambda m: m.arange(5, 0, 1), lambda m: m.arange(0, 5, -1), lambda m: m.arange(0, 3, 0),
        lambda m: m.arange(None), lambda m: m.arange(float("nan")), lambda m: m.arange(0, 1, 0.5, dtype=m.int64),
        lambda m: m.rand(-1), lambda m: m.rand(2, generator=3), lambda m: m.randn(2, dtype=m.int64),
        lambda m: m.randint(3, 1, (2,)), lambda m: m.randint(0.5, 3, (2,)), lambda m: m.randperm(-1),
        lambda m: m.randperm(2.5), lambda m: m.zeros_like(3), lambda m: m.full_like(m.ones(2), "a"),
        lambda m: m.rand_like(m.ones(2, dtype=m.int64)), lambda m: m.from_numpy([1]),
        lambda m: m.ones(3, dtype="float32"), lambda m: m.ones(3, dtype=np.float32), lambda m: m.tensor(1, dtype=3),
        lambda m: m.where(m.ones(2) > 0, m.ones(1), m.ones(3)),
        lambda m: m.cat([]), lambda m: m.stack([]), lambda m: m.cat([m.ones(2, 3), m.ones(3)]),
        lambda m: m.cat([m.ones(2), 1]), lambda m: m.stack([m.ones(2), 1]), lambda m: m.cat(m.ones(2)),
        lambda m: m.cat([m.ones(()), m.ones(())]), lambda m: m.stack([m.ones(2), m.ones(3)]),
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
