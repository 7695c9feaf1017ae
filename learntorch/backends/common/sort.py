"""The row sort both devices run: a stable merge sort of one row's positions, written once.

``sort_row(a, base, n, stride, descending, idx, tmp)`` leaves in ``idx[:n]`` the positions
``k`` of the row ``a[base + k * stride]`` in sorted order; ``tmp`` is scratch of the same size.
As PyTorch orders them, NaN is larger than every number (last ascending, first descending), and
equal elements keep their order (a stable sort, in both directions). The CPU compiles it with
``njit``, the CUDA backend with ``cuda.jit(device=True)`` (one GPU thread per row).

Bottom-up merge sort, as plain Python::

    idx = [0, 1, ..., n-1]
    width = 1
    while width < n:                      # runs of `width` sorted positions ...
        merge each pair of neighbouring runs into one run of 2 * width (into tmp), then swap
        width *= 2                        # ... become runs of 2 * width

A merge takes the right run's element only when it sorts strictly before the left one's, which
is what keeps equal elements in order.
"""
from __future__ import annotations


def sort_row(a, base, n, stride, descending, idx, tmp):
    """Sort the positions of row ``a[base + k * stride]``, ``k < n``, into ``idx`` (stable)."""
    for k in range(n):
        idx[k] = k
    src, dst = idx, tmp
    swapped = False
    width = 1
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j = lo, mid
            for k in range(lo, hi):
                right_first = False
                if j < hi and i < mid:
                    x = a[base + src[j] * stride]  # the right run's head ...
                    y = a[base + src[i] * stride]  # ... sorts strictly before the left one's?
                    if descending:
                        x, y = y, x
                    right_first = x < y or (x == x and y != y)  # NaN is the largest
                if j < hi and (i >= mid or right_first):
                    dst[k] = src[j]
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
        src, dst = dst, src
        swapped = not swapped
        width *= 2
    if swapped:  # the sorted positions ended up in tmp
        for k in range(n):
            idx[k] = tmp[k]
