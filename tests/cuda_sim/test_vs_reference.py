"""The CUDA backend against the NumPy reference backend: the cases of
tests/backends/test_backends_vs_reference.py at tiny shapes, one per kernel and op (the simulator
runs each GPU thread as a Python thread)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from learntorch._device import device as Device
from learntorch.backends import backend_for

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends"))
from test_backends_vs_reference import Call, all_calls, check_against_reference  # noqa: E402


def one_per_kind(calls: list[Call]) -> list[Call]:
    """The first case of each kernel, op and dtype (ids read ``method-op-dtype-layout...``)."""
    seen, picked = set(), []
    for call in calls:
        kind = tuple(call.id.split("-")[:3])
        if kind not in seen:
            seen.add(kind)
            picked.append(call)
    return picked


CALLS = one_per_kind(all_calls(small=True))


@pytest.mark.parametrize("call", CALLS, ids=[c.id for c in CALLS])
def test_cuda_backend_matches_reference(call: Call) -> None:
    check_against_reference(call, backend_for(Device("cuda")))
