"""Our V2 must be a drop-in for torchvision's: same keys, same shapes, same outputs."""

import pytest
import torch

from explorer.models import ModelSpec, build_model

BUILDERS = {0.5: "shufflenet_v2_x0_5", 1.0: "shufflenet_v2_x1_0", 1.5: "shufflenet_v2_x1_5", 2.0: "shufflenet_v2_x2_0"}


@pytest.mark.parametrize("scale", list(BUILDERS))
def test_v2_loads_torchvision_state_dicts_and_gives_identical_outputs(torchvision_models, scale):
    torch.manual_seed(int(scale * 10))
    reference = getattr(torchvision_models, BUILDERS[scale])().eval()
    state = reference.state_dict()
    for key, value in state.items():  # random BN statistics too, so every tensor matters
        if value.is_floating_point():
            value.copy_(torch.rand_like(value) + 0.5 if "running_var" in key else torch.randn_like(value) * 0.1)
    ours = build_model(ModelSpec.create("v2", scale=scale))
    assert list(ours.state_dict()) == list(state)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in state.items()}
    ours.load_state_dict(state, strict=True)
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.equal(ours(x), reference(x))
