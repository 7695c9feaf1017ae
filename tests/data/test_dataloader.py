"""Datasets, samplers, collate and DataLoader."""
from collections import namedtuple

import numpy as np
import pytest

import learntorch as lt
from learntorch.utils.data import (BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler, Subset,
                                   TensorDataset, default_collate, random_split)


class Squares(Dataset):
    """A plain map-style dataset (no fast path): sample i is (float tensor [i], i*i)."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return lt.tensor([float(i)]), i * i


def test_batches_in_order_with_short_last_batch():
    loader = DataLoader(Squares(), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [len(y) for _, y in batches] == [4, 4, 2]
    x, y = batches[0]
    assert x.shape == (4, 1) and x.dtype is lt.float32 and y.tolist() == [0, 1, 4, 9] and y.dtype is lt.int64
    assert len(DataLoader(Squares(), batch_size=4, drop_last=True)) == 2
    assert [len(y) for _, y in DataLoader(Squares(), batch_size=4, drop_last=True)] == [4, 4]


def test_shuffle_is_a_reproducible_permutation_with_a_generator():
    def epoch_orders(seed):
        loader = DataLoader(Squares(), batch_size=3, shuffle=True, generator=lt.Generator().manual_seed(seed))
        return [[int(v) for _, y in loader for v in y.tolist()] for _ in range(2)]

    first, second = epoch_orders(7)
    assert sorted(first) == [i * i for i in range(10)] and first != second  # a new order each epoch
    assert epoch_orders(7) == [first, second]
    assert epoch_orders(8) != [first, second]


def test_tensor_dataset_fast_path_matches_sample_by_sample():
    x, y = lt.randn(23, 3), lt.arange(23)
    ds = TensorDataset(x, y)
    g = lt.Generator().manual_seed(0)
    fast = list(DataLoader(ds, batch_size=5, shuffle=True, generator=g))
    g.manual_seed(0)
    slow = list(DataLoader(ds, batch_size=5, shuffle=True, generator=g, collate_fn=lambda b: default_collate(b)))
    assert len(fast) == len(slow) == 5
    for (xf, yf), (xs, ys) in zip(fast, slow):
        assert xf.tolist() == xs.tolist() and yf.tolist() == ys.tolist()
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(lt.zeros(3), lt.zeros(4))


def test_collate_tuples_dicts_numbers_numpy_strings():
    Point = namedtuple("Point", "x y")
    batch = [{"img": np.full((2, 2), i, np.uint8), "label": i, "w": 0.5 * i, "name": f"s{i}", "p": Point(i, -i),
              "pair": (lt.tensor([i]), True)} for i in range(3)]
    out = default_collate(batch)
    assert out["img"].shape == (3, 2, 2) and out["img"].dtype is lt.uint8 and out["img"][2].tolist() == [[2, 2], [2, 2]]
    assert out["label"].tolist() == [0, 1, 2] and out["label"].dtype is lt.int64
    assert out["w"].dtype is lt.float64 and out["w"].tolist() == [0.0, 0.5, 1.0]
    assert out["name"] == ["s0", "s1", "s2"]
    assert isinstance(out["p"], Point) and out["p"].y.tolist() == [0, -1, -2]
    pair = out["pair"]
    assert isinstance(pair, list) and pair[0].tolist() == [[0], [1], [2]] and pair[1].dtype is lt.bool
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])


def test_argument_errors_like_pytorch():
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        DataLoader(Squares(), batch_size=0)
    with pytest.raises(ValueError, match="batch_size=-2"):
        DataLoader(Squares(), batch_size=-2)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(Squares(), sampler=SequentialSampler(Squares()), shuffle=True)
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(Squares(), batch_size=2, batch_sampler=[[0, 1]])


def test_samplers_batch_sampler_and_no_batching():
    loader = DataLoader(Squares(), batch_sampler=[[9, 0], [3]])
    assert [y.tolist() for _, y in loader] == [[81, 0], [9]] and len(loader) == 2
    unbatched = list(DataLoader(Squares(), batch_size=None))
    assert len(unbatched) == 10 and unbatched[3][1] == 9
    draws = list(RandomSampler(range(5), replacement=True, num_samples=50, generator=lt.Generator().manual_seed(1)))
    assert len(draws) == 50 and set(draws) <= set(range(5))
    longer = list(RandomSampler(range(4), num_samples=6, generator=lt.Generator().manual_seed(1)))
    assert len(longer) == 6 and sorted(longer[:4]) == [0, 1, 2, 3]
    assert list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=True)) == [[0, 1], [2, 3]]


def test_random_split_and_subset():
    ds = TensorDataset(lt.arange(10))
    a, b = random_split(ds, [0.75, 0.25], generator=lt.Generator().manual_seed(0))
    assert (len(a), len(b)) == (8, 2)  # floor(7.5)=7, floor(2.5)=2, the one left over goes to the first
    together = sorted(int(a[i][0]) for i in range(len(a))) + sorted(int(b[i][0]) for i in range(len(b)))
    assert sorted(together) == list(range(10))
    c, d = random_split(ds, [3, 7], generator=lt.Generator().manual_seed(0))
    c2, _ = random_split(ds, [3, 7], generator=lt.Generator().manual_seed(0))
    assert c.indices == c2.indices and len(d) == 7
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [3, 3])
    sub = Subset(ds, [4, 1, 7])
    assert [x.tolist() for (x,) in DataLoader(sub, batch_size=2)] == [[4, 1], [7]]
