"""The autograd engine: graph structure, gradient accumulation, topological order, graph
lifetime (retain_graph), grad modes, hooks, higher-order gradients, in-place checks and
custom Functions."""
import numpy as np
import pytest

import learntorch as lt
from learntorch.autograd import Function
from learntorch.autograd.function import AccumulateGrad
from learntorch.autograd.graph import edges, walk


# ---------------------------------------------------------------- fields
def test_leaf_fields():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    c = lt.tensor([1.0])
    assert not c.requires_grad and c.is_leaf


def test_result_fields():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name() == "MulBackward0"
    z = lt.tensor([1.0]) * 2
    assert not z.requires_grad and z.grad_fn is None


def test_requires_grad_flag_and_setter():
    x = lt.ones(2)
    x.requires_grad_()
    assert x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad
    y = lt.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad = False


def test_non_leaf_grad_is_none_after_backward():
    x = lt.ones(2, requires_grad=True)
    y = x * 2
    y.sum().backward()
    assert y.grad is None
    assert x.grad.tolist() == [2.0, 2.0]


def test_grad_fn_next_functions():
    a = lt.tensor([1.0], requires_grad=True)
    b = lt.tensor([2.0], requires_grad=True)
    c = a * b + a
    assert c.grad_fn.name() == "AddBackward0"
    (mul, mul_nr), (acc, acc_nr) = c.grad_fn.next_functions
    assert mul.name() == "MulBackward0" and mul_nr == 0
    assert isinstance(acc, AccumulateGrad) and acc.name() == "AccumulateGrad" and acc.variable is a
    (acc_a, _), (acc_b, _) = mul.next_functions
    assert acc_a.variable is a and acc_b.variable is b
    assert acc_a is acc  # one AccumulateGrad per leaf
    assert acc.next_functions == ()


def test_next_functions_with_constant_input():
    a = lt.tensor([1.0], requires_grad=True)
    c = a * lt.tensor([3.0])
    (acc, _), (none, nr) = c.grad_fn.next_functions
    assert acc.variable is a and none is None and nr == 0


def test_next_functions_have_no_edge_for_non_tensor_arguments():
    x = lt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (mul, nr), = (x * x).sum(0).grad_fn.next_functions  # no edges for dim, keepdim
    assert mul.name() == "MulBackward0" and nr == 0
    (acc, _), = x.mean(1, keepdim=True).grad_fn.next_functions
    assert acc.variable is x


def test_next_functions_of_cat_has_one_edge_per_tensor():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    (acc, _), (none, _), (mul, _) = lt.cat([x, lt.ones(1), x * 2]).grad_fn.next_functions
    assert acc.variable is x and none is None and mul.name() == "MulBackward0"


def test_backward_pairs_edges_with_tensor_arguments():
    # the gradient of the second tensor input (forward argument 2) reaches the second edge
    class ScaleSecond(Function):
        @staticmethod
        def forward(ctx, a, scale, b):
            ctx.scale = scale
            return a + b * scale

        @staticmethod
        def backward(ctx, g):
            return g, None, g * ctx.scale

    a = lt.tensor([1.0, 2.0], requires_grad=True)
    b = lt.tensor([3.0, 4.0], requires_grad=True)
    out = ScaleSecond.apply(a, 5.0, b)
    assert len(out.grad_fn.next_functions) == 2
    out.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [5.0, 5.0]


def test_grad_fn_names():
    x = lt.ones(2, 3, requires_grad=True)
    assert (x + 1).grad_fn.name() == "AddBackward0"
    assert (x - 1).grad_fn.name() == "SubBackward0"
    assert (x / 2).grad_fn.name() == "DivBackward0"
    assert x.sum().grad_fn.name() == "SumBackward0"
    assert x.exp().grad_fn.name() == "ExpBackward0"
    assert x.view(6).grad_fn.name() == "ViewBackward0"
    assert x.permute(1, 0).grad_fn.name() == "PermuteBackward0"
    assert x[0:1].grad_fn.name() == "SliceBackward0"
    assert x[[0, 1]].grad_fn.name() == "IndexBackward0"
    assert (x @ lt.ones(3, 2)).grad_fn is not None


# ---------------------------------------------------------------- accumulation and order
def test_grads_accumulate_across_backward_calls():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad.zero_()
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_grad_is_not_aliased_with_other_grads():
    a = lt.ones(2, requires_grad=True)
    b = lt.ones(2, requires_grad=True)
    (a + b).sum().backward()
    a.grad.add_(10.0)
    assert b.grad.tolist() == [1.0, 1.0]


