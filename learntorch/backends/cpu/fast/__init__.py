"""The CPU backend's speed path: what makes the kernels fast rather than what they compute.

The loops the course reads are in backends/cpu/ (elementwise.py, reduce.py, matmul.py, conv.py,
pool.py, ...); the modules here do the same work faster, and each has a test against those
loops or against libm:

| module | what | used by |
|---|---|---|
| blas.py | ``gemm`` called from inside ``@njit`` code (SciPy's OpenBLAS, one thread per Numba thread) | matmul_blas.py, conv_blas.py |
| matmul_blas.py | batched products by gemm, split by rows, columns, or along K (split-K) | CPUBackend.matmul |
| conv_blas.py | stride-1 convolutions as one gemm per kernel tap | conv.py (``blas=True``) |
| fast_math.py, fast_trig.py | float32 exp, log, sigmoid, tanh, sin, cos that LLVM vectorises | elementwise.py (FAST_F32) |

``set_matmul_kernel("numba")`` turns the BLAS paths off, leaving the hand-written kernels.
"""
