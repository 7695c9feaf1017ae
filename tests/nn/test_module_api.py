"""nn.Module's bookkeeping: registration, iteration, modes, hooks, dtype moves, containers, Parameter."""
import copy

import numpy as np
import pytest

import learntorch as torch
import learntorch.nn as nn
import learntorch.nn.functional as F


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.bn = nn.BatchNorm2d(2)
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("cache", torch.zeros(2), persistent=False)
        self.note = "plain attribute"

    def forward(self, x):
        return F.relu(self.bn(self.conv(x))) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 3))

    def forward(self, x):
        return self.head(self.block(x))


def test_registration_and_iteration_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "block.scale", "block.conv.weight", "block.conv.bias", "block.bn.weight", "block.bn.bias",
        "head.1.weight", "head.1.bias"]
    assert [n for n, _ in net.named_buffers()] == [
        "block.steps", "block.cache", "block.bn.running_mean", "block.bn.running_var", "block.bn.num_batches_tracked"]
    assert list(net.state_dict()) == [
        "block.scale", "block.steps", "block.conv.weight", "block.conv.bias", "block.bn.weight", "block.bn.bias",
        "block.bn.running_mean", "block.bn.running_var", "block.bn.num_batches_tracked",
        "head.1.weight", "head.1.bias"]
    assert [n for n, _ in net.named_modules()] == ["", "block", "block.conv", "block.bn", "head", "head.0", "head.1"]
    assert [n for n, _ in net.named_children()] == ["block", "head"]
    assert list(net.children()) == [net.block, net.head]
    assert len(list(net.modules())) == 7
    assert [n for n, _ in net.block.named_parameters(recurse=False)] == ["scale"]
    assert net.block.note == "plain attribute" and "note" not in net.block._parameters
    assert net.get_submodule("head.1") is net.head[1]
    assert net.get_parameter("block.conv.bias") is net.block.conv.bias


def test_all_parameters_are_parameters_and_leaves():
    net = Net()
    for p in net.parameters():
        assert isinstance(p, nn.Parameter) and isinstance(p, torch.Tensor)
        assert p.requires_grad and p.is_leaf
    assert not isinstance(net.block.steps, nn.Parameter)


def test_shared_parameters_counted_once_and_reassignment():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    lin.weight = nn.Parameter(torch.zeros(2, 2))
    assert lin.weight.shape == (2, 2) and lin.weight.numpy(force=True).sum() == 0
    lin.bias = None
    assert lin.bias is None and [n for n, _ in lin.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
        lin.weight = torch.zeros(2, 2)
    del lin.weight
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weight'"):
        lin.weight


def test_setattr_before_init_and_bad_names():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.ones(1))
    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Bad()
    m = nn.Module()
    with pytest.raises(KeyError):
        m.register_buffer("a.b", torch.zeros(1))
    with pytest.raises(TypeError):
        m.register_parameter("w", torch.zeros(1))
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        m(torch.zeros(1))


def test_parameter_repr_and_data():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert type(p * 2) is torch.Tensor and type(p.data) is torch.Tensor
    frozen = nn.Parameter(torch.ones(1), requires_grad=False)
    assert not frozen.requires_grad
    clone = copy.deepcopy(p)
    assert isinstance(clone, nn.Parameter) and clone is not p and clone.tolist() == [1.0, 2.0]


def test_deepcopy_model_copies_parameters_buffers_and_grads():
    net = Net()
    net(torch.randn(2, 1, 4, 4)).sum().backward()
    twin = copy.deepcopy(net)
    assert list(twin.state_dict()) == list(net.state_dict())
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in twin.parameters())
    assert twin.head[1].weight.grad is not None
    with torch.no_grad():
        twin.head[1].weight.fill_(0.0)
        twin.block.bn.running_mean.fill_(5.0)
    assert float(net.head[1].weight.abs().sum()) > 0 and float(net.block.bn.running_mean.abs().sum()) < 5


