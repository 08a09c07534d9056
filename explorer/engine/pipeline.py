"""The pure per-frame work: preprocess -> model (with feature taps) -> top-k (no Qt).

A ModelBundle is everything derived from one RunConfig (model, runner, complexity, taps),
built off the UI thread; InferencePipeline runs one frame through it.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from explorer.analysis.complexity import ComplexityReport
from explorer.engine.config import RunConfig
from explorer.engine.preprocess import preprocess_image, preprocess_signal
from explorer.models.architecture import DEFAULT_LAYOUT, MEGVII_LAYOUT
from explorer.models.recipe import Recipe, SignalRecipe
from explorer.models.registry import copy_model, uses_default_layout
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapInfo
from explorer.runtime import registry
from explorer.runtime.base import EXACT, Agreement, Runner, TapExport
from explorer.sources.signal_stream import synthetic_signal_source
from explorer.sources.synthetic import SyntheticSource

UNTRAINED_NOTICE = "untrained: predictions are meaningless"


@dataclass(frozen=True)
class Prediction:
    index: int
    label: str
    prob: float


@dataclass
class FrameResult:
    frame: object  # as captured, for display: an RGB frame, or a SignalWindow for the compact net
    top: list[Prediction]
    features: dict[str, np.ndarray]  # tap name -> C x H x W float32
    timings: dict[str, float]  # ms: capture, preprocess, inference, postprocess
    trained: bool
    spec: ModelSpec
    frame_index: int = 0
    embedding: np.ndarray | None = None  # pooled features (teach mode)
    taught: bool = False  # predictions come from a taught head


@dataclass(eq=False)
class ModelBundle:
    """Everything derived from a RunConfig and its weights, built off the UI thread."""

    config: RunConfig  # what was asked for (its backend may be "auto")
    model: nn.Module
    recipe: Recipe | SignalRecipe | None  # SignalRecipe (or None: untrained) for the compact net
    labels: list[str]
    trained: bool
    weights_name: str
    report: ComplexityReport
    taps: list[TapInfo]
    runner: Runner
    backend: str  # the backend that really runs (a registry name)
    note: str = ""  # something the user should know about this build (e.g. why untrained)
    agreement: Agreement | None = None  # vs fp32 eager, measured after the swap
    agreement_inputs: tuple[np.ndarray, ...] = ()  # the calibration frames, reused by the agreement check
    auto_reason: str = ""  # why `auto` runs this backend, with each candidate's time
    versus_fp32: tuple[float, float] | None = None  # reduced precision: (its ms, its fp32 twin's ms) measured here
    tap_export: TapExport = TapExport.NOT_NEEDED  # the runner's deferred taps (exported once per bundle)
    fingerprint: str | None = None  # the backbone's, computed once (teach mode)
    build_ms: float = 0.0

    @property
    def spec(self) -> ModelSpec:
        return self.config.spec

    @property
    def entry(self) -> registry.Backend:
        return registry.get(self.backend)

    @property
    def tap_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.taps)


def default_labels(num_classes: int) -> list[str]:
    return [f"class {i}" for i in range(num_classes)]


def to_input(frame, spec: ModelSpec, recipe: Recipe | SignalRecipe | None) -> torch.Tensor:
    """An RGB frame (image models) or a sensor window (the compact net) -> the model's input."""
    if spec.input_kind == "signal":
        return preprocess_signal(frame, spec.signal_size, recipe if isinstance(recipe, SignalRecipe) else None)
    if not isinstance(frame, np.ndarray) or frame.ndim != 3:
        raise ValueError(
            f"{spec.label} classifies images, not sensor signals: pick an image source (synthetic, camera, a video or images)"
        )
    return preprocess_image(frame, recipe if isinstance(recipe, Recipe) else Recipe.imagenet(spec.image_size))


def synthetic_inputs(spec: ModelSpec, count: int, recipe: Recipe | None = None) -> list[np.ndarray]:
    """Preprocessed frames of the synthetic scene: calibration/agreement data when no live
    frames are at hand."""
    return list(_synthetic_inputs(spec, count, recipe))


