"""save / load of what PyTorch saves: whole modules, optimizers, NumPy arrays, Python objects;
the weights_only allowlist and its errors; map_location; tensors that pickle."""
import copy
import io
import json
import os
import pickle
import zipfile
from collections import Counter, OrderedDict

import numpy as np
import pytest

import learntorch as lt
from learntorch import nn, serialization
from learntorch._tensor import _rebuild_tensor


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm1d(2)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(self.bn(self.conv(x).flatten(1).view(-1, 2, 4)).flatten(1))


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


class Shell:
    """Runs a command when unpickled: what weights_only=True is there to stop."""

    def __reduce__(self):
        return os.system, ("echo pwned",)


def round_trip(obj, **load_args):
    buf = io.BytesIO()
    lt.save(obj, buf)
    buf.seek(0)
    return lt.load(buf, **load_args)


@pytest.fixture(autouse=True)
def clean_allowlist(monkeypatch):
    monkeypatch.delenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", raising=False)
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", raising=False)
    serialization.clear_safe_globals()
    yield
    serialization.clear_safe_globals()


# ---------------------------------------------------------------------------- whole modules, optimizers
def test_whole_module_round_trips_with_weights_only_false(tmp_path):
    lt.manual_seed(0)
    model = Net()
    model.bn.running_mean.fill_(0.5)
    model.eval()
    x = lt.randn(2, 1, 4, 4)
    lt.save(model, tmp_path / "model.pt")
    got = lt.load(tmp_path / "model.pt", weights_only=False)
    assert type(got) is Net and not got.training
    assert [type(p) for p in got.parameters()] == [nn.Parameter] * len(list(model.parameters()))
    assert all(p.requires_grad for p in got.parameters())
    assert got.bn.running_mean.tolist() == [0.5, 0.5] and not got.bn.running_mean.requires_grad
    assert got(x).tolist() == model(x).tolist()
    assert list(got.state_dict()) == list(model.state_dict())
    got.fc.weight.data.fill_(0)  # its own storage, not the saved model's
    assert model.fc.weight.abs().sum().item() > 0


def test_whole_module_is_refused_by_default_naming_the_global_and_both_fixes(tmp_path):
    lt.save(Net(), tmp_path / "model.pt")
    with pytest.raises(pickle.UnpicklingError) as e:
        lt.load(tmp_path / "model.pt")
    message = str(e.value)
    assert "Weights only load failed" in message
    assert f"GLOBAL {__name__}.Net was not an allowed global by default" in message
    assert "`weights_only` set to `False`" in message
    assert f"learntorch.serialization.add_safe_globals([{__name__}.Net])" in message
    assert f"learntorch.serialization.safe_globals([{__name__}.Net])" in message


def test_allowlisted_classes_load_with_weights_only_true(tmp_path):
    lt.save(Net(), tmp_path / "model.pt")
    with serialization.safe_globals([Net, nn.Conv2d, nn.BatchNorm1d, nn.Linear]):
        assert serialization.get_safe_globals() == [Net, nn.Conv2d, nn.BatchNorm1d, nn.Linear]
        assert type(lt.load(tmp_path / "model.pt")) is Net
    assert serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError, match="Net"):
        lt.load(tmp_path / "model.pt")
    serialization.add_safe_globals([Point])
    assert vars(round_trip(Point(1, [2.0]))) == {"x": 1, "y": [2.0]}
    serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError, match="Point"):
        round_trip(Point(1, 2))


def test_a_global_can_be_allowed_under_the_name_the_file_spells(tmp_path):
    path = tmp_path / "point.pt"
    lt.save(Point(1, 2), path)  # then Point "moves": the file names a module that no longer exists
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    files["data.pkl"] = files["data.pkl"].replace(f"c{__name__}\nPoint\n".encode(), b"cold.place\nPoint\n")
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL old\.place\.Point"):
        lt.load(path)
    with serialization.safe_globals([(Point, "old.place.Point")]):
        assert serialization.get_safe_globals() == [(Point, "old.place.Point")]
        assert vars(lt.load(path)) == {"x": 1, "y": 2}
    with pytest.raises(TypeError, match="module.name"):
        serialization.add_safe_globals([(Point, 3)])


