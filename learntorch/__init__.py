"""learntorch: PyTorch's core, rebuilt with Numba kernels, to learn how it works.

    import learntorch as torch
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad  # tensor([2., 4.])
"""
from __future__ import annotations

from . import _runtime  # noqa: F401  first: LEARNTORCH_TUNE_MALLOC=1 tunes malloc before big arrays exist (see there)
from . import _dtype
from ._device import device
from ._dtype import (bool_ as bool, double, float32, float64, float_ as float, get_default_dtype, int8, int16,
                     int32, int64, int_ as int, long, promote_types, set_default_dtype, short, uint8)
from ._dtype import dtype
from ._typeinfo import finfo, iinfo
from ._tensor import Size, Tensor
from ._creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones,
                        ones_like, tensor, zeros, zeros_like)
from ._legacy import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor,
                      ShortTensor)
from .random import (Generator, default_generator, initial_seed, manual_seed, rand, rand_like, randint,
                     randint_like, randn, randn_like, randperm)
from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops import (abs, add, addmm, all, allclose, any, argmax, argmin, argsort, bmm, cat, chunk, clamp, cos, cumprod,
                  cumsum, diag, diagonal, div, einsum, eq, erf, erfc, exp, expm1, flatten, flip, floor_divide, gather,
                  ge, gt, index_select, isclose, isnan, le, log, log1p, log_softmax, logical_and, logical_not,
                  logical_or, logical_xor, lt, masked_fill, matmul, max, maximum, mean, min, minimum, mm, mul,
                  multinomial, narrow, ne, neg, norm, permute, pow, prod, relu, remainder, reshape, scatter,
                  scatter_add, sigmoid, sign, sin, softmax, sort, split, sqrt, squeeze, stack, std, sub, sum, t, tanh,
                  topk, transpose, tril, triu, true_divide, unbind, unsqueeze, var, where)

clip = clamp
__version__ = "0.1.0"


def is_tensor(obj: object) -> "builtins.bool":
    return isinstance(obj, Tensor)


def result_type(a: object, b: object) -> dtype:
    return _dtype.result_type(a, b)


import builtins  # noqa: E402  (used in annotations above; names like `bool` are shadowed here)
from .serialization import load, save  # noqa: E402
from . import cpu, cuda, nn, optim, utils  # noqa: E402  (torch.nn, torch.cuda, ... work after `import torch`)
from . import accelerator, distributions  # noqa: E402  torch.accelerator, torch.distributions
from .backends import cudnn as _cudnn, mps as _mps  # noqa: E402,F401  torch.backends.cudnn/.mps after `import torch`
from . import onnx, serialization, sparse  # noqa: E402  torch.onnx, torch.serialization.add_safe_globals, torch.sparse
from ._layout import layout, sparse_coo, strided  # noqa: E402
from .sparse._coo import sparse_coo_tensor  # noqa: E402
from .sparse.mm import spmm  # noqa: E402  torch.spmm
