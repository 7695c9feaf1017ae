"""Answers for 02_autograd."""
import learntorch as torch
from learntorch.autograd import Function

# Exercise 1: f(x) = x³ + 2x, f'(x) = 3x² + 2, so f'(3) = 29
fprime_at_3 = 29.0


# Exercise 2: backward in reverse topological order (the DFS is iterative, so long chains work too)
def backward_topo(root):
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)           # after all of its inputs
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in node._prev if id(child) not in seen)
    root.grad = 1.0
    for node in reversed(order):         # users before the values they use
        node._backward()


# Exercise 3: a custom Function
class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x ** 2


# Exercise 4: H·v by double backward
def hessian_vector_product(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    return hv
