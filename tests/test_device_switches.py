"""torch.accelerator, torch.backends.cudnn and torch.backends.mps: they exist and answer truthfully."""
import pytest

import learntorch
import learntorch as torch_like
from learntorch import accelerator, cuda


def test_accelerator_matches_cuda_availability():
    available = cuda.is_available()
    assert accelerator.is_available() is available
    assert accelerator.device_count() == (cuda.device_count() if available else 0)
    if available:
        assert accelerator.current_accelerator() == learntorch.device("cuda")
        assert accelerator.current_device_index() == 0
    else:
        assert accelerator.current_accelerator() is None
        assert accelerator.current_accelerator(check_available=True) is None


def test_without_a_gpu_device_calls_raise(monkeypatch):
    monkeypatch.setattr(cuda, "is_available", lambda: False)
    assert not accelerator.is_available() and accelerator.device_count() == 0
    for call in (accelerator.current_device_index, accelerator.synchronize, lambda: accelerator.set_device_index(0)):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available."):
            call()


def test_with_a_gpu(monkeypatch):
    synced = []
    monkeypatch.setattr(cuda, "is_available", lambda: True)
    monkeypatch.setattr(cuda, "device_count", lambda: 1)
    monkeypatch.setattr(cuda, "current_device", lambda: 0)
    monkeypatch.setattr(cuda, "synchronize", lambda: synced.append(1))
    assert accelerator.is_available() and accelerator.device_count() == 1
    acc = accelerator.current_accelerator()
    assert acc.type == "cuda" and accelerator.current_device_index() == 0
    accelerator.synchronize()
    accelerator.synchronize("cuda")
    accelerator.synchronize(learntorch.device("cuda", 0))
    assert len(synced) == 3
    accelerator.set_device_index(0)
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        accelerator.set_device_index(1)
    with pytest.raises(ValueError, match="cpu doesn't match the current accelerator"):
        accelerator.synchronize("cpu")


def test_the_usual_device_line_runs():
    device = torch_like.accelerator.current_accelerator() if torch_like.accelerator.is_available() else "cpu"
    x = torch_like.ones(2, device=device)
    assert x.device.type == ("cuda" if cuda.is_available() else "cpu")


def test_cudnn_switches():
    cudnn = torch_like.backends.cudnn
    import learntorch.backends.cudnn as imported
    assert imported is cudnn
    assert cudnn.is_available() is False and cudnn.version() is None and not cudnn.is_acceptable(torch_like.ones(1))
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic, cudnn.allow_tf32) == (True, False, False, True)
    before = cudnn.benchmark, cudnn.deterministic
    try:
        torch_like.backends.cudnn.benchmark = True
        torch_like.backends.cudnn.deterministic = True
        assert imported.benchmark and imported.deterministic
    finally:
        cudnn.benchmark, cudnn.deterministic = before
    with cudnn.flags(enabled=False, deterministic=True):
        assert cudnn.enabled is False and cudnn.deterministic is True
    assert cudnn.enabled is True and cudnn.deterministic is False


def test_mps_is_not_there():
    assert torch_like.backends.mps.is_available() is False
    assert torch_like.backends.mps.is_built() is False


@pytest.mark.reference
def test_same_answers_as_cpu_only_torch():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available() or cuda.is_available():
        pytest.skip("compares the answers of two CPU-only installs")
    assert accelerator.is_available() == torch.accelerator.is_available()
    assert accelerator.current_accelerator() == torch.accelerator.current_accelerator()
    assert accelerator.device_count() == torch.accelerator.device_count()
    for ours, theirs in [(accelerator.current_device_index, torch.accelerator.current_device_index),
                         (accelerator.synchronize, torch.accelerator.synchronize)]:
        with pytest.raises(RuntimeError) as expected:
            theirs()
        with pytest.raises(RuntimeError, match=str(expected.value)):
            ours()
    assert torch_like.backends.mps.is_available() == torch.backends.mps.is_available()
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(torch_like.backends.cudnn, name) == getattr(torch.backends.cudnn, name)
