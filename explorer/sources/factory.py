"""Turn what a user types (synthetic, camera, camera:1, a path) into an open FrameSource."""
from __future__ import annotations

from pathlib import Path

from explorer.sources.base import FrameSource, SourceError
from explorer.sources.camera import CameraSource
from explorer.sources.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES, ImagesSource, VideoSource
from explorer.sources.picamera import PicameraSource
from explorer.sources.synthetic import SyntheticSource

SOURCE_HELP = "synthetic, synthetic:SCENE, camera, camera:INDEX[@WIDTHxHEIGHT], picamera[@WIDTHxHEIGHT], a video file, an image file or a folder of images"


def open_source(text: str) -> FrameSource:
    """Open the source ``text`` names; SourceError with a clear message if it cannot be."""
    text = (text or "").strip()
    if not text:
        raise SourceError(f"no source given; use {SOURCE_HELP}")
    lowered = text.lower()
    if lowered == "synthetic" or lowered.startswith("synthetic:"):
        scene = _suffix_int(text, "synthetic") if ":" in text else None
        return SyntheticSource(scene=scene)
    if lowered == "picamera" or lowered.startswith("picamera@"):
        _, _, size = text.partition("@")
        return PicameraSource(_resolution(size) if size else (640, 480))
    if lowered == "camera" or lowered.startswith("camera:") or lowered.startswith("camera@"):
        text, _, size = text.partition("@")
        resolution = _resolution(size) if size else (640, 480)
        return CameraSource(_suffix_int(text, "camera") if ":" in text else 0, resolution)
    path = Path(text).expanduser()
    if not path.exists():
        raise SourceError(f"{text!r} is not a source: no such file or folder (sources: {SOURCE_HELP})")
    if path.is_dir():
        return ImagesSource(path)
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return VideoSource(path)
    if suffix in IMAGE_SUFFIXES:
        return ImagesSource(path)
    # unknown extension: try as an image, then as a video, then say what it is not
    try:
        return ImagesSource(path)
    except SourceError:
        pass
    try:
        return VideoSource(path)
    except SourceError:
        raise SourceError(f"{path.name} is neither an image nor a video OpenCV can read") from None


def _resolution(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SourceError(f"camera resolution must look like 1280x720, got {text!r}") from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise SourceError(f"camera resolution {width}x{height} is out of range")
    return width, height


def _suffix_int(text: str, prefix: str) -> int:
    value = text.split(":", 1)[1]
    try:
        number = int(value)
    except ValueError:
        raise SourceError(f"{prefix}:{value} - expected a number after '{prefix}:', e.g. {prefix}:0") from None
    if number < 0:
        raise SourceError(f"{prefix} index must be >= 0, got {number}")
    return number
