"""MultiheadAttention, F.scaled_dot_product_attention and the Transformer modules: references against torch with
torch's weights (state_dict keys, outputs, attention weights, input and parameter gradients) over masks (bool,
float, key padding, causal), batch_first, kdim/vdim, norm_first and activations, in eval and train mode;
float64 gradchecks; torch's exceptions for bad input."""
import numpy as np
import pytest

import learntorch as lt
import learntorch.nn as nn
import learntorch.nn.functional as F
from learntorch.autograd import gradcheck
from nn_helpers import rand, reference, torch

TOL = {"float32": 1e-5, "float64": 1e-10}


def pair(shape, dtype="float64", seed=0):
    """The same random input as a learntorch and a torch leaf requiring grad."""
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return lt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def copy_weights(ours, theirs):
    """Give ``ours`` torch's weights; the state dicts must match key by key."""
    sd = theirs.state_dict()
    assert list(ours.state_dict()) == list(sd)
    ours.load_state_dict({k: lt.tensor(v.detach().numpy()) for k, v in sd.items()})


def close(a, b, tol):
    if b is None:
        assert a is None
        return
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def check_backward(ours, theirs, out, tout, inputs, tinputs, tol):
    """Same gradients for the inputs and every parameter after a random projection of the output."""
    r = np.random.default_rng(7).standard_normal(tuple(out.shape)).astype(tout.detach().numpy().dtype)
    (out * lt.tensor(r)).sum().backward()
    (tout * torch.tensor(r)).sum().backward()
    for x, tx in zip(inputs, tinputs):
        close(x.grad, tx.grad, tol)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        close(p.grad, tparams[name].grad, tol)


def bool_mask(shape, seed=3):
    m = np.random.default_rng(seed).random(shape) < 0.3
    m[..., 0] = False  # every row attends to something
    return lt.tensor(m), torch.tensor(m)


def float_mask(shape, dtype="float64", seed=4):
    m = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return lt.tensor(m), torch.tensor(m)


