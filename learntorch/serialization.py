"""``save`` / ``load``: tensors and nested containers of them, without pickle.

The file is a zip archive: ``structure.json`` describes the object (dicts, lists, tuples,
numbers, strings, None, and references to arrays), and ``arrays/<i>.npy`` holds each tensor's
values. Loading reads arrays with ``allow_pickle=False``, so a file can never run code. A tensor
that appears twice in the object is stored once and comes back as one tensor.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import _dtype as dt
from ._creation import tensor
from ._device import as_device
from ._tensor import Tensor

FORMAT = "learntorch"
VERSION = 1
_DTYPES = {d.name: d for d in (dt.bool_, dt.int64, dt.float32, dt.float64)}


def _encode(obj: Any, arrays: list[np.ndarray], seen: dict[int, int], where: str) -> Any:
    """``obj`` as JSON, appending tensor values to ``arrays``; ``where`` names the spot for errors."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
        return obj.item()
    if isinstance(obj, Tensor):
        if id(obj) not in seen:
            seen[id(obj)] = len(arrays)
            arrays.append(np.asarray(obj.detach()._host_numpy(), order="C"))
        return {"tensor": seen[id(obj)], "dtype": obj.dtype.name, "requires_grad": obj.requires_grad}
    if isinstance(obj, dict):
        items = [[_encode(k, arrays, seen, where), _encode(v, arrays, seen, f"{where}[{k!r}]")] for k, v in obj.items()]
        return {"dict": items, "ordered": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(v, arrays, seen, f"{where}[{i}]") for i, v in enumerate(obj)]}
    raise TypeError(f"learntorch.save: can't save {where} of type {type(obj).__name__}; supported: tensors, "
                    "dicts, lists, tuples, numbers, strings and None")


def _decode(node: Any, tensors: list[Tensor]) -> Any:
    if not isinstance(node, dict):
        return node
    if "tensor" in node:
        return tensors[node["tensor"]]
    if "dict" in node:
        items = [(_hashable(_decode(k, tensors)), _decode(v, tensors)) for k, v in node["dict"]]
        return OrderedDict(items) if node["ordered"] else dict(items)
    if "list" in node:
        return [_decode(v, tensors) for v in node["list"]]
    return tuple(_decode(v, tensors) for v in node["tuple"])


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, (list, tuple)) else key


def save(obj: Any, f: str | os.PathLike | IO[bytes]) -> None:
    """Write ``obj`` (e.g. ``model.state_dict()``) to a path or binary file. A path is written
    atomically: to a temporary file first, then renamed over ``f``."""
    arrays: list[np.ndarray] = []
    structure = {"format": FORMAT, "version": VERSION, "object": _encode(obj, arrays, {}, "the object")}
    if not isinstance(f, (str, os.PathLike)):
        _write(f, structure, arrays)
        return
    path = os.fspath(f)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-", suffix=".lt")
    try:
        with os.fdopen(fd, "wb") as out:
            _write(out, structure, arrays)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _write(f: IO[bytes], structure: dict, arrays: list[np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("structure.json", json.dumps(structure))
        for i, array in enumerate(arrays):
            with zf.open(f"arrays/{i}.npy", "w", force_zip64=True) as out:
                np.save(out, array, allow_pickle=False)


def load(f: str | os.PathLike | IO[bytes], map_location: Any = None, weights_only: bool = True) -> Any:
    """Read an object written by ``save``. ``map_location`` moves every tensor to that device;
    ``weights_only`` is accepted for PyTorch compatibility (loading never runs code anyway).
    A truncated or corrupt file raises RuntimeError naming it."""
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    try:
        with zipfile.ZipFile(f) as zf:
            structure = json.loads(zf.read("structure.json"))
            if not isinstance(structure, dict) or structure.get("format") != FORMAT:
                raise ValueError("not a learntorch file")
            if structure.get("version") != VERSION:
                raise ValueError(f"format version {structure.get('version')} (this learntorch reads {VERSION})")
            tensors = _read_tensors(zf, structure["object"], map_location)
            return _decode(structure["object"], tensors)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError, EOFError, OSError,
            IndexError) as e:
        raise RuntimeError(f"learntorch.load: {name} is truncated or corrupt ({type(e).__name__}: {e}); "
                           "it can't be read") from e


def _read_tensors(zf: zipfile.ZipFile, root: Any, map_location: Any) -> list[Tensor]:
    """The tensors the structure refers to, in index order."""
    specs: dict[int, dict] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "tensor" in node:
                specs[node["tensor"]] = node
            else:
                stack.extend(v for v in node.values() if isinstance(v, (list, dict)))
        elif isinstance(node, list):
            stack.extend(node)
    if sorted(specs) != list(range(len(specs))):
        raise ValueError("the structure refers to arrays that are not numbered 0..n-1")
    device = None if map_location is None else as_device(map_location)
    tensors = []
    for i in range(len(specs)):
        spec = specs[i]
        with zf.open(f"arrays/{i}.npy") as raw:
            array = np.load(io.BytesIO(raw.read()), allow_pickle=False)
        dtype = _DTYPES[spec["dtype"]]
        if array.dtype != dtype.np:
            raise ValueError(f"array {i} has dtype {array.dtype}, but the structure says {dtype.name}")
        t = tensor(array, dtype=dtype, device=device)
        if spec["requires_grad"]:
            t.requires_grad_(True)
        tensors.append(t)
    return tensors
