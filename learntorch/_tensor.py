"""``learntorch.Tensor``: storage + shape + strides + offset, and the autograd fields.

The class holds metadata and forwards every computation to a differentiable Function in
``learntorch.ops``; those call the kernels of the tensor's device backend. Read it top to
bottom: layout, autograd fields, conversion, then the op methods (one line each).

The one import circle in learntorch: Tensor <-> the modules that make tensors (``ops``,
``_creation``, ``random``, ``autograd.engine``, ``_legacy``). They import ``Tensor`` at their top; this module
imports them at its bottom, after the class exists, and its methods call them (``ops.add``, ...).
``learntorch.sparse`` stays outside it: ``to_sparse`` calls ``_dense_to_sparse``, which ``sparse._coo``
sets on the class when it is imported, and ops reach a sparse operand through its own methods.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from . import _dtype as dt
from ._device import as_device, device as Device
from ._format import tensor_repr
from ._layout import strided
from ._storage import VersionCounter, contiguous_strides, is_contiguous, numel
from .backends import backend_for
from .backends.interface import Backend, Strided

if TYPE_CHECKING:
    from .autograd.function import Node


class Tensor:
    """A strided n-dimensional array that can record the operations applied to it."""

    __slots__ = ("_storage", "_shape", "_strides", "_offset", "_dtype", "_device", "_strided", "_version_counter",
                 "_base", "_requires_grad", "grad", "grad_fn", "_output_nr", "_grad_accumulator",
                 "_hooks", "_retains_grad", "_view_rewrites", "__weakref__", "__dict__")

    # ------------------------------------------------------------------ layout
    @classmethod
    def _make(cls, storage: Any, shape: tuple[int, ...], strides: tuple[int, ...] | None = None,
              offset: int = 0, *, dtype: dt.dtype, device: Device,
              base: "Tensor | None" = None) -> "Tensor":
        """Wrap ``storage`` (a flat backend array) as a tensor; views pass ``base``."""
        t = object.__new__(cls)
        t._storage = storage
        t._shape = tuple(map(int, shape))
        t._strides = contiguous_strides(t._shape) if strides is None else tuple(strides)
        t._offset = int(offset)
        t._dtype = dtype
        t._strided = None
        return t._attach(device, base)

    @classmethod
    def _wrap(cls, a: Strided, device: Device) -> "Tensor":
        """The tensor over a kernel's output ``a`` (a fresh storage), which is also its ``_array``."""
        t = object.__new__(cls)
        t._storage, t._shape, t._strides, t._offset, t._dtype = a
        t._strided = a
        return t._attach(device, None)

    def _attach(self, device: Device, base: "Tensor | None") -> "Tensor":
        """Set a new tensor's device and its autograd fields (as a fresh leaf, or a view of ``base``)."""
        self._device = device
        self._base = base
        self._version_counter = base._version_counter if base is not None else VersionCounter()
        self._view_rewrites = self._version_counter.rewrites  # a view's grad_fn is valid until the next rewrite
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._grad_accumulator = None
        self._hooks = None
        self._retains_grad = False
        return self

    def __new__(cls, *args: Any, **kwargs: Any) -> "Tensor":
        if len(args) == 1 and not kwargs and not isinstance(args[0], int):
            return tensor(args[0])
        return empty(*args, **kwargs)

    @property
    def shape(self) -> "Size":
        return Size(self._shape)

    def size(self, dim: int | None = None) -> "Size | int":
        return Size(self._shape) if dim is None else self._shape[self._wrap_dim(dim)]

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        return self._strides if dim is None else self._strides[self._wrap_dim(dim)]

    def storage_offset(self) -> int:
        return self._offset

    def dim(self) -> int:
        return len(self._shape)

    ndim = property(dim)

    def numel(self) -> int:
        return numel(self._shape)

    def element_size(self) -> int:
        return self._dtype.itemsize

    def is_contiguous(self) -> bool:
        return is_contiguous(self._shape, self._strides)

    @property
    def dtype(self) -> dt.dtype:
        return self._dtype

    @property
    def device(self) -> Device:
        return self._device

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    is_sparse = False
    layout = strided

    @property
    def _version(self) -> int:
        return self._version_counter.value

    def _bump_version(self) -> None:
        self._version_counter.value += 1

    @property
    def _backend(self) -> Backend:
        return backend_for(self._device)

    @property
    def _array(self) -> Strided:
        """The tensor as the kernels see it (storage, shape, strides, offset, dtype), made once."""
        a = self._strided
        if a is None:
            # tuple.__new__: Strided(...) without the NamedTuple's Python-level __new__ (twice as fast)
            a = self._strided = tuple.__new__(Strided, (self._storage, self._shape, self._strides, self._offset,
                                                        self._dtype))
        return a

    def _wrap_dim(self, dim: int, ndim: int | None = None) -> int:
        n = self.dim() if ndim is None else ndim
        lo, hi = (-1, 0) if n == 0 else (-n, n - 1)
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"dim must be an int, got {type(dim).__name__}")
        if not lo <= dim <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
        return int(dim) % max(n, 1)

    # ------------------------------------------------------------------ autograd fields
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self.grad_fn is not None and not flag:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if flag and not self._dtype.is_floating_point:
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients (got {self._dtype}); "
                "convert first, e.g. x.float().requires_grad_()")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            self._retains_grad = True
            self.grad_fn._retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[["Tensor"], "Tensor | None"]) -> "RemovableHandle":
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            hooks = self.grad_fn._pre_hooks.setdefault(self._output_nr, {})
        else:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        return RemovableHandle(hooks, hook)

    def detach(self) -> "Tensor":
        """A new tensor over the same storage, outside the graph."""
        t = Tensor._make(self._storage, self._shape, self._strides, self._offset,
                         dtype=self._dtype, device=self._device, base=self)
        return t

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> "Tensor":
        """Like ``detach()``, but with its own version counter: in-place changes through ``.data``
        are hidden from autograd (unlike through ``detach()``, which is why detach() is safer)."""
        t = self.detach()
        t._version_counter = VersionCounter()
        return t

    @data.setter
    def data(self, other: "Tensor") -> None:
        self._storage, self._shape, self._strides, self._offset = (
            other._storage, other._shape, other._strides, other._offset)
        self._strided = other._strided
        self._dtype, self._device, self._version_counter = other._dtype, other._device, other._version_counter

    def backward(self, gradient: "Tensor | None" = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Sequence["Tensor"] | None = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.backward``)."""
        engine.backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    # ------------------------------------------------------------------ conversion
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A NumPy view of the same memory (a CPU tensor that doesn't require grad)."""
        if self._device.type != "cpu":
            raise TypeError(
                f"can't convert {self._device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first.")
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._as_numpy()

    def _as_numpy(self) -> np.ndarray:
        """The strided NumPy view of a CPU tensor (shares memory)."""
        return self._backend.to_numpy(self._array)

    def _host_numpy(self) -> np.ndarray:
        """The values as a NumPy array on the host, copying from a device if needed."""
        return self._as_numpy() if self._device.type == "cpu" else self.cpu()._as_numpy()

    def item(self) -> float | int | bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"a Tensor with {self.numel()} elements cannot be converted to Scalar "
                "(item() needs exactly one element; index or reduce first)")
        return self._host_numpy().reshape(()).item()

    def tolist(self) -> Any:
        return self._host_numpy().tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.detach().numpy() if self._device.type == "cpu" else self._host_numpy()
        return a if dtype is None else a.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape {list(self._shape)})")
        return bool(self.item())

    def __index__(self) -> int:
        if self._dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats the value of a 0-d tensor, as in PyTorch; other tensors take
        no format spec (TypeError), only ``f"{t}"``."""
        return self.item().__format__(spec) if self.dim() == 0 else object.__format__(self, spec)

    def __reduce_ex__(self, protocol: int):
        """Pickle (``pickle``, ``copy.copy``, ``learntorch.save`` of whole objects) as the whole storage,
        a flat host NumPy array (a CUDA one is copied over), plus this tensor's layout. Views of one
        CPU storage pickled together keep sharing one storage: pickle writes the array once.
        ``.grad`` and the graph are not kept: a non-leaf comes back as a leaf. A multiprocessing
        reduction can register itself for Tensor and pass a shared-memory array instead."""
        storage = self._storage
        if self._device.type != "cpu":
            storage = self._backend.to_numpy(Strided(storage, (storage.size,), (1,), 0, self._dtype))
        return _rebuild_tensor, (type(self), storage, self._offset, self._shape, self._strides, str(self._device),
                                 self._requires_grad)

    def __deepcopy__(self, memo: dict) -> "Tensor":
        """``copy.deepcopy``: a new leaf with copied data (and grad), as for ``copy.deepcopy(model)``."""
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment. If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = type(self)._make(self.detach().clone()._storage, self._shape, dtype=self._dtype, device=self._device)
        new._requires_grad = self._requires_grad
        memo[id(self)] = new
        if self.grad is not None:
            new.grad = self.grad.__deepcopy__(memo)
        return new

    # ------------------------------------------------------------------ dtype and device
    def to(self, *args: Any, dtype: dt.dtype | None = None, device: Any = None,
           copy: bool = False) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``."""
        dtype, device = parse_to_args(args, dtype, device)
        out = self
        if device is not None and as_device(device) != self._device:
            out = ops.ToDevice.apply(out, as_device(device))
        if dtype is not None and dtype is not out._dtype:
            out = ops.Cast.apply(out, dtype)
        if copy and out is self:
            out = self.clone()
        return out

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.to(other.dtype)

    def float(self) -> "Tensor":
        return self.to(dt.float32)

    def double(self) -> "Tensor":
        return self.to(dt.float64)

    def long(self) -> "Tensor":
        return self.to(dt.int64)

    def int(self) -> "Tensor":
        return self.to(dt.int32)

    def short(self) -> "Tensor":
        return self.to(dt.int16)

    def char(self) -> "Tensor":
        return self.to(dt.int8)

    def byte(self) -> "Tensor":
        return self.to(dt.uint8)

    def bool(self) -> "Tensor":
        return self.to(dt.bool_)

    def half(self) -> "Tensor":
        raise TypeError("half(): learntorch has no float16 (half) dtype; use .float() (float32) instead")

    def type(self, dtype: Any = None, non_blocking: bool = False) -> "str | Tensor":
        """``x.type()`` is the legacy class name, e.g. ``'torch.FloatTensor'``; ``x.type(t)``
        converts to ``t``: a dtype, a legacy class (``learntorch.LongTensor``) or its name."""
        return _legacy.type_name(self) if dtype is None else _legacy.to_type(self, dtype)

    def is_floating_point(self) -> bool:
        return self._dtype.is_floating_point

    def to_dense(self) -> "Tensor":
        return self

    _dense_to_sparse: Callable[["Tensor", "int | None"], Any]  # sparse._coo.dense_to_sparse, set there

    def to_sparse(self, sparse_dim: int | None = None) -> Any:
        """The nonzero elements as a coalesced sparse COO tensor (``sparse.SparseCooTensor``, differentiable)."""
        return self._dense_to_sparse(sparse_dim)

    def is_signed(self) -> bool:
        return self._dtype.is_signed

    def cpu(self) -> "Tensor":
        return self.to("cpu")

    def cuda(self, device: Any = None) -> "Tensor":
        return self.to("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}")

    # ------------------------------------------------------------------ ops (see learntorch.ops)
    def clone(self) -> "Tensor":
        return ops.Clone.apply(self)

    def contiguous(self) -> "Tensor":
        return self if self.is_contiguous() else ops.Clone.apply(self)

    def __add__(self, other): return ops.add(self, other)
    def __radd__(self, other): return ops.add(other, self)
    def __sub__(self, other): return ops.sub(self, other)
    def __rsub__(self, other): return ops.sub(other, self)
    def __mul__(self, other): return ops.mul(self, other)
    def __rmul__(self, other): return ops.mul(other, self)
    def __truediv__(self, other): return ops.true_divide(self, other)
    def __rtruediv__(self, other): return ops.true_divide(other, self)
    def __floordiv__(self, other): return ops.floor_divide(self, other)
    def __rfloordiv__(self, other): return ops.floor_divide(other, self)
    def __mod__(self, other): return ops.remainder(self, other)
    def __rmod__(self, other): return ops.remainder(other, self)
    def __pow__(self, other): return ops.pow(self, other)
    def __rpow__(self, other): return ops.pow(other, self)
    def __matmul__(self, other): return ops.matmul(self, other)
    def __rmatmul__(self, other): return ops.matmul(other, self)
    def __neg__(self): return ops.neg(self)
    # augmented assignment works in place, as in PyTorch (``w -= lr * w.grad`` keeps ``w`` a leaf)
    def __iadd__(self, other): return ops.inplace(self, "add", other)
    def __isub__(self, other): return ops.inplace(self, "sub", other)
    def __imul__(self, other): return ops.inplace(self, "mul", other)
    def __itruediv__(self, other): return ops.inplace(self, "div", other)
    def __pos__(self): return self
    def __abs__(self): return ops.abs(self)
    def __eq__(self, other): return ops.eq(self, other)  # type: ignore[override]
    def __ne__(self, other): return ops.ne(self, other)  # type: ignore[override]
    def __lt__(self, other): return ops.lt(self, other)
    def __le__(self, other): return ops.le(self, other)
    def __gt__(self, other): return ops.gt(self, other)
    def __ge__(self, other): return ops.ge(self, other)
    def __and__(self, other): return ops.logical_and(self, other)
    def __or__(self, other): return ops.logical_or(self, other)
    def __invert__(self): return ops.logical_not(self)
    def __getitem__(self, key): return ops.getitem(self, key)
    def __setitem__(self, key, value): ops.setitem(self, key, value)

    def add(self, other, alpha=1): return ops.add(self, other if alpha == 1 else other * alpha)
    def sub(self, other, alpha=1): return ops.sub(self, other if alpha == 1 else other * alpha)
    def mul(self, other): return ops.mul(self, other)
    def div(self, other, *, rounding_mode=None): return ops.div(self, other, rounding_mode=rounding_mode)
    def floor_divide(self, other): return ops.floor_divide(self, other)
    def remainder(self, other): return ops.remainder(self, other)
    def pow(self, exponent): return ops.pow(self, exponent)
    def matmul(self, other): return ops.matmul(self, other)
    def mm(self, mat2): return ops.mm(self, mat2)
    def bmm(self, mat2): return ops.bmm(self, mat2)
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)
    def neg(self): return ops.neg(self)
    def exp(self): return ops.exp(self)
    def log(self): return ops.log(self)
    def log1p(self): return ops.log1p(self)
    def expm1(self): return ops.expm1(self)
    def erf(self): return ops.erf(self)
    def erfc(self): return ops.erfc(self)
    def sqrt(self): return ops.sqrt(self)
    def abs(self): return ops.abs(self)
    def sin(self): return ops.sin(self)
    def cos(self): return ops.cos(self)
    def tanh(self): return ops.tanh(self)
    def sigmoid(self): return ops.sigmoid(self)
    def relu(self): return ops.relu(self)
    def sign(self): return ops.sign(self)
    def square(self): return ops.mul(self, self)
    def reciprocal(self): return ops.true_divide(1.0, self)
    def clamp(self, min=None, max=None): return ops.clamp(self, min, max)
    clip = clamp
    def maximum(self, other): return ops.maximum(self, other)
    def minimum(self, other): return ops.minimum(self, other)
    def eq(self, other): return ops.eq(self, other)
    def ne(self, other): return ops.ne(self, other)
    def lt(self, other): return ops.lt(self, other)
    def le(self, other): return ops.le(self, other)
    def gt(self, other): return ops.gt(self, other)
    def ge(self, other): return ops.ge(self, other)
    def logical_not(self): return ops.logical_not(self)
    def logical_and(self, other): return ops.logical_and(self, other)
    def logical_or(self, other): return ops.logical_or(self, other)
    def logical_xor(self, other): return ops.logical_xor(self, other)
    def masked_fill(self, mask, value): return ops.masked_fill(self, mask, value)

    def sum(self, dim=None, keepdim=False, *, dtype=None): return ops.sum(self, dim, keepdim, dtype=dtype)
    def mean(self, dim=None, keepdim=False): return ops.mean(self, dim, keepdim)
    def prod(self, dim=None, keepdim=False): return ops.prod(self, dim, keepdim)
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.var(self, dim, unbiased, keepdim, correction=correction)
    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.std(self, dim, unbiased, keepdim, correction=correction)
    def max(self, dim=None, keepdim=False): return ops.max(self, dim, keepdim)
    def min(self, dim=None, keepdim=False): return ops.min(self, dim, keepdim)
    def argmax(self, dim=None, keepdim=False): return ops.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return ops.argmin(self, dim, keepdim)
    def all(self, dim=None, keepdim=False): return ops.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return ops.any(self, dim, keepdim)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return ops.norm(self, p, dim, keepdim, dtype)
    def cumsum(self, dim, *, dtype=None): return ops.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return ops.cumprod(self, dim, dtype=dtype)
    def sort(self, dim=-1, descending=False, *, stable=False): return ops.sort(self, dim, descending, stable=stable)
    def argsort(self, dim=-1, descending=False, *, stable=False):
        return ops.argsort(self, dim, descending, stable=stable)
    def topk(self, k, dim=-1, largest=True, sorted=True): return ops.topk(self, k, dim, largest, sorted)
    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return ops.multinomial(self, num_samples, replacement, generator=generator)
    def softmax(self, dim): return ops.softmax(self, dim)
    def log_softmax(self, dim): return ops.log_softmax(self, dim)

    def view(self, *shape): return ops.view(self, *shape)
    def view_as(self, other): return ops.view(self, other.shape)
    def reshape(self, *shape): return ops.reshape(self, *shape)
    def reshape_as(self, other): return ops.reshape(self, other.shape)
    def permute(self, *dims): return ops.permute(self, *dims)
    def transpose(self, dim0, dim1): return ops.transpose(self, dim0, dim1)
    def t(self): return ops.t(self)
    @property
    def T(self): return ops.permute(self, *reversed(range(self.dim())))
    @property
    def mT(self): return ops.transpose(self, -2, -1)
    def expand(self, *sizes): return ops.expand(self, *sizes)
    def expand_as(self, other): return ops.expand(self, other.shape)
    def squeeze(self, dim=None): return ops.squeeze(self, dim)
    def unsqueeze(self, dim): return ops.unsqueeze(self, dim)
    def flatten(self, start_dim=0, end_dim=-1): return ops.flatten(self, start_dim, end_dim)
    def unflatten(self, dim, sizes): return ops.unflatten(self, dim, sizes)
    def split(self, split_size, dim=0): return ops.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return ops.chunk(self, chunks, dim)
    def narrow(self, dim, start, length): return ops.narrow(self, dim, start, length)
    def unbind(self, dim=0): return ops.unbind(self, dim)
    def diag(self, diagonal=0): return ops.diag(self, diagonal)
    def diagonal(self, offset=0, dim1=0, dim2=1): return ops.diagonal(self, offset, dim1, dim2)
    def tril(self, diagonal=0): return ops.tril(self, diagonal)
    def triu(self, diagonal=0): return ops.triu(self, diagonal)
    def flip(self, *dims): return ops.flip(self, *dims)
    def repeat(self, *sizes): return ops.repeat(self, *sizes)
    def gather(self, dim, index): return ops.gather(self, dim, index)
    def index_select(self, dim, index): return ops.index_select(self, dim, index)
    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return ops.scatter(self, dim, index, src, value, reduce)
    def scatter_add(self, dim, index, src): return ops.scatter_add(self, dim, index, src)

    # new tensors like this one (its dtype and device unless given)
    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        return tensor(data, dtype=dtype or self._dtype, device=device or self._device, requires_grad=requires_grad)
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return zeros(*size, dtype=dtype or self._dtype, device=device or self._device, requires_grad=requires_grad)
    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return ones(*size, dtype=dtype or self._dtype, device=device or self._device, requires_grad=requires_grad)
    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return empty(*size, dtype=dtype or self._dtype, device=device or self._device, requires_grad=requires_grad)
    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return full(size, fill_value, dtype=dtype or self._dtype, device=device or self._device,
                    requires_grad=requires_grad)

    # in place: each bumps the version counter
    def add_(self, other, alpha=1): return ops.inplace(self, "add", other if alpha == 1 else other * alpha)
    def sub_(self, other, alpha=1): return ops.inplace(self, "sub", other if alpha == 1 else other * alpha)
    def mul_(self, other): return ops.inplace(self, "mul", other)
    def div_(self, other): return ops.inplace(self, "div", other)
    def clamp_(self, min=None, max=None): return ops.inplace(self, "clamp", min, max)
    def relu_(self): return ops.inplace(self, "relu")
    def masked_fill_(self, mask, value): return ops.inplace(self, ops.masked_fill, mask, value)
    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return ops.inplace(self, ops.scatter, dim, index, src, value, reduce)
    def scatter_add_(self, dim, index, src): return ops.inplace(self, ops.scatter_add, dim, index, src)
    def tril_(self, diagonal=0): return ops.inplace(self, ops.tril, diagonal)
    def triu_(self, diagonal=0): return ops.inplace(self, ops.triu, diagonal)
    def zero_(self): return ops.zero_(self)
    def fill_(self, value): return ops.fill_(self, value)
    def copy_(self, src): return ops.copy_(self, src)
    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return self.copy_(random.randn(*self._shape, dtype=self._dtype, generator=generator) * std + mean)
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        return self.copy_(random.rand(*self._shape, dtype=self._dtype, generator=generator) * (b - a) + a)


