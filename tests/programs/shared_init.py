"""Same starting weights for a program's PyTorch run and its learntorch run.

``shared_init(model, path)`` loads ``path`` (an ``.npz`` of the model's ``state_dict``) when it
exists, and otherwise writes the model's fresh weights there, so the first run's initial weights
become the second run's. NumPy's format is the one both libraries read; ``path=None`` does nothing.
"""
from __future__ import annotations

import os

import numpy as np
import torch


def shared_init(model: torch.nn.Module, path: str | None) -> None:
    if path is None:
        return
    if os.path.exists(path):
        with np.load(path) as f:
            model.load_state_dict({k: torch.from_numpy(f[k]) for k in f.files})
    else:
        np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
