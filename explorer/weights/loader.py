"""Load weights for a spec, validated before use; clear messages for every bad case.

``source`` is a WeightsSource (or its text: "torchvision" for the torch hub cache, downloaded on
request, "megvii:PATH", or a PATH in any known layout).  On any problem a WeightsError says what is wrong (missing or
unexpected keys, shape mismatches, which spec the file looks like) and nothing changes.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from explorer.models.architecture import DEFAULT_LAYOUT, architecture
from explorer.models.recipe import Recipe, SignalRecipe
from explorer.models.registry import build_model, list_specs
from explorer.models.spec import ModelSpec
from explorer.paths import note_healed
from explorer.progress import Progress
from explorer.weights import catalog
from explorer.weights.download import DownloadError, checkpoint_dir, download
from explorer.weights.formats import CheckpointError, detect_format, read_state_dict
from explorer.weights.labels import labels_for
from explorer.weights.source import FILE, MEGVII, TORCHVISION, WeightsSource


class WeightsError(Exception):
    """Weights cannot be used for this spec; the message names the problem and the fix."""


@dataclass
class LoadedWeights:
    model: nn.Module
    recipe: Recipe | SignalRecipe | None
    labels: list[str]
    name: str  # what the UI and --json call these weights
    origin: str  # torchvision, megvii, own


def torchvision_cache_path(spec: ModelSpec) -> Path:
    published = catalog.torchvision_published(spec)
    if published is None or spec.num_classes != 1000:
        offered = ", ".join(s.label.rsplit(" @", 1)[0] for s, _ in catalog.all_torchvision_checkpoints())
        raise WeightsError(f"torchvision publishes ImageNet weights for {offered}; not for {spec.label}")
    return checkpoint_dir() / published.filename


def has_torchvision_weights(spec: ModelSpec) -> bool:
    """Whether torchvision publishes ImageNet weights for this spec (1000 classes)."""
    return catalog.torchvision_published(spec) is not None and spec.num_classes == 1000


def torchvision_cached(spec: ModelSpec) -> bool:
    """Whether the torch hub cache already holds torchvision's weights for ``spec``."""
    return has_torchvision_weights(spec) and torchvision_cache_path(spec).is_file()


def load_weights(
    spec: ModelSpec,
    source: WeightsSource | str,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    allow_download: bool = True,
) -> LoadedWeights:
    source = WeightsSource.parse(source)
    if not source:
        raise WeightsError("no weights given: use torchvision, megvii:PATH or a file path")
    if source.kind == TORCHVISION:
        return _load_torchvision(spec, progress, cancel, allow_download)
    state, extras, arch, layout, converted = _read_checkpoint(source.path)
    name = Path(source.path).name
    if source.kind == MEGVII and layout != MEGVII:
        raise WeightsError(
            f"{name} is not in megvii's layout (it looks like a {architecture(arch).title} checkpoint); drop the 'megvii:' prefix"
        )
    if converted:
        return _validated(spec, state, "megvii", arch, name, catalog.MEGVII_RECIPE, extras, layout)
    recipe = _recipe_from(extras) or _torchvision_recipe_for(name, spec)
    return _validated(spec, state, "own", arch, name, recipe, extras)


def _load_torchvision(spec, progress, cancel, allow_download) -> LoadedWeights:
    path = torchvision_cache_path(spec)
    published = catalog.torchvision_published(spec)
    assert published is not None  # torchvision_cache_path said so
    if not path.is_file():
        if not allow_download:
            raise WeightsError(
                f"torchvision weights for {spec.label} are not in the cache ({path}); download them or copy the file there"
            )
        try:
            download(published.url, path, published.hash_prefix, progress=progress, cancel=cancel)
        except DownloadError as exc:
            raise WeightsError(str(exc)) from None
    try:
        state, extras = read_state_dict(path)
    except CheckpointError as exc:  # a damaged file the app picked up by itself: set it aside, never trust it again
        aside = path.with_name(path.name + ".bad")
        try:
            os.replace(path, aside)
            where = f"moved to {aside}"
        except OSError:
            where = "it could not be moved aside"
        note_healed(
            f"{exc}: {where}; download the weights again (Weights box) or copy a good {path.name} into {path.parent}"
        )
        raise WeightsError(f"{exc} ({where})") from None
    return _validated(spec, state, "torchvision", spec.arch, path.name, published.recipe, extras)


def _recipe_from(extras: dict) -> Recipe | SignalRecipe | None:
    mean, std = extras.get("mean"), extras.get("std")
    if isinstance(mean, list) and isinstance(std, list) and len(mean) == len(std) and mean:
        try:  # a signal checkpoint: the training windows' per-channel statistics
            return SignalRecipe(tuple(float(v) for v in mean), tuple(max(float(v), 1e-12) for v in std))
        except (TypeError, ValueError):
            return None
    recipe = extras.get("recipe")
    if isinstance(recipe, dict):
        try:
            return Recipe(**recipe)
        except TypeError:
            return None
    return None


def _torchvision_recipe_for(name: str, spec: ModelSpec) -> Recipe | None:
    for _spec, published in catalog.all_torchvision_checkpoints():
        if published.filename == name:
            return published.recipe
    if spec.input_kind != "image":
        return None
    return Recipe.imagenet(spec.image_size)


