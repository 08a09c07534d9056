"""A small image task whose answer needs features that separate groups would compute apart.

Each image holds three independent binary cues in different places and channels:
  a: the colour of a blob in the left half (red or green),
  b: the shape in the right half (a filled square or a hollow one), drawn in blue,
  c: faint stripes over the whole image (horizontal or vertical), in every channel;
and the class is 2 * (a xor b) + (b xor c).  An xor is not a sum of its inputs, so no layer can
read the class off features that each see one cue: some layer must combine two cues.  In a V1
network without the shuffle every group is a separate narrow network from stage 2 to the
classifier, so each has to find the cues and combine them on its own; with the shuffle, groups
hand each other what they found (the paper's argument, Section 3.1).

Generated from a seed with numpy: the same seed gives the same images on every machine.
"""

from __future__ import annotations

import numpy as np
import torch

CLASSES = ("a=b, b=c", "a=b, b!=c", "a!=b, b=c", "a!=b, b!=c")


def make_images(count: int, size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(images (count, 3, size, size) float32, labels (count,) int64)."""
    rng = np.random.default_rng(seed)
    a, b, c = (rng.integers(0, 2, count) for _ in range(3))
    images = rng.normal(0.0, 0.35, (count, 3, size, size)).astype(np.float32)
    yy, xx = np.mgrid[0:size, 0:size]
    quarter = size // 4
    for i in range(count):
        # c: stripes, period 4 px, over everything
        stripes = ((yy if c[i] else xx) // 2 % 2).astype(np.float32) * 0.5
        images[i] += stripes
        # a: a round blob in the left half, red (a = 0) or green (a = 1)
        cy, cx = rng.integers(quarter, size - quarter), rng.integers(quarter // 2 + 2, size // 2 - quarter // 2)
        blob = (yy - cy) ** 2 + (xx - cx) ** 2 <= (quarter // 2) ** 2
        images[i, a[i], blob] += 1.5
        # b: a square in the right half, in blue, filled (b = 0) or hollow (b = 1)
        sy, sx = rng.integers(2, size - quarter - 2), rng.integers(size // 2 + 2, size - quarter - 1)
        square = np.zeros((size, size), bool)
        square[sy : sy + quarter, sx : sx + quarter] = True
        if b[i]:
            square[sy + 2 : sy + quarter - 2, sx + 2 : sx + quarter - 2] = False
        images[i, 2, square] += 1.5
    labels = 2 * (a ^ b) + (b ^ c)
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))
