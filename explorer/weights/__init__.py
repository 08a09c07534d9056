"""Checkpoints: torchvision's V2 weights, megvii's official V1/V2, and any own state dict.

Nothing here executes pickled code: every file is read with torch.load(weights_only=True).
"""

from explorer.weights.loader import LoadedWeights, WeightsError, load_weights

__all__ = ["LoadedWeights", "WeightsError", "load_weights"]
