"""RunConfig -> ModelBundle, weights included: one path for the CLI and the window.

The one rule about weights that do not fit lives here: when the user explicitly asked for
them (``strict``), the build fails with the reason; when they were only carried over from the
previous configuration (say torchvision's V2 weights while switching to V1), the new variant
runs untrained and the bundle's note says why.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from explorer.engine.bundle_request import BundleRequest, build_bundle
from explorer.engine.config import RunConfig
from explorer.engine.pipeline import ModelBundle
from explorer.progress import Progress
from explorer.teach.head import backbone_fingerprint
from explorer.weights import WeightsError, load_weights


def load_bundle(
    config: RunConfig,
    strict: bool = True,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    calibration=None,
    engine: str | None = None,
    check_agreement: bool = True,
    defer_taps: bool = False,
) -> ModelBundle:
    """The bundle for ``config``; raises explorer.weights.WeightsError (strict) on bad weights.

    ``progress(fraction, text)`` reports downloads and first-run work (export, calibration).
    """
    request = BundleRequest(
        config,
        progress=progress,
        calibration=calibration,
        engine=engine,
        check_agreement=check_agreement,
        defer_taps=defer_taps,
    )
    if not config.weights:
        return build_bundle(request)
    try:
        downloading = (lambda fraction, text: progress(fraction, text, download=True)) if progress else None
        loaded = load_weights(config.spec, config.weights, progress=downloading, cancel=cancel)
    except WeightsError as exc:
        if strict:
            raise
        bundle = build_bundle(request)  # the choice stays: it applies again to a variant it fits
        bundle.note = f"{exc} - running {config.spec.label} untrained"
        return bundle
    return build_bundle(
        replace(
            request,
            model=loaded.model,
            recipe=loaded.recipe,
            labels=loaded.labels,
            trained=True,
            weights_name=f"{loaded.origin}: {loaded.name}",
        )
    )


def backbone_id(bundle: ModelBundle) -> str:
    """The backbone fingerprint, computed once per bundle (call it off the UI thread)."""
    if bundle.fingerprint is None:
        bundle.fingerprint = backbone_fingerprint(bundle.model)
    return bundle.fingerprint
