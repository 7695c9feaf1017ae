"""A float32 ``exp`` and ``log`` that LLVM can vectorise, and the ``sigmoid`` and ``tanh`` built on exp.

``math.exp`` on a float32 compiles to a call of libm's scalar ``expf``: LLVM has no vector exp
(without Intel's SVML), so a loop that calls it runs one element at a time. This one is plain
float32 arithmetic with selects instead of branches, so a loop over it becomes SIMD code.

Range reduction: write ``x = n ln2 + r`` with ``n = rint(x / ln2)``, so ``|r| <= ln2 / 2`` and::

    e^x = 2^n * e^r

``r = x - n*LN2_HI - n*LN2_LO`` (Cody-Waite): ``LN2_HI`` has so few bits that ``n*LN2_HI`` is
exact, and ``LN2_LO`` adds the rest of ln2. ``e^r`` is Cephes' degree-7 polynomial
``1 + r + r^2 P(r)``. ``2^n`` is built from its bits: a float32 is ``2^(e - 127) * 1.m``, so
the int32 ``(n + 127) << 23`` (that is ``(n + 127) * 2^23``), read as a float32, is ``2^n``.
It is applied as two factors ``2^(n//2) * 2^(n - n//2)``, so that neither overflows nor goes
subnormal where ``e^x`` itself does not: results down to ``2^-149`` (x ~ -103.97) come out as
libm's do. ``x`` is clamped to [-104, 89] first, which makes -inf -> 0 and +inf -> inf, and
``e^x`` overflows to inf for ``x > 88.72`` and underflows to 0 below about -103.97.

``log`` undoes the same bit layout: ``x = 2^e * m`` with ``m`` in [sqrt(1/2), sqrt(2)) read from
the exponent and mantissa bits (subnormal ``x`` are first scaled by ``2^23`` into the normal range),
so ``log x = e ln2 + log(1 + f)`` with ``f = m - 1`` in [-0.29, 0.41]. ``log(1 + f)`` is Cephes'
``f - f^2/2 + f^3 Q(f)``, and ``e ln2`` is again added as ``e*LN2_HI + e*LN2_LO``.

Max error against float64 libm rounded to float32, over every float32 input: exp 1 ulp,
sigmoid 2, tanh 1, log 1 (tests/backends/test_cpu_fast_math.py). Of the fast-math flags only
``contract`` (FMA) is on: reassociation would merge the two ``LN2`` terms back into one and
lose the split. LLVM inlines these functions into the calling loop.
"""
import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

LOG2E = np.float32(1.4426950408889634)
LN2_HI = np.float32(0.693359375)  # 355/512: n * LN2_HI is exact for |n| < 2^15
LN2_LO = np.float32(-2.12194440e-4)  # ln2 - LN2_HI
P0, P1, P2, P3, P4, P5 = (np.float32(c) for c in (  # Cephes expf: e^r ~ 1 + r + r^2 P(r)
    1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1))
T0, T1, T2, T3, T4 = (np.float32(c) for c in (  # Cephes tanhf: tanh(x) ~ x + x^3 T(x^2), |x| < 0.625
    -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1))
Q0, Q1, Q2, Q3, Q4, Q5, Q6, Q7, Q8 = (np.float32(c) for c in (  # Cephes logf: f^3 Q(f)
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))
LO, HI = np.float32(-104.0), np.float32(89.0)
HALF, ONE, TWO = np.float32(0.5), np.float32(1.0), np.float32(2.0)
BIAS, MANTISSA, TANH_SMALL = np.float32(127.0), np.float32(2.0**23), np.float32(0.625)
TANH_CLAMP = np.float32(40.0)  # 2|x| beyond this gives tanh = 1 in float32 anyway (from |x| ~ 9)
MIN_NORMAL, SQRT_HALF = np.float32(2.0**-126), np.float32(0.7071067811865476)
INF, NAN = np.float32(np.inf), np.float32(np.nan)
FRACTION_BITS, HALF_EXPONENT = np.int32(0x007FFFFF), np.int32(0x3F000000)  # 0x3F000000 is 0.5
# FMA, and x / 0 = inf without a ZeroDivisionError branch (which would stop vectorisation)
FLAGS = dict(fastmath={"contract"}, error_model="numpy", cache=True)


