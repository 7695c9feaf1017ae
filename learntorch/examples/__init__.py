"""Runnable examples: ``python -m learntorch.examples.tour``."""
