"""One table per architecture: the numbers that define each variant, and what was published.

Every builder, validator, weight converter, test and the README read these tables; nothing
else repeats a channel count, a stage repeat or a published figure.  (torchvision keeps the same
shape: a per-variant table feeding one private builder, plus weight enums beside it.)
"""

from __future__ import annotations

from explorer.models.architecture import Published

# Both papers: stages 2/3/4 hold 1 + 3, 1 + 7, 1 + 3 units; the first unit of each has stride 2.
STAGE_REPEATS = (4, 8, 4)

# ---- ShuffleNet V1 (Zhang et al., CVPR 2018) ------------------------------------------------
V1_STAGE2_CHANNELS_1X = {1: 144, 2: 200, 3: 240, 4: 272, 8: 384}  # paper Table 1
# Width of the first 3x3 conv.  A plain s x 24 misses the published 0.5x/2x totals by 5-13 %;
# the official implementation uses these (0.25x is not published there; 12 keeps the paper's
# 13 M within 2.5 %).
V1_STEM_CHANNELS = {0.25: 12, 0.5: 12, 1.0: 24, 1.5: 24, 2.0: 48}
V1_GROUPS = tuple(V1_STAGE2_CHANNELS_1X)
V1_SCALES = tuple(V1_STEM_CHANNELS)
V1_DEFAULT_GROUPS = 3  # the paper's headline configuration

# ---- ShuffleNet V2 (Ma et al., ECCV 2018) ---------------------------------------------------
V2_CHANNELS = {  # conv1, stage 2/3/4, conv5 (paper Table 5 = torchvision)
    0.5: (24, 48, 96, 192, 1024),
    1.0: (24, 116, 232, 464, 1024),
    1.5: (24, 176, 352, 704, 1024),
    2.0: (24, 244, 488, 976, 2048),
}
V2_SCALES = tuple(V2_CHANNELS)
V2_GROUPS = 2  # V2's shuffle always mixes the two branches of a channel split

# ---- the compact ChannelShuffleModule net (the tutorial) ------------------------------------
COMPACT_BLOCK_CHANNELS = (64, 128, 256, 512)
COMPACT_BLOCK_GROUPS = (8, 8, 16, 16)
COMPACT_KERNEL = 3
COMPACT_DEFAULT_INPUT = (128, 9)  # a UCI-HAR window: 128 time steps x 9 sensor axes
COMPACT_DEFAULT_CLASSES = 6

# ---- the lightweight family ShuffleNet is compared with ---------------------------------------
# MobileNetV1 (Howard et al. 2017, Table 1): 13 depthwise-separable blocks (output channels, stride)
MOBILENET_V1_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)
MOBILENET_V1_SCALES = (0.25, 0.5, 0.75, 1.0)  # the paper's width multipliers
TV = "torchvision weights meta"
MOBILENETS = "MobileNets paper (Howard et al. 2017) Table 6"
# What was published for each variant, (groups, scale) -> figures; each entry carries its own table.
V1_PUBLISHED = {
    (1, 1.0): Published(143, None, "V1 paper Table 1"),
    (2, 1.0): Published(140, None, "V1 paper Table 1"),
    (3, 1.0): Published(137, 1.9e6, "V1 paper Table 1; params: megvii README", 67.4, "V1 paper (1x g=3)"),
    (4, 1.0): Published(133, None, "V1 paper Table 1"),
    (8, 1.0): Published(137, 2.4e6, "V1 paper Table 1; params: megvii README", 67.6, "V1 paper (1x g=8)"),
    (3, 0.25): Published(13, None, "V1 paper Table 2"),
    (3, 0.5): Published(38, 0.7e6, "V1 paper Table 2; params: megvii README"),
    (3, 1.5): Published(292, 3.4e6, "V1 paper Table 5; params: megvii README"),
    (3, 2.0): Published(524, 5.4e6, "V1 paper Table 5; params: megvii README"),
    (8, 0.5): Published(None, 1.0e6, "megvii README"),
    (8, 1.5): Published(None, 4.3e6, "megvii README"),
    (8, 2.0): Published(None, 6.5e6, "megvii README"),
}
_V2_SOURCE = "V2 paper Table 5; params: torchvision weights meta"
V2_PUBLISHED = {
    (2, 0.5): Published(41, 1_366_792, _V2_SOURCE, 60.552, TV),
    (2, 1.0): Published(146, 2_278_604, _V2_SOURCE, 69.362, TV),
    (2, 1.5): Published(299, 3_503_624, _V2_SOURCE, 72.996, TV),
    (2, 2.0): Published(591, 7_393_996, _V2_SOURCE, 76.230, TV),
}
MOBILENET_V1_PUBLISHED = {  # multiply-adds and top-1: MobileNets paper Table 6
    (None, 1.0): Published(569, 4.2e6, MOBILENETS, 70.6, MOBILENETS),
    (None, 0.75): Published(325, 2.6e6, MOBILENETS, 68.4, MOBILENETS),
    (None, 0.5): Published(149, 1.3e6, MOBILENETS, 63.7, MOBILENETS),
    (None, 0.25): Published(41, 0.5e6, MOBILENETS, 50.6, MOBILENETS),
}


def round_to_multiple(value: float, multiple: int) -> int:
    return max(multiple, int(value / multiple + 0.5) * multiple)


def v1_channels(groups: int, scale: float) -> tuple[int, int, int, int]:
    """(first conv, stage 2, stage 3, stage 4) output channels of V1 at ``groups`` and ``scale``.

    Stage widths are the paper's Table 1 times ``scale``, rounded to a multiple of 4 * g so the
    bottleneck (1/4 of the output) splits evenly into g groups.  At the published g = 3 and g = 8
    scales this rounding changes nothing.  The first conv is widened to a multiple of g when
    needed so the stride-2 branch (stage-2 width minus stem width) divides into g groups
    (12 -> 16 for g = 8, as in megvii's code).
    """
    stage2 = round_to_multiple(V1_STAGE2_CHANNELS_1X[groups] * scale, 4 * groups)
    first = V1_STEM_CHANNELS[scale]
    while (stage2 - first) % groups:
        first += 1
    return first, stage2, 2 * stage2, 4 * stage2
