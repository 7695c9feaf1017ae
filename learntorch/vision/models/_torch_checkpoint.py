"""Read a state dict that ``torch.save`` wrote (its zip format), as learntorch tensors, without torch.

The archive holds ``<name>/data.pkl``, a pickle of the dict whose tensors point (pickle's
persistent ids) at raw storages ``<name>/data/<key>``. The unpickler opens only the globals such a
state dict names (``OrderedDict``, ``torch._utils._rebuild_tensor_v2``/``_rebuild_parameter``, the
storage types), so a checkpoint can't run code; the storages are read with NumPy.
"""
from __future__ import annotations

import os
import pickle
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

import learntorch as lt
from learntorch import Tensor

_STORAGES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
             "BFloat16Storage": "bfloat16", "LongStorage": np.int64, "IntStorage": np.int32,
             "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_}


class _StorageType:
    """Stands for ``torch.<Name>Storage`` in the pickle: only its element type matters."""

    def __init__(self, name: str) -> None:
        self.name, self.dtype = name, _STORAGES[name]


def _rebuild_tensor_v2(storage: np.ndarray, storage_offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                       requires_grad: bool = False, backward_hooks: Any = None, metadata: Any = None) -> Tensor:
    """The tensor of shape ``size`` and element strides ``stride`` at ``storage_offset`` in ``storage``."""
    itemsize = storage.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(storage[storage_offset:], shape=tuple(size),
                                           strides=tuple(s * itemsize for s in stride))
    return lt.tensor(np.array(view))


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any) -> Tensor:
    return data


def _as_array(raw: bytes, dtype: Any) -> np.ndarray:
    """A storage's bytes as a NumPy array (little-endian); float16 and bfloat16 widen to float32."""
    if dtype == "bfloat16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    array = np.frombuffer(raw, np.dtype(dtype).newbyteorder("<"))
    return array.astype(np.float32) if array.dtype == np.float16 else array


class _Unpickler(pickle.Unpickler):
    _GLOBALS = {("collections", "OrderedDict"): OrderedDict,
                ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
                ("torch._utils", "_rebuild_parameter"): _rebuild_parameter}

    def __init__(self, file: Any, archive: zipfile.ZipFile, prefix: str, path: str) -> None:
        super().__init__(file)
        self.archive, self.prefix, self.path = archive, prefix, path
        self.storages: dict[str, np.ndarray] = {}

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch" and name in _STORAGES:
            return _StorageType(name)
        if (module, name) in self._GLOBALS:
            return self._GLOBALS[module, name]
        raise pickle.UnpicklingError(f"{self.path}: a model-weights file may only hold tensors in (ordered) dicts; "
                                     f"it names {module}.{name}, which learntorch will not load")

    def persistent_load(self, pid: Any) -> np.ndarray:
        kind, storage_type, key = pid[0], pid[1], str(pid[2])
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"{self.path}: unexpected persistent id {pid!r}")
        if key not in self.storages:
            self.storages[key] = _as_array(self.archive.read(f"{self.prefix}data/{key}"), storage_type.dtype)
        return self.storages[key]


def load_torch_state_dict(path: str | os.PathLike) -> dict[str, Tensor]:
    """The state dict in a ``torch.save`` file (zip format, torch >= 1.6), as learntorch tensors."""
    path = os.fspath(path)
    if not zipfile.is_zipfile(path):
        raise RuntimeError(f"{path} is not a torch.save zip archive (legacy pre-1.6 checkpoints are not read); "
                           "re-save it with a recent torch, or delete it to download it again")
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("data.pkl")]
        if len(pickles) != 1:
            raise RuntimeError(f"{path}: expected one data.pkl in the archive, found {len(pickles)}")
        prefix = pickles[0][:-len("data.pkl")]
        byteorder = f"{prefix}byteorder"
        if byteorder in archive.namelist() and archive.read(byteorder).strip() != b"little":
            raise RuntimeError(f"{path} was saved big-endian; learntorch reads little-endian checkpoints only")
        with archive.open(pickles[0]) as f:
            return _Unpickler(f, archive, prefix, path).load()
