"""REINFORCE and actor-critic in the style of pytorch/examples' reinforcement_learning.

The environment is written here (no gym): a discretised unstable pole that pays +1 per step it
stays up, 30 steps at most (CartPole's reward in miniature); the observation is the one-hot tilt. ``--method reinforce`` trains a policy network with
returns normalised per episode; ``--method actor-critic`` adds a value head and smooth_l1_loss.
Prints a JSON line: mean return of the first and last episodes, and the greedy policy's return.
"""
import argparse
import json
from collections import deque, namedtuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Categorical

parser = argparse.ArgumentParser(description="policy gradient on a balancing task")
parser.add_argument("--method", choices=["reinforce", "actor-critic"], default="reinforce")
parser.add_argument("--gamma", type=float, default=0.99, help="discount factor")
parser.add_argument("--seed", type=int, default=543)
parser.add_argument("--episodes", type=int, default=90)
parser.add_argument("--lr", type=float, default=1e-2)
args = parser.parse_args()

torch.manual_seed(args.seed)
eps = np.finfo(np.float32).eps.item()
SavedAction = namedtuple("SavedAction", ["log_prob", "value"])


class Balance:
    """An unstable pole, discretised: tilt in -3..3 leans further each step the way it leans (by
    sign(tilt)); action 0 pushes it by -1, action 1 by +1. +1 per step upright; |tilt| > 3 falls."""

    size = 7

    def __init__(self, max_steps=30, seed=0):
        self.max_steps, self.rng = max_steps, np.random.RandomState(seed)

    def reset(self):
        self.tilt, self.t = int(self.rng.randint(-1, 2)), 0
        return self.observe()

    def observe(self):
        obs = np.zeros(self.size, dtype=np.float32)
        obs[min(max(self.tilt, -3), 3) + 3] = 1
        return obs

    def step(self, action):
        self.tilt += (1 if action == 1 else -1) + int(np.sign(self.tilt))
        self.t += 1
        return self.observe(), 1.0, abs(self.tilt) > 3 or self.t >= self.max_steps


class Policy(nn.Module):
    def __init__(self, n_obs, with_value):
        super().__init__()
        self.affine1 = nn.Linear(n_obs, 32)
        self.action_head = nn.Linear(32, 2)
        self.value_head = nn.Linear(32, 1) if with_value else None
        self.saved_log_probs, self.saved_actions, self.rewards = [], [], []

    def forward(self, x):
        x = F.relu(self.affine1(x))
        action_prob = F.softmax(self.action_head(x), dim=-1)
        if self.value_head is None:
            return action_prob
        return action_prob, self.value_head(x)


env = Balance(seed=args.seed)
policy = Policy(env.size, with_value=args.method == "actor-critic")
optimizer = optim.Adam(policy.parameters(), lr=args.lr)


def select_action(state):
    state = torch.from_numpy(state).float().unsqueeze(0)
    if args.method == "reinforce":
        m = Categorical(policy(state))
        action = m.sample()
        policy.saved_log_probs.append(m.log_prob(action))
    else:
        probs, state_value = policy(state)
        m = Categorical(probs)
        action = m.sample()
        policy.saved_actions.append(SavedAction(m.log_prob(action), state_value))
    return action.item()


def discounted_returns():
    R, returns = 0, deque()
    for r in policy.rewards[::-1]:
        R = r + args.gamma * R
        returns.appendleft(R)
    returns = torch.tensor(returns)
    return (returns - returns.mean()) / (returns.std() + eps) if len(returns) > 1 else returns


def finish_episode():
    returns = discounted_returns()
    if args.method == "reinforce":
        policy_loss = [-log_prob * R for log_prob, R in zip(policy.saved_log_probs, returns)]
        loss = torch.cat(policy_loss).sum()
    else:
        policy_losses, value_losses = [], []
        for (log_prob, value), R in zip(policy.saved_actions, returns):
            advantage = R - value.item()
            policy_losses.append(-log_prob * advantage)
            value_losses.append(F.smooth_l1_loss(value.squeeze(0), torch.tensor([R])))
        loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    del policy.rewards[:], policy.saved_log_probs[:], policy.saved_actions[:]


def greedy_return():
    state, total, done = env.reset(), 0.0, False
    with torch.no_grad():
        while not done:
            out = policy(torch.from_numpy(state).unsqueeze(0))
            probs = out if args.method == "reinforce" else out[0]
            state, reward, done = env.step(probs.argmax().item())
            total += reward
    return total


episode_returns = []
for i_episode in range(args.episodes):
    state, ep_reward, done = env.reset(), 0.0, False
    while not done:
        action = select_action(state)
        state, reward, done = env.step(action)
        policy.rewards.append(reward)
        ep_reward += reward
    episode_returns.append(ep_reward)
    finish_episode()
first, last = float(np.mean(episode_returns[:30])), float(np.mean(episode_returns[-30:]))
print(f"{args.method}: mean return {first:.3f} (first 30 episodes) -> {last:.3f} (last 30)")
print(json.dumps({"first_mean_return": first, "last_mean_return": last, "greedy_return": greedy_return()}))
