"""The widgets, driven headless: set values, click buttons, step, and read their HTML and images."""
import re
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import learntorch as torch  # noqa: E402
import learntorch.nn as nn  # noqa: E402
from learntorch import viz  # noqa: E402
from learntorch.viz.widgets.playground import COLORS, SURFACES, trajectory  # noqa: E402

def is_png(image):
    return bytes(image.value).startswith(b"\x89PNG")


def highlighted(svg):
    """The titles (box ids) of the SVG nodes drawn with a red border."""
    groups = re.findall(r'<g id="node\d+" class="node">\s*<title>(\w+)</title>(.*?)</g>', svg, re.S)
    return [title for title, body in groups if 'stroke="red"' in body]


def test_backprop_stepper_walks_the_engine_order_with_the_rule_and_numbers():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    with viz.record():
        ab = a * b
        loss = ab + a
    s = viz.BackpropStepper(loss, [("a", a), ("b", b)])
    assert ab.grad is None and loss.grad is None      # the replay leaves retained grads alone
    assert isinstance(s, widgets.Widget)
    assert s.nodes == s.order                     # walk order == the order the engine ran them
    ids = viz.draw_graph(loss).node_ids
    assert s.current_node is s.nodes[0] and s.current_node.name() == "AddBackward0"
    assert highlighted(s.graph.value) == [ids[s.current_node]]
    assert "d(a+b)/da = 1" in s.rule.value and "step 1 of 4" in s.rule.value

    s.step_button.click()
    assert s.current_node.name() == "MulBackward0"
    assert "d(a*b)/da = b = 3.0" in s.rule.value and "d(a*b)/db = a = 2.0" in s.rule.value
    assert "1.0 × 3.0 = 3.0" in s.rule.value
    assert highlighted(s.graph.value) == [ids[s.current_node]]
    assert "grad 1.0" in s.graph.value                    # the Mul node now shows its gradient

    s.step()
    s.step()
    assert s.slider.value == 3 and s.step() is s.nodes[3]          # stays on the last node
    assert "leaf.grad += grad = 4.0" in s.rule.value               # a: b + 1
    assert "<b>3: a</b>" in s.detail.value and "grad: <code>4.0</code>" in s.detail.value
    s.select.value = 2
    assert "<b>2: b</b>" in s.detail.value and "grad: <code>2.0</code>" in s.detail.value

    s.reset_button.click()
    assert s.current_node is s.nodes[0] and "grad 4.0" not in s.graph.value
    s.slider.value = 1
    assert s.current_node.name() == "MulBackward0"
    assert a.grad is None                     # the stepper does not touch the leaves' .grad
    loss.backward()
    assert a.grad.item() == 4.0 and ab.grad.item() == 1.0


def test_stepper_heatmap_for_matrices_and_collapsed_cnn():
    torch.manual_seed(0)
    w = torch.randn(3, 2, requires_grad=True)
    loss = (torch.randn(4, 3) @ w).relu().mean()
    s = viz.BackpropStepper(loss, [("w", w)])
    s.slider.value = len(s.nodes) - 1                             # the weight's AccumulateGrad
    assert is_png(s.heatmap) and "<b>3: w</b>" in s.detail.value

    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
    with viz.record(model):
        loss = model(torch.randn(2, 1, 6, 6)).pow(2).mean()
    s = viz.BackpropStepper(loss, model, collapse="module")
    boxes = viz.draw_graph(loss, model, collapse="module").node_ids
    while s.current_node.name() != "ConvolutionBackward0":
        s.step()
    assert highlighted(s.graph.value) == [boxes[s.current_node]]
    assert "0 (Conv2d)" in s.graph.value


def test_stepper_on_a_non_scalar_raises_what_backward_raises():
    x = torch.ones(2, 2, requires_grad=True) * 2
    with pytest.raises(RuntimeError) as from_backward:
        x.backward()
    with pytest.raises(RuntimeError) as from_stepper:
        viz.BackpropStepper(x)
    assert str(from_stepper.value) == str(from_backward.value)
    constant = torch.tensor(1.0)
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.BackpropStepper(constant)


