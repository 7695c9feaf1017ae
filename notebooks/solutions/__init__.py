"""Reference answers to the course's exercises, one module per notebook (``s01_tensors`` ...).

In a notebook: ``%load solutions/s01_tensors.py``, or ``from solutions.s01_tensors import affine``.
"""