def test_weights_only_blocks_code_execution():
    with pytest.raises(pickle.UnpicklingError, match=r"GLOBAL (posix|nt)\.system was not an allowed global"):
        round_trip({"x": Shell()})


def test_environment_switches_follow_torch(monkeypatch):
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    with pytest.warns(UserWarning, match="forcing weights_only=False"):
        assert round_trip(Point(1, 2)).x == 1
    with pytest.raises(pickle.UnpicklingError):  # an explicit weights_only wins over it
        round_trip(Point(1, 2), weights_only=True)
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "true")
    with pytest.raises(RuntimeError, match="Only one of"):
        round_trip(Point(1, 2))
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    with pytest.raises(pickle.UnpicklingError):  # forcing weights_only wins over weights_only=False
        round_trip(Point(1, 2), weights_only=False)


def test_pickle_module_and_load_args():
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        round_trip(Point(1, 2), pickle_module=pickle)
    assert round_trip(Point(1, 2), pickle_module=pickle, weights_only=False).y == 2
    buf = io.BytesIO()
    lt.save([Point(3, 4)], buf, pickle_protocol=4)
    buf.seek(0)
    assert lt.load(buf, weights_only=False, encoding="latin1")[0].x == 3


def test_optimizer_state_dict_and_whole_optimizer(tmp_path):
    lt.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = lt.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        model(lt.randn(4, 3)).pow(2).sum().backward()
        opt.step()
    ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 2}
    lt.save(ckpt, tmp_path / "ckpt.pt")
    with zipfile.ZipFile(tmp_path / "ckpt.pt") as zf:  # a checkpoint dict needs no pickle
        assert "data.pkl" not in zf.namelist()
    got = lt.load(tmp_path / "ckpt.pt")
    assert got["optimizer"]["state"][0]["exp_avg"].tolist() == opt.state_dict()["state"][0]["exp_avg"].tolist()
    lt.save(opt, tmp_path / "opt.pt")
    whole = lt.load(tmp_path / "opt.pt", weights_only=False)
    assert type(whole) is lt.optim.Adam and whole.param_groups[0]["lr"] == 0.1
    # the state stays keyed by the very parameters listed in param_groups
    assert all(p in whole.state for p in whole.param_groups[0]["params"])


# ---------------------------------------------------------------------------- NumPy arrays, Python objects
def test_numpy_arrays_load_without_pickle():
    arrays = {"f32": np.arange(6, dtype=np.float32).reshape(2, 3), "i8": np.array([-1, 2], np.int8),
              "bool": np.array([True, False]), "strided": np.arange(10.0)[::3], "empty": np.zeros((0, 2)),
              "scalar": np.float64(2.5)}
    got = round_trip(arrays)
    for k, v in arrays.items():
        assert np.array_equal(got[k], v) and np.asarray(got[k]).dtype == np.asarray(v).dtype, k


def test_numpy_arrays_and_scalars_inside_pickled_objects():
    obj = Point(np.arange(4, dtype=np.int16), np.float32(1.5))
    serialization.add_safe_globals([Point])
    got = round_trip(obj)
    assert got.x.dtype == np.int16 and got.x.tolist() == [0, 1, 2, 3]
    assert type(got.y) is np.float32 and got.y == 1.5
    objects = np.array([{"a": 1}, None], dtype=object)  # object arrays need pickle, as under torch
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        round_trip(objects)
    assert round_trip(objects, weights_only=False)[0] == {"a": 1}


