"""``einsum``: Einstein summation, written with the ops already there (no kernel of its own).

``einsum("bij,bjk->bik", a, b)`` names each dim by a letter. Letters in the output are kept, the
others summed over. For two operands each letter is one of:

* batch: in both operands and in the output (``b``): one product per value;
* contracted: in both, not in the output (``j``): multiplied and summed, the inner dim of a matmul;
* left/right: in one operand only (``i``, ``k``): rows of the left matrix, columns of the right.

So the operands are permuted and reshaped to ``(batch, left, contracted)`` and ``(batch,
contracted, right)``, multiplied with ``bmm``, and the result reshaped and permuted to the output.
A letter in one operand only and not in the output is summed first; a repeated letter within an
operand (``"ii->i"``) takes the diagonal. Three or more operands are contracted left to right;
``...`` stands for the dims the letters leave (broadcast, right-aligned). Sizes of 1 broadcast.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from .._tensor import Tensor
from .linalg import diagonal
from .matmul import BatchMatMul

_ELLIPSIS_DIMS = [chr(0x100 + i) for i in range(64)]  # private letters standing for the dims of "..."


def _parse(equation: str, operands: Sequence[Tensor]) -> tuple[list[str], str]:
    """Each operand's subscripts and the output's, with ``...`` replaced by private letters."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): {'more' if len(operands) > len(terms) else 'fewer'} operands were provided "
                           f"than specified in the equation ({equation!r} names {len(terms)}, got {len(operands)})")
    ellipsis = 0
    subscripts = []
    for k, (term, t) in enumerate(zip(terms, operands)):
        letters = term.replace("...", "")
        if not letters.isalpha() and letters:
            raise RuntimeError(f"einsum(): invalid subscript given in the equation string {equation!r}: "
                               "subscripts are letters a-z and A-Z, and '...'")
        extra = t.dim() - len(letters)
        if ("..." not in term and extra != 0) or extra < 0:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                               f"the number of dimensions ({t.dim()}) for operand {k}"
                               + ("" if "..." in term else " and no ellipsis was given"))
        ellipsis = max(ellipsis, extra)
        subscripts.append(term.replace("...", "".join(_ELLIPSIS_DIMS[-extra:]) if extra else ""))
    dots = "".join(_ELLIPSIS_DIMS[-ellipsis:]) if ellipsis else ""
    if arrow:
        output = rhs.replace("...", dots)
    else:
        letters = "".join(subscripts)
        output = dots + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in dots))
    for c in output:
        if not any(c in s for s in subscripts):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input operand")
        if output.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
    return subscripts, output


def _sizes(subscripts: list[str], operands: Sequence[Tensor]) -> dict[str, int]:
    """Each letter's size; a size of 1 broadcasts against any other."""
    sizes: dict[str, int] = {}
    for k, (s, t) in enumerate(zip(subscripts, operands)):
        for c, n in zip(s, t._shape):
            if sizes.get(c, 1) != 1 and n not in (1, sizes[c]):
                name = "..." if c in _ELLIPSIS_DIMS else c
                raise RuntimeError(f"einsum(): subscript {name} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {sizes[c]}")
            if n != 1 or c not in sizes:
                sizes[c] = n
    return sizes


def _distinct(t: Tensor, s: str) -> tuple[Tensor, str]:
    """``t`` with each repeated letter reduced to its diagonal (the letter then comes last)."""
    for c in s:
        if s.count(c) > 1:
            i = s.index(c)
            j = s.index(c, i + 1)
            t = diagonal(t, 0, i, j)
            return _distinct(t, s[:i] + s[i + 1:j] + s[j + 1:] + c)
    return t, s


def _keep(t: Tensor, s: str, keep: str) -> tuple[Tensor, str]:
    """``t`` summed over its letters not in ``keep``."""
    summed = tuple(i for i, c in enumerate(s) if c not in keep)
    return (t.sum(summed) if summed else t), "".join(c for c in s if c in keep)


def _arrange(t: Tensor, s: str, order: str, sizes: dict[str, int]) -> Tensor:
    """``t`` (whose letters ``s`` are those of ``order``) permuted to ``order``, each dim broadcast
    to its letter's size."""
    if s != order:
        t = t.permute(*[s.index(c) for c in order])
    target = tuple(sizes[c] for c in order)
    return t if t._shape == target else t.expand(target)


def _contract(a: Tensor, sa: str, b: Tensor, sb: str, keep: str, sizes: dict[str, int]) -> tuple[Tensor, str]:
    """The product of two operands, summed over the letters they share that ``keep`` lacks."""
    a, sa = _keep(a, sa, keep + sb)
    b, sb = _keep(b, sb, keep + sa)
    batch = "".join(c for c in sa if c in sb and c in keep)
    inner = "".join(c for c in sa if c in sb and c not in keep)
    left = "".join(c for c in sa if c not in sb)
    right = "".join(c for c in sb if c not in sa)
    n = {part: math.prod(sizes[c] for c in part) for part in (batch, left, inner, right)}
    a3 = _arrange(a, sa, batch + left + inner, sizes).reshape(n[batch], n[left], n[inner])
    b3 = _arrange(b, sb, batch + inner + right, sizes).reshape(n[batch], n[inner], n[right])
    out = BatchMatMul.apply(a3, b3)
    return out.reshape(tuple(sizes[c] for c in batch + left + right)), batch + left + right


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation over ``operands`` (``einsum(eq, a, b)`` or ``einsum(eq, [a, b])``):
    products of the operands' elements, summed over the letters the output leaves out."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operand {k} must be a Tensor, not {type(t).__name__}")
    subscripts, output = _parse(equation, operands)
    sizes = _sizes(subscripts, operands)
    t, s = _distinct(operands[0], subscripts[0])
    for k in range(1, len(operands)):
        u, su = _distinct(operands[k], subscripts[k])
        later = "".join(subscripts[k + 1:])
        t, s = _contract(t, s, u, su, output + later, sizes)
    t, s = _keep(t, s, output)
    return _arrange(t, s, output, sizes)
