"""The language models' data: a token stream with structure, cut into columns as word_language_model does.

Each token follows the previous one by the rule t -> (3t + 1) mod vocab 90% of the time and is
random otherwise, so a model that learns the rule reaches a perplexity near 2.
"""
import numpy as np
import torch


def make_corpus(n_tokens, vocab, rng):
    tokens = np.empty(n_tokens, dtype=np.int64)
    tokens[0] = 0
    for i in range(1, n_tokens):
        follows = rng.random() < 0.9
        tokens[i] = (3 * tokens[i - 1] + 1) % vocab if follows else rng.integers(vocab)
    return torch.from_numpy(tokens)


def batchify(data, bsz):
    """(n,) -> (n // bsz, bsz): bsz independent columns, as word_language_model's batchify."""
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    """Rows i .. i+bptt of the columns as input, the same shifted by one (flattened) as target."""
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)
