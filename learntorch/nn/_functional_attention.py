"""``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``, as PyTorch's, built from matmul,
softmax, masked_fill, ``linear`` and ``dropout``; ``nn.MultiheadAttention`` (``attention.py``) calls them.

Shapes: L target (query) length, S source (key) length, N batch, E embedding, H heads, E/H head dim.
Two mask conventions, both PyTorch's: in ``multi_head_attention_forward`` a bool mask's True means "do not
attend"; in ``scaled_dot_product_attention`` True means "attend". A float mask is added to the scores in both.
"""
from __future__ import annotations

import math
import warnings

from .. import _creation, _dtype as dt
from .._tensor import Tensor
from ..ops import where
from ._functional_core import dropout, linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _none_or_dtype(input: Tensor | None) -> dt.dtype | None:
    return None if input is None else input.dtype


def _canonical_mask(mask: Tensor | None, mask_name: str, other_type: dt.dtype | None, other_name: str,
                    target_type: dt.dtype, check_other: bool = True) -> Tensor | None:
    """A bool mask (True = masked out) becomes a float mask of ``target_type`` with -inf where True."""
    if mask is None:
        return None
    if mask.dtype is not dt.bool_ and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported, got {mask.dtype}")
    if check_other and other_type is not None and mask.dtype is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mask.dtype is dt.bool_:
        mask = _creation.zeros_like(mask, dtype=target_type).masked_fill(mask, float("-inf"))
    return mask


def _safe_softmax(scores: Tensor) -> Tensor:
    """Softmax over the last dim whose fully masked rows (all -inf) are 0 instead of NaN, as PyTorch's sdpa."""
    dead = (scores == float("-inf")).all(-1, keepdim=True)
    return where(dead, 0.0, where(dead, 0.0, scores).softmax(-1))


