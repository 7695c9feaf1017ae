"""``save`` / ``load``: tensors and state dicts without pickle; anything else as torch 2.6+ does.

The file is a zip archive, in one of two layouts:

- Tensors, NumPy arrays and dicts/lists/tuples of them with numbers, strings and None (a
  ``state_dict``, an optimizer's ``state_dict()``, a checkpoint dict): ``structure.json``
  describes the object and ``arrays/<i>.npy`` holds each array's values. No pickle: such a file
  never runs code, whatever ``weights_only`` says. A tensor that appears twice in the object is
  stored once and comes back as one tensor.
- Anything else (a whole module, an optimizer, a custom class): ``data.pkl``, pickled as
  ``torch.save`` does, except that every NumPy array in it (tensor storages included, so views
  of one storage keep sharing it) is written to ``arrays/<i>.npy`` instead of into the pickle.
  ``load`` unpickles it with ``weights_only=True`` by default, allowing only the globals of
  ``_weights_only_unpickler`` plus those added with ``add_safe_globals``; ``weights_only=False``
  (or ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1``, when the call doesn't say) unpickles anything.

``map_location`` moves each storage as ``torch.load``'s does: a device or string sends all to it,
a dict renames saved locations (``{"cuda:0": "cpu"}``), a callable gets ``(storage, location)``
(the storage as a flat CPU tensor) and returns it moved, or None to keep the saved location.
"""
from __future__ import annotations

import io
import json
import os
import pickle
import tempfile
import warnings
import zipfile
from collections import OrderedDict
from contextlib import contextmanager
from typing import IO, Any, Callable, Iterator

import numpy as np

from . import _dtype as dt
from . import cuda
from ._device import as_device
from ._storage import contiguous_strides
from ._tensor import Tensor, _rebuild_tensor
from .nn.parameter import Parameter
from ._weights_only_unpickler import (DisallowedGlobal, add_safe_globals, clear_safe_globals,  # noqa: F401
                                      get_safe_globals, safe_globals, unpickler_class)

FORMAT = "learntorch"
VERSION = 1          # structure.json only
PICKLED_VERSION = 2  # data.pkl beside the arrays
DEFAULT_PROTOCOL = 2  # torch.save's
_DTYPES = {d.name: d for d in dt.ALL}
_TRUE = ("1", "y", "yes", "true")


class _NeedsPickle(Exception):
    """The object holds something structure.json can't describe."""