@functools.lru_cache(maxsize=8)
def _synthetic_inputs(spec: ModelSpec, count: int, recipe: Recipe | SignalRecipe | None) -> tuple[np.ndarray, ...]:
    if spec.input_kind == "signal":  # windows spread over the activities of a seeded stream
        source, step = synthetic_signal_source(seed=7), 300
    else:
        source, step = SyntheticSource(seed=7), 9
        recipe = recipe or Recipe.imagenet(spec.image_size)
    return tuple(to_input(source.frame_at(i * step), spec, recipe).contiguous().numpy() for i in range(count))


def fits_model(frame, spec: ModelSpec) -> bool:
    """Whether a captured frame is the kind of input ``spec`` reads (right after a model change
    the recent frames can still be of the other kind)."""
    is_image = isinstance(frame, np.ndarray) and frame.ndim == 3
    return is_image != (spec.input_kind == "signal")


def model_inputs(frames, spec: ModelSpec, recipe: Recipe | SignalRecipe | None) -> list[np.ndarray]:
    """Captured frames (or sensor windows) -> this model's inputs (contiguous NCHW float32);
    frames of the other kind are left out."""
    return [to_input(f, spec, recipe).contiguous().numpy() for f in frames if fits_model(f, spec)]


def fp32_copy(bundle: ModelBundle) -> nn.Module:
    """A fresh contiguous fp32 copy of the bundle's model, safe to make while the worker runs it.

    Not copy.deepcopy: that would also copy the feature-tap hooks the worker registers and
    removes around each frame (and race with them); the state dict holds just the weights.
    """
    layout = DEFAULT_LAYOUT if uses_default_layout(bundle.model) else MEGVII_LAYOUT
    return copy_model(bundle.model, bundle.spec, layout)  # contiguous, and no random draw (see seeded_rng)


def measure_agreement(bundle: ModelBundle, frames=None) -> Agreement:
    """Top-1 agreement and max |logit difference| of the bundle's backend vs fp32 eager, on
    ``frames`` (raw RGB), its calibration frames, or synthetic ones; stored in bundle.agreement."""
    entry = bundle.entry
    if entry.reference:
        result = EXACT
    else:
        reference = fp32_copy(bundle)  # channels_last converted the bundle's model in place
        count = entry.agreement_frames
        inputs = model_inputs(list(frames)[-count:], bundle.spec, bundle.recipe) if frames else None
        if not inputs:
            inputs = list(bundle.agreement_inputs) or synthetic_inputs(bundle.spec, count, bundle.recipe)
        result = registry.agreement(reference, bundle.runner, inputs[:count])
    bundle.agreement = result
    return result


class InferencePipeline:
    """One frame through one bundle; taps, embedding and taught head are given per frame, so a
    change from the UI thread can never land half-way through a frame."""

    def __init__(self, bundle: ModelBundle, top_k: int = 5) -> None:
        self.bundle = bundle
        self.top_k = top_k
        self._known_taps = bundle.tap_names

    def run(
        self,
        frame: np.ndarray,
        capture_ms: float = 0.0,
        frame_index: int = 0,
        taps: tuple[str, ...] = (),
        embedding: bool = False,
        head=None,
    ) -> FrameResult:
        bundle = self.bundle
        t0 = time.perf_counter()
        x = to_input(frame, bundle.spec, bundle.recipe)
        t1 = time.perf_counter()
        taps = tuple(t for t in taps if t in self._known_taps)
        logits, features = bundle.runner(x, taps, embedding=embedding or head is not None)
        pooled = features.pop("embedding", None)
        t2 = time.perf_counter()
        if head is not None and pooled is not None:
            probs = head.probabilities(torch.from_numpy(pooled))
            labels = head.classes
        else:
            probs = torch.softmax(logits[0].float(), dim=0)
            labels = bundle.labels
        k = min(self.top_k, probs.numel())
        values, indices = probs.topk(k)
        top = [
            Prediction(int(i), labels[int(i)] if int(i) < len(labels) else f"class {int(i)}", float(v))
            for v, i in zip(values, indices)
        ]
        t3 = time.perf_counter()
        timings = {
            "capture": capture_ms,
            "preprocess": (t1 - t0) * 1000,
            "inference": (t2 - t1) * 1000,
            "postprocess": (t3 - t2) * 1000,
        }
        taught = head is not None and pooled is not None
        return FrameResult(
            frame, top, features, timings, bundle.trained or taught, bundle.spec, frame_index, pooled, taught
        )
