"""spec + weights choice -> ModelBundle: one path for the CLI and the window."""
from __future__ import annotations

import threading
from typing import Callable

from explorer.engine.pipeline import ModelBundle, build_bundle
from explorer.models.spec import ModelSpec


def load_bundle(spec: ModelSpec, weights: str | None = None, progress: Callable[[int, int], None] | None = None,
                cancel: threading.Event | None = None, backend: str | None = None, threads: int | None = None,
                calibration=None, stage: Callable[[str, float], None] | None = None, engine: str | None = None,
                check_agreement: bool = True) -> ModelBundle:
    """Untrained when ``weights`` is None; otherwise raises explorer.weights.WeightsError.

    ``progress`` reports download bytes; ``stage`` reports first-run work (export, calibration).
    """
    options = dict(backend=backend, threads=threads, calibration=calibration, progress=stage, engine=engine,
                   check_agreement=check_agreement)
    if not weights:
        bundle = build_bundle(spec, **options)
    else:
        from explorer.weights import load_weights

        loaded = load_weights(spec, weights, progress=progress, cancel=cancel)
        bundle = build_bundle(spec, model=loaded.model, recipe=loaded.recipe, labels=loaded.labels, trained=True,
                              weights_name=f"{loaded.origin}: {loaded.name}", **options)
    bundle.extra["weights_source"] = weights
    return bundle


def backbone_id(bundle: ModelBundle) -> str:
    """The backbone fingerprint, computed once per bundle (call it off the UI thread)."""
    if "fingerprint" not in bundle.extra:
        from explorer.teach.head import backbone_fingerprint

        bundle.extra["fingerprint"] = backbone_fingerprint(bundle.model)
    return bundle.extra["fingerprint"]
