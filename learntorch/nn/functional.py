"""``nn.functional`` (``import learntorch.nn.functional as F``): the layers as stateless functions.

Everything here is built from differentiable tensor ops and ops-layer Functions, so autograd
(including ``create_graph=True``) works through it. Shapes: N batch, C channels or classes.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

from .. import _dtype as dt
from .._creation import full
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..ops import cat, log_softmax as _log_softmax, softmax as _softmax, where
from ..ops.conv import conv2d as _conv2d, pair
from ..ops.loss import nll_loss_rows
from ..ops.pool import avg_pool2d, max_pool2d
from ..ops.shape import flatten
from ..random import rand

__all__ = ["linear", "conv2d", "max_pool2d", "avg_pool2d", "relu", "leaky_relu", "gelu", "sigmoid", "tanh",
           "softmax", "log_softmax", "dropout", "batch_norm", "cross_entropy", "nll_loss", "mse_loss",
           "binary_cross_entropy_with_logits", "flatten", "pad"]


# ---------------------------------------------------------------- linear and convolution
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: input (*, in), weight (out, in), bias (out,) -> (*, out)."""
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.name} and "
                           f"{weight.dtype.name}: convert the input (x.to({weight.dtype!r})) or the layer")
    if input.dim() <= 2:
        out = input @ weight.t()
    else:  # one matrix product over all leading dims, reported as PyTorch does: (N*T x in)
        out = (input.reshape(-1, input.shape[-1]) @ weight.t()).reshape(*input.shape[:-1], weight.shape[0])
    return out if bias is None else out + bias


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """Input (N, C, H, W) or (C, H, W), weight (O, C, KH, KW) -> (N, O, OH, OW); padding may be
    an int, a pair, ``'valid'`` (0) or ``'same'`` (output size = input size, stride 1 only)."""
    if groups != 1:
        raise NotImplementedError(f"conv2d: learntorch supports groups=1 only, got groups={groups}")
    if isinstance(padding, str):
        input, padding = _string_padding(input, weight, padding, pair("stride", stride),
                                         pair("dilation", dilation))
    return _conv2d(input, weight, bias, stride, padding, dilation)


