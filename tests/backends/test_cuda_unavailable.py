"""Without a GPU (and without the simulator): clear errors, never a numba traceback."""
import pytest

import learntorch as lt

pytestmark = pytest.mark.skipif(lt.cuda.is_available(), reason="a CUDA device (or the simulator) is present")


def test_cuda_module_reports_no_device():
    assert lt.cuda.is_available() is False
    assert lt.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="no CUDA device"):
        lt.cuda.synchronize()


@pytest.mark.parametrize("make", [lambda: lt.ones(2).to("cuda"), lambda: lt.ones(2).cuda(),
                                  lambda: lt.zeros(3, device="cuda"), lambda: lt.tensor([1.0], device="cuda:0"),
                                  lambda: lt.nn.Linear(2, 2).to("cuda")])
def test_moving_to_cuda_raises_a_clear_runtime_error(make):
    with pytest.raises(RuntimeError) as info:
        make()
    message = str(info.value)
    assert "no CUDA device" in message and "learntorch.cuda.is_available()" in message and "nvidia-smi" in message
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_device_objects_need_no_gpu():
    assert str(lt.device("cuda")) == "cuda:0" and lt.device("cuda:0").type == "cuda"
