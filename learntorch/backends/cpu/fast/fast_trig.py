"""A float32 ``sin`` and ``cos`` that LLVM can vectorise (libm's ``sinf``/``cosf`` are scalar calls).

Range reduction: with ``a = |x|``, write ``a = q pi/2 + r`` with ``q = rint(a * 2/pi)``, so
``|r| <= pi/4`` (a hair more where ``a * 2/pi`` rounds across a half). Then, by the quadrant
``k = q mod 4``::

    sin a = sin r, cos r, -sin r, -cos r    for k = 0, 1, 2, 3
    cos a = sin(a + pi/2): the same with k + 1

and ``sin x = sign(x) sin a``, ``cos x = cos a``. ``r = a - q*PIO2_HI - q*PIO2_MID - q*PIO2_LO``
(Cody-Waite in three float32 parts, NumPy's): each ``q*PIO2_*`` is exact inside a fused
multiply-add, the first subtraction is exact, and the three parts carry pi/2 to about 2^-76,
so ``r`` keeps its relative accuracy even for the float32s nearest to multiples of pi/2.
That holds while ``q`` and the rounding errors of the reductions stay small: up to
``|x| <= TRIG_MAX = 71476.0625`` (NumPy's limit, too). Larger inputs give NaN, as inf and NaN
do, and are the caller's to route to libm: cpu/elementwise.py's map kernel redoes the NaNs it gets
with ``math.sin``/``math.cos``.

``sin r = r + r^3 S(r^2)`` and ``cos r = 1 - r^2/2 + r^4 C(r^2)`` are Cephes' sinf/cosf
polynomials for ``|r| <= pi/4``. The quadrant is computed in float (``q - 4 floor(q/4)``), so
NaN never goes through a float-to-int conversion. Max error against float64 libm rounded to
float32, over every float32 with ``2^-20 <= |x| <= TRIG_MAX``: sin and cos 2 ulp (at under 50
inputs each), 1 ulp for ``|x| <= 10`` (tests/backends/test_cpu_fast_math.py samples it).
"""
import math

import numpy as np
from numba import njit

from .fast_math import FLAGS, HALF, ONE

TWO_OVER_PI = np.float32(0.6366197723675814)
PIO2_HI, PIO2_MID, PIO2_LO = (np.float32(c) for c in (  # pi/2 = HI + MID + LO, to ~1e-23
    1.5707963705062866, -4.371138828673793e-08, -1.7151245100058819e-15))
S0, S1, S2 = (np.float32(c) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1))
C0, C1, C2 = (np.float32(c) for c in (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2))
TRIG_MAX = np.float32(71476.0625)  # accurate below; NaN above, for the kernel to hand to libm
QUARTER, FOUR, NAN = np.float32(0.25), np.float32(4.0), np.float32(np.nan)


@njit(inline="always")
def quadrant_value(a, shift):
    """``sin(a + shift * pi/2)`` for ``a = |x| <= TRIG_MAX`` and ``shift`` 0 or 1; NaN beyond."""
    q = np.rint(a * TWO_OVER_PI)
    r = a - q * PIO2_HI  # three fused multiply-adds (FLAGS has "contract")
    r = r - q * PIO2_MID
    r = r - q * PIO2_LO
    z = r * r
    s = ((S0 * z + S1) * z + S2) * (z * r) + r
    c = ((C0 * z + C1) * z + C2) * (z * z) - HALF * z + ONE
    k = q + shift
    k = k - FOUR * np.floor(k * QUARTER)  # q + shift mod 4, in float
    odd = (k == ONE) | (k == np.float32(3.0))
    v = c if odd else s
    v = -v if k >= np.float32(2.0) else v
    return v if a <= TRIG_MAX else NAN


@njit(**FLAGS)
def sin_f32(x: np.float32) -> np.float32:
    """``sin(x)`` in float32 for ``|x| <= TRIG_MAX`` (NaN beyond), to 2 ulp, branch-free; odd,
    so -0 stays -0."""
    return quadrant_value(abs(x), np.float32(0.0)) * math.copysign(ONE, x)


@njit(**FLAGS)
def cos_f32(x: np.float32) -> np.float32:
    """``cos(x)`` in float32 for ``|x| <= TRIG_MAX`` (NaN beyond), to 2 ulp, branch-free; even."""
    return quadrant_value(abs(x), ONE)
