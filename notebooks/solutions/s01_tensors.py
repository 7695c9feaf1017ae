"""Answers for 01_tensors."""
import learntorch as torch
from numba import njit, prange

# Exercise 1: a contiguous (2, 3, 4) tensor steps 12 slots per first index, 4 per second, 1 per third;
# transpose(0, 2) swaps the first and last sizes *and* strides.
my_strides = ((12, 4, 1), (1, 4, 12))


# Exercise 2: the storage position of t[index]
def storage_position(t, index):
    return t.storage_offset() + sum(i * s for i, s in zip(index, t.stride()))


# Exercise 3: bool < int < float; a Python float only changes the category (int64 -> float32)
my_dtypes = [torch.float32, torch.float64, torch.float32, torch.int64]


# Exercise 4: a Numba kernel (the parallel version splits the loop across threads)
@njit(parallel=True)
def affine(x, out):
    for i in prange(x.size):
        out[i] = 2 * x[i] + 1
