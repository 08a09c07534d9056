"""The pure per-frame work: preprocess -> model (with feature taps) -> top-k (no Qt)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from explorer.analysis.complexity import ComplexityReport, analyze, analyze_model
from explorer.engine.preprocess import Recipe, preprocess_image, preprocess_signal
from explorer.models.registry import build_model
from explorer.models.spec import ModelSpec
from explorer.models.taps import TapInfo, describe_taps

UNTRAINED_NOTICE = "untrained: predictions are meaningless"


@dataclass(frozen=True)
class Prediction:
    index: int
    label: str
    prob: float


@dataclass
class FrameResult:
    frame: np.ndarray  # the RGB frame as captured (for display)
    top: list[Prediction]
    features: dict[str, np.ndarray]  # tap name -> C x H x W float32
    timings: dict[str, float]  # ms: capture, preprocess, inference, postprocess
    trained: bool
    spec: ModelSpec
    frame_index: int = 0
    embedding: np.ndarray | None = None  # pooled features (teach mode)
    taught: bool = False  # predictions come from a taught head


@dataclass
class ModelBundle:
    """Everything derived from a spec and its weights, built off the UI thread."""

    spec: ModelSpec
    model: nn.Module
    recipe: Recipe | None  # None for the compact net (signal input)
    labels: list[str]
    trained: bool
    weights_name: str
    report: ComplexityReport
    taps: list[TapInfo]
    runner: object = None  # explorer.runtime Runner: (x, taps) -> (logits, features)
    backend: str = "eager"
    build_ms: float = 0.0
    extra: dict = field(default_factory=dict)


def default_labels(num_classes: int) -> list[str]:
    return [f"class {i}" for i in range(num_classes)]


def build_bundle(spec: ModelSpec, model: nn.Module | None = None, recipe: Recipe | None = None,
                 labels: list[str] | None = None, trained: bool = False, weights_name: str = "random init",
                 backend: str | None = None, progress=None, calibration=None, threads: int | None = None,
                 engine: str | None = None, check_agreement: bool = True) -> ModelBundle:
    """Everything the live view needs for ``spec``.  Non-reference backends are also checked
    against fp32 eager on the calibration (or synthetic) frames: bundle.extra["agreement"]
    (the window defers that check until after the swap: see measure_agreement)."""
    from explorer.runtime.registry import DEFAULT_BACKEND, make_runner

    start = time.perf_counter()
    model = (model or build_model(spec)).eval()
    model.spec = spec  # describe_taps builds a meta twin from it
    if recipe is None and spec.arch != "compact":
        recipe = Recipe.imagenet(spec.input_size)  # type: ignore[arg-type]
    backend = backend or DEFAULT_BACKEND
    if calibration is not None and recipe is not None:  # raw RGB frames -> this model's inputs
        from explorer.engine.preprocess import preprocess_image

        calibration = [preprocess_image(f, recipe).contiguous().numpy() for f in calibration]
    bundle = ModelBundle(
        spec=spec, model=model, recipe=recipe, labels=labels or default_labels(spec.num_classes),
        trained=trained, weights_name=weights_name, taps=describe_taps(model, spec.input_shape),
        # a checkpoint's own layout (megvii V2) can differ from the spec's default: count what runs
        report=analyze(spec) if getattr(model, "layout", None) in (None, "paper", "torchvision") else analyze_model(model, spec),
        runner=make_runner(backend, model, spec, progress=progress, calibration=calibration, threads=threads, engine=engine),
        backend=backend,
    )
    if calibration is not None and spec.arch != "compact":
        bundle.extra["agreement_inputs"] = calibration[:8]
    if check_agreement:
        measure_agreement(bundle)
    bundle.build_ms = (time.perf_counter() - start) * 1000
    return bundle


def measure_agreement(bundle: ModelBundle) -> dict:
    """Top-1 agreement and max |logit difference| of the bundle's backend vs fp32 eager, on its
    calibration frames (or synthetic ones); stored in bundle.extra["agreement"]."""
    import copy

    from explorer.runtime.registry import agreement, synthetic_inputs

    if bundle.backend == "eager":
        result = {"top1_agreement": 1.0, "max_abs_diff": 0.0, "frames": 0}
    else:
        # channels_last converted the model in place: the reference is a contiguous copy
        reference = copy.deepcopy(bundle.model).to(memory_format=torch.contiguous_format).eval()
        # channels_last differs from eager only in summation order (~1e-9): 2 frames show it
        count = 2 if bundle.backend == "channels_last" else 8
        inputs = bundle.extra.get("agreement_inputs") or synthetic_inputs(bundle.spec, count)
        result = agreement(reference, bundle.runner, inputs[:count])
    bundle.extra["agreement"] = result
    return result


class InferencePipeline:
    def __init__(self, bundle: ModelBundle, taps: tuple[str, ...] = (), top_k: int = 5) -> None:
        self.bundle = bundle
        self.top_k = top_k
        self.taps: tuple[str, ...] = ()
        self.set_taps(taps)
        self.want_embedding = False
        self.head = None  # explorer.teach.TaughtHead: replaces the model's own classifier

    def set_taps(self, names) -> None:
        known = {t.name for t in self.bundle.taps}
        self.taps = tuple(n for n in names if n in known)

    def to_input(self, frame: np.ndarray) -> torch.Tensor:
        spec = self.bundle.spec
        if spec.arch == "compact":
            series, modal = spec.input_size  # type: ignore[misc]
            return preprocess_signal(frame, series, modal)
        return preprocess_image(frame, self.bundle.recipe)  # type: ignore[arg-type]

    def run(self, frame: np.ndarray, capture_ms: float = 0.0, frame_index: int = 0) -> FrameResult:
        t0 = time.perf_counter()
        x = self.to_input(frame)
        t1 = time.perf_counter()
        head = self.head
        logits, features = self.bundle.runner(x, self.taps, embedding=self.want_embedding or head is not None)  # type: ignore[misc]
        embedding = features.pop("embedding", None)
        t2 = time.perf_counter()
        if head is not None and embedding is not None:
            probs = head.probabilities(torch.from_numpy(embedding))
            labels = head.classes
        else:
            probs = torch.softmax(logits[0].float(), dim=0)
            labels = self.bundle.labels
        k = min(self.top_k, probs.numel())
        values, indices = probs.topk(k)
        top = [Prediction(int(i), labels[int(i)] if int(i) < len(labels) else f"class {int(i)}", float(v)) for v, i in zip(values, indices)]
        t3 = time.perf_counter()
        timings = {"capture": capture_ms, "preprocess": (t1 - t0) * 1000, "inference": (t2 - t1) * 1000, "postprocess": (t3 - t2) * 1000}
        taught = head is not None and embedding is not None
        return FrameResult(frame, top, features, timings, self.bundle.trained or taught, self.bundle.spec, frame_index, embedding, taught)
