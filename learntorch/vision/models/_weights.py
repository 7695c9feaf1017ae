"""Pretrained weights, as torchvision's ``WeightsEnum``: downloaded once from torchvision's URL into
``$LEARNTORCH_DATA/checkpoints`` (else ``~/.cache/learntorch/checkpoints``), checked against the SHA-256
prefix in the file name (as ``torch.hub``'s ``check_hash``), then read as a state dict."""
from __future__ import annotations

import os
import re
import urllib.error
import warnings
from dataclasses import dataclass
from enum import Enum
from http.client import HTTPException
from typing import Any

from learntorch import Tensor

from ..datasets._download import download_file
from ..datasets.mnist import default_root
from ._torch_checkpoint import load_torch_state_dict


@dataclass
class Weights:
    """Where one set of weights lives, and the classifier size it was trained with."""
    url: str
    num_classes: int

    def get_state_dict(self, progress: bool = True) -> dict[str, Tensor]:
        """The weights' state dict, downloaded first if not in the cache."""
        filename = os.path.basename(self.url)
        folder = os.path.join(default_root(), "checkpoints")
        path = os.path.join(folder, filename)
        if not os.path.isfile(path):
            os.makedirs(folder, exist_ok=True)
            prefix = re.search(r"-([a-f0-9]*)\.", filename)
            try:
                download_file(self.url, path, None, sha256_prefix=prefix.group(1) if prefix else None)
            except (urllib.error.URLError, HTTPException, OSError) as e:
                raise RuntimeError(f"Could not download the pretrained weights {self.url} ({e}). Without a network, "
                                   f"download that file elsewhere and put it at {path}, or pass weights=None for "
                                   "random initialisation.") from e
        return load_torch_state_dict(path)


class WeightsEnum(Enum):
    """The weights a model can load; a member reads through to its ``Weights`` (``.url``,
    ``.get_state_dict()``)."""

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """``obj`` as a member: None, a member, or its name (``"IMAGENET1K_V1"``, ``"ResNet18_Weights.DEFAULT"``)."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            name = obj.replace(cls.__name__ + ".", "")
            if name in cls.__members__:
                return cls.__members__[name]
            raise ValueError(f"Failed to find Weights {obj} in {cls.__name__}. Try one of "
                             f"{', '.join(cls.__members__)}")
        raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received {obj.__class__.__name__}.")

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def num_classes(self) -> int:
        return self.value.num_classes

    def get_state_dict(self, progress: bool = True) -> dict[str, Tensor]:
        return self.value.get_state_dict(progress)


def legacy_weights(enum: type[WeightsEnum], weights: Any, kwargs: dict[str, Any]) -> Weights | None:
    """The ``Weights`` to load, from ``weights`` or the deprecated ``pretrained=True`` (popped from ``kwargs``,
    meaning ``IMAGENET1K_V1``, as in torchvision)."""
    if "pretrained" in kwargs:
        pretrained = kwargs.pop("pretrained")
        warnings.warn("The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, please "
                      "use 'weights' instead.", UserWarning)
        if weights is not None and pretrained:
            raise ValueError(f"The parameter 'pretrained' conflicts with weights={weights}; pass only 'weights'.")
        if pretrained:
            weights = enum.IMAGENET1K_V1
    member = enum.verify(weights)
    return None if member is None else member.value
