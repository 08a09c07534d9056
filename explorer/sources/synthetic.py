"""A moving, colourful test scene generated in code: deterministic for a given seed.

Used when there is no camera (always on CI), for the README screenshot and for teach mode,
where ``scene`` picks one of several visually distinct scenes (different colours and shapes) so
a few-shot classifier has something real to learn.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from explorer.sources.base import FrameSource, SourceError

# (background BGR-free RGB, shape) per scene: distinct colours *and* shapes
SCENES = (
    ((30, 40, 120), "circles"),
    ((120, 60, 20), "squares"),
    ((20, 110, 50), "triangles"),
    ((110, 20, 110), "stripes"),
)
DEFAULT_SIZE = (480, 640)  # height, width


class SyntheticSource(FrameSource):
    kind = "synthetic"

    def __init__(
        self, seed: int = 0, size: tuple[int, int] = DEFAULT_SIZE, scene: int | None = None, fps: float = 30.0
    ) -> None:
        if scene is not None and not 0 <= scene < len(SCENES):
            raise SourceError(f"synthetic scene must be 0..{len(SCENES) - 1}, got {scene}")
        self.seed = seed
        self.height, self.width = size
        self.scene = scene
        self.fps = fps
        self.index = 0
        rng = np.random.default_rng(seed)
        self._phases = rng.uniform(0, 2 * math.pi, size=(8, 3))
        self._colours = rng.integers(60, 256, size=(8, 3))
        noise = rng.integers(0, 24, size=(self.height, 2 * self.width, 1), dtype=np.uint8)
        # one periodic background twice the width, computed once; frames slide a window over it
        self._background = cv2.add(self._gradient(2 * self.width), np.repeat(noise, 3, axis=2))
        self.name = "synthetic scene" + (f" {scene} ({SCENES[scene][1]})" if scene is not None else "")

    def frame_at(self, index: int) -> np.ndarray:
        """Frame ``index`` of this seed's sequence (pure function of seed, scene, index)."""
        t = index / self.fps
        h, w = self.height, self.width
        if self.scene is None:
            offset = int(40 * t) % self.width
            frame = self._background[:, offset : offset + w].copy()
            shapes = ("circles", "squares", "triangles")
            for i in range(6):
                self._draw(frame, shapes[i % 3], i, t)
        else:
            background, shape = SCENES[self.scene]
            frame = np.empty((h, w, 3), np.uint8)
            frame[:] = background
            frame += self._background[:, :w] // 8  # a little texture, so scenes are not flat
            for i in range(5):
                self._draw(frame, shape, i, t)
        return np.ascontiguousarray(frame)

    def read(self) -> np.ndarray:
        frame = self.frame_at(self.index)
        self.index += 1
        return frame

    def _gradient(self, width: int) -> np.ndarray:
        """Colour waves, periodic over ``width`` pixels so the sliding window wraps seamlessly."""
        h = self.height
        x = np.arange(width, dtype=np.float32)[None, :] / (width / 2)
        y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        r = 127 + 100 * np.sin(2 * math.pi * x)
        g = 127 + 100 * np.sin(2 * math.pi * (y + 0.5 * x) + 2)
        b = 127 + 100 * np.sin(2 * math.pi * (x + y) + 4)
        return np.ascontiguousarray(np.stack(np.broadcast_arrays(r, g, b), axis=-1).astype(np.uint8))

    def _draw(self, frame: np.ndarray, shape: str, i: int, t: float) -> None:
        h, w = frame.shape[:2]
        px, py, pc = self._phases[i]
        cx = int(w * (0.5 + 0.38 * math.sin(0.6 * t + px)))
        cy = int(h * (0.5 + 0.36 * math.sin(0.45 * t + py)))
        size = int(min(h, w) * (0.08 + 0.04 * math.sin(t + pc)))
        colour = (
            tuple(int(c) for c in self._colours[i])
            if self.scene is None
            else (235, 235, 235)
            if i % 2
            else (250, 210, 60)
        )
        if shape == "circles":
            cv2.circle(frame, (cx, cy), size, colour, -1, cv2.LINE_AA)
        elif shape == "squares":
            cv2.rectangle(frame, (cx - size, cy - size), (cx + size, cy + size), colour, -1, cv2.LINE_AA)
        elif shape == "triangles":
            pts = np.array([[cx, cy - size], [cx - size, cy + size], [cx + size, cy + size]], np.int32)
            cv2.fillPoly(frame, [pts], colour, cv2.LINE_AA)
        else:  # stripes
            for k in range(-2, 3):
                x0 = cx + k * size
                cv2.line(frame, (x0 - size, cy - size), (x0 + size, cy + size), colour, max(2, size // 4), cv2.LINE_AA)