def _encode(obj: Any, arrays: list[np.ndarray], seen: dict[int, int]) -> Any:
    """``obj`` as JSON, appending array values to ``arrays``; raises _NeedsPickle for anything else."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
        return obj.item()
    if type(obj) is np.ndarray and not obj.dtype.hasobject:
        arrays.append(obj)
        return {"ndarray": len(arrays) - 1}
    if type(obj) in (Tensor, Parameter):
        if id(obj) not in seen:
            seen[id(obj)] = len(arrays)
            arrays.append(np.asarray(obj.detach()._host_numpy(), order="C"))
        return {"tensor": seen[id(obj)], "dtype": obj.dtype.name, "requires_grad": obj.requires_grad,
                "device": str(obj.device), "parameter": type(obj) is Parameter}
    if type(obj) in (dict, OrderedDict):
        return {"dict": [[_encode(k, arrays, seen), _encode(v, arrays, seen)] for k, v in obj.items()],
                "ordered": type(obj) is OrderedDict}
    if type(obj) in (list, tuple):
        return {type(obj).__name__: [_encode(v, arrays, seen) for v in obj]}
    raise _NeedsPickle


def _decode(node: Any, arrays: list[Any]) -> Any:
    """The object ``node`` describes; ``arrays[i]`` is the loaded tensor or array number i."""
    if not isinstance(node, dict):
        return node
    if "tensor" in node:
        return arrays[node["tensor"]]
    if "ndarray" in node:
        return arrays[node["ndarray"]]
    if "dict" in node:
        items = [(_hashable(_decode(k, arrays)), _decode(v, arrays)) for k, v in node["dict"]]
        return OrderedDict(items) if node["ordered"] else dict(items)
    if "list" in node:
        return [_decode(v, arrays) for v in node["list"]]
    return tuple(_decode(v, arrays) for v in node["tuple"])


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, (list, tuple)) else key


def save(obj: Any, f: str | os.PathLike | IO[bytes], pickle_module: Any = pickle,
         pickle_protocol: int = DEFAULT_PROTOCOL) -> None:
    """Write ``obj`` (``model.state_dict()``, a checkpoint dict, a whole model...) to a path or a
    binary file. A path is written atomically: to a temporary file first, then renamed over ``f``."""
    arrays: list[np.ndarray] = []
    try:
        structure, pickled = {"format": FORMAT, "version": VERSION, "object": _encode(obj, arrays, {})}, None
    except _NeedsPickle:
        structure, pickled = {"format": FORMAT, "version": PICKLED_VERSION}, b""
    if pickled is not None:  # outside the except: a pickling error isn't shown as raised "during" _NeedsPickle
        arrays.clear()
        pickled = _pickle(obj, arrays, pickle_module, pickle_protocol)
    if not isinstance(f, (str, os.PathLike)):
        _write(f, structure, pickled, arrays)
        return
    path = os.fspath(f)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-", suffix=".lt")
    try:
        with os.fdopen(fd, "wb") as out:
            _write(out, structure, pickled, arrays)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _pickle(obj: Any, arrays: list[np.ndarray], pickle_module: Any, protocol: int) -> bytes:
    """``obj`` pickled, each NumPy array (and NumPy scalar) in it replaced by a reference to ``arrays``."""
    numbered: dict[int, int] = {}

    class Pickler(pickle_module.Pickler):
        def persistent_id(self, value: Any) -> tuple[str, int] | None:
            if type(value) is np.ndarray and not value.dtype.hasobject:
                kind = "array"
            elif isinstance(value, np.generic) and not value.dtype.hasobject:
                kind, value = "scalar", np.asarray(value)
            else:
                return None
            key = id(value) if kind == "array" else -len(arrays) - 1
            if key not in numbered:
                numbered[key] = len(arrays)
                arrays.append(value)
            return kind, numbered[key]

    buf = io.BytesIO()
    Pickler(buf, protocol, fix_imports=False).dump(obj)
    return buf.getvalue()


def _write(f: IO[bytes], structure: dict, pickled: bytes | None, arrays: list[np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("structure.json", json.dumps(structure))
        if pickled is not None:
            zf.writestr("data.pkl", pickled)
        for i, array in enumerate(arrays):
            with zf.open(f"arrays/{i}.npy", "w", force_zip64=True) as out:
                np.save(out, array, allow_pickle=False)


def load(f: str | os.PathLike | IO[bytes], map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """Read an object written by ``save``, as ``torch.load``: ``weights_only`` (default True)
    allows only allowlisted globals in pickled objects (see the module docstring); ``map_location``
    moves storages. ``mmap`` is accepted and ignored (arrays are read into memory). A truncated or
    corrupt file raises RuntimeError naming it; a global outside the allowlist, pickle.UnpicklingError."""
    weights_only = _weights_only(weights_only, pickle_module)
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    with _reading(name):
        zf = zipfile.ZipFile(f)
    with zf:
        with _reading(name):
            structure = json.loads(zf.read("structure.json"))
            if not isinstance(structure, dict) or structure.get("format") != FORMAT:
                raise ValueError("not a learntorch file")
            if structure.get("version") not in (VERSION, PICKLED_VERSION):
                raise ValueError(f"format version {structure.get('version')} (this learntorch reads {VERSION} "
                                 f"and {PICKLED_VERSION})")
            if structure["version"] == VERSION:
                specs = _array_specs(structure["object"])
                arrays = [_read_array(zf, i) for i in range(len(specs))]
                for i, (spec, array) in enumerate(zip(specs, arrays)):
                    if "tensor" in spec and (array.dtype != _DTYPES[spec["dtype"]].np
                                             or not isinstance(spec["requires_grad"], bool)):
                        raise ValueError(f"array {i} ({array.dtype}) doesn't match its entry {spec}")
        relocate = _Relocator(map_location)
        if structure["version"] == VERSION:
            loaded = [_json_tensor(spec, array, relocate) if "tensor" in spec else array
                      for spec, array in zip(specs, arrays)]
            with _reading(name):
                return _decode(structure["object"], loaded)
        with _reading(name):
            pickled = zf.read("data.pkl")
        unpickler = unpickler_class((pickle_module or pickle).Unpickler)(
            io.BytesIO(pickled), weights_only=weights_only, rebuild_tensor=relocate.rebuild_tensor,
            persistent_load=_persistent_loader(zf, name), **pickle_load_args)
        with _reading(name, (EOFError, pickle.UnpicklingError)):  # not the errors of the objects' own code
            return unpickler.load()


_CORRUPT = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError, EOFError, OSError, IndexError,
            pickle.UnpicklingError)


@contextmanager
def _reading(name: str, corrupt: tuple[type[BaseException], ...] = _CORRUPT) -> Iterator[None]:
    """Errors that mean a damaged file as one RuntimeError naming the file; a global outside the
    allowlist as torch's pickle.UnpicklingError."""
    try:
        yield
    except FileNotFoundError:
        raise
    except DisallowedGlobal as e:
        raise pickle.UnpicklingError(str(e)) from None
    except corrupt as e:
        raise RuntimeError(f"learntorch.load: {name} is truncated or corrupt ({type(e).__name__}: {e}); "
                           "it can't be read") from e