def test_user_gradient_not_aliased():
    x = lt.ones(3, requires_grad=True)
    g = lt.tensor([1.0, 2.0, 3.0])
    x.clone().backward(g)
    x.clone().backward(g)
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    assert g.tolist() == [1.0, 2.0, 3.0]


def test_reused_node_topological_order():
    a = lt.tensor([3.0], requires_grad=True)
    b = a * a
    c = a + b
    c.backward(lt.tensor([1.0]))
    assert a.grad.tolist() == [7.0]  # 1 + 2a


def test_diamond_graph():
    x = lt.tensor(2.0, requires_grad=True)
    y = x * 3
    z = y * y + y.exp() * 0 + y  # y feeds three paths
    z.backward()
    assert abs(x.grad.item() - (2 * 6 * 3 + 3)) < 1e-5


def test_broadcast_grad_is_summed_to_input_shape():
    x = lt.ones(3, 1, requires_grad=True)
    y = lt.ones(4, requires_grad=True)
    (x * y).sum().backward()
    assert x.grad.shape == (3, 1) and x.grad.tolist() == [[4.0], [4.0], [4.0]]
    assert y.grad.shape == (4,) and y.grad.tolist() == [3.0] * 4


def test_long_chain_no_recursion_error():
    x = lt.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    nodes = sum(1 for _ in walk(y))
    assert nodes == 20001  # 20000 MulBackward0 + one AccumulateGrad


def test_long_chain_graph_is_freed():
    x = lt.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20000):
        y = y + 1.0
    del y  # dropping a deep graph must not overflow the C stack either


# ---------------------------------------------------------------- backward() arguments
def test_backward_non_scalar_requires_gradient():
    x = lt.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    y.backward(lt.tensor([1.0, 0.0, 2.0]))
    assert x.grad.tolist() == [2.0, 0.0, 4.0]


def test_backward_gradient_shape_mismatch():
    x = lt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(lt.ones(2))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        lt.ones(2).sum().backward()


def test_retain_graph_allows_second_backward():
    x = lt.tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [8.0]


