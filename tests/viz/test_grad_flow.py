"""plot_grad_flow and Monitor, asserted through their artists and data."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import learntorch as torch  # noqa: E402
import learntorch.nn as nn  # noqa: E402
from learntorch import optim, viz  # noqa: E402


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))


def test_bar_heights_are_the_gradient_statistics():
    model = mlp()
    model(torch.randn(16, 4)).pow(2).mean().backward()
    model[4].bias.grad = torch.zeros(3)                    # a vanished gradient
    fig = viz.plot_grad_flow(model.named_parameters())
    ax = fig.axes[0]
    maxes, means = ax.containers
    names = [n for n, _ in model.named_parameters()]
    grads = [np.abs(p.grad.numpy()) for _, p in model.named_parameters()]
    np.testing.assert_allclose([b.get_height() for b in means], [g.mean() for g in grads], rtol=1e-6)
    np.testing.assert_allclose([b.get_height() for b in maxes], [g.max() for g in grads], rtol=1e-6)
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert any(np.allclose(line.get_ydata(), 0) for line in ax.lines)          # the zero line
    (marks,) = ax.collections
    np.testing.assert_array_equal(marks.get_offsets()[:, 0], [names.index("4.bias")])
    log_ax = viz.plot_grad_flow(model.named_parameters(), log=True).axes[0]
    assert log_ax.get_yscale() == "symlog"


def test_plot_grad_flow_before_backward_raises():
    with pytest.raises(RuntimeError, match=r"no gradients yet: call loss.backward\(\) first"):
        viz.plot_grad_flow(mlp().named_parameters())


def test_monitor_records_statistics_plots_and_detaches():
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 4), torch.randn(32, 3)
    mon = viz.Monitor(model)
    for _ in range(3):
        opt.zero_grad()
        before = model[0].weight.detach().clone().numpy()
        loss = (model(x) - y).pow(2).mean()
        loss.backward()
        out = np.tanh(model[0](x).detach().numpy())    # what the Tanh layer saw in this step
        opt.step()
        record = mon.step()
    after = model[0].weight.numpy(force=True)
    expected = np.linalg.norm(after - before) / np.linalg.norm(before)
    assert record["params"]["0.weight"]["update_ratio"] == pytest.approx(expected, rel=1e-5)
    tanh = record["layers"]["1"]
    assert tanh["mean"] == pytest.approx(out.mean(), rel=1e-4, abs=1e-6)
    assert tanh["saturated"] == pytest.approx((np.abs(out) > 0.97).mean())
    assert record["layers"]["3"]["saturated"] == pytest.approx((mon.activations["3"] <= 0).mean())
    assert tanh["grad_std"] > 0 and len(mon.history) == 3

    ratios = mon.plot_update_ratios().axes[0]
    assert ratios.get_yscale() == "log"
    assert any(np.allclose(line.get_ydata(), 1e-3) for line in ratios.lines)       # the guide line
    first = next(line for line in ratios.lines if line.get_label() == "0.weight")
    np.testing.assert_allclose(first.get_ydata(), [r["params"]["0.weight"]["update_ratio"] for r in mon.history])
    acts = mon.plot_activations().axes[0]
    assert [line.get_label() for line in acts.lines] == ["1", "3"]      # the Tanh and the ReLU
    assert len(mon.plot_gradients().axes[0].lines) == 5
    flow = mon.plot_grad_flow().axes[0]
    np.testing.assert_allclose([b.get_height() for b in flow.containers[1]],
                               [r["grad_mean"] for r in record["params"].values()])

    mon.remove()
    assert all(not m._forward_hooks for m in model.modules())
    mon.activations.clear()
    model(x)
    assert mon.activations == {}


def test_returned_figures_display_in_jupyter_without_pyplot():
    ipython = pytest.importorskip("IPython.testing.globalipapp").start_ipython()
    png = ipython.display_formatter.formatters["image/png"]
    enabled, png.enabled = png.enabled, True          # as in a kernel (a terminal shell turns PNG off)
    try:
        model = mlp()
        model(torch.randn(2, 4)).sum().backward()
        data, _ = ipython.display_formatter.format(viz.plot_grad_flow(model))
    finally:
        png.enabled = enabled
    assert data["image/png"].startswith(b"\x89PNG")