def test_train_eval_propagates():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_and_requires_grad_():
    net = Net()
    net(torch.randn(2, 1, 4, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_double_float_keeps_parameter_objects():
    net = Net()
    params = list(net.parameters())
    net.double()
    assert all(p.dtype is torch.float64 for p in net.parameters())
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert net.block.bn.num_batches_tracked.dtype is torch.int64
    out = net(torch.randn(2, 1, 4, 4, dtype=torch.float64))
    assert out.dtype is torch.float64
    net.to(torch.float32)
    assert all(p.dtype is torch.float32 for p in net.parameters())
    with pytest.raises(TypeError, match="floating point"):
        net.to(torch.int64)


def test_apply_visits_children_then_self():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Conv2d", "BatchNorm2d", "Block", "Flatten", "Linear", "Sequential", "Net"]

    def init_linear(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)
    net = Net().apply(init_linear)
    assert float(net.head[1].weight.abs().sum()) == 0


def test_forward_pre_hook_and_forward_hook():
    lin = nn.Linear(3, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append(("pre", args[0].shape)))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(("post", out.shape)))
    lin(torch.ones(4, 3))
    assert calls == [("pre", (4, 3)), ("post", (4, 2))]
    h1.remove(), h2.remove()
    lin(torch.ones(1, 3))
    assert len(calls) == 2
    lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    lin.register_forward_hook(lambda m, args, out: out + 1)
    np.testing.assert_allclose(lin(torch.ones(1, 3)).detach().numpy(), lin.bias.detach().numpy()[None] + 1,
                               rtol=1e-6)


def test_full_backward_hook_sees_grad_input_and_grad_output():
    lin = nn.Linear(3, 2)
    seen = {}

    def hook(module, grad_input, grad_output):
        seen["in"], seen["out"] = grad_input, grad_output
    handle = lin.register_full_backward_hook(hook)
    x = torch.randn(4, 3, requires_grad=True)
    (lin(x) * 2).sum().backward()
    assert seen["out"][0].shape == (4, 2) and float(seen["out"][0].sum()) == 16
    np.testing.assert_allclose(seen["in"][0].numpy(), x.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), np.tile(2 * lin.weight.detach().numpy().sum(0), (4, 1)), rtol=1e-5)
    handle.remove()

    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    x.grad = None
    lin(x).sum().backward()
    assert float(x.grad.abs().sum()) == 0


def test_full_backward_hook_without_input_grad():
    lin = nn.Linear(3, 2)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    lin(torch.ones(2, 3)).sum().backward()
    assert seen == [((None,), (2, 2))]


def test_sequential_and_module_list():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seq.append(nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[0] is seq[1]
    assert seq(torch.ones(5, 2)).shape == (5, 1)
    del seq[1]
    assert list(seq._modules) == ["0", "1"]
    from collections import OrderedDict
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    with pytest.raises(IndexError):
        named[2]

    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
    layers.append(nn.ReLU())
    layers += [nn.Linear(2, 1)]
    assert len(layers) == 4 and len(list(layers.parameters())) == 6
    assert isinstance(layers[1:3], nn.ModuleList)
    layers.insert(0, nn.Identity())
    assert type(layers[0]) is nn.Identity and list(layers._modules) == ["0", "1", "2", "3", "4"]


def test_load_state_dict_non_strict_and_assign():
    net = Net()
    sd = net.state_dict()
    partial = {k: v for k, v in sd.items() if not k.startswith("head")}
    partial["extra"] = torch.zeros(1)
    result = Net().load_state_dict(partial, strict=False)
    assert result.missing_keys == ["head.1.weight", "head.1.bias"] and result.unexpected_keys == ["extra"]
    other = Net()
    other.load_state_dict(sd, assign=True)
    assert isinstance(other.head[1].weight, nn.Parameter)
    np.testing.assert_array_equal(other.head[1].weight.detach().numpy(), sd["head.1.weight"].numpy())


def test_state_dict_shares_memory_and_is_detached():
    lin = nn.Linear(2, 2)
    sd = lin.state_dict()
    assert not sd["weight"].requires_grad
    with torch.no_grad():
        lin.weight.fill_(3.0)
    assert float(sd["weight"].sum()) == 12.0


def test_batchnorm_modes_and_dropout_modes():
    bn = nn.BatchNorm1d(3)
    x = torch.randn(8, 3) * 4 + 2
    bn(x)
    assert int(bn.num_batches_tracked) == 1 and float(bn.running_mean.abs().sum()) > 0
    bn.eval()
    before = bn.running_mean.tolist()
    bn(x)
    assert bn.running_mean.tolist() == before and int(bn.num_batches_tracked) == 1
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
