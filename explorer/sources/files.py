"""Sources from files: a video (looped), one image, or a folder of images (slideshow)."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from explorer.sources.base import FrameSource, SourceError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}


def read_image(path: Path) -> np.ndarray:
    """RGB uint8 image, or SourceError saying why not."""
    data = np.fromfile(str(path), dtype=np.uint8) if path.is_file() else None
    if data is None:
        raise SourceError(f"{path}: no such file")
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise SourceError(f"{path.name} is not a readable image (expected one of {', '.join(sorted(IMAGE_SUFFIXES))})")
    return np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


class VideoSource(FrameSource):
    kind = "video"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"video {self.path.name}"
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such video file")
        self._capture = cv2.VideoCapture(str(self.path))
        ok, first = self._capture.read() if self._capture.isOpened() else (False, None)
        if not ok or first is None:
            self._capture.release()
            raise SourceError(
                f"{self.path.name} could not be decoded as a video (corrupt, or a codec OpenCV lacks); try an .mp4 (H.264) or .avi (MJPG) file"
            )
        self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1 <= fps <= 240 else 30.0

    def read(self) -> np.ndarray:
        ok, frame = self._capture.read()
        if not ok:  # end of file: loop
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
            if not ok:
                raise SourceError(f"{self.path.name} stopped decoding; it may be truncated")
        return np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))

    def close(self) -> None:
        self._capture.release()


class ImagesSource(FrameSource):
    """One image, or every image in a folder shown ``seconds_per_image`` each."""

    kind = "images"

    def __init__(self, path: str | Path, seconds_per_image: float = 2.0) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            if not self.files:
                raise SourceError(f"folder {self.path} has no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        elif self.path.is_file():
            self.files = [self.path]
        else:
            raise SourceError(f"{self.path}: no such file or folder")
        self.name = f"images {self.path.name}" + (f" ({len(self.files)})" if len(self.files) > 1 else "")
        self.seconds_per_image = seconds_per_image
        self._cache: dict[Path, np.ndarray] = {}
        self._start = time.monotonic()
        self._bad: list[str] = []
        self.current(0)  # a single non-image file fails here, at open time

    def current(self, position: int) -> np.ndarray:
        for attempt in range(len(self.files)):
            path = self.files[(position + attempt) % len(self.files)]
            if path not in self._cache:
                try:
                    self._cache = {path: read_image(path)}  # keep one decoded image: folders can be huge
                except SourceError as exc:
                    if len(self.files) == 1:
                        raise
                    self._bad.append(str(exc))
                    continue
            return self._cache[path]
        raise SourceError(f"none of the {len(self.files)} files in {self.path} could be read as images")

    def read(self) -> np.ndarray:
        position = int((time.monotonic() - self._start) / self.seconds_per_image)
        return self.current(position)
