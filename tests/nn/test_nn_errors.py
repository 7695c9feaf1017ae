"""Learner mistakes get PyTorch's error (and wording where it is well known), before any kernel runs."""
import re

import numpy as np
import pytest

import learntorch as torch
import learntorch.nn as nn
import learntorch.nn.functional as F


def test_conv_wrong_channel_count_message():
    conv = nn.Conv2d(1, 32, 3)
    with pytest.raises(RuntimeError, match=re.escape(
            "Given groups=1, weight of size [32, 1, 3, 3], expected input[64, 32, 28, 28] to have 1 channels, "
            "but got 32 channels instead")):
        conv(torch.zeros(64, 32, 28, 28))


def test_conv_accepts_unbatched_chw_and_rejects_flat_input():
    conv = nn.Conv2d(1, 4, 3, padding=1)
    assert conv(torch.zeros(1, 28, 28)).shape == (4, 28, 28)
    with pytest.raises(RuntimeError, match=re.escape(
            "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [64, 784]")):
        conv(torch.zeros(64, 784))


def test_conv_kernel_bigger_than_input_and_dtype_mismatch():
    with pytest.raises(RuntimeError, match=re.escape("Calculated padded input size per channel: (2 x 2). "
                                                     "Kernel size: (3 x 3). Kernel size can't be greater")):
        nn.Conv2d(1, 1, 3)(torch.zeros(1, 1, 2, 2))
    with pytest.raises(RuntimeError, match=r"Input type \(float64\) and weight type \(float32\) should be the same"):
        nn.Conv2d(1, 1, 3)(torch.zeros(1, 1, 5, 5, dtype=torch.float64))
    with pytest.raises(ValueError, match="strided convolutions"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_linear_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=re.escape("mat1 and mat2 shapes cannot be multiplied (64x100 and 200x10)")):
        nn.Linear(200, 10)(torch.zeros(64, 100))
    with pytest.raises(RuntimeError, match=re.escape("mat1 and mat2 shapes cannot be multiplied (24x100 and 200x10)")):
        nn.Linear(200, 10)(torch.zeros(4, 6, 100))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype"):
        nn.Linear(2, 1)(torch.zeros(3, 2, dtype=torch.float64))


def test_flatten_forgotten_before_linear():
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.Linear(2 * 4 * 4, 3))
    with pytest.raises(RuntimeError, match=re.escape("mat1 and mat2 shapes cannot be multiplied (16x4 and 32x3)")):
        model(torch.zeros(2, 1, 4, 4))


def test_cross_entropy_float_targets_name_dtypes_and_fix():
    logits = torch.zeros(4, 3)
    with pytest.raises(RuntimeError, match=r"expected scalar type Long but found Float.*float32.*target\.long\(\)"):
        nn.CrossEntropyLoss()(logits, torch.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Double"):
        F.nll_loss(logits, torch.tensor([0.0, 1.0, 2.0, 1.0], dtype=torch.float64))


def test_out_of_range_class_index_names_index_and_classes():
    with pytest.raises(IndexError, match=r"Target 10 is out of bounds.*\[0, 9\].*10 classes"):
        nn.CrossEntropyLoss()(torch.zeros(3, 10), torch.tensor([1, 10, 2]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        nn.NLLLoss()(torch.zeros(2, 4), torch.tensor([-1, 0]))
    # ignore_index is not out of range
    loss = nn.CrossEntropyLoss(ignore_index=-1)(torch.zeros(2, 4), torch.tensor([-1, 0]))
    assert abs(float(loss) - np.log(4)) < 1e-6


def test_loss_shape_errors():
    with pytest.raises(ValueError, match=re.escape("Expected input batch_size (4) to match target batch_size (3)")):
        nn.CrossEntropyLoss()(torch.zeros(4, 3), torch.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match=r"target must have shape \[4\].*got \[4, 1\].*target\.squeeze\(1\)"):
        nn.CrossEntropyLoss()(torch.zeros(4, 3), torch.tensor([[0], [1], [2], [1]]))
    with pytest.raises(ValueError, match="Target size .* must be the same as input size"):
        nn.BCEWithLogitsLoss()(torch.zeros(4, 1), torch.zeros(4))
    with pytest.raises(RuntimeError, match=r"target\.float\(\)"):
        nn.BCEWithLogitsLoss()(torch.zeros(4), torch.tensor([0, 1, 1, 0]))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(torch.zeros(4, 1), torch.zeros(4))


def test_pool_errors():
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size"):
        nn.MaxPool2d(2, padding=2)(torch.zeros(1, 1, 4, 4))
    with pytest.raises(RuntimeError, match=re.escape("Given input size: (1x1x1). Calculated output size: (1x0x0). "
                                                     "Output size is too small")):
        nn.MaxPool2d(2)(torch.zeros(1, 1, 1, 1))
    with pytest.raises(RuntimeError, match="3D or 4D"):
        nn.AvgPool2d(2)(torch.zeros(4, 4))


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(torch.zeros(1, 3))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        nn.BatchNorm1d(3)(torch.zeros(2, 4))


def test_load_state_dict_lists_every_problem_and_changes_nothing():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    bad = {"0.weight": torch.ones(3, 5), "0.bias": torch.ones(3), "2.weight": torch.ones(2, 3),
           "extra.weight": torch.ones(1), "other": torch.ones(1)}
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    msg = str(info.value)
    assert msg.startswith("Error(s) in loading state_dict for Sequential:\n\t")
    assert 'Missing key(s) in state_dict: "2.bias". ' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight", "other". ' in msg
    assert "size mismatch for 0.weight: copying a param with shape learntorch.Size([3, 5]) from checkpoint, " \
           "the shape in current model is learntorch.Size([3, 4])." in msg
    assert msg.index("Missing") < msg.index("Unexpected") < msg.index("size mismatch")
    for k, v in model.state_dict().items():  # 0.bias and 2.weight were valid but must not be loaded
        np.testing.assert_array_equal(v.numpy(), before[k].numpy(), err_msg=k)
    with pytest.raises(RuntimeError, match="size mismatch"):  # shape errors count even when not strict
        model.load_state_dict(bad, strict=False)
    assert np.array_equal(model[0].bias.detach().numpy(), before["0.bias"].numpy())


def test_dropout_probability_checked():
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