def _weights_only(weights_only: bool | None, pickle_module: Any) -> bool:
    """torch.load's rule: an explicit argument wins over TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD;
    TORCH_FORCE_WEIGHTS_ONLY_LOAD wins over both."""
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
                           "should be set, but both were set.")
    if force:
        weights_only = True
    elif weights_only is None:
        if force_no:
            warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the `weights_only` "
                          "argument was not explicitly passed to `learntorch.load`, forcing weights_only=False.",
                          UserWarning, stacklevel=3)
        weights_only = not force_no
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    return weights_only


def _read_array(zf: zipfile.ZipFile, i: int) -> np.ndarray:
    with zf.open(f"arrays/{i}.npy") as raw:
        return np.load(io.BytesIO(raw.read()), allow_pickle=False)


def _array_specs(root: Any) -> list[dict]:
    """The structure's tensor and ndarray nodes, in the order of their arrays."""
    specs: dict[int, dict] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "tensor" in node or "ndarray" in node:
                specs[node.get("tensor", node.get("ndarray"))] = node
            else:
                stack.extend(v for v in node.values() if isinstance(v, (list, dict)))
        elif isinstance(node, list):
            stack.extend(node)
    if sorted(specs) != list(range(len(specs))):
        raise ValueError("the structure refers to arrays that are not numbered 0..n-1")
    return [specs[i] for i in range(len(specs))]


def _json_tensor(spec: dict, array: np.ndarray, relocate: "_Relocator") -> Tensor:
    flat = relocate.storage(array, spec.get("device", "cpu"))
    return _rebuild_tensor(Parameter if spec.get("parameter") else Tensor, flat._storage, 0, array.shape,
                           contiguous_strides(array.shape), str(flat.device), spec["requires_grad"])


def _persistent_loader(zf: zipfile.ZipFile, name: str) -> Callable[[Any], Any]:
    """``persistent_load`` for data.pkl: ``("array", i)`` is arrays/i.npy, ``("scalar", i)`` its one value."""
    cache: dict[int, np.ndarray] = {}

    def persistent_load(pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] in ("array", "scalar") and type(pid[1]) is int):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}: expected ('array', i) or ('scalar', i)")
        if pid[1] not in cache:
            with _reading(name):
                cache[pid[1]] = _read_array(zf, pid[1])
        array = cache[pid[1]]
        return array if pid[0] == "array" else array[()]

    return persistent_load


class _Relocator:
    """Moves each loaded storage where ``map_location`` says, once per storage (views keep sharing it)."""

    def __init__(self, map_location: Any) -> None:
        self.map_location = map_location
        self.moved: dict[tuple[int, str], tuple[np.ndarray, Tensor]] = {}  # keeps each array alive: ids stay unique

    def storage(self, array: np.ndarray, location: str) -> Tensor:
        """``array``'s values as a flat tensor (offset 0) on its target device."""
        key = (id(array), location)
        if key not in self.moved:
            self.moved[key] = array, self._move(array.reshape(-1), location)
        return self.moved[key][1]

    def _move(self, array: np.ndarray, location: str) -> Tensor:
        flat = _rebuild_tensor(Tensor, array, 0, array.shape, (1,), "cpu", False)
        target = self.map_location
        if isinstance(target, dict):
            target = {str(k): v for k, v in target.items()}.get(location, location)
        elif callable(target):
            moved = target(flat, location)
            if moved is not None:
                if not isinstance(moved, Tensor) or moved.numel() != flat.numel() or moved.dtype is not flat.dtype:
                    raise TypeError(f"map_location returned {type(moved).__name__}; expected the storage it was "
                                    f"given (a flat {flat.dtype} tensor of {flat.numel()} elements), moved, or None")
                return moved.clone() if moved._offset or moved._storage.size != moved.numel() else moved
            target = location
        device = as_device(location if target is None else target)
        if device.type == "cuda" and not cuda.is_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but learntorch.cuda.is_available() "
                               "is False. If you are running on a CPU-only machine, please use learntorch.load with "
                               "map_location=learntorch.device('cpu') to map your storages to the CPU.")
        return flat if device.type == "cpu" else flat.to(device)

    def rebuild_tensor(self, cls: type, storage: Any, offset: int, shape: tuple[int, ...],
                       strides: tuple[int, ...], device: str, requires_grad: bool) -> Tensor:
        """``_rebuild_tensor`` for data.pkl: the storage (an array from arrays/) moved first."""
        if type(storage) is not np.ndarray:
            raise pickle.UnpicklingError(f"a tensor's storage must come from the file's arrays, got "
                                         f"{type(storage).__name__}")
        flat = self.storage(storage, str(device))
        return _rebuild_tensor(cls, flat._storage, offset, shape, strides, str(flat.device), requires_grad)
