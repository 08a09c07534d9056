"""Pure-torch ShuffleNet models (no Qt): shuffle op, V1, V2, compact net, specs, taps."""

from explorer.models.registry import build_model, list_specs
from explorer.models.shuffle import ChannelShuffle, channel_shuffle, set_shuffle_enabled, shuffle_permutation
from explorer.models.spec import ModelSpec
from explorer.models.taps import FeatureTaps, TapInfo, TapPoint, describe_taps

__all__ = [
    "ChannelShuffle",
    "FeatureTaps",
    "ModelSpec",
    "TapInfo",
    "TapPoint",
    "build_model",
    "channel_shuffle",
    "describe_taps",
    "list_specs",
    "set_shuffle_enabled",
    "shuffle_permutation",
]
