"""``nn.functional`` (``import learntorch.nn.functional as F``): the layers as stateless functions.

Everything here is built from differentiable tensor ops and ops-layer Functions, so autograd
(including ``create_graph=True``) works through it. Shapes: N batch, C channels or classes.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

from .. import _dtype as dt
from .._creation import arange, full, tensor
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..ops import cat, log_softmax as _log_softmax, softmax as _softmax, where
from ..ops.conv import ConvBackwardInput, conv2d as _conv2d, pair
from ..ops.loss import nll_loss_rows
from ..ops.pool import avg_pool2d, max_pool2d
from ..ops.shape import flatten
from ._functional_attention import multi_head_attention_forward, scaled_dot_product_attention
from ._functional_core import _dropout_mask, dropout, linear

__all__ = ["linear", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "relu",
           "leaky_relu", "elu", "silu", "softplus", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "dropout",
           "dropout2d", "batch_norm", "layer_norm", "embedding", "one_hot", "normalize", "pad", "interpolate",
           "flatten", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "scaled_dot_product_attention",
           "multi_head_attention_forward"]


# ---------------------------------------------------------------- linear and convolution
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


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """The gradient of conv2d w.r.t. its input, as a layer: input (N, C_in, H, W) or (C_in, H, W), weight
    (C_in, C_out, kH, kW) -> (N, C_out, OH, OW), ``OH = (H - 1) * stride - 2 * padding + dilation * (kH - 1)
    + output_padding + 1`` (the same for W)."""
    if groups != 1:
        raise NotImplementedError(f"conv_transpose2d: learntorch supports groups=1 only, got groups={groups}")
    stride, padding, dilation = pair("stride", stride), pair("padding", padding), pair("dilation", dilation)
    output_padding = pair("output_padding", output_padding)
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of "
                           f"size: {list(input.shape)}")
    if input.dim() == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, 1,
                                dilation).squeeze(0)
    if weight.dim() != 4:
        raise RuntimeError(f"conv_transpose2d: expected a 4D weight (in_channels, out_channels, kH, kW), got size "
                           f"{list(weight.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype is not input.dtype:
            raise RuntimeError(f"Input type ({input.dtype.name}) and {name} type ({t.dtype.name}) should be the same: "
                               f"convert the input (x.to({t.dtype!r})) or the model (model.to({input.dtype!r}))")
    if weight.shape[0] != input.shape[1]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight.shape[0]} channels, but got {input.shape[1]} "
                           "channels instead")
    if bias is not None and tuple(bias.shape) != (weight.shape[1],):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {weight.shape[1]} elements, but got bias of size {list(bias.shape)} "
                           "instead")
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise RuntimeError(f"conv_transpose2d: stride {stride} and dilation {dilation} must be positive, padding "
                           f"{padding} non-negative")
    if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got output_padding_height: "
            f"{output_padding[0]} output_padding_width: {output_padding[1]} stride_height: {stride[0]} stride_width: "
            f"{stride[1]} dilation_height: {dilation[0]} dilation_width: {dilation[1]}")
    if any(op >= s for op, s in zip(output_padding, stride)):
        raise NotImplementedError(f"conv_transpose2d: learntorch needs output_padding < stride, got output_padding "
                                  f"{output_padding} and stride {stride}")
    out_hw = tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op in
                   zip(input.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding))
    if min(out_hw) < 1:
        raise RuntimeError(f"Given input size per channel: ({input.shape[2]} x {input.shape[3]}). Calculated output "
                           f"size per channel: ({out_hw[0]} x {out_hw[1]}). Output size is too small")
    out = ConvBackwardInput.apply(input, weight, (input.shape[0], weight.shape[1]) + out_hw, stride, padding,
                                  dilation)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


# ---------------------------------------------------------------- padding, pooling and resizing
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or crop, where negative) the last ``len(pad) // 2`` dims: ``pad`` = (left, right) of the last dim,
    then of the one before, ... ``mode``: ``'constant'`` (fill with ``value``), ``'reflect'`` (mirror without
    the edge), ``'replicate'`` (repeat the edge), ``'circular'`` (wrap around)."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant":
        if value is not None and value != 0:
            raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
        n = len(pad) // 2
        if input.dim() not in (n + 1, n + 2):
            raise NotImplementedError(
                f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\nSupported combinations "
                "for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or "
                "4D input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads "
                "last 3 dimensions)")
    out = input
    for i in range(len(pad) // 2):
        dim = input.dim() - 1 - i
        out = _pad_dim(out, dim, pad[2 * i], pad[2 * i + 1], mode, 0.0 if value is None else value, input.shape)
    return out


def _narrow(input: Tensor, dim: int, start: int, stop: int) -> Tensor:
    return input[(slice(None),) * dim + (slice(start, stop),)]


def _index_dim(input: Tensor, dim: int, index: Sequence[int]) -> Tensor:
    """``input`` with dim ``dim`` replaced by ``input``'s entries at ``index`` (a gather; backward adds back)."""
    return input[(slice(None),) * dim + (tensor(list(index), device=input.device),)]


