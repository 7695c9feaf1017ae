"""``learntorch.distributions``: probability distributions to sample from and score, as ``torch.distributions``.

    dist = Categorical(logits=policy(state))
    action = dist.sample()
    loss = -dist.log_prob(action) * reward     # REINFORCE

Sampling draws from learntorch's generator, so ``learntorch.manual_seed`` makes it reproducible
(the numbers differ from PyTorch's).
"""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .normal import Normal

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "constraints"]
