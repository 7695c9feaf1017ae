"""Hogwild training in the style of pytorch/examples' mnist_hogwild: one model in shared memory
(model.share_memory()), several torch.multiprocessing processes training it at once without locks.

The data are a noisy linear classification problem made with NumPy; each process runs SGD on its
own shard. The parent then evaluates the shared model, which only learned if the children's
updates reached its memory. Prints a JSON line: loss before and after, accuracy.
"""
import argparse
import json

import numpy as np
import torch
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description="Hogwild SGD on shared weights")
parser.add_argument("--num-processes", type=int, default=2)
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--seed", type=int, default=1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.fc2 = nn.Linear(32, 3)

    def forward(self, x):
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def make_data(rng, n=1200):
    x = rng.normal(size=(n, 10)).astype(np.float32)
    y = (x @ rng.normal(size=(10, 3))).argmax(1)
    return torch.from_numpy(x), torch.from_numpy(y)


def train(rank, args, model, dataset):
    torch.manual_seed(args.seed + rank)
    shard = torch.utils.data.Subset(dataset, range(rank, len(dataset), args.num_processes))
    loader = DataLoader(shard, batch_size=32, shuffle=True)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.5)
    model.train()
    for epoch in range(args.epochs):
        for data, target in loader:
            optimizer.zero_grad()
            F.nll_loss(model(data), target).backward()
            optimizer.step()


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        output = model(x)
        return F.nll_loss(output, y).item(), (output.argmax(1) == y).float().mean().item()


if __name__ == "__main__":
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    x, y = make_data(np.random.default_rng(args.seed))
    dataset = TensorDataset(x[:1000], y[:1000])
    model = Net()
    model.share_memory()  # gradients are allocated lazily, so they are not shared
    initial_loss, _ = evaluate(model, x[1000:], y[1000:])
    processes = []
    for rank in range(args.num_processes):
        p = mp.Process(target=train, args=(rank, args, model, dataset))
        p.start()
        processes.append(p)
    for p in processes:
        p.join()
    exit_codes = [p.exitcode for p in processes]
    loss, accuracy = evaluate(model, x[1000:], y[1000:])
    print(json.dumps({"initial_loss": initial_loss, "loss": loss, "accuracy": accuracy, "exit_codes": exit_codes}))