def test_second_backward_without_retain_graph_raises():
    x = lt.tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_backward_inputs_restricts_accumulation():
    a = lt.tensor([1.0], requires_grad=True)
    b = lt.tensor([2.0], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    assert a.grad.tolist() == [2.0] and b.grad is None
    (a * b).sum().backward(inputs=[b])
    assert a.grad.tolist() == [2.0] and b.grad.tolist() == [1.0]


def test_autograd_backward_function():
    a = lt.tensor([1.0, 2.0], requires_grad=True)
    lt.autograd.backward([(a * 2).sum(), (a * a).sum()])
    assert a.grad.tolist() == [4.0, 6.0]


# ---------------------------------------------------------------- autograd.grad
def test_autograd_grad_returns_without_accumulating():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    (g,) = lt.autograd.grad((x ** 3).sum(), x)
    assert g.tolist() == [3.0, 12.0]
    assert x.grad is None


def test_autograd_grad_create_graph_second_derivative():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    (g,) = lt.autograd.grad((x ** 3).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    (gg,) = lt.autograd.grad(g.sum(), x)
    assert gg.tolist() == [6.0, 12.0]


def test_backward_create_graph():
    x = lt.tensor(3.0, requires_grad=True)
    y = x * x * x
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.item() == 27.0
    x.grad = None
    g.backward()
    assert x.grad.item() == 18.0


def test_autograd_grad_unused_input():
    x = lt.ones(2, requires_grad=True)
    y = lt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        lt.autograd.grad((x * 2).sum(), [x, y])
    gx, gy = lt.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gy is None


def test_autograd_grad_with_respect_to_intermediate():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    (gh,) = lt.autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [6.0, 12.0]


def test_autograd_grad_input_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        lt.autograd.grad(lt.ones(1, requires_grad=True).sum(), lt.ones(1))


# ---------------------------------------------------------------- grad modes
def test_no_grad_context():
    x = lt.ones(2, requires_grad=True)
    with lt.no_grad():
        assert not lt.is_grad_enabled()
        y = x * 2
    assert lt.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_enable_grad_inside_no_grad():
    x = lt.ones(2, requires_grad=True)
    with lt.no_grad():
        with lt.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled():
    x = lt.ones(2, requires_grad=True)
    with lt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert lt.is_grad_enabled()
    with lt.set_grad_enabled(True):
        assert (x * 2).requires_grad
    lt.set_grad_enabled(False)
    try:
        assert not lt.is_grad_enabled()
    finally:
        lt.set_grad_enabled(True)
    assert lt.is_grad_enabled()


def test_grad_modes_as_decorators():
    x = lt.ones(2, requires_grad=True)

    @lt.no_grad()
    def f():
        return x * 2

    @lt.enable_grad()
    def g():
        return x * 2

    @lt.set_grad_enabled(False)
    def h():
        return x * 2

    assert lt.is_grad_enabled()  # decorating doesn't switch the mode
    assert not f().requires_grad
    with lt.no_grad():
        assert g().requires_grad
    assert not h().requires_grad
    assert lt.is_grad_enabled()
    assert f.__name__ == "f"


def test_grad_modes_as_bare_decorators():
    x = lt.ones(2, requires_grad=True)

    @lt.no_grad
    def f():
        return x * 2

    @lt.enable_grad
    def g():
        return x * 2

    assert lt.is_grad_enabled()
    assert not f().requires_grad
    with lt.no_grad():
        assert g().requires_grad
        assert not lt.is_grad_enabled()
    assert lt.is_grad_enabled()
    assert f.__name__ == "f" and g.__name__ == "g"


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with lt.no_grad():
            raise ValueError
    assert lt.is_grad_enabled()


def test_inference_mode():
    x = lt.ones(2, requires_grad=True)
    with lt.inference_mode():
        assert not (x * 2).requires_grad
    assert lt.is_grad_enabled()


# ---------------------------------------------------------------- detach, retain_grad, hooks
def test_detach_stops_gradient():
    x = lt.tensor([2.0], requires_grad=True)
    y = x * x.detach()
    y.sum().backward()
    assert x.grad.tolist() == [2.0]


def test_data_hides_inplace_changes_from_autograd():
    x = lt.ones(2, requires_grad=True)
    y = x * x
    x.data.add_(1.0)  # .data: not seen by the version check (detach() would be)
    assert x._version == 0
    y.sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]
    d = x.detach()
    d.add_(1.0)
    assert x._version == 1


def test_detach_inplace():
    x = lt.ones(2, requires_grad=True)
    y = x * 2
    y.detach_()
    assert not y.requires_grad and y.grad_fn is None


def test_retain_grad():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_retain_grad_accumulates_and_is_not_aliased():
    a = lt.ones(2, requires_grad=True)
    b = a.clone()
    b.retain_grad()
    y = (b * 3).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert b.grad.tolist() == [6.0, 6.0]
    assert a.grad.tolist() == [6.0, 6.0]


def test_hook_modifies_grad():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    seen = []
    h.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    (h * h).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [20.0, 40.0]


def test_hook_on_leaf():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    handle = x.register_hook(lambda g: g * 2)
    (x * 3).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_hook_returning_none_observes():
    x = lt.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 5).sum().backward()
    assert seen == [[5.0, 5.0]] and x.grad.tolist() == [5.0, 5.0]


def test_leaf_hook_runs_for_autograd_grad():
    x = lt.ones(2, requires_grad=True)
    x.register_hook(lambda g: g * 10)
    (g,) = lt.autograd.grad((x * 2).sum(), x)
    assert g.tolist() == [20.0, 20.0]
    (x * 2).sum().backward(inputs=[x])
    assert x.grad.tolist() == [20.0, 20.0]


def test_backward_inputs_does_not_alias_gradient():
    x = lt.ones(2, requires_grad=True)
    g = lt.tensor([1.0, 2.0])
    x.clone().backward(g, inputs=[x])
    x.clone().backward(g, inputs=[x])
    assert g.tolist() == [1.0, 2.0] and x.grad.tolist() == [2.0, 4.0]


def test_hook_requires_grad():
    with pytest.raises(RuntimeError):
        lt.ones(2).register_hook(lambda g: g)


def test_retain_grad_without_requires_grad_raises():
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        lt.ones(2).retain_grad()


