"""Transformer language model in the style of pytorch/examples' word_language_model (--model Transformer).

Embedding scaled by sqrt(d_model), sinusoidal PositionalEncoding (a registered buffer), an
nn.TransformerEncoder under a causal mask, a Linear decoder and log_softmax, trained with Adam on
synthetic_corpus.py's token stream with truncated sequences and clip_grad_norm_. Prints a JSON line.
"""
import argparse
import json
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from shared_init import shared_init
from synthetic_corpus import batchify, get_batch, make_corpus

parser = argparse.ArgumentParser(description="Transformer language model on a synthetic corpus")
parser.add_argument("--vocab", type=int, default=16)
parser.add_argument("--emsize", type=int, default=32)
parser.add_argument("--nhid", type=int, default=64, help="feedforward width")
parser.add_argument("--nlayers", type=int, default=2)
parser.add_argument("--nhead", type=int, default=2)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--clip", type=float, default=0.25)
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--batch_size", type=int, default=16)
parser.add_argument("--bptt", type=int, default=16)
parser.add_argument("--dropout", type=float, default=0.1)
parser.add_argument("--seed", type=int, default=1111)
parser.add_argument("--init-weights", type=str, default=None, help=".npz of initial weights (read, or written)")
args = parser.parse_args()

torch.manual_seed(args.seed)
device = torch.device("cpu")
rng = np.random.default_rng(args.seed)
train_data = batchify(make_corpus(4000, args.vocab, rng), args.batch_size).to(device)
val_data = batchify(make_corpus(1200, args.vocab, rng), 10).to(device)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=512):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))  # (max_len, 1, d_model)

    def forward(self, x):
        return self.dropout(x + self.pe[:x.size(0), :])


class TransformerModel(nn.Module):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.src_mask = None
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        encoder_layers = nn.TransformerEncoderLayer(ninp, nhead, nhid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers, enable_nested_tensor=False)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, src):
        if self.src_mask is None or self.src_mask.size(0) != len(src):
            self.src_mask = nn.Transformer.generate_square_subsequent_mask(len(src)).to(src.device)
        src = self.pos_encoder(self.encoder(src) * math.sqrt(self.ninp))
        output = self.transformer_encoder(src, self.src_mask)
        return F.log_softmax(self.decoder(output), dim=-1)


model = TransformerModel(args.vocab, args.emsize, args.nhead, args.nhid, args.nlayers, args.dropout).to(device)
shared_init(model, args.init_weights)
criterion = nn.NLLLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)


def evaluate(data_source):
    model.eval()
    total_loss = 0.0
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, args.bptt):
            data, targets = get_batch(data_source, i, args.bptt)
            output = model(data).view(-1, args.vocab)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def train():
    model.train()
    total_loss, batches = 0.0, 0
    for i in range(0, train_data.size(0) - 1, args.bptt):
        data, targets = get_batch(train_data, i, args.bptt)
        optimizer.zero_grad()
        loss = criterion(model(data).view(-1, args.vocab), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        total_loss += loss.item()
        batches += 1
    return total_loss / batches


initial_val_loss = evaluate(val_data)
train_losses = []
for epoch in range(1, args.epochs + 1):
    train_losses.append(train())
    val_loss = evaluate(val_data)
    print(f"| end of epoch {epoch:3d} | train loss {train_losses[-1]:5.2f} | valid ppl {math.exp(val_loss):8.2f}")
print(json.dumps({"initial_val_ppl": math.exp(initial_val_loss), "train_losses": train_losses,
                  "val_loss": val_loss, "val_ppl": math.exp(val_loss)}))
