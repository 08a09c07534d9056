"""A ModelBundle from one typed request: the model (built, or given with its trained weights), its
recipe and labels, complexity and tap tables, and the runner of the backend asked for.

The per-frame work lives in pipeline.py; load_bundle (bundles.py) turns a RunConfig and its weights
into a request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from torch import nn

from explorer.analysis.complexity import analyze_model, spec_tables
from explorer.engine.config import AUTO, RunConfig
from explorer.engine.pipeline import (
    ModelBundle,
    default_labels,
    measure_agreement,
    model_inputs,
    synthetic_inputs,
)
from explorer.models.recipe import Recipe, SignalRecipe
from explorer.models.registry import build_model, untrained_seed, uses_default_layout
from explorer.models.spec import ModelSpec
from explorer.models.taps import describe_taps
from explorer.progress import Progress
from explorer.runtime import registry


@dataclass(frozen=True)
class BundleRequest:
    """Everything a bundle is built from."""

    config: RunConfig
    model: nn.Module | None = None  # None: a fresh seeded random init of config.spec
    recipe: Recipe | SignalRecipe | None = None  # None: ImageNet's for images
    labels: list[str] | None = None  # None: "class N"
    trained: bool = False
    weights_name: str = "random init"
    progress: Progress | None = None
    calibration: object = None  # captured frames reduced precision calibrates on (raw RGB or sensor windows)
    engine: str | None = None  # int8's quantization preset
    check_agreement: bool = True  # check against fp32 eager now (the window measures after the swap instead)
    defer_taps: bool = False  # see registry.make_runner

    @classmethod
    def of(
        cls, spec: ModelSpec | RunConfig, backend: str | None = None, threads: int | None = None, **rest
    ) -> BundleRequest:
        """A request for a spec on a backend and thread count (a RunConfig is taken as it is)."""
        config = (
            spec
            if isinstance(spec, RunConfig)
            else RunConfig(spec, None, backend or AUTO, threads or torch.get_num_threads())
        )
        return cls(config, **rest)


def build_bundle(request: BundleRequest) -> ModelBundle:
    """Everything the live view needs.  ``backend="auto"`` starts on the torch backend (the
    engine moves to ONNX Runtime later).  Non-reference backends are checked against fp32 eager
    on the calibration frames (raw RGB) or synthetic ones, unless ``check_agreement`` is False."""
    config, spec = request.config, request.config.spec
    start = time.perf_counter()
    model = (request.model or build_model(spec, seed=untrained_seed(spec))).eval()
    recipe = request.recipe
    if recipe is None and spec.input_kind == "image":
        recipe = Recipe.imagenet(spec.image_size)
    runs = registry.auto_start().name if config.backend == AUTO else config.backend
    calibration = request.calibration
    inputs = (model_inputs(calibration, spec, recipe) or None) if calibration else None
    if registry.get(runs).needs_calibration and not inputs:
        inputs = synthetic_inputs(spec, 16, recipe)
    if uses_default_layout(model):
        report, taps = spec_tables(spec)  # cached by spec: one shape-only pass
    else:  # a checkpoint's own layout (megvii V2) differs from the spec's default: count what runs
        report, taps = analyze_model(model, spec), describe_taps(model, spec.input_shape)
    bundle = ModelBundle(
        config=config,
        model=model,
        recipe=recipe,
        labels=request.labels or default_labels(spec.num_classes),
        trained=request.trained,
        weights_name=request.weights_name,
        report=report,
        taps=list(taps),
        runner=registry.make_runner(
            runs,
            model,
            spec,
            progress=request.progress,
            calibration=inputs,
            threads=config.threads,
            engine=request.engine,
            defer_taps=request.defer_taps,
        ),
        backend=runs,
        agreement_inputs=tuple(inputs[:8]) if inputs else (),
    )
    if request.check_agreement:
        measure_agreement(bundle)
    bundle.build_ms = (time.perf_counter() - start) * 1000
    return bundle
