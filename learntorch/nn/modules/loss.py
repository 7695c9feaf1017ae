"""`torch.nn.modules.loss`: loss modules (and their bases, for custom losses), at PyTorch's import path."""
from ..loss import (_Loss, _WeightedLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss,
                    L1Loss, MSELoss, NLLLoss, SmoothL1Loss)

__all__ = ["_Loss", "_WeightedLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss",
           "L1Loss", "MSELoss", "NLLLoss", "SmoothL1Loss"]
