"""draw_scalar_graph: micrograd's draw_dot for 0-d tensors and for micrograd-style values."""
import re

import learntorch as torch
from learntorch import viz


def test_scalar_tensors_show_data_and_grad_per_value():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(-3.0, requires_grad=True)
    c = torch.tensor(10.0, requires_grad=True)
    with viz.record():
        e = a * b
        d = e + c
        L = d * 2.0
    L.backward()
    src = viz.draw_scalar_graph(L, names={"a": a, "b": b, "c": c, "e": e, "d": d, "L": L}).source
    for record in ["{ a | data 2.0000 | grad -6.0000 }", "{ b | data -3.0000 | grad 4.0000 }",
                   "{ c | data 10.0000 | grad 2.0000 }", "{ e | data -6.0000 | grad 2.0000 }",
                   "{ d | data 4.0000 | grad 2.0000 }", "{ L | data 8.0000 | grad 1.0000 }"]:
        assert record in src
    ops = re.findall(r'(op\d+) \[label="?([^" ]+)"?', src)
    assert sorted(symbol for _, symbol in ops) == ["*", "*", "+"]
    assert len(re.findall(r"->", src)) == 3 + 5      # op -> value, and value -> op for 5 inputs


def test_grads_are_none_before_backward_and_a_lone_value_is_one_box():
    a = torch.tensor(2.0, requires_grad=True)
    out = a * a
    src = viz.draw_scalar_graph(out, names=locals()).source
    assert "{ a | data 2.0000 | grad None }" in src and "{ out | data 4.0000 | grad None }" in src
    assert src.count("v1 -> op0") == 2       # a feeds both inputs of a * a: two edges, two gradients
    lone = viz.draw_scalar_graph(torch.tensor(5.0)).source
    assert "{ data 5.0000 | grad None }" in lone and "->" not in lone


class Value:
    """The smallest micrograd Value, as the course writes it."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(_children), _op, label

    def __mul__(self, other):
        return Value(self.data * other.data, (self, other), "*")


def test_micrograd_style_values():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    z = x * y
    z.label, z.grad = "z", 1.0
    src = viz.draw_scalar_graph(z).source
    assert "{ z | data 6.0000 | grad 1.0000 }" in src and "{ x | data 2.0000 | grad 0.0000 }" in src
    assert src.count("->") == 3
    assert "<svg" in viz.render_svg(viz.draw_scalar_graph(z))
