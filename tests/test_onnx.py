"""learntorch.onnx imports (programs ``import torch.onnx`` at the top) and says what it lacks."""
import pytest

import learntorch as lt
import learntorch.onnx


def test_onnx_imports_and_export_names_the_alternative():
    assert lt.onnx is learntorch.onnx and lt.onnx.is_in_onnx_export() is False
    with pytest.raises(NotImplementedError, match=r"onnx.export: .*learntorch.save\(model.state_dict\(\)"):
        lt.onnx.export(lt.nn.Linear(2, 1), (lt.ones(1, 2),), "model.onnx")