def test_training_dashboard_curves_progress_and_stop():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    mon = viz.Monitor(model)
    board = viz.TrainingDashboard(total_steps=10, monitor=mon, min_interval=0)
    for step in range(3):
        model(torch.randn(8, 2)).pow(2).mean().backward()
        mon.step()
        board.log(step=step, loss=1.0 / (step + 1), accuracy=0.5 + 0.1 * step)
    assert is_png(board.curves) and is_png(board.grad_flow)
    assert board.progress.value == 3 and board.progress.max == 10
    assert "step 2: loss = 0.3333, accuracy = 0.7" in board.status.value
    loss_ax, acc_ax = board.figure().axes
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), [1.0, 0.5, 1 / 3])
    np.testing.assert_allclose(acc_ax.lines[0].get_xdata(), [0, 1, 2])
    assert not board.stopped
    board.stop_button.click()
    assert board.stopped and board.stop_button.disabled
    quiet = viz.TrainingDashboard(min_interval=3600)
    quiet.log(loss=1.0)
    quiet.log(loss=0.5)                       # throttled: drawn once, at the first point
    assert quiet.history["loss"] == ([0, 1], [1.0, 0.5])
    first = quiet.curves.value
    quiet.refresh()
    assert bytes(quiet.curves.value) != bytes(first)


def test_optimizer_playground_uses_learntorch_optim():
    torch_ref = pytest.importorskip("torch")
    play = viz.OptimizerPlayground(surface="quadratic bowl", steps=5)
    assert set(play.trajectories) == set(COLORS) and is_png(play.image)
    assert all(path.shape == (6, 2) for path in play.trajectories.values())
    hyper = dict(lr=play.lr.value, momentum=play.momentum.value, betas=(play.beta1.value, play.beta2.value),
                 eps=play.eps.value)
    makers = {"SGD": lambda p: torch_ref.optim.SGD(p, lr=hyper["lr"]),
              "SGD momentum": lambda p: torch_ref.optim.SGD(p, lr=hyper["lr"], momentum=hyper["momentum"]),
              "RMSprop": lambda p: torch_ref.optim.RMSprop(p, lr=hyper["lr"], eps=hyper["eps"]),
              "Adam": lambda p: torch_ref.optim.Adam(p, lr=hyper["lr"], betas=hyper["betas"], eps=hyper["eps"])}
    for name, make in makers.items():
        x, y = (torch_ref.tensor(v, dtype=torch_ref.float64, requires_grad=True)
                for v in SURFACES["quadratic bowl"].start)
        opt = make([x, y])
        path = [(x.item(), y.item())]
        for _ in range(5):
            opt.zero_grad()
            (x * x + y * y).backward()
            opt.step()
            path.append((x.item(), y.item()))
        np.testing.assert_allclose(play.trajectories[name], path, rtol=1e-6, err_msg=name)

    before = play.image.value
    play.steps.value = 8
    assert play.trajectories["Adam"].shape == (9, 2) and bytes(play.image.value) != bytes(before)
    play.surface.value = "saddle"
    assert play.lr.value == pytest.approx(SURFACES["saddle"].lr)
    assert play.trajectories["SGD"][0].tolist() == list(SURFACES["saddle"].start)
    assert play.trajectories["SGD"][-1, 1] > play.trajectories["SGD"][0, 1]   # escapes along y
    play.beta1.value = 0.5
    ax = play.figure().axes[0]
    adam = next(line for line in ax.lines if line.get_label().startswith("Adam"))
    np.testing.assert_allclose(adam.get_xdata(), play.trajectories["Adam"][:, 0])


def test_a_diverging_trajectory_stops_early():
    path = trajectory(SURFACES["quadratic bowl"], "SGD", 50, lr=1.5, momentum=0.0, beta1=0.9, beta2=0.999,
                      eps=1e-8)
    assert len(path) < 10 and np.abs(path[-1]).max() > 10 * 4