def _string_padding(input: Tensor, weight: Tensor, padding: str, stride: tuple[int, int],
                    dilation: tuple[int, int]) -> tuple[Tensor, tuple[int, int]]:
    """'valid' -> no padding; 'same' -> half the dilated kernel on each side, the odd pixel on the right."""
    if padding == "valid":
        return input, (0, 0)
    if padding != "same":
        raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
    if stride != (1, 1):
        raise ValueError("padding='same' is not supported for strided convolutions")
    total = [d * (k - 1) for d, k in zip(dilation, weight.shape[2:])]
    left = [t // 2 for t in total]
    if any(t % 2 for t in total):
        input = pad(input, (0, total[1] - 2 * left[1], 0, total[0] - 2 * left[0]))
    return input, (left[0], left[1])


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Constant padding; ``pad`` = (left, right) of the last dim, then of the one before, ..."""
    if mode != "constant":
        raise NotImplementedError(f"pad: learntorch supports mode='constant' only, got {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input.dim():
        raise ValueError(f"Padding length must be divisible by 2 and at most twice the input's dims, got {len(pad)}")
    out = input
    for i in range(len(pad) // 2):
        dim = input.dim() - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        if before < 0 or after < 0:
            raise NotImplementedError("pad: negative padding is not supported")
        parts = []
        for size in (before, after):
            shape = list(out.shape)
            shape[dim] = size
            parts.append(full(shape, value, dtype=out.dtype, device=out.device))
        if before or after:
            out = cat([parts[0], out, parts[1]], dim)
    return out


# ---------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else input.relu()


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x if x > 0 else negative_slope * x``."""
    if inplace:
        return input.copy_(leaky_relu(input.clone(), negative_slope))
    return where(input > 0, input, input * negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` with Phi the standard normal CDF (``'none'``), or its tanh approximation."""
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1.0 + inner.tanh())
    if approximate != "none":
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return Gelu.apply(input)


def _normal_cdf(x: Tensor) -> Tensor:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, with erf from Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)."""
    t = 1.0 / (1.0 + (0.3275911 / math.sqrt(2.0)) * x.abs())
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    tail = 0.5 * poly * (-0.5 * x * x).exp()  # Phi(-|x|)
    return where(x >= 0, 1.0 - tail, tail)


class Gelu(Function):
    """Exact GELU; backward ``g * (Phi(x) + x * phi(x))`` with phi the normal density."""

    node_name = "GeluBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * _normal_cdf(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        density = (-0.5 * x * x).exp() * (1.0 / math.sqrt(2.0 * math.pi))
        return g * (_normal_cdf(x) + x * density)


def _softmax_dim(input: Tensor, dim: int | None) -> int:
    """PyTorch's legacy choice when ``dim`` is omitted: 0 for 0-, 1- and 3-D input, else 1."""
    if dim is not None:
        return dim
    warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=3)
    return 0 if input.dim() in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: dt.dtype | None = None) -> Tensor:
    return _softmax(input if dtype is None else input.to(dtype), _softmax_dim(input, dim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: dt.dtype | None = None) -> Tensor:
    return _log_softmax(input if dtype is None else input.to(dtype), _softmax_dim(input, dim))


# ---------------------------------------------------------------- regularisation and normalisation
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p); identity when not training."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = rand(*input.shape, dtype=input.dtype, device=input.device) < (1.0 - p)
    mask = keep.to(input.dtype) * (1.0 / (1.0 - p)) if p < 1.0 else keep.to(input.dtype)
    return input.mul_(mask) if inplace else input * mask


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of input (N, C, *) to zero mean and unit variance, then scale and shift.

    Training uses the batch's statistics (biased variance) and moves the running estimates toward
    them (unbiased variance): ``running = (1 - momentum) * running + momentum * batch``.
    Evaluation uses the running estimates."""
    if input.dim() < 2:
        raise ValueError(f"batch_norm: expected an input with at least 2 dims (N, C, ...), got {list(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    dims = (0,) + tuple(range(2, input.dim()))
    shape = (1, c) + (1,) * (input.dim() - 2)
    if training:
        n = input.numel() // c
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
        mean = input.mean(dims)
        centered = input - mean.reshape(shape)
        var = (centered * centered).mean(dims)
        if running_mean is not None and running_var is not None:
            with no_grad():
                running_mean.mul_(1.0 - momentum).add_(mean.detach() * momentum)
                running_var.mul_(1.0 - momentum).add_(var.detach() * (momentum * n / (n - 1)))
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var are needed when training=False")
        centered, var = input - running_mean.reshape(shape), running_var
    out = centered / (var.reshape(shape) + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


# ---------------------------------------------------------------- losses
def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_class_target(op: str, input: Tensor, target: Tensor) -> None:
    """Target holds class indices: int64, shape (N, d1, ...) for input (N, C, d1, ...) or () for (C,)."""
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}(): argument 'target' must be Tensor, not {type(target).__name__}")
    if target.dtype is not dt.int64:
        found = "Float" if target.dtype is dt.float32 else "Double" if target.dtype is dt.float64 else "Bool"
        raise RuntimeError(
            f"expected scalar type Long but found {found}: {op}'s target holds class indices, so it must be "
            f"int64, but it is {target.dtype.name}. Convert it with target.long()"
            + (f" (a float target is read as class probabilities only when it has the input's shape "
               f"{list(input.shape)})" if op == "cross_entropy" else ""))
    expected = input.shape[:1] + input.shape[2:] if input.dim() >= 2 else ()
    if tuple(target.shape) != tuple(expected):
        if input.dim() >= 2 and target.dim() >= 1 and target.shape[0] != input.shape[0]:
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                             f"({target.shape[0]}).")
        raise RuntimeError(f"{op}: for an input of shape {list(input.shape)} the target must have shape "
                           f"{list(expected)} (one class index per sample), but got {list(target.shape)}"
                           + ("; squeeze the extra dim with target.squeeze(1)" if target.dim() == len(expected) + 1
                              and target.shape[-1] == 1 else ""))


def _rows(logp: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """(M, C) log-probabilities and (M,) targets: the class dim moved last, everything else flattened."""
    if logp.dim() == 1:
        return logp.unsqueeze(0), target.reshape(1)
    if logp.dim() > 2:
        logp = logp.permute(0, *range(2, logp.dim()), 1)
    return logp.reshape(-1, logp.shape[-1]), target.reshape(-1)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, *, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """``-input[n, target[n]] * weight[target[n]]`` per sample, for log-probabilities input (N, C, ...).

    ``mean`` divides by the summed weights of the non-ignored samples."""
    _check_reduction(reduction)
    _check_class_target("nll_loss", input, target)
    logp, t = _rows(input, target)
    loss = nll_loss_rows(logp, t, weight, ignore_index, reduction)
    return loss.reshape(target.shape) if reduction == "none" else loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, *, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for logits input (N, C, ...) or (C,).

    ``target`` holds class indices (int64, shape (N, ...)), or class probabilities (float, the
    input's shape). ``label_smoothing`` mixes the target with the uniform distribution."""
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    logp = _log_softmax(input, class_dim)
    n_classes = input.shape[class_dim]
    w_shape = [1] * input.dim()
    w_shape[class_dim] = n_classes
    if isinstance(target, Tensor) and target.dtype.is_floating_point and target.shape == input.shape:
        if label_smoothing > 0:
            target = target * (1.0 - label_smoothing) + label_smoothing / n_classes
        terms = logp * target if weight is None else logp * target * weight.reshape(w_shape)
        loss = -terms.sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.shape[0] if input.dim() > 1 else 1)
        return _reduce(loss, reduction)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return nll
    valid = (target != ignore_index).to(input.dtype)
    terms = logp if weight is None else logp * weight.reshape(w_shape)
    smooth = -terms.sum(class_dim) * valid
    if reduction == "none":
        smooth_red = smooth
    elif reduction == "sum":
        smooth_red = smooth.sum()
    elif weight is None:
        smooth_red = smooth.sum() / valid.sum()
    else:
        smooth_red = smooth.sum() / (weight[where(target != ignore_index, target, 0)] * valid).sum()
    return (1.0 - label_smoothing) * nll + smooth_red * (label_smoothing / n_classes)


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean (or sum) of ``(input - target)**2``."""
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", stacklevel=2)
    diff = input - target
    return _reduce(diff * diff, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None, *,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """``-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))``, computed stably as
    ``(1 - y) x + log(1 + exp(-|x|)) + max(-x, 0)``; ``pos_weight`` scales the positive term."""
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"binary_cross_entropy_with_logits: expected a floating point target (0./1. labels), "
                           f"got {target.dtype.name}; convert it with target.float()")
    softplus_neg = (1.0 + (-input.abs()).exp()).log() + (-input).relu()  # log(1 + exp(-x))
    if pos_weight is None:
        loss = (1.0 - target) * input + softplus_neg
    else:
        loss = (1.0 - target) * input + (1.0 + (pos_weight - 1.0) * target) * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