def test_python_containers_torch_allows_by_default():
    obj = {"set": {1, 2}, "complex": 1 + 2j, "bytes": b"\x00\xff", "bytearray": bytearray(b"ab"),
           "counter": Counter("aab"), "ordered": OrderedDict(b=1, a=2), (1, "key"): (lt.float64, lt.int64),
           "size": lt.Size([2, 3]), "device": lt.device("cpu"), "nested": [[lt.ones(2)], {"t": lt.zeros(1)}]}
    got = round_trip(obj)
    assert got["set"] == {1, 2} and got["complex"] == 1 + 2j and got["bytes"] == b"\x00\xff"
    assert got["bytearray"] == bytearray(b"ab") and got["counter"] == Counter("aab")
    assert list(got["ordered"]) == ["b", "a"] and got[(1, "key")] == (lt.float64, lt.int64)
    assert type(got["size"]) is lt.Size and got["size"] == (2, 3) and got["device"] == lt.device("cpu")
    assert got["nested"][0][0].tolist() == [1.0, 1.0]


# ---------------------------------------------------------------------------- map_location
def _saved_on(location, obj, tmp_path):
    """A file as saved on ``location`` (rewritten, to test CUDA files on a CPU-only machine)."""
    path = tmp_path / "ckpt.pt"
    lt.save(obj, path)
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    structure = json.loads(files["structure.json"])
    structure["object"]["dict"][0][1]["device"] = location
    files["structure.json"] = json.dumps(structure).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    return path


@pytest.mark.parametrize("map_location", ["cpu", lt.device("cpu"), {"cuda:0": "cpu"}, {"cuda:0": lt.device("cpu")},
                                          lambda storage, loc: storage])
def test_map_location_forms(tmp_path, map_location):
    path = _saved_on("cuda:0", {"w": lt.arange(3.0)}, tmp_path)
    got = lt.load(path, map_location=map_location)
    assert got["w"].device == lt.device("cpu") and got["w"].tolist() == [0.0, 1.0, 2.0]


def test_map_location_callable_sees_each_storage_and_its_location(tmp_path):
    path = _saved_on("cuda:0", {"w": lt.arange(3.0)}, tmp_path)
    seen = []

    def relocate(storage, location):
        seen.append((storage.shape, location))
        return storage * 2  # a callable may hand back any storage of the same size

    assert lt.load(path, map_location=relocate)["w"].tolist() == [0.0, 2.0, 4.0]
    assert seen == [((3,), "cuda:0")]
    with pytest.raises(TypeError, match="map_location returned"):
        lt.load(path, map_location=lambda storage, loc: "cpu")


@pytest.mark.skipif(lt.cuda.is_available(), reason="checks the message of a CPU-only machine")
def test_cuda_file_on_a_cpu_machine_says_to_map_it(tmp_path):
    path = _saved_on("cuda:0", {"w": lt.arange(3.0)}, tmp_path)
    with pytest.raises(RuntimeError, match=r"cuda.is_available\(\) is False.*map_location="):
        lt.load(path)


@pytest.mark.skipif(lt.cuda.is_available(), reason="checks the message of a CPU-only machine")
def test_unmapped_cuda_location_stays_cuda(tmp_path):
    path = _saved_on("cuda:0", {"w": lt.arange(3.0)}, tmp_path)
    with pytest.raises(RuntimeError, match="CUDA device"):
        lt.load(path, map_location={"cuda:1": "cpu"})


# ---------------------------------------------------------------------------- tensors pickle
def test_tensor_pickles_with_layout_dtype_and_requires_grad():
    base = lt.arange(24.0, dtype=lt.float64).reshape(4, 6)
    view = base.t()[1:, ::2]
    got = pickle.loads(pickle.dumps(view))
    assert got.tolist() == view.tolist() and got.dtype is lt.float64
    assert (got.shape, got.stride(), got.storage_offset()) == (view.shape, view.stride(), view.storage_offset())
    w = lt.randn(3, requires_grad=True)
    y = pickle.loads(pickle.dumps(w * 2))  # a non-leaf comes back as a leaf that requires grad, as in torch
    assert y.requires_grad and y.is_leaf and y.grad_fn is None
    for t in (lt.tensor([True, False]), lt.arange(3), lt.zeros(0, 2), lt.tensor(3.5)):
        got = pickle.loads(pickle.dumps(t))
        assert got.dtype is t.dtype and got.shape == t.shape and got.tolist() == t.tolist()


