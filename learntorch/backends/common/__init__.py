"""The math both devices share, written once as plain Python: each backend compiles it for its device.

| module | what | used by |
|---|---|---|
| scalar_ops.py | the named scalar functions of every elementwise op (``exp``, ``add``, ...) and their registries | the map/zip kernels |
| index.py | ``storage_index`` (element ``i`` of a strided view: peel dims from the back) and ``coalesce`` | every strided kernel |
| reduce.py | which binary op folds each reduction, its start value, the arg-reduce row loop | the reduce kernels |
| optim.py | one element of the SGD, Adam, RMSprop and Adagrad updates | the fused optimizer kernels |
| shapes.py | the output sizes of conv2d and pooling | ops/conv.py, ops/pool.py and the CUDA backend |

The CPU backend compiles a function here with ``njit(inline="always")`` and the CUDA backend with
``cuda.jit(device=True)``, so the two devices cannot disagree on the math; under the CUDA simulator
the same functions run as Python. Nothing here imports a backend.
"""