def _repeat_heads(x: Tensor, heads: int) -> Tensor:
    """(*, Hk, S, D) -> (*, heads, S, D), each key/value head repeated for its group of query heads."""
    *batch, hk, length, d = x.shape
    return x.unsqueeze(-3).expand(*batch, hk, heads // hk, length, d).reshape(*batch, heads, length, d)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(query @ key^T * scale + mask) @ value``: query (*, L, E), key (*, S, E), value (*, S, Ev)
    -> (*, L, Ev); batch dims broadcast. ``scale`` defaults to 1/sqrt(E); a bool ``attn_mask`` (broadcast to
    (*, L, S)) keeps the True positions; ``is_causal`` masks position j > i. Rows with nothing to attend to
    give 0. ``dropout_p`` drops attention weights (always, as PyTorch: pass 0.0 in eval mode)."""
    if not (query.dtype is key.dtype is value.dtype):
        raise RuntimeError(f"scaled_dot_product_attention: Expected query, key, and value to have the same dtype, "
                           f"but got query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: "
                           f"{value.dtype} instead.")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2 or query.shape[-1] != key.shape[-1] \
            or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: expected query (*, L, E), key (*, S, E) and value "
                           f"(*, S, Ev), but got query {list(query.shape)}, key {list(key.shape)} and value "
                           f"{list(value.shape)}")
    if enable_gqa:
        if query.dim() < 3 or query.shape[-3] % key.shape[-3] or query.shape[-3] % value.shape[-3]:
            raise RuntimeError(f"scaled_dot_product_attention: with enable_gqa the query heads "
                               f"({list(query.shape)}) must be a multiple of the key/value heads "
                               f"({list(key.shape)}, {list(value.shape)})")
        key, value = _repeat_heads(key, query.shape[-3]), _repeat_heads(value, query.shape[-3])
    L, S = query.shape[-2], key.shape[-2]
    scores = (query @ key.transpose(-2, -1)) * (1.0 / math.sqrt(query.shape[-1]) if scale is None else scale)
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        attn_mask = _creation.ones(L, S, dtype=dt.bool_, device=query.device).tril()
    if attn_mask is not None and attn_mask.dtype is dt.bool_:
        scores = scores.masked_fill(~attn_mask, float("-inf"))
    elif attn_mask is not None:
        scores = scores + attn_mask
    return dropout(_safe_softmax(scores), dropout_p, True) @ value


def _check_shapes(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                  attn_mask: Tensor | None, num_heads: int) -> bool:
    """PyTorch's ``_mha_shape_check``: True for batched (3-D) input, False for unbatched (2-D)."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                             "query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found "
                             f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
    return batched


def _in_projection(query: Tensor, key: Tensor, value: Tensor, w: tuple[Tensor, Tensor, Tensor],
                   bias: Tensor | None, packed: Tensor | None) -> tuple[Tensor, ...]:
    """q, k, v = the three input projections; one matrix product for self-attention with packed weights."""
    if packed is not None and query is key and key is value:
        return linear(query, packed, bias).chunk(3, dim=-1)
    b = (None, None, None) if bias is None else bias.chunk(3)
    return tuple(linear(x, wx, bx) for x, wx, bx in zip((query, key, value), w, b))


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int,
                                 num_heads: int, in_proj_weight: Tensor | None, in_proj_bias: Tensor | None,
                                 bias_k: Tensor | None, bias_v: Tensor | None, add_zero_attn: bool,
                                 dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
                                 training: bool = True, key_padding_mask: Tensor | None = None,
                                 need_weights: bool = True, attn_mask: Tensor | None = None,
                                 use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
                                 k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None,
                                 static_k: Tensor | None = None, static_v: Tensor | None = None,
                                 average_attn_weights: bool = True,
                                 is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """PyTorch's multi-head attention, time first: query (L, N, E), key (S, N, kdim), value (S, N, vdim)
    (or unbatched (L, E), (S, kdim), (S, vdim)) -> output (L, N, E) and, with ``need_weights``, the attention
    weights (N, L, S) averaged over heads or (N, H, L, S). ``attn_mask`` (L, S) or (N*H, L, S),
    ``key_padding_mask`` (N, S); bool masks mark with True what must not be attended to."""
    if bias_k is not None or bias_v is not None or add_zero_attn or static_k is not None or static_v is not None:
        raise NotImplementedError("multi_head_attention_forward: bias_k/bias_v (add_bias_kv), add_zero_attn and "
                                  "static_k/static_v are not supported by learntorch; pass None/False")
    batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    L, N, E = query.shape
    S = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                       "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # sdpa builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        is_causal = False
    if E != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {E}")
    head_dim = E // num_heads
    if head_dim * num_heads != E:
        raise AssertionError(f"embed_dim {E} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")
    if key.shape[1] != N:
        raise RuntimeError(f"multi_head_attention_forward: query {list(query.shape)} and key {list(key.shape)} "
                           "must have the same batch size (dim 1, or dim 0 with batch_first=True)")
    if use_separate_proj_weight:
        q, k, v = _in_projection(query, key, value, (q_proj_weight, k_proj_weight, v_proj_weight), in_proj_bias,
                                 None)
    else:
        q, k, v = _in_projection(query, key, value, in_proj_weight.chunk(3), in_proj_bias, in_proj_weight)
    if attn_mask is not None:
        want = (L, S) if attn_mask.dim() == 2 else (N * num_heads, L, S)
        if tuple(attn_mask.shape) != want:
            raise RuntimeError(f"The shape of the {attn_mask.dim()}D attn_mask is {list(attn_mask.shape)}, but "
                               f"should be {want}.")
        attn_mask = attn_mask.reshape((1, 1, L, S) if attn_mask.dim() == 2 else (N, num_heads, L, S))
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (N, S):
            raise AssertionError(f"expecting key_padding_mask shape of {(N, S)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        padding = key_padding_mask.reshape(N, 1, 1, S)
        attn_mask = padding if attn_mask is None else attn_mask + padding
    # (L, N, E) -> (N, H, L, E/H)
    q, k, v = (t.reshape(t.shape[0], N, num_heads, head_dim).permute(1, 2, 0, 3) for t in (q, k, v))
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)
        weights = (scores if attn_mask is None else scores + attn_mask).softmax(-1)
        weights = dropout(weights, dropout_p, True)
        out = weights @ v
    else:
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        weights = None
    out = linear(out.permute(2, 0, 1, 3).reshape(L, N, E), out_proj_weight, out_proj_bias)  # (L, N, E)
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights
