"""Word-level language model in the style of pytorch/examples' word_language_model.

Embedding -> LSTM/GRU -> Linear (weights optionally tied) on synthetic_corpus.py's token stream,
where a model that learns the rule gets a perplexity near 2, far below the vocabulary size. Truncated BPTT, clip_grad_norm_,
plain SGD written out as the example does. Prints a JSON line of metrics.
"""
import argparse
import json
import math

import numpy as np
import torch
import torch.nn as nn

from shared_init import shared_init
from synthetic_corpus import batchify, get_batch, make_corpus

parser = argparse.ArgumentParser(description="LSTM language model on a synthetic corpus")
parser.add_argument("--model", type=str, default="LSTM", help="LSTM or GRU")
parser.add_argument("--vocab", type=int, default=16)
parser.add_argument("--emsize", type=int, default=32)
parser.add_argument("--nhid", type=int, default=32)
parser.add_argument("--nlayers", type=int, default=1)
parser.add_argument("--lr", type=float, default=20.0)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch_size", type=int, default=16)
parser.add_argument("--bptt", type=int, default=16)
parser.add_argument("--dropout", type=float, default=0.2)
parser.add_argument("--tied", action="store_true", help="tie the word embedding and softmax weights")
parser.add_argument("--seed", type=int, default=1111)
parser.add_argument("--init-weights", type=str, default=None, help=".npz of initial weights (read, or written)")
args = parser.parse_args()

torch.manual_seed(args.seed)
device = torch.device("cpu")


rng = np.random.default_rng(args.seed)
train_data = batchify(make_corpus(6000, args.vocab, rng), args.batch_size).to(device)
val_data = batchify(make_corpus(1200, args.vocab, rng), 10).to(device)


class RNNModel(nn.Module):
    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (weight.new_zeros(self.nlayers, bsz, self.nhid), weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


model = RNNModel(args.model, args.vocab, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied).to(device)
shared_init(model, args.init_weights)
criterion = nn.NLLLoss()


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(10)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i, args.bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train(lr):
    model.train()
    total_loss, batches = 0.0, 0
    hidden = model.init_hidden(args.batch_size)
    for i in range(0, train_data.size(0) - 1, args.bptt):
        data, targets = get_batch(train_data, i, args.bptt)
        hidden = repackage_hidden(hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        batches += 1
    return total_loss / batches


lr = args.lr
initial_val_loss = evaluate(val_data)
train_losses = []
for epoch in range(1, args.epochs + 1):
    train_losses.append(train(lr))
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch:3d} | train loss {train_losses[-1]:5.2f} | valid loss {val_loss:5.2f} "
          f"| valid ppl {math.exp(val_loss):8.2f}")
    lr /= 1.5
print(json.dumps({"initial_val_ppl": math.exp(initial_val_loss), "train_losses": train_losses,
                  "val_loss": val_loss, "val_ppl": math.exp(val_loss)}))