def test_views_of_one_storage_share_it_after_loading(tmp_path):
    x = lt.arange(6.0)
    y, v = pickle.loads(pickle.dumps([x, x[2:].view(2, 2)]))
    v[0, 0] = 100.0
    assert y.tolist() == [0, 1, 100, 3, 4, 5]
    serialization.add_safe_globals([Point])
    got = round_trip(Point(x, x[1::2]))  # the pickled layout of lt.save keeps sharing too
    got.y[0] = -1.0
    assert got.x.tolist() == [0, -1, 2, 3, 4, 5]
    a, b = round_trip([x, x])  # and so does the no-pickle one, for one tensor saved twice
    assert a is b


def test_parameters_stay_parameters():
    p = nn.Parameter(lt.ones(2))
    frozen = nn.Parameter(lt.zeros(1), requires_grad=False)
    for got in (pickle.loads(pickle.dumps([p, frozen])), round_trip([p, frozen])):
        assert [type(t) for t in got] == [nn.Parameter, nn.Parameter]
        assert got[0].requires_grad and not got[1].requires_grad


def test_copy_copy_shares_storage_as_torch():
    x = lt.zeros(3)
    copy.copy(x)[0] = 1.0
    assert x.tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize("layout", [(5, (2,), (1,)), (0, (2, 3), (3, 1)), (-1, (2,), (1,)), (0, (2,), (-1,)),
                                    (0, (2, 2), (1,))])
def test_a_damaged_tensor_pickle_cannot_reach_past_its_storage(layout):
    offset, shape, strides = layout
    with pytest.raises(RuntimeError, match="can't rebuild"):
        _rebuild_tensor(lt.Tensor, np.arange(4.0), offset, shape, strides, "cpu", False)


# ---------------------------------------------------------------------------- against torch
@pytest.mark.reference
def test_same_objects_load_or_fail_as_under_torch(tmp_path):
    torch = pytest.importorskip("torch")
    cases = {"set": {1}, "complex": 2j, "counter": Counter("a"), "bytes": b"x", "point": Point(1, 2)}
    for name, obj in cases.items():
        torch.save(obj, tmp_path / "t.pt")
        lt.save(obj, tmp_path / "l.pt")
        try:
            torch.load(tmp_path / "t.pt")
            torch_ok = True
        except pickle.UnpicklingError as e:
            torch_ok, torch_message = False, str(e)
        try:
            lt.load(tmp_path / "l.pt")
            ours_ok = True
        except pickle.UnpicklingError as e:
            ours_ok, ours_message = False, str(e)
        assert ours_ok == torch_ok, name
        if not ours_ok:
            line = f"Unsupported global: GLOBAL {__name__}.Point was not an allowed global by default."
            assert line in torch_message and line in ours_message


@pytest.mark.skipif(not lt.cuda.is_available(), reason="needs CUDA (or NUMBA_ENABLE_CUDASIM=1)")
def test_cuda_tensors_come_back_on_cuda_or_where_mapped():
    x = lt.arange(6.0, device="cuda")
    y, v = pickle.loads(pickle.dumps([x, x[2:]]))
    assert y.device == v.device == lt.device("cuda:0") and v.tolist() == [2, 3, 4, 5]
    ckpt = {"w": x, "p": nn.Parameter(lt.ones(2, device="cuda"))}
    got = round_trip(ckpt)
    assert got["w"].device == lt.device("cuda:0") and type(got["p"]) is nn.Parameter
    assert round_trip(ckpt, map_location="cpu")["w"].device == lt.device("cpu")
    model = round_trip(nn.Linear(2, 2).cuda(), weights_only=False, map_location={"cuda:0": "cpu"})
    assert model.weight.device == lt.device("cpu")
