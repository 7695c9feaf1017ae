"""Recurrent layers ``RNN``, ``LSTM``, ``GRU`` and their single-step ``RNNCell``, ``LSTMCell``, ``GRUCell``.

Parameters, their names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ...), shapes, gate order and
initialisation are PyTorch's, so a torch ``state_dict`` loads as is. Shapes: T time steps, B batch,
I input_size, H hidden_size, D = 2 if bidirectional else 1, L num_layers::

    input (T, B, I) [(B, T, I) with batch_first] or unbatched (T, I)
    h_0 / c_0 (D * L, B, H) or unbatched (D * L, H), zeros when omitted
    output (T, B, D * H), h_n (D * L, B, H)          LSTM returns (output, (h_n, c_n))

Each layer first projects all time steps at once (``x @ W_ih.T + b``), then runs the recurrence
step by step: LSTM's as one fused autograd node (``_lstm_recurrence.py``), RNN's and GRU's (and
an LSTM with ``proj_size``) as the cells' own step functions, so autograd records every op.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from .. import _creation
from .._tensor import Tensor
from ..ops import cat, stack
from . import functional as F, init
from ._lstm_recurrence import LSTMRecurrence, lstm_step as _lstm_step
from .module import Module
from .parameter import Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---------------------------------------------------------------- one time step (shared by layers and cells)
def _rnn_step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    """h' = act(gates_x + h @ W_hh.T + b_hh), act tanh or relu; gates_x = x @ W_ih.T + b_ih."""
    pre = gates_x + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _gru_step(gates_x: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z); n = tanh(x_n + r * h_n); h' = (1 - z) * n + z * h,
    where x_* = slices of gates_x (b_ih included) and h_* of h @ W_hh.T + b_hh."""
    n = h.shape[-1]
    gates_h = F.linear(h, w_hh, b_hh)
    r = (gates_x[:, :n] + gates_h[:, :n]).sigmoid()
    z = (gates_x[:, n:2 * n] + gates_h[:, n:2 * n]).sigmoid()
    new = (gates_x[:, 2 * n:] + r * gates_h[:, 2 * n:]).tanh()
    return new + z * (h - new)


def _reset_uniform(module: Module) -> None:
    """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), PyTorch's init for recurrent layers."""
    bound = 1.0 / math.sqrt(module.hidden_size)
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


# ---------------------------------------------------------------- multi-layer recurrent layers
class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: parameters, argument checks, the layer/direction loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                                  ("input_size", input_size, int), ("hidden_size", hidden_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(_creation.empty(*shape, device=device, dtype=dtype)))
                self._all_weights.append([name + suffix for name, _ in shapes])
        self._flat_weights_names = [name for names in self._all_weights for name in names]
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self)

    def flatten_parameters(self) -> None:
        """PyTorch packs the weights into one cuDNN buffer here; learntorch has nothing to pack (a no-op)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each (layer, direction), in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self) -> list[Parameter]:
        return [getattr(self, name) for name in self._flat_weights_names]

    def _check_input(self, input: Tensor) -> None:
        weight = self._flat_weights[0]
        if input.dtype is not weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                             f"Convert input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _check_hidden(self, hx: Tensor, batch: int, size: int, which: str = "") -> None:
        expected = (self.num_layers * (2 if self.bidirectional else 1), batch, size)
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected hidden{which} size {expected}, got {list(hx.shape)}")

    def _batched(self, input: Tensor, name: str) -> tuple[Tensor, bool]:
        """Checks the input's rank and adds the batch dim to an unbatched (T, I) input."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor (PackedSequence is not supported by learntorch), "
                            f"got {type(input).__name__}")
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             + ("tensor instead" if name == "RNN" else "instead"))
        is_batched = input.dim() == 3
        return (input if is_batched else input.unsqueeze(1 if not self.batch_first else 0)), is_batched

    def _zeros(self, x: Tensor, size: int) -> Tensor:
        batch = x.shape[0] if self.batch_first else x.shape[1]
        return _creation.zeros(self.num_layers * (2 if self.bidirectional else 1), batch, size,
                               dtype=x.dtype, device=x.device)

    def _run(self, x: Tensor, hx: Tensor, cx: Tensor | None) -> tuple[Tensor, Tensor, Tensor | None]:
        """The layers and directions over time-major x (T, B, I): (output, h_n, c_n or None)."""
        directions = 2 if self.bidirectional else 1
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                weights = self.all_weights[k]
                out, h, c = self._direction(x, hx[k], None if cx is None else cx[k], weights, direction == 1)
                outputs.append(out)
                h_n.append(h)
                c_n.append(c)
            x = outputs[0] if directions == 1 else cat(outputs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, stack(h_n), (stack(c_n) if cx is not None else None)

    def _direction(self, x: Tensor, h: Tensor, c: Tensor | None, weights: list[Parameter],
                   reverse: bool) -> tuple[Tensor, Tensor, Tensor | None]:
        """One layer in one direction over x (T, B, I): (output (T, B, H), h_T, c_T)."""
        w_ih, w_hh = weights[0], weights[1]
        b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
        w_hr = weights[-1] if self.proj_size > 0 else None
        if self.mode == "GRU" or b_ih is None:  # GRU's b_hh sits inside r * (h @ W_hn.T + b_hn)
            gates_x = F.linear(x, w_ih, b_ih)
        else:
            gates_x, b_hh = F.linear(x, w_ih, b_ih + b_hh), None
        if self.mode == "LSTM" and w_hr is None:
            return LSTMRecurrence.apply(gates_x, h, c, w_hh, reverse)
        outputs = [None] * x.shape[0]
        for t in (range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])):
            if self.mode == "LSTM":
                h, c = _lstm_step(gates_x[t], h, c, w_hh, b_hh, w_hr)
            elif self.mode == "GRU":
                h = _gru_step(gates_x[t], h, w_hh, b_hh)
            else:
                h = _rnn_step(gates_x[t], h, w_hh, b_hh, self.mode == "RNN_RELU")
            outputs[t] = h
        return stack(outputs), h, c

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class _SingleStateRNN(RNNBase):
    """RNN and GRU: one state tensor ``h``."""

    _name = ""

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        x, is_batched = self._batched(input, self._name)
        if hx is not None:
            want = 3 if is_batched else 2
            if hx.dim() != want:
                raise RuntimeError(f"For {'batched 3-D' if is_batched else 'unbatched 2-D'} input, hx should "
                                   f"also be {want}-D but got {hx.dim()}-D tensor")
            hx = hx if is_batched else hx.unsqueeze(1)
        else:
            hx = self._zeros(x, self.hidden_size)
        self._check_input(x)
        self._check_hidden(hx, x.shape[0] if self.batch_first else x.shape[1], self.hidden_size)
        out, h_n, _ = self._run(x.transpose(0, 1) if self.batch_first else x, hx, None)
        out = out.transpose(0, 1) if self.batch_first else out
        if not is_batched:
            return out.squeeze(1 if not self.batch_first else 0), h_n.squeeze(1)
        return out, h_n


