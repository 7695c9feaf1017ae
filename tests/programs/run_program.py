"""Run one PyTorch program unchanged, on PyTorch or on learntorch.

    python tests/programs/run_program.py torch      tests/programs/vae.py [program args...]
    python tests/programs/run_program.py learntorch tests/programs/vae.py [program args...]

With ``learntorch``, an import hook answers every ``import torch``/``torch.X`` with ``learntorch``/
``learntorch.X`` and every ``torchvision``/``torchvision.X`` with ``learntorch.vision``/
``learntorch.vision.X``; the program's file is run as ``__main__`` and never edited.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import runpy
import sys
import types
from typing import Sequence

ALIASES = {"torchvision": "learntorch.vision", "torch": "learntorch"}


class _AliasLoader(importlib.abc.Loader):
    """Hands back the already imported learntorch module under the torch name it was asked for."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec  # the import system set the alias's spec; the module keeps its own


class TorchToLearntorch(importlib.abc.MetaPathFinder):
    """``torch.X`` -> ``learntorch.X``, ``torchvision.X`` -> ``learntorch.vision.X``."""

    def find_spec(self, fullname: str, path: object = None, target: object = None
                  ) -> importlib.machinery.ModuleSpec | None:
        for alias, real in ALIASES.items():
            if fullname == alias or fullname.startswith(alias + "."):
                target_name = real + fullname[len(alias):]
                try:
                    module = importlib.import_module(target_name)
                except ModuleNotFoundError as err:
                    if err.name != target_name:
                        raise  # something inside learntorch failed to import: show that
                    raise ModuleNotFoundError(f"No module named {fullname!r}: learntorch has no {target_name!r}",
                                              name=fullname) from err
                return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module),
                                                      is_package=hasattr(module, "__path__"))
        return None


def install_learntorch_aliases() -> None:
    sys.meta_path.insert(0, TorchToLearntorch())


def import_torchvision() -> None:
    """Real torchvision for the PyTorch run. A torchvision wheel whose C extension does not match the
    installed torch (a CUDA wheel beside a CPU torch) fails registering its ops' meta kernels at import;
    the Python parts the programs use (datasets, transforms, models) do not need them, so skip that file."""
    try:
        import torchvision  # noqa: F401
    except ImportError:
        return  # the program's own import says so
    except RuntimeError as err:
        if "torchvision::" not in str(err):
            raise
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
        sys.modules["torchvision._meta_registrations"] = types.ModuleType("torchvision._meta_registrations")
        import torchvision  # noqa: F401,F811


def main(argv: Sequence[str]) -> None:
    if len(argv) < 2 or argv[0] not in ("torch", "learntorch"):
        sys.exit("usage: run_program.py {torch|learntorch} PROGRAM.py [ARGS...]")
    backend, program, *args = argv
    if backend == "learntorch":
        install_learntorch_aliases()
    else:
        import_torchvision()
    sys.argv = [program, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))  # as `python PROGRAM` does
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