def _pad_dim(input: Tensor, dim: int, before: int, after: int, mode: str, value: float,
             full_shape: Sequence[int]) -> Tensor:
    size = input.shape[dim]
    if before == 0 and after == 0:
        return input
    if before + size < 0 or after + size < 0 or before + after + size < 0:
        raise RuntimeError(f"pad: cropping {-min(before, after)} entries from dim {dim} of size {size} of input "
                           f"{list(full_shape)} leaves a negative size")
    if mode in ("constant", "circular"):  # crop first
        input = _narrow(input, dim, max(-before, 0), size - max(-after, 0))
        before, after, size = max(before, 0), max(after, 0), input.shape[dim]
    if mode == "constant":
        parts = []
        for count in (before, after):
            shape = list(input.shape)
            shape[dim] = count
            parts.append(full(shape, value, dtype=input.dtype, device=input.device))
        return cat([parts[0], input, parts[1]], dim) if before or after else input
    if mode == "reflect" and (before >= size or after >= size):
        raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, but "
                           f"got: padding ({before}, {after}) at dimension {dim} of input {list(full_shape)}")
    if mode == "circular" and (before > size or after > size):
        raise RuntimeError("Padding value causes wrapping around more than once.")
    positions = range(-before, size + after)
    if mode == "replicate":
        index = [min(max(j, 0), size - 1) for j in positions]
    elif mode == "reflect":
        index = [-j if j < 0 else 2 * (size - 1) - j if j >= size else j for j in positions]
    else:
        index = [j % size for j in positions]
    return _index_dim(input, dim, index)


def _adaptive_bins(size: int, out: int) -> list[tuple[int, int]]:
    """[start, end) of each of ``out`` windows over ``size``: floor(i * size / out) to ceil((i + 1) * size / out)."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_avg_dim(input: Tensor, dim: int, out: int) -> Tensor:
    """Average the windows of ``_adaptive_bins`` along dim -1 or -2, as one matrix product with a (out, size)
    averaging matrix (exact for overlapping windows too)."""
    size = input.shape[dim]
    if size == out:
        return input
    if out == 1:
        return input.mean(dim, keepdim=True)
    rows = [[1.0 / (end - start) if start <= j < end else 0.0 for j in range(size)]
            for start, end in _adaptive_bins(size, out)]
    avg = tensor(rows, dtype=input.dtype, device=input.device)
    return input @ avg.t() if dim == -1 else avg @ input


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """(N, C, H, W) or (C, H, W) -> (N, C, oh, ow): the mean of each of oh x ow nearly equal windows (window i
    of H spans floor(i*H/oh) to ceil((i+1)*H/oh)). ``output_size``: an int, or a pair whose None entries keep
    the input's size."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    sizes = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    if len(sizes) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    oh, ow = (input.shape[-2 + i] if s is None else s for i, s in enumerate(sizes))
    if oh < 0 or ow < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{oh}, {ow}}}")
    if oh == 1 and ow == 1:
        return input.mean((-2, -1), keepdim=True)
    return _adaptive_avg_dim(_adaptive_avg_dim(input, -2, oh), -1, ow)


