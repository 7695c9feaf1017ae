"""``learntorch.nn.modules``: PyTorch's import paths for the layers (``from torch.nn.modules.loss import _Loss``,
``torch.nn.modules.conv.Conv2d``). Each submodule re-exports the classes that PyTorch keeps in its namesake;
the classes themselves live in ``learntorch/nn/<concept>.py``."""
from . import (activation, batchnorm, container, conv, dropout, flatten, linear, loss, module, normalization,
               pooling, rnn, sparse, transformer, utils)
from .activation import (ELU, GELU, LeakyReLU, LogSoftmax, MultiheadAttention, ReLU, Sigmoid, SiLU, Softmax,
                         Softplus, Tanh)
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import ModuleList, Sequential
from .conv import Conv2d, ConvTranspose2d
from .dropout import Dropout, Dropout2d
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .normalization import LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)

__all__ = ["activation", "batchnorm", "container", "conv", "dropout", "flatten", "linear", "loss", "module",
           "normalization", "pooling", "rnn", "sparse", "utils", "Module", "Identity", "Linear", "Flatten",
           "Unflatten", "ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU", "Softmax", "Softplus",
           "Tanh", "BatchNorm1d", "BatchNorm2d", "ModuleList", "Sequential", "Conv2d", "ConvTranspose2d", "Dropout",
           "Dropout2d", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss", "L1Loss",
           "MSELoss", "NLLLoss", "SmoothL1Loss", "LayerNorm", "AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d", "GRU",
           "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase", "Embedding", "transformer",
           "MultiheadAttention", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
           "TransformerEncoder", "TransformerEncoderLayer"]