# ---------------------------------------------------------------- MultiheadAttention
@reference
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cfg", [
    dict(),
    dict(batch_first=True),
    dict(bias=False),
    dict(kdim=3, vdim=5),
    dict(kdim=3, vdim=5, batch_first=True),
    dict(self_attn=True),
    dict(self_attn=True, batch_first=True),
    dict(need_weights=False),
    dict(average_attn_weights=False),
    dict(attn_mask="bool2d"),
    dict(attn_mask="float3d", average_attn_weights=False),
    dict(key_padding_mask="bool"),
    dict(key_padding_mask="float", attn_mask="float2d", need_weights=False),
    dict(key_padding_mask="bool", attn_mask="bool3d", batch_first=True),
    dict(attn_mask="causal", is_causal=True, need_weights=False),
    dict(attn_mask="causal", is_causal=True, self_attn=True),
    dict(unbatched=True),
    dict(unbatched=True, attn_mask="bool3d", key_padding_mask="bool"),
])
def test_multihead_attention_matches_torch(dtype, cfg):
    cfg = dict(cfg)
    E, H, N, L = 6, 2, 3, 4
    S = L if cfg.get("self_attn") or cfg.get("attn_mask") == "causal" else 5
    kdim, vdim = cfg.get("kdim", E), cfg.get("vdim", E)
    bf = cfg.get("batch_first", False)
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(E, H, bias=cfg.get("bias", True), kdim=cfg.get("kdim"),
                                         vdim=cfg.get("vdim"), batch_first=bf).to(getattr(torch, dtype))
    ours = nn.MultiheadAttention(E, H, bias=cfg.get("bias", True), kdim=cfg.get("kdim"), vdim=cfg.get("vdim"),
                                 batch_first=bf, dtype=getattr(lt, dtype))
    copy_weights(ours, theirs)
    unbatched = cfg.get("unbatched", False)

    def shape(T, D):
        return (T, D) if unbatched else (N, T, D) if bf else (T, N, D)
    q, tq = pair(shape(L, E), dtype, 1)
    if cfg.get("self_attn"):
        k, tk, v, tv = q, tq, q, tq
    else:
        (k, tk), (v, tv) = pair(shape(S, kdim), dtype, 2), pair(shape(S, vdim), dtype, 3)
    kw, tkw = {}, {}
    mask = cfg.get("attn_mask")
    if mask == "causal":
        tkw["attn_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=getattr(torch, dtype))
        kw["attn_mask"] = nn.Transformer.generate_square_subsequent_mask(L, dtype=getattr(lt, dtype))
    elif mask:
        mshape = (L, S) if mask.endswith("2d") else ((H,) if unbatched else (N * H,)) + (L, S)
        kw["attn_mask"], tkw["attn_mask"] = bool_mask(mshape) if mask.startswith("bool") else float_mask(mshape, dtype)
    pad = cfg.get("key_padding_mask")
    if pad:
        pshape = (S,) if unbatched else (N, S)
        kw["key_padding_mask"], tkw["key_padding_mask"] = (bool_mask(pshape, 5) if pad == "bool"
                                                           else float_mask(pshape, dtype, 5))
    for name in ("need_weights", "average_attn_weights", "is_causal"):
        if name in cfg:
            kw[name] = tkw[name] = cfg[name]
    out, w = ours(q, k, v, **kw)
    tout, tw = theirs(tq, tk, tv, **tkw)
    tol = TOL[dtype]
    close(out, tout, tol)
    close(w, tw, tol)
    inputs, tinputs = ([q], [tq]) if cfg.get("self_attn") else ([q, k, v], [tq, tk, tv])
    check_backward(ours, theirs, out, tout, inputs, tinputs, tol)


@reference
def test_multihead_attention_parameters_and_repr_match_torch():
    for kw in (dict(), dict(kdim=3), dict(bias=False)):
        theirs, ours = torch.nn.MultiheadAttention(8, 4, **kw), nn.MultiheadAttention(8, 4, **kw)
        assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
        assert list(ours.state_dict()) == list(theirs.state_dict())
    ours = nn.MultiheadAttention(8, 4)
    assert float(ours.in_proj_bias.abs().sum()) == 0 and float(ours.out_proj.bias.abs().sum()) == 0
    bound = (6 / (8 + 24)) ** 0.5  # xavier_uniform_ of (3E, E)
    assert float(ours.in_proj_weight.abs().max()) <= bound
    assert ours.head_dim == 2 and ours._qkv_same_embed_dim and ours.in_proj_weight.shape == (24, 8)


@reference
def test_multihead_attention_eval_mode_with_dropout_matches_torch():
    torch.manual_seed(0)
    theirs = torch.nn.MultiheadAttention(4, 2, dropout=0.5).double().eval()
    ours = nn.MultiheadAttention(4, 2, dropout=0.5).double().eval()
    copy_weights(ours, theirs)
    x, tx = pair((3, 2, 4))
    close(ours(x, x, x)[0], theirs(tx, tx, tx)[0], 1e-10)


def test_multihead_attention_dropout_in_training():
    lt.manual_seed(0)
    m = nn.MultiheadAttention(4, 2, dropout=1.0).double()
    x = rand(3, 2, 4)
    out, w = m(x, x, x)  # every weight dropped: the output is out_proj's bias (0), the weights are 0
    assert float(out.abs().max()) == 0 and float(w.abs().max()) == 0
    m.eval()
    assert float(m(x, x, x)[0].abs().max()) > 0


def test_multihead_attention_gradcheck():
    lt.manual_seed(0)
    m = nn.MultiheadAttention(4, 2, kdim=3, vdim=2).double()
    q, k, v = rand(3, 2, 4), rand(2, 2, 3, seed=1), rand(2, 2, 2, seed=2)
    names = [n for n, _ in m.named_parameters()]
    mask = lt.tensor([[False, True], [False, False], [True, False]])

    def fn(q, k, v, *params):
        for name, p in zip(names, params):
            if "." in name:
                m.out_proj._parameters[name.split(".")[1]] = p
            else:
                m._parameters[name] = p
        out, w = m(q, k, v, attn_mask=mask)
        return (out * out).sum() + (w * w).sum()
    assert gradcheck(fn, (q, k, v, *m.parameters()))


def test_multihead_attention_self_attention_non_contiguous_gradcheck():
    lt.manual_seed(0)
    m = nn.MultiheadAttention(4, 2, batch_first=True).double()
    x = rand(3, 2, 4).transpose(0, 1).detach().requires_grad_()  # (batch 2, seq 3, 4), non-contiguous
    pad = lt.tensor([[False, False, True], [False, False, False]])
    assert gradcheck(lambda x: m(x, x, x, key_padding_mask=pad, need_weights=False)[0].sum(), (x,))


# ---------------------------------------------------------------- scaled_dot_product_attention
@reference
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cfg", [
    dict(), dict(mask="bool"), dict(mask="float"), dict(is_causal=True), dict(scale=0.3), dict(broadcast=True),
    dict(mask="bool", fully_masked=True), dict(enable_gqa=True),
])
def test_scaled_dot_product_attention_matches_torch(dtype, cfg):
    q, tq = pair((2, 3, 4, 5), dtype, 1)
    kshape = (3, 6, 5) if cfg.get("broadcast") else (2, 3, 6, 5)
    if cfg.get("enable_gqa"):  # 3 query heads per key/value head
        q, tq = pair((2, 6, 4, 5), dtype, 1)
        kshape = (2, 2, 6, 5)
    k, tk = pair(kshape, dtype, 2)
    v, tv = pair(kshape[:-1] + (7,), dtype, 3)
    kw = {}
    if cfg.get("mask") == "bool":
        m = np.random.default_rng(3).random((4, 6)) > 0.3
        m[:, 0] = True
        if cfg.get("fully_masked"):
            m[1] = False
        mask, tmask = lt.tensor(m), torch.tensor(m)
    elif cfg.get("mask") == "float":
        mask, tmask = float_mask((3, 4, 6), dtype)
    else:
        mask = tmask = None
    for name in ("is_causal", "scale", "enable_gqa"):
        if name in cfg:
            kw[name] = cfg[name]
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=tmask, **kw)
    close(out, tout, TOL[dtype])
    r = np.random.default_rng(7).standard_normal(tuple(out.shape)).astype(dtype)
    (out * lt.tensor(r)).sum().backward()
    (tout * torch.tensor(r)).sum().backward()
    for x, tx in ((q, tq), (k, tk), (v, tv)):
        close(x.grad, tx.grad, TOL[dtype])


