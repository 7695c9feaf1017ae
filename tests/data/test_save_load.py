"""learntorch.save / learntorch.load: round trips without pickle, and corrupt files."""
import re
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import learntorch as lt


def test_round_trip_of_nested_state(tmp_path):
    w = lt.randn(3, 2, requires_grad=True)
    obj = {"model": OrderedDict(weight=w, bias=lt.zeros(2, dtype=lt.float64)),
           "optimizer": {"state": {0: {"step": 3, "mask": lt.tensor([True, False])}},
                         "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "nesterov": False}]},
           "epoch": 7, "name": "run-1", "none": None, "loss": float("inf"), "ints": lt.arange(4), "same": w,
           "empty": lt.zeros(0, 3), "scalar": lt.tensor(2.5), "np_number": np.float64(1.5)}
    path = tmp_path / "ckpt.lt"
    lt.save(obj, path)
    got = lt.load(str(path))
    assert isinstance(got["model"], OrderedDict) and list(got["model"]) == ["weight", "bias"]
    assert got["model"]["weight"].tolist() == w.tolist() and got["model"]["weight"].requires_grad
    assert got["model"]["bias"].dtype is lt.float64
    assert got["optimizer"]["state"][0]["step"] == 3 and 0 in got["optimizer"]["state"]
    assert got["optimizer"]["state"][0]["mask"].tolist() == [True, False]
    assert got["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert got["epoch"] == 7 and got["name"] == "run-1" and got["none"] is None and got["loss"] == float("inf")
    assert got["ints"].dtype is lt.int64 and got["same"] is got["model"]["weight"]
    assert got["empty"].shape == (0, 3) and got["scalar"].shape == () and got["np_number"] == 1.5
    with zipfile.ZipFile(path) as zf:  # no pickle anywhere: JSON plus .npy arrays
        assert all(n == "structure.json" or n.endswith(".npy") for n in zf.namelist())


def test_model_state_round_trip_through_a_file_object(tmp_path):
    import io
    buf = io.BytesIO()
    lt.save([lt.ones(2), (1, "a")], buf)
    buf.seek(0)
    assert lt.load(buf, map_location="cpu")[1] == (1, "a")


def test_unpicklable_objects_are_refused_leaving_no_file(tmp_path):
    with pytest.raises(TypeError, match="cannot pickle 'generator'"):  # as torch.save: other objects are pickled
        lt.save({"f": (i for i in range(3))}, tmp_path / "x.lt")
    assert not (tmp_path / "x.lt").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "not_ours"])
def test_corrupt_files_raise_naming_the_file(tmp_path, damage):
    path = tmp_path / "ckpt.lt"
    lt.save({"w": lt.randn(100)}, path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:len(data) // 2]
    elif damage == "garbage":
        data = bytearray(b"hello, not a zip")
    elif damage == "flip":
        i = data.index(b"\x93NUMPY") + 200  # inside the array's values
        data[i] ^= 0xFF
    else:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("structure.json", '{"format": "other"}')
        data = bytearray(path.read_bytes())
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=f"{re.escape(str(path))}.*corrupt"):
        lt.load(path)
