"""A two-minute tour: tensors, views, a graph, backward, and a gradient check.

Run: ``python -m learntorch.examples.tour``
"""
from __future__ import annotations

import time

import learntorch as torch


def main() -> None:
    start = time.perf_counter()
    torch.manual_seed(0)
    x = torch.arange(12.0).reshape(3, 4)
    print("x =", x)
    print("x.T shares x's storage; its strides are", x.T.stride(), "and contiguous:", x.T.is_contiguous())

    w = torch.randn(4, 2, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    loss = (x @ w + b).relu().mean()
    print("loss =", loss)
    print("the graph, in the order backward runs it:")
    for node in torch.autograd.graph.walk(loss):
        print("   ", node.name())
    loss.backward()
    print("w.grad =", w.grad)

    check = torch.autograd.gradcheck(
        lambda a, c: (a @ c).tanh().sum(),
        (torch.randn(3, 4, dtype=torch.float64, requires_grad=True),
         torch.randn(4, 2, dtype=torch.float64, requires_grad=True)))
    print("autograd matches finite differences:", check)
    print(f"done in {time.perf_counter() - start:.1f} s (the first run compiles the Numba kernels)")


if __name__ == "__main__":
    main()