def test_scaled_dot_product_attention_gradcheck():
    q, k, v = rand(2, 3, 4), rand(3, 4, seed=1), rand(3, 2, seed=2)  # key/value broadcast over the batch
    mask = lt.tensor([[True, False, True]] * 3)
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), (q, k, v))
    qt = rand(3, 2, 4).transpose(0, 1).detach().requires_grad_()  # non-contiguous
    assert gradcheck(lambda q: F.scaled_dot_product_attention(q, q, q, is_causal=True), (qt,))


def test_scaled_dot_product_attention_dropout():
    lt.manual_seed(0)
    q = rand(2, 3, 4, requires_grad=False)
    assert float(F.scaled_dot_product_attention(q, q, q, dropout_p=1.0).abs().max()) == 0


# ---------------------------------------------------------------- Transformer layers
def layer_pair(cls, tcls, *args, dtype="float64", **kw):
    torch.manual_seed(0)
    theirs = tcls(*args, **kw).to(getattr(torch, dtype))
    ours = cls(*args, **kw).to(getattr(lt, dtype))
    copy_weights(ours, theirs)
    return ours, theirs


@reference
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cfg", [
    dict(), dict(norm_first=True), dict(activation="gelu"), dict(batch_first=True, masks=True),
    dict(bias=False, masks=True), dict(mode="eval", dropout=0.3, masks=True), dict(causal=True),
])
def test_transformer_encoder_layer_matches_torch(dtype, cfg):
    cfg = dict(cfg)
    masks, mode, causal = cfg.pop("masks", False), cfg.pop("mode", "train"), cfg.pop("causal", False)
    cfg.setdefault("dropout", 0.0)
    ours, theirs = layer_pair(nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, 6, 2, 10, dtype=dtype,
                              **cfg)
    getattr(ours, mode)(), getattr(theirs, mode)()
    N, S = 3, 4
    x, tx = pair((N, S, 6) if cfg.get("batch_first") else (S, N, 6), dtype)
    kw, tkw = {}, {}
    if masks:
        kw["src_mask"], tkw["src_mask"] = bool_mask((S, S))
        kw["src_key_padding_mask"], tkw["src_key_padding_mask"] = bool_mask((N, S), 5)
    if causal:
        kw["src_mask"] = nn.Transformer.generate_square_subsequent_mask(S, dtype=getattr(lt, dtype))
        tkw["src_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(S, dtype=getattr(torch, dtype))
        kw["is_causal"] = tkw["is_causal"] = True
    out, tout = ours(x, **kw), theirs(tx, **tkw)
    close(out, tout, TOL[dtype])
    check_backward(ours, theirs, out, tout, [x], [tx], TOL[dtype])


@reference
def test_transformer_encoder_layer_custom_activation_and_unbatched():
    ours, theirs = layer_pair(nn.TransformerEncoderLayer, torch.nn.TransformerEncoderLayer, 4, 2, 8, dropout=0.0,
                              activation=lambda t: t.tanh())
    assert ours.activation_relu_or_gelu == 0
    x, tx = pair((5, 4))
    close(ours(x), theirs(tx), 1e-10)
    assert nn.TransformerEncoderLayer(4, 2, activation=nn.GELU()).activation_relu_or_gelu == 2


@reference
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cfg", [dict(), dict(norm_first=True, batch_first=True, masks=True),
                                 dict(activation="gelu", masks=True)])
