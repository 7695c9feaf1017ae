"""One LSTM layer's time loop as a single autograd node (what makes ``nn.LSTM`` fast).

Built from tensor ops alone, but recorded as one ``Function``: the forward runs the loop with no
graph, the backward runs it in reverse. Only the recurrent part is here; the input projection
``x @ W_ih.T + b`` (one matrix product over all time steps) stays an ordinary autograd op.

Gate order is PyTorch's (i, f, g, o), each ``hidden`` wide::

    gates = xproj[t] + h @ W_hh.T        i, f, o = sigmoid(...)     g = tanh(...)
    c = f * c + i * g                     h = o * tanh(c)

The backward carries only ``dh`` and ``dc`` from step to step; every factor that does not depend
on them (the gates' local derivatives) is computed for all steps at once before the loop. Under
``create_graph=True`` it instead replays the forward as recorded ops (``lstm_step``) and differentiates
that, so second derivatives are right too.
"""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.engine import grad
from ..autograd.function import Function
from ..ops import cat, stack
from . import functional as F


def lstm_step(gates_x: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None,
              w_hr: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """(h', c') from gates (i, f, g, o) = gates_x + h @ W_hh.T + b_hh; ``w_hr`` projects h' (proj_size)."""
    n = c.shape[-1]
    gates = gates_x + F.linear(h, w_hh, b_hh)
    i, f, o = gates[:, :n].sigmoid(), gates[:, n:2 * n].sigmoid(), gates[:, 3 * n:].sigmoid()
    c = f * c + i * gates[:, 2 * n:3 * n].tanh()
    h = o * c.tanh()
    return (h if w_hr is None else F.linear(h, w_hr)), c


class LSTMRecurrence(Function):
    """xproj (T, B, 4H), h0 (B, H), c0 (B, H), W_hh (4H, H) -> output (T, B, H), h_T, c_T.

    ``reverse=True`` walks the sequence from the last step to the first (the backward direction of
    a bidirectional LSTM); ``output[t]`` is then still the hidden state at position t."""

    node_name = "LstmBackward0"

    @staticmethod
    def forward(ctx, xproj: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, reverse: bool):
        steps, hidden = xproj.shape[0], h0.shape[-1]
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        w_t = w_hh.t().contiguous()  # gemm reads a contiguous (H, 4H) operand about twice as fast as a transpose
        h, c = h0, c0
        hs, cs, pre = [None] * steps, [None] * steps, [None] * steps
        for t in order:
            gates = xproj[t] + h @ w_t
            s = gates.sigmoid()  # the g quarter of s is unused: one op over all four beats slicing three
            c = s[:, hidden:2 * hidden] * c + s[:, :hidden] * gates[:, 2 * hidden:3 * hidden].tanh()
            h = s[:, 3 * hidden:] * c.tanh()
            hs[t], cs[t], pre[t] = h, c, gates
        out = stack(hs)
        ctx.save_for_backward(stack(pre), stack(cs), h0, c0, w_hh, out, xproj)
        ctx.reverse = reverse
        return out, h, c

    @staticmethod
    def backward(ctx, d_out: Tensor, d_h: Tensor, d_c: Tensor):
        gates, c, h0, c0, w_hh, out, xproj = ctx.saved_tensors
        if grad_mode.is_grad_enabled():  # create_graph=True: differentiate a recorded replay of the forward
            return _replayed_grads(xproj, h0, c0, w_hh, ctx.reverse, d_out, d_h, d_c) + (None,)
        steps, hidden = out.shape[0], out.shape[-1]
        sig, g = gates.sigmoid(), gates[..., 2 * hidden:3 * hidden].tanh()  # all steps at once
        if ctx.reverse:  # the state each step started from
            c_prev, h_prev = cat([c[1:], c0.unsqueeze(0)]), cat([out[1:], h0.unsqueeze(0)])
        else:
            c_prev, h_prev = cat([c0.unsqueeze(0), c[:-1]]), cat([h0.unsqueeze(0), out[:-1]])
        i, f, o = sig[..., :hidden], sig[..., hidden:2 * hidden], sig[..., 3 * hidden:]
        tanh_c = c.tanh()
        # d gates[t] = cat(dc, dc, dc, dh) * local[t];  dc[t] gets dh[t] * via_h[t] from h = o * tanh(c)
        local = cat([g * i * (1.0 - i), c_prev * f * (1.0 - f), i * (1.0 - g * g), tanh_c * o * (1.0 - o)], 2)
        via_h = o * (1.0 - tanh_c * tanh_c)
        d_gates = [None] * steps
        for t in (range(steps) if ctx.reverse else range(steps - 1, -1, -1)):
            d_h = d_h + d_out[t]
            d_c = d_c + d_h * via_h[t]
            dg = cat([d_c, d_c, d_c, d_h], 1) * local[t]
            d_gates[t] = dg
            d_c = d_c * f[t]
            d_h = dg @ w_hh
        d_xproj = stack(d_gates)
        d_w_hh = d_xproj.reshape(-1, 4 * hidden).t() @ h_prev.reshape(-1, hidden)
        return d_xproj, d_h, d_c, d_w_hh, None


def _replayed_grads(xproj: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, reverse: bool, d_out: Tensor,
                    d_h: Tensor, d_c: Tensor) -> tuple:
    """The backward as a graph: run the forward again with every op recorded, then autograd.grad of it."""
    inputs = [t if t.requires_grad else t.detach().requires_grad_() for t in (xproj, h0, c0, w_hh)]
    steps = xproj.shape[0]
    h, c = inputs[1], inputs[2]
    hs = [None] * steps
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        h, c = lstm_step(inputs[0][t], h, c, inputs[3], None)
        hs[t] = h
    return grad([stack(hs), h, c], inputs, [d_out, d_h, d_c], create_graph=True)
