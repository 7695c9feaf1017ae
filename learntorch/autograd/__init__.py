"""Autograd: ``Function``/ctx, the backward engine, grad modes, gradient checks, graph walking."""
from .engine import backward, grad
from .function import AccumulateGrad, BackwardNode, Function, Node, once_differentiable
from .gradcheck import gradcheck, gradgradcheck
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from . import graph

__all__ = ["backward", "grad", "Function", "Node", "AccumulateGrad", "BackwardNode", "once_differentiable",
           "gradcheck", "gradgradcheck", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "inference_mode", "graph"]