def test_tensor_inspector_maps_view_elements_to_storage_cells():
    t = torch.arange(12.0).reshape(3, 4)
    ins = viz.TensorInspector(t)
    assert "strides <b>(4, 1)</b>" in ins.info.value
    ins.view_select.value = "t.permute(1, 0)"
    ins.element.value = 1                                     # view element (0, 1) is t[1, 0]
    assert ins.selected == (0, 1) and ins.view.stride() == (1, 4)
    assert "storage[0 + 0·1 + 1·4] = storage[<b>4</b>]" in ins.info.value
    assert "shares t's storage: <b>yes, no copy</b>" in ins.info.value
    red = re.findall(r"background:#ff6666;text-align:center\">([\d.]+)<br><small>(\d+)</small>", ins.storage.value)
    assert red == [("4.0", "4")]
    ins.view_select.value = "t[1:, ::2]"
    assert ins.view.stride() == (4, 2) and ins.view.storage_offset() == 4
    ins.element.value = 3                                     # (1, 1) -> 4 + 1*4 + 1*2
    assert "storage[<b>10</b>]" in ins.info.value
    assert ins.storage.value.count("background:#cde") == 3   # the other cells this view reads
    ins.view_select.value = "t.unsqueeze(0).expand(2, 3, 4)"
    assert ins.view.stride() == (0, 4, 1) and ins.element.max == 23
    ins.element.value = 13                                    # (1, 0, 1): the same cell as (0, 0, 1)
    assert "storage[<b>1</b>]" in ins.info.value
    ins.view_select.value = "t.view(-1)"
    assert ins.view.stride() == (1,) and ins.element.max == 11


def test_conv_explorer_shows_filters_and_feature_maps():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(),
                          nn.Flatten(), nn.Linear(6 * 8 * 8, 10))
    image = torch.rand(1, 8, 8)
    ex = viz.ConvExplorer(model, image)
    assert list(ex.convs) == ["0", "2"]
    with torch.no_grad():
        expected = model[0](image.unsqueeze(0)).numpy()[0]
    np.testing.assert_allclose(ex.feature_maps["0"], expected, rtol=1e-5)
    assert ex.feature_maps["2"].shape == (6, 8, 8) and ex.output.shape == (10,)
    for img in (ex.filters, ex.maps, ex.filter_zoom, ex.map_zoom, ex.input_image):
        assert is_png(img)
    assert ex.channel.max == 3 and "prediction: class" in ex.info.value
    before = ex.map_zoom.value
    ex.channel.value = 2
    assert bytes(ex.map_zoom.value) != bytes(before) and "channel 2" in ex.info.value
    ex.layer.value = "2"
    assert ex.channel.max == 5 and "weight (6, 4, 3, 3)" in ex.info.value
    assert all(not m._forward_hooks for m in model.modules())
    batch = torch.rand(3, 1, 8, 8)
    chooser = viz.ConvExplorer(model, batch)
    chooser.image_index.value = 2
    with torch.no_grad():
        expected = model[0](batch).numpy()[2]
    np.testing.assert_allclose(chooser.feature_maps["0"], expected, rtol=1e-5)
    assert ex.image_index.layout.display == "none" and chooser.image_index.layout.display is None
    with pytest.raises(ValueError, match="Conv2d"):
        viz.ConvExplorer(nn.Linear(2, 2), torch.ones(1, 2))


def test_slider_redraws_the_collapsed_cnn_graph_quickly():
    torch.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
                        nn.Flatten(), nn.Linear(32 * 28 * 28, 128), nn.ReLU(), nn.Linear(128, 10))
    with viz.record(cnn):
        loss = nn.CrossEntropyLoss()(cnn(torch.rand(2, 1, 28, 28)), torch.tensor([3, 7]))
    s = viz.BackpropStepper(loss, cnn, collapse="module")
    times = []
    for position in (3, 6, len(s.nodes) - 1):
        start = time.perf_counter()
        s.slider.value = position
        times.append(time.perf_counter() - start)
        assert highlighted(s.graph.value)
    assert max(times) < 1.0, times


def test_stepper_rules_for_the_three_forms_of_pow():
    from learntorch.viz.widgets.stepper import rule_lines
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 0.5], requires_grad=True)
    ones = torch.ones(2)
    expected = {"PowBackward0": ("d(a**e)/da", "[2.0, 4.0]"),       # x ** 2: 2x
                "PowBackward2": ("d(c**b)/db", "[1.3863, 2.7726]"),  # 2 ** x: 2**x ln 2
                "PowBackward1": ("d(a**b)/da", "[3.0, 0.3536]")}     # x ** y: y x**(y-1)
    for out in (x ** 2, 2 ** x, x ** y):
        text, numbers = expected[out.grad_fn.name()]
        line = rule_lines(out.grad_fn, ones, (ones,) * len(out.grad_fn.next_functions))[1]
        assert line.startswith(text) and line.endswith(numbers), line