_INTERPOLATE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, *spatial) to ``size`` (or ``floor(in * scale_factor)``).

    Modes: ``'nearest'`` (source index floor(i * in / out)), ``'nearest-exact'`` (floor((i + 0.5) * in / out)),
    ``'linear'`` (3-D) / ``'bilinear'`` (4-D) (two neighbours per dim, weighted by distance; ``align_corners``
    maps the corner pixels' centres onto each other), ``'area'`` (adaptive average pooling). Separable: one
    dim at a time."""
    if mode not in _INTERPOLATE_MODES or input.dim() not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  "for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                         "bicubic | trilinear")
    needs = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
    if mode in needs and input.dim() != needs[mode]:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {needs[mode]}D input")
    if mode in ("bicubic", "trilinear") or antialias:
        raise NotImplementedError(f"interpolate: learntorch supports modes nearest, nearest-exact, linear, bilinear "
                                  f"and area without antialias, got mode={mode!r}, antialias={antialias}")
    dims = input.dim() - 2
    in_sizes = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        out_sizes = list(size) if isinstance(size, (list, tuple)) else [size] * dims
        if len(out_sizes) != dims:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {in_sizes} and output size of {tuple(size)}. Please provide "
                             "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                             "format.")
        scales = [None] * dims
    elif scale_factor is not None:
        factors = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * dims
        if len(factors) != dims:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {in_sizes} and scale_factor of shape {tuple(factors)}.")
        out_sizes = [int(math.floor(n * float(f))) for n, f in zip(in_sizes, factors)]
        scales = [None if recompute_scale_factor else 1.0 / float(f) for f in factors]
    else:
        raise ValueError("either size or scale_factor should be defined")
    out = input
    for i, (n_in, n_out, scale) in enumerate(zip(in_sizes, out_sizes, scales)):
        out = _resize_dim(out, 2 + i, n_in, int(n_out), scale, mode, bool(align_corners))
    return out


def _resize_dim(input: Tensor, dim: int, n_in: int, n_out: int, scale: float | None, mode: str,
                align_corners: bool) -> Tensor:
    """One spatial dim of ``interpolate``; ``scale`` (in/out) is 1/scale_factor when given, as in PyTorch."""
    if n_out <= 0:
        raise ValueError(f"interpolate: the output size of every spatial dim must be positive, got {n_out} for an "
                         f"input of size {list(input.shape)}")
    if n_in == n_out and scale is None:
        return input
    if mode == "area":
        moved = input.transpose(dim, -1)
        return _adaptive_avg_dim(moved, -1, n_out).transpose(dim, -1)
    if align_corners:  # only the linear modes take it
        scale = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    elif scale is None:
        scale = n_in / n_out
    if mode in ("nearest", "nearest-exact"):
        offset = 0.5 if mode == "nearest-exact" else 0.0
        return _index_dim(input, dim, [min(int(math.floor((i + offset) * scale)), n_in - 1) for i in range(n_out)])
    src = [i * scale if align_corners else max(scale * (i + 0.5) - 0.5, 0.0) for i in range(n_out)]
    lo = [min(int(math.floor(x)), n_in - 1) for x in src]
    hi = [min(i + 1, n_in - 1) for i in lo]
    shape = [1] * input.dim()
    shape[dim] = n_out
    frac = tensor([x - i for x, i in zip(src, lo)], dtype=input.dtype, device=input.device).reshape(shape)
    low = _index_dim(input, dim, lo)
    return low + (_index_dim(input, dim, hi) - low) * frac


# ---------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else input.relu()


def _floating_only(op: str, input: Tensor) -> None:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{op}" not implemented for \'{input.dtype.name}\': pass a floating point '
                                  "tensor (x.float())")


def _maybe_inplace(out_of_place: Any, input: Tensor, inplace: bool, *args: Any) -> Tensor:
    """``out_of_place(input, *args)``, or its result written back into ``input`` (computed on a clone, so
    the graph keeps the old value) when ``inplace``."""
    if inplace:
        return input.copy_(out_of_place(input.clone(), *args))
    return out_of_place(input, *args)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x if x > 0 else negative_slope * x``."""
    return _maybe_inplace(_leaky_relu, input, inplace, negative_slope)


def _leaky_relu(input: Tensor, negative_slope: float) -> Tensor:
    return where(input > 0, input, input * negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    _floating_only("elu", input)
    return _maybe_inplace(_elu, input, inplace, alpha)


def _elu(input: Tensor, alpha: float) -> Tensor:
    # expm1 of the clamped input: exp(large x) would overflow, and where's zero gradient times inf is nan
    return where(input > 0, input, alpha * input.clamp(max=0.0).expm1())


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    _floating_only("silu", input)
    return _maybe_inplace(_silu, input, inplace)


def _silu(input: Tensor) -> Tensor:
    return input * input.sigmoid()


def _log1p_exp(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow: ``log1p(exp(-|x|)) + max(x, 0)``."""
    return (-x.abs()).exp().log1p() + x.relu()


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``."""
    _floating_only("softplus", input)
    scaled = input * beta
    return where(scaled > threshold, input, _log1p_exp(scaled) * (1.0 / beta))


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
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, computed as erfc(-x / sqrt 2) / 2 (exact in the left tail too)."""
    return (x * -math.sqrt(0.5)).erfc() * 0.5


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
def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (n, c) plane of (N, C, H, W) with probability ``p``, the rest scaled by 1/(1-p).

    As PyTorch, a 3-D input is read as (N, C, L) (with a warning), not as an unbatched (C, H, W)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
                      "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
    if input.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    if input.dim() < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input, got {list(input.shape)}")
    if not training or p == 0.0:
        return input
    mask = _dropout_mask(input, tuple(input.shape[:2]) + (1,) * (input.dim() - 2), p)
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


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims of input (*, *normalized_shape) to zero mean and
    unit (biased) variance, then ``* weight + bias`` (both of ``normalized_shape``)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.dim() - k:]) != shape or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(n) for n in shape)}], but got input of size{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    dims = tuple(range(-k, 0))
    centered = input - input.mean(dims, keepdim=True)
    out = centered / ((centered * centered).mean(dims, keepdim=True) + eps).sqrt()
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


# ---------------------------------------------------------------- embeddings and encodings
def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of weight (num_embeddings, D) picked by the int64 indices input (*) -> (*, D).

    ``padding_idx``: that row gets no gradient. ``max_norm``: rows looked up are first rescaled in place
    to a ``norm_type`` norm of at most max_norm (as PyTorch, this modifies ``weight``)."""
    if not isinstance(input, Tensor) or input.dtype is not dt.int64:
        found = type(input).__name__ if not isinstance(input, Tensor) else input.dtype.name
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {found} instead (while checking arguments for embedding): convert "
                           "the indices with .long()")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: learntorch supports neither scale_grad_by_freq=True nor sparse=True "
                                  "(its gradients are dense)")
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % rows
    if input.numel() > 0:
        lo, hi = int(input.min().item()), int(input.max().item())
        if lo < 0 or hi >= rows:
            raise IndexError(f"index out of range in self: embedding has {rows} rows (indices 0..{rows - 1}), but "
                             f"the input holds indices from {lo} to {hi}")
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    out = weight[input]
    if padding_idx is None:
        return out
    return where((input != padding_idx).unsqueeze(-1), out, out.detach())


def _embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    with no_grad():
        picked = weight[input.reshape(-1)]
        norms = (picked.abs() ** norm_type).sum(1, keepdim=True) ** (1.0 / norm_type)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[input.reshape(-1)] = picked * scale


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 class indices (*) -> (*, num_classes) int64 with a 1 at each index; ``num_classes=-1``: max + 1."""
    if not isinstance(tensor, Tensor) or tensor.dtype is not dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        lo, hi = int(tensor.min().item()), int(tensor.max().item())
        if lo < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = hi + 1
        elif hi >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == arange(num_classes, device=tensor.device)).long()


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """``input / max(||input||_p, eps)``, the norm taken along ``dim``."""
    if p == math.inf:
        denom = input.abs().max(dim, keepdim=True)[0].clamp(min=eps)
    elif p == 1:
        denom = input.abs().sum(dim, keepdim=True).clamp(min=eps)
    else:  # clamp before the root: max(norm, eps), with a zero gradient (not nan) at a zero norm
        powered = input * input if p == 2 else input.abs() ** p
        denom = powered.sum(dim, keepdim=True).clamp(min=eps ** p) ** (1.0 / p)
    result = input / denom
    return result if out is None else out.copy_(result)


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


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The deprecated ``size_average``/``reduce`` pair, when given, decides the reduction (with a warning)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                  stacklevel=3)
    return reduction


def _warn_target_size(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", stacklevel=3)


def _weighted(loss: Tensor, weight: Tensor | None, reduction: str, mean_over_weights: bool) -> Tensor:
    """Reduce ``loss * weight``; its mean divides by ``weight.sum()`` when ``mean_over_weights``."""
    _check_reduction(reduction)
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != tuple(loss.shape):
        raise ValueError(f"Weights and input must have the same size: weight {list(weight.shape)}, input "
                         f"{list(loss.shape)}")
    loss = loss * weight
    if reduction == "mean" and mean_over_weights:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


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


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """``-input[n, target[n]] * weight[target[n]]`` per sample, for log-probabilities input (N, C, ...).

    ``mean`` divides by the summed weights of the non-ignored samples."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_class_target("nll_loss", input, target)
    logp, t = _rows(input, target)
    loss = nll_loss_rows(logp, t, weight, ignore_index, reduction)
    return loss.reshape(target.shape) if reduction == "none" else loss


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for logits input (N, C, ...) or (C,).

    ``target`` holds class indices (int64, shape (N, ...)), or class probabilities (float, the
    input's shape). ``label_smoothing`` mixes the target with the uniform distribution."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
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


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean (or sum) of ``(input - target)**2``; with ``weight`` (input's shape) the mean is weighted."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_target_size(input, target)
    diff = input - target
    return _weighted(diff * diff, weight, reduction, mean_over_weights=True)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean (or sum) of ``|input - target|``; with ``weight`` (input's shape) the mean is weighted."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_target_size(input, target)
    return _weighted((input - target).abs(), weight, reduction, mean_over_weights=True)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Per element ``0.5 * d**2 / beta`` where ``d = |input - target| < beta``, else ``d - 0.5 * beta``
    (``beta = 0``: the L1 loss)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got beta={beta}.")
    _warn_target_size(input, target)
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(where(d < beta, (0.5 / beta) * d * d, d - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Per element ``0.5 * d**2`` where ``d = |input - target| < delta``, else ``delta * (d - 0.5 * delta)``
    (``smooth_l1_loss * beta`` with beta = delta); ``weight`` (input's shape) scales each element."""
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, got delta={delta}.")
    _warn_target_size(input, target)
    d = (input - target).abs()
    loss = where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _weighted(loss, weight, reduction, mean_over_weights=False)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) per element: ``target * (log(target) - input)`` for log-probabilities
    input (``0`` where target is 0); target is given as log-probabilities when ``log_target``.

    ``reduction='batchmean'`` divides the sum by the batch size (the KL divergence); ``'mean'`` divides by
    the element count, as PyTorch (with its warning)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if reduction not in ("mean", "sum", "none", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        loss = where(positive, target * where(positive, target, 1.0).log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() != 0 else loss.sum()
    return _reduce(loss, reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """``-(y log x + (1 - y) log(1 - x))`` for probabilities x in [0, 1] (each log clamped at -100, as
    PyTorch); ``weight`` broadcasts against the loss."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    if not input.dtype.is_floating_point or not target.dtype.is_floating_point:
        raise RuntimeError(f"binary_cross_entropy: expected floating point input and target, got {input.dtype.name} "
                           f"and {target.dtype.name}; convert them with .float()")
    if input.numel() and ((input < 0).any().item() or (input > 1).any().item()):
        raise RuntimeError("all elements of input should be between 0 and 1 (apply sigmoid first, or use "
                           "binary_cross_entropy_with_logits on the raw scores)")
    loss = -(target * input.log().clamp(min=-100.0) + (1.0 - target) * (1.0 - input).log().clamp(min=-100.0))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average: bool | None = None, reduce: bool | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """``-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))``, computed stably as
    ``(1 - y) x + log(1 + exp(-x))``; ``pos_weight`` scales the positive term."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"binary_cross_entropy_with_logits: expected a floating point target (0./1. labels), "
                           f"got {target.dtype.name}; convert it with target.float()")
    softplus_neg = _log1p_exp(-input)
    if pos_weight is None:
        loss = (1.0 - target) * input + softplus_neg
    else:
        loss = (1.0 - target) * input + (1.0 + (pos_weight - 1.0) * target) * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)

