"""The compact net's shuffles can be folded into the next layer's weights: same outputs, no shuffle."""

import pytest
import torch
from torch import nn

from explorer.models import ModelSpec, build_model
from explorer.models.absorb import absorb_shuffles, shuffle_matters_before


def randomised(spec, seed=0):
    torch.manual_seed(seed)
    model = build_model(spec)
    with torch.no_grad():  # BN statistics too, so no layer is an identity by accident
        for name, t in model.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand_like(t) + 0.5 if "running_var" in name else torch.randn_like(t) * 0.3)
    return model.eval()


@pytest.mark.parametrize("input_size", [(128, 9), (64, 3)])
def test_shuffle_off_with_absorbed_weights_computes_exactly_what_shuffle_on_computes(input_size):
    spec = ModelSpec.create("compact", input_size=input_size)
    model = randomised(spec)
    absorbed = absorb_shuffles(model)
    assert all(not b.shuffle.enabled for b in absorbed.blocks) and all(b.shuffle.enabled for b in model.blocks)
    x = torch.randn(4, *spec.input_shape)
    with torch.no_grad():
        reference, folded = model(x), absorbed(x)
        plain = randomised(spec.with_changes(shuffle=False))(x)  # shuffle off, weights not folded
    # float32: only summation order differs (512-channel 1x1 convs, a 4608-input FC)
    assert (reference - folded).abs().max().item() < 1e-5 * reference.abs().max().item()
    with torch.no_grad():  # float64: the identity is exact maths, not approximately true
        exact = (model.double()(x.double()) - absorbed.double()(x.double())).abs().max().item()
    assert exact < 1e-10
    assert (reference - plain).abs().max().item() > 1e-2  # switching the shuffle off alone does change it


def test_only_a_grouped_conv_needs_the_shuffle():
    assert shuffle_matters_before(nn.Conv2d(240, 60, 1, groups=3))
    assert not shuffle_matters_before(nn.Conv2d(64, 128, 1))  # dense: absorbs any permutation
    assert not shuffle_matters_before(nn.Conv2d(64, 64, 3, groups=64))  # depthwise: filters move with channels


def test_absorbing_refuses_other_architectures():
    with pytest.raises(TypeError, match="compact net"):
        absorb_shuffles(build_model(ModelSpec.create("v1", groups=3, input_size=64)))