def _validated(
    spec: ModelSpec,
    state: dict[str, torch.Tensor],
    origin: str,
    arch: str,
    name: str,
    recipe: Recipe | SignalRecipe | None,
    extras: dict,
    layout: str = DEFAULT_LAYOUT,
) -> LoadedWeights:
    if arch != spec.arch:
        hint = looks_like(state, arch, layout)
        raise WeightsError(
            f"{name} holds {architecture(arch).title} weights, but the current model is {spec.label}"
            + (f"; it looks like {hint}" if hint else "")
        )
    head = state.get("classifier.weight", state.get("fc.weight"))
    if head is not None and head.shape[0] != spec.num_classes:
        hint = looks_like(state, arch, layout)
        raise WeightsError(
            f"{name} has {head.shape[0]} output classes, the current model {spec.num_classes}"
            + (f"; it looks like {hint}" if hint else "")
        )
    with torch.device("meta"):
        template = build_model(spec, layout).state_dict()
    problems = _compare(template, state)
    if problems:
        hint = looks_like(state, arch, layout)
        raise WeightsError(
            f"{name} does not fit {spec.label}: {problems}" + (f". It looks like {hint}" if hint else "")
        )
    model = build_model(spec, layout).eval()
    missing = set(model.state_dict()) - set(state)
    own = model.state_dict()
    merged = OrderedDict({**{k: v for k, v in own.items() if k in missing}, **state})  # only num_batches_tracked
    # module versions (torchvision's MnasNet refuses a state dict without them): the file's, else the model's
    merged._metadata = getattr(state, "_metadata", None) or own._metadata  # type: ignore[attr-defined]
    model.load_state_dict(merged, strict=True)
    named = extras.get("labels", extras.get("classes"))  # classes: a signal checkpoint's activity names
    labels = named if isinstance(named, list) and len(named) == spec.num_classes else labels_for(spec.num_classes)
    return LoadedWeights(model, recipe, list(labels), name, origin)


def _compare(template: dict, state: dict) -> str:
    optional = {k for k in template if k.endswith("num_batches_tracked")}
    missing = [k for k in template if k not in state and k not in optional]
    unexpected = [k for k in state if k not in template]
    shapes = [
        f"{k}: file {tuple(state[k].shape)} vs model {tuple(template[k].shape)}"
        for k in template
        if k in state and state[k].shape != template[k].shape
    ]
    parts = []
    if missing:
        parts.append(f"{len(missing)} keys missing (e.g. {', '.join(missing[:3])})")
    if unexpected:
        parts.append(f"{len(unexpected)} unexpected keys (e.g. {', '.join(unexpected[:3])})")
    if shapes:
        parts.append(f"{len(shapes)} shapes differ (e.g. {'; '.join(shapes[:2])})")
    return ", ".join(parts)


def matching_spec(state: dict, arch: str, layout: str) -> ModelSpec | None:
    """The zoo spec whose parameter shapes match the file (shape-only models, instant)."""
    head = state.get("classifier.weight", state.get("fc.weight"))
    classes = int(head.shape[0]) if head is not None else None
    for spec in list_specs():
        if spec.arch != arch:
            continue
        if classes and classes != spec.num_classes:
            try:
                spec = spec.with_changes(num_classes=classes)
            except ValueError:
                continue
        with torch.device("meta"):
            template = build_model(spec, layout).state_dict()
        if not _compare(template, state):
            return spec
    return None


def looks_like(state: dict, arch: str, layout: str) -> str | None:
    """The matching zoo spec's name, for messages."""
    spec = matching_spec(state, arch, layout)
    if spec is None:
        return None
    classes = spec.num_classes
    return spec.label.rsplit(" @", 1)[0] + (
        f" with {classes} classes" if classes != spec.architecture.default_classes else ""
    )


def checkpoint_choice(path: str | Path) -> tuple[ModelSpec, WeightsSource]:
    """(the model a checkpoint file fits, the weights source that loads it) for a file a user picked or
    dropped: any layout the app reads (ours, torchvision's, megvii's).  WeightsError says why not."""
    state, _extras, arch, layout, converted = _read_checkpoint(path)
    spec = matching_spec(state, arch, layout)
    if spec is None:
        raise WeightsError(
            f"{Path(path).name} holds {architecture(arch).title} weights of a size this app does not build"
        )
    return spec, WeightsSource(MEGVII if converted else FILE, str(path))


def _read_checkpoint(path: str | Path) -> tuple[dict, dict, str, str, bool]:
    """(state dict in our keys, extras, arch, layout, whether it was converted from a foreign layout)."""
    try:
        state, extras = read_state_dict(path)
        arch, layout = detect_format(state)
    except CheckpointError as exc:
        raise WeightsError(str(exc)) from None
    foreign = architecture(arch).foreign
    if foreign is None or layout != foreign.name:
        return state, extras, arch, layout, False
    try:
        return foreign.convert(state), extras, arch, layout, True
    except ValueError as exc:
        raise WeightsError(f"{Path(path).name}: {exc}") from None
