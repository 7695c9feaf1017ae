"""Differentiable operations: each a ``Function`` whose forward calls backend kernels."""
from .convert import Cast, Clone, ToDevice
from .einsum import einsum
from .elementwise import (abs, add, allclose, isclose, clamp, cos, div, eq, erf, erfc, exp, expm1, floor_divide, ge, gt,
                          isnan, le, log, log1p, logical_and, logical_not, logical_or, logical_xor, lt, maximum,
                          minimum, mul, ne, neg, pow, relu, remainder, sigmoid, sign, sin, sqrt, sub, tanh, true_divide,
                          where)
from .indexing import getitem, setitem
from .inplace import copy_, fill_, inplace, zero_
from .join import cat, stack
from .linalg import addmm, bmm, diag, diagonal, mm, norm, tril, triu
from .matmul import matmul
from .rearrange import flip, repeat
from .reduction import all, any, argmax, argmin, max, mean, min, prod, std, sum, var
from .sampling import multinomial
from .scan import cumprod, cumsum
from .scatter_gather import gather, index_select, masked_fill, scatter, scatter_add
from .shape import expand, flatten, permute, reshape, squeeze, t, transpose, unflatten, unsqueeze, view
from .softmax import log_softmax, softmax
from .sorting import argsort, sort, topk
from .split import chunk, narrow, split, unbind