# ---------------------------------------------------------------- graph walker
def test_walk_topological_order():
    a = lt.tensor([1.0], requires_grad=True)
    b = a * a
    c = a + b
    d = c.exp()
    order = list(walk(d))
    names = [n.name() for n in order]
    assert names[0] == "ExpBackward0"
    assert set(names) == {"ExpBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad"}
    assert len(order) == 4  # each node once
    position = {n: i for i, n in enumerate(order)}
    for node, child in edges(d):
        assert position[node] < position[child]


def test_walk_of_leaf():
    a = lt.ones(1, requires_grad=True)
    assert [n.name() for n in walk(a)] == ["AccumulateGrad"]
    assert list(walk(lt.ones(1))) == []


# ---------------------------------------------------------------- in-place and versions
@pytest.mark.parametrize("op", [
    lambda t: t.add_(1.0), lambda t: t.mul_(2.0), lambda t: t.sub_(1.0), lambda t: t.div_(2.0),
    lambda t: t.zero_(), lambda t: t.fill_(3.0), lambda t: t.copy_(lt.ones(3)), lambda t: t.clamp_(0.0, 1.0),
    lambda t: t.relu_(), lambda t: t.__setitem__(0, 1.0),
])
def test_inplace_bumps_version(op):
    t = lt.zeros(3)
    v = t._version
    out = op(t)
    assert t._version == v + 1
    assert out is None or out is t


def test_inplace_values():
    t = lt.tensor([1.0, -2.0, 3.0])
    assert t.add_(1.0).tolist() == [2.0, -1.0, 4.0]
    assert t.mul_(lt.tensor([1.0, 2.0, 0.5])).tolist() == [2.0, -2.0, 2.0]
    assert t.add_(lt.ones(3), alpha=2).tolist() == [4.0, 0.0, 4.0]
    assert t.copy_(lt.tensor([5.0])).tolist() == [5.0, 5.0, 5.0]  # broadcast source
    assert t.zero_().tolist() == [0.0, 0.0, 0.0]


def test_inplace_on_saved_tensor_raises():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_on_saved_output_raises():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # saves its output
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_not_saved_is_fine():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y + 1  # add doesn't need its inputs
    y.mul_(3.0)
    (z.sum() + y.sum()).backward()
    assert x.grad.tolist() == [8.0, 8.0]


def test_inplace_on_leaf_requiring_grad_raises():
    x = lt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1.0)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.zero_()
    with lt.no_grad():
        x.add_(1.0)
    assert x.detach().tolist() == [2.0, 2.0]


def test_inplace_records_history():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.mul_(3.0)
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_inplace_with_grad_operand():
    w = lt.tensor([2.0, 3.0], requires_grad=True)
    t = lt.ones(2)
    t.mul_(w)
    assert t.requires_grad and not t.is_leaf
    t.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_view_taken_before_recorded_inplace_on_base_raises():
    # its grad_fn still leads to the base's old history: PyTorch rebuilds it, learntorch refuses
    x = lt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[1:]
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="view .* used after its base was modified"):
        v * 1
    with pytest.raises(RuntimeError, match="view .* used after its base was modified"):
        v.backward(lt.ones(2))
    with lt.no_grad():
        assert (v * 1).tolist() == [4.0, 6.0]  # its values are current
    y[1:].sum().backward()  # a view taken after the in-place op is fine
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


def test_view_of_view_taken_before_recorded_inplace_raises():
    x = lt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    w = y[1:][:1]
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="view .* used after its base was modified"):
        w.sum()


def test_view_of_leaf_survives_inplace_update_under_no_grad():
    # the optimizer pattern: the update rewrites no history, the view's gradient stays right
    w = lt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = w[1:]
    with lt.no_grad():
        w.mul_(2.0)
    (v * v).sum().backward()
    assert w.grad.tolist() == [0.0, 8.0, 12.0]


def test_view_of_non_leaf_survives_inplace_under_no_grad():
    x = lt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[1:]
    with lt.no_grad():
        y.mul_(2.0)
    (v * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 3.0, 3.0]


def test_inplace_int_result_type_check():
    t = lt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):
        t.add_(1.5)


# ---------------------------------------------------------------- custom Function
class MyCube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x * ctx.scale, None


def test_custom_function():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    y = MyCube.apply(x, 2.0)
    assert y.tolist() == [2.0, 16.0]
    assert y.grad_fn.name() == "MyCubeBackward"
    assert repr(y) == "tensor([ 2., 16.], grad_fn=<MyCubeBackward>)"
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]


