import pytest
import torch

from explorer.models.shuffle import ChannelShuffle, channel_shuffle, set_shuffle_enabled, shuffle_permutation

CASES = [(12, 3), (16, 4), (8, 2), (24, 8), (7, 1), (6, 6), (240, 3)]


@pytest.mark.parametrize("channels,groups", CASES)
def test_permutation_is_a_bijection_following_the_paper_formula(channels, groups):
    perm = shuffle_permutation(channels, groups)
    n = channels // groups
    assert sorted(perm) == list(range(channels))
    assert perm == [(k % groups) * n + k // groups for k in range(channels)]


@pytest.mark.parametrize("channels,groups", CASES)
def test_channel_shuffle_moves_channels_as_the_permutation_says(channels, groups):
    x = torch.arange(channels, dtype=torch.float32).view(1, channels, 1, 1).expand(2, channels, 3, 5).contiguous()
    y = channel_shuffle(x, groups)
    assert y.shape == x.shape
    assert y[0, :, 0, 0].long().tolist() == shuffle_permutation(channels, groups)
    assert torch.equal(y[1], y[0])


def test_known_example_from_the_paper_layout():
    # 3 groups of 4: output takes one channel from each group in turn
    assert shuffle_permutation(12, 3) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]


@pytest.mark.parametrize("channels,groups", CASES)
def test_inverse_undoes_the_shuffle_and_matches_the_n_by_g_reshape(channels, groups):
    x = torch.randn(1, channels, 2, 2)
    assert torch.equal(channel_shuffle(channel_shuffle(x, groups), groups, inverse=True), x)
    n = channels // groups
    megvii = x.reshape(1, n, groups, 2, 2).permute(0, 2, 1, 3, 4).reshape(1, channels, 2, 2)
    assert torch.equal(channel_shuffle(x, groups, inverse=True), megvii)


def test_every_output_group_takes_one_channel_from_every_input_group():
    channels, groups = 24, 4
    n = channels // groups
    perm = shuffle_permutation(channels, groups)
    for out_group in range(groups):
        sources = {perm[k] // n for k in range(out_group * n, (out_group + 1) * n)}
        assert sources == set(range(groups))


@pytest.mark.parametrize(
    "channels,groups,fragment",
    [
        (10, 3, "divisible by groups"),
        (12, 0, ">= 1"),
        (12, -2, ">= 1"),
        (12, 2.5, "integer"),
        (0, 1, "positive"),
    ],
)
def test_invalid_groups_raise_value_error_naming_the_constraint(channels, groups, fragment):
    with pytest.raises(ValueError, match=fragment):
        shuffle_permutation(channels, groups)


def test_channel_shuffle_rejects_bad_tensors():
    with pytest.raises(ValueError, match="divisible"):
        channel_shuffle(torch.zeros(1, 10, 2, 2), 4)
    with pytest.raises(ValueError, match=r"\(N, C"):
        channel_shuffle(torch.zeros(5), 1)


def test_module_switch_turns_the_shuffle_into_identity():
    x = torch.randn(2, 8, 3, 3)
    module = ChannelShuffle(4)
    assert not torch.equal(module(x), x)
    set_shuffle_enabled(torch.nn.Sequential(module), False)
    assert torch.equal(module(x), x)
    assert list(module.state_dict()) == []
