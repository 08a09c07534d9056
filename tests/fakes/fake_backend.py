"""A backend in one module: importing it registers it; no other file of the app is edited."""

import torch

from explorer.runtime.registry import Backend, register
from explorer.runtime.torch_backends import EagerRunner


class CountingRunner(EagerRunner):
    """fp32 eager that counts the frames it ran (so a test sees the engine run it)."""

    frames = 0

    def __call__(self, x: torch.Tensor, taps: tuple[str, ...] = (), embedding: bool = False):
        CountingRunner.frames += 1
        return super().__call__(x, taps, embedding)


FAKE = register(
    Backend(
        "counting",
        "counting eager (a test's backend)",
        "counting",
        lambda r: CountingRunner(r.model),
        order=90,
        runs_torch_module=True,
    )
)