def test_custom_function_needs_input_grad():
    seen = {}

    class Mul2(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            seen["needs"] = ctx.needs_input_grad
            a, b = ctx.saved_tensors
            return (g * b if ctx.needs_input_grad[0] else None,
                    g * a if ctx.needs_input_grad[1] else None)

    a = lt.tensor([3.0], requires_grad=True)
    b = lt.tensor([4.0])
    Mul2.apply(a, b).sum().backward()
    assert seen["needs"] == (True, False)
    assert a.grad.tolist() == [4.0]


def test_custom_function_forward_runs_without_grad():
    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.inside = lt.is_grad_enabled()
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = lt.ones(1, requires_grad=True)
    y = Probe.apply(x)
    assert y.grad_fn.inside is False
    assert y.grad_fn.next_functions[0][0].variable is x


def test_custom_function_saved_tensors_freed():
    x = lt.tensor([1.0], requires_grad=True)
    y = MyCube.apply(x, 1.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_custom_function_not_recorded_without_grad():
    y = MyCube.apply(lt.tensor([2.0]), 1.0)
    assert y.grad_fn is None and not y.requires_grad


def test_custom_function_double_backward():
    x = lt.tensor([2.0], requires_grad=True)
    y = MyCube.apply(x, 1.0)
    (g,) = lt.autograd.grad(y.sum(), x, create_graph=True)
    (gg,) = lt.autograd.grad(g.sum(), x)
    assert g.tolist() == [12.0] and gg.tolist() == [12.0]


def test_custom_function_returning_its_input_keeps_leaf():
    class Twice(Function):  # identity forward, doubled gradient
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = lt.ones(2, requires_grad=True)
    y = Twice.apply(x)
    assert y is not x and x.is_leaf and x.grad_fn is None
    assert y.grad_fn.name() == "TwiceBackward" and y._storage is x._storage
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_mark_non_differentiable():
    class ArgAndValue(Function):
        @staticmethod
        def forward(ctx, x):
            idx = (x > 0).float()
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g * 2

    x = lt.tensor([1.0, -1.0], requires_grad=True)
    y, idx = ArgAndValue.apply(x)
    assert y.requires_grad and not idx.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.reference
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_grad_fn_names_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda x: x + 1, lambda x: x - 1, lambda x: x * x, lambda x: x / 2, lambda x: x ** 2, lambda x: -x,
        lambda x: x.exp(), lambda x: x.log(), lambda x: x.tanh(), lambda x: x.sigmoid(), lambda x: x.relu(),
        lambda x: x.abs(), lambda x: x.sqrt(), lambda x: x.sin(), lambda x: x.cos(),
        lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.mean(), lambda x: x.mean(1), lambda x: x.max(),
        lambda x: x.max(0).values, lambda x: x.min(), lambda x: x.min(1).values, lambda x: x.prod(),
        lambda x: x.view(6), lambda x: x.reshape(3, 2), lambda x: x.t(), lambda x: x.permute(1, 0),
        lambda x: x.transpose(0, 1), lambda x: x.unsqueeze(0), lambda x: x[None].squeeze(0),
        lambda x: x.expand(4, 2, 3), lambda x: x[0], lambda x: x[:, 1:], lambda x: x[0, 1:], lambda x: x[:, 0],
        lambda x: x[None], lambda x: x[[0, 1]], lambda x: x[x > 0], lambda x: x.clone(), lambda x: x.float(),
        lambda x: x @ x.t(), lambda x: x.softmax(1), lambda x: x.log_softmax(1), lambda x: x.flatten(),
        lambda x: x.clamp(0.1, 0.5), lambda x: x.maximum(x * 2), lambda x: x.sum((0, 1)), lambda x: x.mT,
    ]
    a = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    x, tx = lt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    mismatches = [(f(x).grad_fn.name(), type(f(tx).grad_fn).__name__) for f in cases
                  if f(x).grad_fn.name() != type(f(tx).grad_fn).__name__]
    assert not mismatches


@pytest.mark.reference
def test_engine_matches_torch_on_shared_subgraphs():
    torch = pytest.importorskip("torch")
    a0 = np.array([0.5, -1.5, 2.0])

    def f(m, a):
        b = a * a
        c = b.exp() + a
        d = c * b - a.tanh()
        return (d * d).sum() + b.sum()

    a, ta = lt.tensor(a0, requires_grad=True), torch.tensor(a0, requires_grad=True)
    f(lt, a).backward()
    f(torch, ta).backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