def test_transformer_decoder_layer_matches_torch(dtype, cfg):
    cfg = dict(cfg)
    masks = cfg.pop("masks", False)
    ours, theirs = layer_pair(nn.TransformerDecoderLayer, torch.nn.TransformerDecoderLayer, 6, 3, 8, dtype=dtype,
                              dropout=0.0, **cfg)
    N, T, S = 2, 4, 5
    bf = cfg.get("batch_first", False)
    tgt, ttgt = pair((N, T, 6) if bf else (T, N, 6), dtype, 1)
    mem, tmem = pair((N, S, 6) if bf else (S, N, 6), dtype, 2)
    kw, tkw = {}, {}
    if masks:
        kw["tgt_mask"] = nn.Transformer.generate_square_subsequent_mask(T, dtype=getattr(lt, dtype))
        tkw["tgt_mask"] = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=getattr(torch, dtype))
        kw["memory_mask"], tkw["memory_mask"] = bool_mask((T, S))
        kw["tgt_key_padding_mask"], tkw["tgt_key_padding_mask"] = bool_mask((N, T), 5)
        kw["memory_key_padding_mask"], tkw["memory_key_padding_mask"] = bool_mask((N, S), 6)
    out, tout = ours(tgt, mem, **kw), theirs(ttgt, tmem, **tkw)
    close(out, tout, TOL[dtype])
    check_backward(ours, theirs, out, tout, [tgt, mem], [ttgt, tmem], TOL[dtype])


@reference
@pytest.mark.filterwarnings("ignore:Support for mismatched")  # a bool padding mask beside a float causal mask
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_encoder_and_decoder_stacks_match_torch(batch_first):
    torch.manual_seed(0)
    tlayer = torch.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=batch_first).double()
    theirs = torch.nn.TransformerEncoder(tlayer, 2, norm=torch.nn.LayerNorm(4).double(), enable_nested_tensor=False)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=batch_first).double(),
                                 2, norm=nn.LayerNorm(4).double(), enable_nested_tensor=False)
    copy_weights(ours, theirs)
    x, tx = pair((2, 3, 4) if batch_first else (3, 2, 4))  # batch 2, sequence 3
    pad, tpad = bool_mask((2, 3))
    causal = nn.Transformer.generate_square_subsequent_mask(3, dtype=lt.float64)
    tcausal = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    out = ours(x, mask=causal, src_key_padding_mask=pad)
    tout = theirs(tx, mask=tcausal, src_key_padding_mask=tpad)
    close(out, tout, 1e-10)
    check_backward(ours, theirs, out, tout, [x], [tx], 1e-10)

    tdec = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0,
                                                                        batch_first=batch_first).double(), 2)
    dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0, batch_first=batch_first).double(), 2)
    copy_weights(dec, tdec)
    tgt, ttgt = pair(tuple(x.shape), seed=9)
    close(dec(tgt, out.detach(), tgt_mask=causal), tdec(ttgt, tout.detach(), tgt_mask=tcausal), 1e-10)


@reference
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(dtype, batch_first):
    ours, theirs = layer_pair(nn.Transformer, torch.nn.Transformer, dtype=dtype, d_model=8, nhead=2,
                              num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0,
                              batch_first=batch_first)
    N, S, T = 2, 5, 4
    src, tsrc = pair((N, S, 8) if batch_first else (S, N, 8), dtype, 1)
    tgt, ttgt = pair((N, T, 8) if batch_first else (T, N, 8), dtype, 2)
    pad, tpad = bool_mask((N, S))
    kw = dict(tgt_mask=nn.Transformer.generate_square_subsequent_mask(T, dtype=getattr(lt, dtype)),
              src_key_padding_mask=pad, memory_key_padding_mask=pad)
    tkw = dict(tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=getattr(torch, dtype)),
               src_key_padding_mask=tpad, memory_key_padding_mask=tpad)
    out, tout = ours(src, tgt, **kw), theirs(tsrc, ttgt, **tkw)
    close(out, tout, TOL[dtype])
    check_backward(ours, theirs, out, tout, [src, tgt], [tsrc, ttgt], TOL[dtype])


