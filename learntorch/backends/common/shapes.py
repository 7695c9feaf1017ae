"""Output sizes of conv2d and 2-D pooling, as PyTorch computes them (the ops check the arguments)."""
from __future__ import annotations

from typing import Sequence

Pair = tuple[int, int]


def conv2d_output_hw(in_hw: Sequence[int], kernel_hw: Sequence[int], stride: Pair, padding: Pair,
                     dilation: Pair) -> Pair:
    """(OH, OW) = ((H + 2*ph - dh*(KH - 1) - 1) // sh + 1, the same for W)."""
    oh, ow = ((size + 2 * p - d * (k - 1) - 1) // s + 1
              for size, k, s, p, d in zip(in_hw, kernel_hw, stride, padding, dilation))
    return oh, ow


def pool2d_output_hw(in_hw: Sequence[int], kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair,
                     ceil_mode: bool) -> Pair:
    """(OH, OW) = floor or ceil((H + 2*ph - dh*(kh - 1) - 1) / sh) + 1; a last window that would
    start in the right padding is dropped (PyTorch's rule)."""
    out = []
    for size, k, s, p, d in zip(in_hw, kernel_size, stride, padding, dilation):
        n = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (n - 1) * s >= size + p:
            n -= 1
        out.append(n)
    return out[0], out[1]
