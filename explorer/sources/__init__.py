"""Frame sources: camera, video, images, synthetic - one small interface (base.FrameSource)."""

from explorer.sources.base import FrameSource, SourceError
from explorer.sources.factory import SOURCE_HELP, open_source
from explorer.sources.synthetic import SyntheticSource

__all__ = ["FrameSource", "SOURCE_HELP", "SourceError", "SyntheticSource", "open_source"]
