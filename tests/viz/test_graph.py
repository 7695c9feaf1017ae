"""draw_graph, asserted through Digraph.source: nodes, edges, labels, grads, collapse, scale."""
import re
import sys

import pytest

import learntorch as torch
import learntorch.nn as nn
from learntorch import viz


def labels(source):
    """{box id: label} of the boxes in a DOT source."""
    return dict(re.findall(r'^\s*(\w+) \[label="([^"]*)"', source, re.M))


def edges(source):
    return re.findall(r"^\s*(\w+) -> (\w+)", source, re.M)


def box(source, text):
    """The id of the only box whose label contains ``text``."""
    found = [i for i, label in labels(source).items() if text in label]
    assert len(found) == 1, (text, found)
    return found[0]


def test_expression_nodes_edges_and_values():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    with viz.record():
        c = a * b
        out = c + a
    g = viz.draw_graph(out, [("a", a), ("b", b)])
    assert isinstance(g, viz.ComputationGraph)
    src = g.source
    add, mul, na, nb = (box(src, t) for t in ("AddBackward0", "MulBackward0", "a\\n", "b\\n"))
    assert set(edges(src)) == {(mul, add), (na, mul), (nb, mul), (na, add)}
    assert "data 6.0" in labels(src)[mul] and "data 8.0" in labels(src)[add]
    assert "() float32" in labels(src)[na] and "data 2.0" in labels(src)[na]
    assert "grad " not in labels(src)[na]
    assert "color=darkgreen" in re.search(rf"{add} \[.*\]", src).group(0)   # the output
    assert "legend" in src and "op (grad_fn)" in src and "parameter" in src


def test_grads_appear_after_backward_and_colour_by_magnitude():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    with viz.record():
        out = a * b + a
    before = viz.draw_graph(out, [("a", a), ("b", b)]).source
    out.backward()
    after = viz.draw_graph(out, [("a", a), ("b", b)]).source
    assert not any("grad " in label for label in labels(before).values()) and "mean |grad|" not in before
    assert "grad 4.0" in labels(after)[box(after, "a\\n")]          # d(ab + a)/da = b + 1
    assert "grad 2.0" in labels(after)[box(after, "b\\n")]
    assert "grad 1.0" in labels(after)[box(after, "MulBackward0")]  # retained inside record()
    fills = dict(re.findall(r'^\s*(\w+) \[.*fillcolor="?(#?\w+)"?', after, re.M))
    assert fills[box(after, "a\\n")] != fills[box(after, "b\\n")]  # different magnitudes, colours
    assert "mean |grad|" in after and "vanished" in after
    hidden = labels(viz.draw_graph(out, show_grads=False).source)
    assert not any("grad " in label for label in hidden.values())


def test_weakly_kept_values_without_record():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    kept = x * 2
    out = (kept + 1).sum()             # the AddBackward0 output is not held by anyone
    src = viz.draw_graph(out).source
    assert "data [2.0, 4.0]" in labels(src)[box(src, "MulBackward0")]
    add = labels(src)[box(src, "AddBackward0")]
    assert "(2,) float32" in add and "data" not in add


def test_mlp_with_named_parameters_and_saved_tensors():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    loss = model(torch.randn(5, 3)).pow(2).mean()
    src = viz.draw_graph(loss, model).source
    for name, shape in [("0.weight", "(4, 3)"), ("0.bias", "(4,)"), ("2.weight", "(2, 4)"), ("2.bias", "(2,)")]:
        assert f"{shape} float32" in labels(src)[box(src, name + "\\n")]
    assert "ReluBackward0" in src and "MmBackward0" in src and "MeanBackward0" in src
    mm_nodes = [i for i, label in labels(src).items() if "MmBackward0" in label]
    assert len(mm_nodes) == 2
    graph_edges = edges(src)
    for weight in ("0.weight", "2.weight"):       # weight -> .t() -> mm
        (transpose,) = [h for t, h in graph_edges if t == box(src, weight)]
        assert "TBackward0" in labels(src)[transpose]  # weight.t(), named as in PyTorch
        assert any(t == transpose and h in mm_nodes for t, h in graph_edges)
    saved = viz.draw_graph(loss, model.named_parameters(), show_saved=True).source
    assert "saved" in saved and "style=dashed" in saved
    loss.backward()
    after = viz.draw_graph(loss, model, show_saved=True).source
    assert "grad mean" in labels(after)[box(after, "0.weight")]
    assert "saved tensors freed by backward()" in after


def test_collapse_by_module_halves_a_60_layer_mlp():
    torch.manual_seed(0)
    layers = []
    for _ in range(30):
        layers += [nn.Linear(4, 4), nn.ReLU()]
    model = nn.Sequential(*layers)      # 60 layers
    with viz.record(model):
        loss = model(torch.randn(2, 4)).sum()
    loss.backward()
    full = viz.draw_graph(loss, model, max_nodes=10_000).source
    collapsed = viz.draw_graph(loss, model, collapse="module").source
    assert len(edges(collapsed)) < 0.4 * len(edges(full))
    linear = labels(collapsed)[box(collapsed, "58 (Linear)")]
    assert "weight (4, 4) |grad|" in linear and "MmBackward0" in linear
    assert "module call" in collapsed and "truncated" not in collapsed
    with pytest.raises(ValueError, match="viz.record"):
        viz.draw_graph(model(torch.randn(2, 4)).sum(), model, collapse="module")


def test_long_chain_draws_iteratively_and_says_it_is_truncated():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)          # any recursion over the chain would fail
    try:
        src = viz.draw_graph(y, max_nodes=50).source
    finally:
        sys.setrecursionlimit(limit)
    assert len([i for i in labels(src) if i.startswith("n")]) == 50
    assert "graph truncated: 50 of 20001 boxes drawn (max_nodes=50)" in src
    assert ("x0", "n49") in edges(src)     # the note points where the drawing stops


def test_tensor_without_graph_is_one_node_and_lists_of_roots_work():
    t = torch.ones(2, 2)
    src = viz.draw_graph(t).source
    assert len(labels(src)) == 1 and "tensor (no graph)" in src and "(2, 2) float32" in src
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    u, v = a * 2, a.sum()
    src = viz.draw_graph([u, v]).source
    assert "MulBackward0" in src and "SumBackward0" in src and src.count("color=darkgreen") == 2
    with pytest.raises(ValueError, match="collapse"):
        viz.draw_graph(u, collapse="layer")