class RNN(_SingleStateRNN):
    """Elman RNN: ``h_t = tanh(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh)`` (or relu), per layer.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``; forward(input, h_0=None) -> (output, h_n)."""

    _name = "RNN"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity, args = args[3], args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(modes[nonlinearity], *args, **kwargs)
        self.nonlinearity = nonlinearity


class GRU(_SingleStateRNN):
    """Gated recurrent unit (gates r, z, n); same arguments, inputs and outputs as ``RNN``."""

    _name = "GRU"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o). ``LSTM(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, proj_size=0)``;
    forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n)). With ``proj_size`` P > 0, h is projected to
    P features by ``weight_hr_l{k}`` (P, H): output (T, B, D * P), h_n (D * L, B, P)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        x, is_batched = self._batched(input, "LSTM")
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0, c0 = self._zeros(x, real_hidden), self._zeros(x, self.hidden_size)
        else:
            h0, c0 = hx
            want = 3 if is_batched else 2
            if h0.dim() != want or c0.dim() != want:
                raise RuntimeError(f"For {'batched 3-D' if is_batched else 'unbatched 2-D'} input, hx and cx "
                                   f"should also be {want}-D but got ({h0.dim()}-D, {c0.dim()}-D) tensors")
            if not is_batched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        self._check_input(x)
        batch = x.shape[0] if self.batch_first else x.shape[1]
        self._check_hidden(h0, batch, real_hidden, "[0]")
        self._check_hidden(c0, batch, self.hidden_size, "[1]")
        out, h_n, c_n = self._run(x.transpose(0, 1) if self.batch_first else x, h0, c0)
        out = out.transpose(0, 1) if self.batch_first else out
        if not is_batched:
            return out.squeeze(1 if not self.batch_first else 0), (h_n.squeeze(1), c_n.squeeze(1))
        return out, (h_n, c_n)


# ---------------------------------------------------------------- single-step cells
class RNNCellBase(Module):
    """Cell parameters: weight_ih (G*H, I), weight_hh (G*H, H), bias_ih, bias_hh (G*H,), G gates."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = num_chunks * hidden_size
        self.weight_ih = Parameter(_creation.empty(rows, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(_creation.empty(rows, hidden_size, device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(rows, device=device, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(rows, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _reset_uniform(self)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input: Tensor, states: list[Tensor | None],
                 names: list[str]) -> tuple[Tensor, list[Tensor], bool]:
        """Checks ranks and sizes; batches an unbatched (I,) input; zero states where None."""
        cell = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{cell}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for name, s in zip(names, states):
            if s is not None and s.dim() not in (1, 2):
                raise ValueError(f"{cell}: Expected {name} to be 1D or 2D, got {s.dim()}D instead")
        is_batched = input.dim() == 2
        x = input if is_batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}")
        if x.dtype is not self.weight_ih.dtype:
            raise RuntimeError(f"{cell}: expected input dtype {self.weight_ih.dtype.name}, got {x.dtype.name}; "
                               f"convert the input (x.to({self.weight_ih.dtype!r})) or the cell")
        out = []
        for k, s in enumerate(states):
            if s is None:
                s = _creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            elif not is_batched:
                s = s.unsqueeze(0)
            if s.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{k} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {s.shape[1]}, expected "
                                   f"{self.hidden_size}")
            out.append(s)
        return x, out, is_batched


class RNNCell(RNNCellBase):
    """One Elman step: input (B, I) or (I,), hidden (B, H) -> h' (B, H) = tanh or relu of both projections."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, (h,), is_batched = self._prepare(input, [hx], ["hidden"])
        h = _rnn_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh,
                      self.nonlinearity == "relu")
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: input (B, I), (h, c) (B, H) each -> (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        states = [None, None] if hx is None else list(hx)
        x, (h, c), is_batched = self._prepare(input, states, ["hx[0]", "hx[1]"])
        h, c = _lstm_step(F.linear(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh, self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: input (B, I), hidden (B, H) -> h' (B, H)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), is_batched = self._prepare(input, [hx], ["hidden"])
        h = _gru_step(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h if is_batched else h.squeeze(0)
