"""``learntorch.optim``: optimizers (Adam, AdamW, SGD, RMSprop, Adagrad update parameters with one
fused kernel per parameter; Adadelta, Adamax, NAdam and LBFGS are written with tensor ops), and
the learning-rate schedulers in ``lr_scheduler``."""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "LBFGS", "NAdam", "Optimizer", "RMSprop", "SGD",
           "lr_scheduler"]
