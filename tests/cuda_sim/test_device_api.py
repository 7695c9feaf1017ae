"""The device API on CUDA tensors: moving, creating, mixing devices, numpy/item/repr, modules."""
import numpy as np
import pytest

import learntorch as lt
from cuda_helpers import assert_close


def test_cuda_module_reports_a_device():
    assert lt.cuda.is_available()
    assert lt.cuda.device_count() >= 1 and lt.cuda.current_device() == 0
    assert isinstance(lt.cuda.get_device_name(), str)
    lt.cuda.synchronize()


def test_moving_between_devices_round_trips():
    x = lt.arange(6).reshape(2, 3).t()  # a strided view
    y = x.cuda()
    assert y.device == lt.device("cuda:0") and y.is_cuda and y.device.type == "cuda"
    assert y.to("cpu").tolist() == x.tolist() and y.cpu().device.type == "cpu"
    assert x.to(lt.device("cuda", 0)).device == lt.device("cuda")
    b = lt.tensor([True, False], device="cuda")
    assert b.cpu().tolist() == [True, False]
    empty = lt.zeros(0, 2, device="cuda")
    assert empty.cpu().shape == (0, 2)


def test_creation_functions_take_device():
    for t in (lt.zeros(2, 3, device="cuda"), lt.ones(2, device="cuda"), lt.full((2,), 7.0, device="cuda"),
              lt.arange(4, device="cuda"), lt.randn(3, device="cuda"), lt.eye(2, device="cuda"),
              lt.tensor([[1, 2]], device="cuda"), lt.zeros_like(lt.ones(2, device="cuda"))):
        assert t.device.type == "cuda"
    assert lt.full((2,), 7.0, device="cuda").tolist() == [7.0, 7.0]
    z = lt.zeros(3, device="cuda", requires_grad=True)
    assert z.requires_grad and z.is_leaf


def test_mixing_devices_raises_naming_both():
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but found at least "
                                           "two devices, cuda:0 and cpu!"):
        lt.ones(2, device="cuda") + lt.ones(2)
    with pytest.raises(RuntimeError, match="cuda:0 and cpu"):
        lt.ones(2, 2) @ lt.ones(2, 2, device="cuda")


def test_python_scalars_are_fine():
    x = lt.tensor([1.0, 2.0], device="cuda")
    assert (2 * x + 1 - x / 2).tolist() == [2.5, 4.0]
    assert (x ** 2).sum().item() == 5.0


def test_numpy_item_repr():
    x = lt.tensor([1.5, 2.0], device="cuda")
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu()"):
        x.numpy()
    assert x[0].item() == 1.5 and float(x.sum()) == 3.5
    assert repr(x) == "tensor([1.5000, 2.0000], device='cuda:0')"
    assert np.array_equal(np.asarray(x), [1.5, 2.0])


def test_grad_flows_through_to():
    x = lt.tensor([1.0, 2.0], requires_grad=True)
    (x.cuda() * 3).sum().backward()
    assert x.grad.device.type == "cpu" and x.grad.tolist() == [3.0, 3.0]


def test_module_to_moves_parameters_and_buffers(rng):
    model = lt.nn.Sequential(lt.nn.Linear(3, 2), lt.nn.BatchNorm1d(2))
    params = list(model.parameters())
    model.to("cuda")
    assert all(p.device.type == "cuda" for p in model.parameters())
    assert all(b.device.type == "cuda" for b in model.buffers())
    assert list(model.parameters())[0] is params[0]  # the same Parameter objects, as in torch
    x = lt.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    out = model(x.cuda())
    assert out.device.type == "cuda"
    assert_close(out, model.cpu()(x), atol=1e-5)


def test_backend_has_every_cpu_kernel():
    from learntorch.backends.cpu import CPUBackend
    from learntorch.backends.cuda import CUDABackend
    public = {n for n in vars(CPUBackend) if not n.startswith("_") and callable(getattr(CPUBackend, n))}
    missing = {n for n in public if getattr(CUDABackend, n) is getattr(lt.backends.interface.Backend, n, None)}
    assert not missing, missing
    for n in ("sgd_step_", "adam_step_", "rmsprop_step_", "adagrad_step_"):
        assert n in vars(CUDABackend)


def test_only_cuda_0():
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        lt.ones(2).to("cuda:1")