@intrinsic
def float32_from_bits(typingctx, bits):
    """The float32 whose bit pattern is the int32 ``bits`` (C's ``*(float *)&bits``)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


@intrinsic
def float32_bits(typingctx, x):
    """The int32 bit pattern of the float32 ``x`` (C's ``*(int *)&x``)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))
    return types.int32(types.float32), codegen


@njit(inline="always")
def pow2(n):
    """``2^n`` for a whole float32 ``n`` in [-126, 127]."""
    return float32_from_bits(np.int32((n + BIAS) * MANTISSA))


@njit(inline="always")
def exp_parts(x):
    """``(e^r, n)`` with ``e^x = e^r * 2^n``: the range reduction and polynomial above, for a
    float32 ``x`` in [-104, 89]."""
    n = np.rint(x * LOG2E)
    r = x - n * LN2_HI - n * LN2_LO
    p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5
    return p * (r * r) + r + ONE, n


@njit(**FLAGS)
def exp_f32(x: np.float32) -> np.float32:
    """``e^x`` in float32, to 1 ulp, branch-free."""
    xc = LO if x < LO else (HI if x > HI else x)
    er, n = exp_parts(xc)
    half = np.floor(n * HALF)
    y = er * pow2(half) * pow2(n - half)
    return y if x == x else x  # NaN in, NaN out


@njit(**FLAGS)
def sigmoid_f32(x: np.float32) -> np.float32:
    """``1 / (1 + e^-x)`` in float32, stable: with ``z = e^-|x|`` (never overflows), it is
    ``1 / (1 + z)`` for ``x >= 0`` and ``z / (1 + z)`` below."""
    z = exp_f32(-abs(x))
    return (ONE if x >= 0 else z) / (ONE + z)


@njit(**FLAGS)
def tanh_f32(x: np.float32) -> np.float32:
    """``tanh(x)`` in float32, odd: for ``a = |x|``, ``1 - 2 / (e^2a + 1)``, or Cephes' polynomial
    ``a + a^3 T(a^2)`` below ``a = 0.625`` where that difference would cancel; then x's sign."""
    a = abs(x)
    z = a * a
    small = ((((T0 * z + T1) * z + T2) * z + T3) * z + T4) * (z * a) + a
    two_a = TANH_CLAMP if a + a > TANH_CLAMP else a + a  # e^2a needs no over/underflow care (NaN stays)
    er, n = exp_parts(two_a)
    big = ONE - TWO / (er * pow2(n) + ONE)
    return math.copysign(small if a < TANH_SMALL else big, x)  # NaN: a < 0.625 is false


@njit(**FLAGS)
def log_f32(x: np.float32) -> np.float32:
    """``log(x)`` in float32, to 1 ulp, branch-free: ``x = 2^e * m`` from the bits, then
    ``e ln2 + log(1 + f)``. log 0 = -inf, log of a negative or NaN = NaN, log inf = inf."""
    tiny = x < MIN_NORMAL
    bits = float32_bits(x * MANTISSA if tiny else x)
    # x = 2^e * m with m in [0.5, 1): the exponent field less 126 (less 23 more if scaled), and
    # the fraction bits under the exponent of 0.5
    e = np.float32(bits >> 23) - (np.float32(149.0) if tiny else np.float32(126.0))
    m = float32_from_bits(np.int32((bits & FRACTION_BITS) | HALF_EXPONENT))
    low = m < SQRT_HALF  # then use 2^(e-1) * 2m: the fraction is centred on 1
    e = e - ONE if low else e
    f = (m + m if low else m) - ONE  # exact
    z = f * f
    q = (((((((Q0 * f + Q1) * f + Q2) * f + Q3) * f + Q4) * f + Q5) * f + Q6) * f + Q7) * f + Q8
    y = q * f * z + e * LN2_LO - HALF * z
    y = f + y + e * LN2_HI
    special = -INF if x == 0 else (x if x > 0 else NAN)  # +-0, inf, negative or NaN
    return y if (x > 0) & (x < INF) else special
