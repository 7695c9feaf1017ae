"""Graph convolutional network (Kipf & Welling) in the style of pytorch/examples' gcn.

Two GraphConv layers, each ``adj @ (x @ W)`` with the symmetrically normalised adjacency
D^-1/2 (A + I) D^-1/2 held as a sparse COO tensor (torch.spmm), log_softmax and nll_loss on the
training nodes, Adam with weight decay. The graph is a stochastic block model made with NumPy:
3 communities, denser inside than across, node features that only weakly tell the community.
Prints a JSON line: losses and train/test accuracy.
"""
import argparse
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

from shared_init import shared_init

parser = argparse.ArgumentParser(description="GCN on a stochastic block model")
parser.add_argument("--epochs", type=int, default=60)
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--l2", type=float, default=5e-4, help="weight decay")
parser.add_argument("--dropout-p", type=float, default=0.5)
parser.add_argument("--hidden-dim", type=int, default=16)
parser.add_argument("--include-bias", action="store_true", default=False)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--init-weights", type=str, default=None, help=".npz of initial weights (read, or written)")
args = parser.parse_args()

torch.manual_seed(args.seed)
device = torch.device("cpu")


class GraphConv(nn.Module):
    def __init__(self, input_dim, output_dim, use_bias=False):
        super().__init__()
        self.kernel = nn.Parameter(torch.Tensor(input_dim, output_dim))
        nn.init.xavier_normal_(self.kernel)
        self.bias = None
        if use_bias:
            self.bias = nn.Parameter(torch.Tensor(output_dim))
            nn.init.zeros_(self.bias)

    def forward(self, input_tensor, adj_mat):
        support = torch.mm(input_tensor, self.kernel)
        output = torch.spmm(adj_mat, support)
        if self.bias is not None:
            output = output + self.bias
        return output


class GCN(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, use_bias=True, dropout_p=0.1):
        super().__init__()
        self.gc1 = GraphConv(input_dim, hidden_dim, use_bias=use_bias)
        self.gc2 = GraphConv(hidden_dim, output_dim, use_bias=use_bias)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input_tensor, adj_mat):
        x = F.relu(self.gc1(input_tensor, adj_mat))
        x = self.dropout(x)
        x = self.gc2(x, adj_mat)
        return torch.log_softmax(x, dim=1)


def make_graph(rng, per_class=40, classes=3, features=16, p_in=0.15, p_out=0.01):
    labels = np.repeat(np.arange(classes), per_class)
    n = labels.size
    p = np.where(labels[:, None] == labels[None, :], p_in, p_out)
    upper = np.triu(rng.random((n, n)) < p, k=1)
    src, dst = np.nonzero(upper | upper.T)
    centers = rng.normal(size=(classes, features))
    x = 0.4 * centers[labels] + rng.normal(size=(n, features))
    return x.astype(np.float32), np.stack([src, dst]), labels


def normalized_adjacency(edge_index, n):
    """D^-1/2 (A + I) D^-1/2 as a sparse COO tensor."""
    adj = torch.sparse_coo_tensor(edge_index, torch.ones(edge_index.size(1)), (n, n)).to_dense()
    adj = adj + torch.eye(n)
    d_inv_sqrt = adj.sum(1).pow(-0.5)
    adj = d_inv_sqrt.view(-1, 1) * adj * d_inv_sqrt.view(1, -1)
    return adj.to_sparse()


rng = np.random.default_rng(args.seed)
features_np, edges_np, labels_np = make_graph(rng)
features = torch.from_numpy(features_np).to(device)
labels = torch.from_numpy(labels_np).to(device)
adj_mat = normalized_adjacency(torch.from_numpy(edges_np), labels.size(0)).to(device)
perm = torch.from_numpy(rng.permutation(labels.size(0)))
idx_train, idx_test = perm[:30], perm[30:]

model = GCN(features.size(1), args.hidden_dim, int(labels.max()) + 1, args.include_bias, args.dropout_p).to(device)
shared_init(model, args.init_weights)
optimizer = optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.l2)
criterion = nn.NLLLoss()


def accuracy(output, idx):
    return (output[idx].argmax(1) == labels[idx]).float().mean().item()


losses = []
for epoch in range(args.epochs):
    model.train()
    optimizer.zero_grad()
    output = model(features, adj_mat)
    loss = criterion(output[idx_train], labels[idx_train])
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
model.eval()
with torch.no_grad():
    output = model(features, adj_mat)
    test_loss = criterion(output[idx_test], labels[idx_test]).item()
print(f"train loss {losses[0]:.4f} -> {losses[-1]:.4f}, test loss {test_loss:.4f}, "
      f"test accuracy {accuracy(output, idx_test):.3f}")
print(json.dumps({"initial_loss": losses[0], "final_loss": losses[-1], "test_loss": test_loss,
                  "train_accuracy": accuracy(output, idx_train), "test_accuracy": accuracy(output, idx_test),
                  "edges": int(edges_np.shape[1])}))