def _rebuild_tensor(cls: type, storage: Any, offset: int, shape: tuple[int, ...], strides: tuple[int, ...],
                    device: str, requires_grad: bool) -> Tensor:
    """``Tensor.__reduce_ex__``'s inverse: a ``cls`` tensor viewing ``storage``, a flat NumPy array
    (moved to ``device`` if that is not the CPU) or a storage already there. The layout is checked
    against the storage's length, so a damaged pickle can't make a view that reads past its end."""
    dev = as_device(device)
    if isinstance(storage, np.ndarray):  # kernels read flat, writable, C-ordered memory
        storage = np.require(storage, requirements=["C", "W"])
        if dev.type != "cpu":
            storage = backend_for(dev).from_numpy(storage)
    shape, strides, offset = tuple(map(int, shape)), tuple(map(int, strides)), int(offset)
    last = offset + sum((n - 1) * s for n, s in zip(shape, strides)) if numel(shape) else offset - 1
    dtype = dt.from_numpy_dtype(storage.dtype, what="storage")
    if (not (isinstance(cls, type) and issubclass(cls, Tensor)) or storage.ndim != 1 or dtype.np != storage.dtype
            or len(shape) != len(strides) or min(shape + strides + (offset,)) < 0 or last >= storage.size):
        raise RuntimeError(f"can't rebuild a {getattr(cls, '__name__', cls)} of shape {list(shape)}, strides "
                           f"{list(strides)}, offset {offset} over a {storage.ndim}-d {storage.dtype} storage of "
                           f"{storage.size} elements")
    t = cls._make(storage, shape, strides, offset, dtype=dtype, device=dev)
    t.requires_grad = requires_grad
    return t


def parse_to_args(args: tuple, dtype: Any, device: Any) -> tuple[Any, Any]:
    """Sort ``.to(...)``'s positional arguments into (dtype, device), as PyTorch accepts them: a
    tensor gives both, a string, ``device`` or int is a device, anything else is a dtype (checked:
    a NumPy dtype raises TypeError)."""
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, Device)) or (isinstance(a, int) and not isinstance(a, bool)):
            device = a
        else:
            dtype = a
    return dt.check_dtype("to", dtype), device


class Size(tuple):
    """``tensor.shape``: a tuple that prints as ``learntorch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"learntorch.Size({list(self)})"

    def numel(self) -> int:
        return numel(self)


class RemovableHandle:
    """Returned by ``register_*hook``; ``handle.remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict, hook: Callable) -> None:
        RemovableHandle._next_id += 1
        self.id = RemovableHandle._next_id
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()



# The circle's other half (see the module docstring): these import Tensor, so they come after it.
from . import _legacy, ops, random  # noqa: E402
from ._creation import empty, full, ones, tensor, zeros  # noqa: E402
from .autograd import engine  # noqa: E402
