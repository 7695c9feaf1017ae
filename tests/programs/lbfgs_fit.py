"""Time-series prediction with LBFGS in the style of pytorch/examples' time_sequence_prediction.

Two LSTMCells and a Linear layer learn sine waves of random phase, in float64, fitted with
optim.LBFGS and a closure; the model then runs on by itself ("future" steps) on held-out waves.
No randomness after initialisation, so with the same initial weights (--init-weights) two
correct implementations follow the same iterates. Prints a JSON line of losses.
"""
import argparse
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

from shared_init import shared_init

parser = argparse.ArgumentParser(description="sine waves with LSTMCells and LBFGS")
parser.add_argument("--steps", type=int, default=3, help="LBFGS steps")
parser.add_argument("--max-iter", type=int, default=8, help="closure calls per step, at most")
parser.add_argument("--hidden", type=int, default=12)
parser.add_argument("--length", type=int, default=20)
parser.add_argument("--future", type=int, default=10)
parser.add_argument("--line-search", default=None, help="None or strong_wolfe")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--init-weights", type=str, default=None, help=".npz of initial weights (read, or written)")
args = parser.parse_args()


class Sequence(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):  # predict the future from the model's own output
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


np.random.seed(args.seed)
torch.manual_seed(args.seed)
T, L, N = 8, args.length + 1, 24
x = np.empty((N, L), np.int64)
x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
data = np.sin(x / 1.0 / T).astype("float64")
input = torch.from_numpy(data[4:, :-1])
target = torch.from_numpy(data[4:, 1:])
test_input = torch.from_numpy(data[:4, :-1])
test_target = torch.from_numpy(data[:4, 1:])

seq = Sequence(args.hidden)
seq.double()
shared_init(seq, args.init_weights)
criterion = nn.MSELoss()
optimizer = optim.LBFGS(seq.parameters(), lr=0.8, max_iter=args.max_iter, line_search_fn=args.line_search)

losses, closure_calls = [], 0
for i in range(args.steps):
    def closure():
        global closure_calls
        closure_calls += 1
        optimizer.zero_grad()
        out = seq(input)
        loss = criterion(out, target)
        loss.backward()
        return loss
    losses.append(optimizer.step(closure).item())
    with torch.no_grad():
        pred = seq(test_input, future=args.future)
        test_loss = criterion(pred[:, :-args.future], test_target).item()
    print(f"step {i}: loss {losses[-1]:.6f}  test loss {test_loss:.6f}")
y = pred.detach().numpy()
print(json.dumps({"losses": losses, "test_loss": test_loss, "closure_calls": closure_calls,
                  "future_abs_mean": float(np.abs(y[:, -args.future:]).mean())}))