@reference
def test_generate_square_subsequent_mask_and_init_match_torch():
    close(nn.Transformer.generate_square_subsequent_mask(4), torch.nn.Transformer.generate_square_subsequent_mask(4),
          0)
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=lt.float64).dtype is lt.float64
    lt.manual_seed(0)
    model = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)
    w = model.encoder.layers[0].linear1.weight
    assert float(w.abs().max()) <= (6 / (8 + 16)) ** 0.5  # xavier_uniform_ on every matrix
    assert list(model.state_dict()) == list(torch.nn.Transformer(
        d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16).state_dict())


def test_torch_import_paths():
    from learntorch.nn.modules.activation import MultiheadAttention
    from learntorch.nn.modules.transformer import Transformer, TransformerEncoderLayer
    assert MultiheadAttention is nn.MultiheadAttention and Transformer is nn.Transformer
    assert TransformerEncoderLayer is nn.TransformerEncoderLayer and nn.modules.TransformerDecoder is \
        nn.TransformerDecoder


# ---------------------------------------------------------------- bad input
@reference
@pytest.mark.parametrize("make, call", [
    (lambda m: m.MultiheadAttention(6, 4), None),
    (lambda m: m.MultiheadAttention(0, 1), None),
    (lambda m: m.TransformerEncoderLayer(4, 2, activation="tanh"), None),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 5), lib.zeros(3, 2, 5),
                                                             lib.zeros(3, 2, 5))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(3, 4),
                                                             lib.zeros(3, 4))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(3, 2, 4),
                                                             lib.zeros(5, 2, 4))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(5, 2, 4),
                                                             lib.zeros(5, 2, 4), attn_mask=lib.zeros(3, 3))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(5, 2, 4),
                                                             lib.zeros(5, 2, 4), attn_mask=lib.zeros(2, 3, 5))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(5, 2, 4),
                                                             lib.zeros(5, 2, 4),
                                                             key_padding_mask=lib.zeros(2, 3, dtype=lib.bool))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(5, 2, 4),
                                                             lib.zeros(5, 2, 4),
                                                             key_padding_mask=lib.zeros(2, 5, dtype=lib.int64))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(4), lib.zeros(4), lib.zeros(4))),
    (lambda m: m.MultiheadAttention(4, 2), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(5, 2, 4),
                                                             lib.zeros(5, 2, 4), is_causal=True)),
    (lambda m: m.Transformer(4, 2, 1, 1, 8), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(3, 1, 4))),
    (lambda m: m.Transformer(4, 2, 1, 1, 8), lambda lib, m: m(lib.zeros(3, 2, 4), lib.zeros(3, 2, 6))),
])
def test_bad_input_raises_torch_exception(make, call):
    def outcome(lib, mod):
        try:
            m = make(mod)
            if call is not None:
                call(lib, m)
        except Exception as e:  # noqa: BLE001 - the type is what we compare
            return type(e), str(e)
        return None, ""
    ours, theirs = outcome(lt, nn), outcome(torch, torch.nn)
    assert theirs[0] is not None and ours[0] is theirs[0], (ours, theirs)
    assert ours[1]


@reference
def test_scaled_dot_product_attention_bad_input():
    q = lt.zeros(2, 3, 4)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=lt.ones(3, 3, dtype=lt.bool), is_causal=True)
    with pytest.raises(RuntimeError, match=r"\[2, 3, 5\]"):
        F.scaled_dot_product_attention(q, lt.zeros(2, 3, 5), q)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    tq = torch.zeros(2, 3, 4)
    for fn in (lambda: torch.nn.functional.scaled_dot_product_attention(tq, tq, tq, torch.ones(3, 3).bool(),
                                                                        is_causal=True),
               lambda: torch.nn.functional.scaled_dot_product_attention(tq, tq.double(), tq)):
        with pytest.raises(RuntimeError):
            fn()


@reference
def test_mismatched_mask_types_warn_as_torch():
    m, tm = nn.MultiheadAttention(4, 2), torch.nn.MultiheadAttention(4, 2)
    for lib, mod in ((lt, m), (torch, tm)):
        x = lib.zeros(3, 2, 4)
        with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
            mod(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.bool), attn_mask=lib.zeros(3, 3))


def test_unsupported_options_say_so():
    with pytest.raises(NotImplementedError, match="add_bias_kv"):
        nn.MultiheadAttention(4, 2, add_bias_kv=True)
