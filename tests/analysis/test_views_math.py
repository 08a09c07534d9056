import numpy as np
import pytest

from explorer.analysis.mosaic import GROUP_COLOURS, channel_group_ids, make_mosaic, normalise_channels
from explorer.analysis.shuffle_flow import (
    group_conv_connectivity,
    input_groups_seen,
    shuffle_matrix,
    stacked_connectivity,
)
from explorer.models import shuffle_permutation


def test_mosaic_tiles_every_channel_with_group_frames_and_maps_clicks_back():
    features = np.stack([np.full((4, 5), float(i)) + np.arange(20).reshape(4, 5) for i in range(10)]).astype(np.float32)
    image, layout = make_mosaic(features, groups=2, columns=4)
    assert (layout.columns, layout.rows) == (4, 3)
    assert image.shape == (3 * layout.cell_height, 4 * layout.cell_width, 3)
    # channel 6 = row 1, col 2; its frame has group 1's colour, its inside is grey
    x, y = 2 * layout.cell_width, 1 * layout.cell_height
    assert image[y, x].tolist() == GROUP_COLOURS[1].tolist()
    b = layout.border
    inside = image[y + b : y + b + 4, x + b : x + b + 5]
    assert (inside[..., 0] == inside[..., 1]).all() and inside.max() == 255 and inside.min() == 0
    assert layout.channel_at(x + 3, y + 3) == 6
    assert layout.channel_at(3 * layout.cell_width + 1, 2 * layout.cell_height + 1) is None  # empty cell 11
    assert layout.channel_at(-1, 0) is None


def test_flat_channels_do_not_divide_by_zero():
    out = normalise_channels(np.ones((3, 2, 2), np.float32))
    assert np.isfinite(out).all() and out.max() == 0


def test_after_shuffle_group_ids_follow_the_source_channel():
    ids = channel_group_ids(12, 3, shuffle_permutation(12, 3))
    assert ids.tolist() == [0, 1, 2] * 4


@pytest.mark.parametrize("channels,groups", [(12, 3), (16, 4), (8, 8), (6, 1)])
def test_connectivity_of_stacked_group_convs(channels, groups):
    n = channels // groups
    conv = group_conv_connectivity(channels, groups)
    assert conv.sum() == channels * n  # each output sees its own group's n inputs
    assert (shuffle_matrix(channels, groups).sum(axis=0) == 1).all()
    assert input_groups_seen(stacked_connectivity(channels, groups, False), groups) == [1] * groups
    assert input_groups_seen(stacked_connectivity(channels, groups, True), groups) == [min(n, groups)] * groups
