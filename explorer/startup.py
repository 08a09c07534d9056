"""What a start opens and what a close remembers: the switches first, then the remembered
settings (each checked, and dropped with a message when it no longer fits), then defaults."""

from __future__ import annotations

import argparse

from explorer.cli_args import UsageError
from explorer.engine.config import AUTO, RunConfig
from explorer.engine.state import AppState
from explorer.engine.worker import default_live_threads
from explorer.models.architecture import arch_names, architecture
from explorer.models.spec import DEFAULT_ARCH, ModelSpec
from explorer.runtime import registry
from explorer.ui.window.tabs import TAB_NAMES
from explorer.weights.loader import torchvision_cached
from explorer.weights.source import TORCHVISION, UNTRAINED, WeightsSource


def startup_choices(args: argparse.Namespace, remembered: dict) -> tuple[RunConfig, str | None, str]:
    """(config, source, tab) from the switches, then remembered settings, then defaults.

    A remembered value is used only where no switch was given, and remembered groups/scale only
    with the architecture they were remembered with.  A remembered value that no longer fits
    (another version's architecture, a group count the architecture lacks, an unknown backend or
    tab) is dropped and said in ``remembered["problems"]``: it never stops the app from starting.
    """
    problems = remembered.setdefault("problems", [])
    if remembered.get("arch") not in (None, *arch_names()):
        problems.append(f"ignored the remembered architecture {remembered.pop('arch')!r} (not one this version has)")
    arch = args.arch or remembered.get("arch") or DEFAULT_ARCH
    same_arch = args.arch is None or args.arch == remembered.get("arch")
    own_groups = bool(architecture(arch).group_choices)
    groups = (
        args.groups if args.groups is not None else (remembered.get("groups") if same_arch and own_groups else None)
    )
    scale = args.scale if args.scale is not None else (remembered.get("scale", 1.0) if same_arch else 1.0)
    try:
        spec = ModelSpec.create(
            arch, groups=groups, scale=scale, shuffle=not args.no_shuffle, input_size=args.input_size
        )
    except ValueError as exc:
        if args.arch or args.groups or args.scale is not None or args.input_size:
            raise UsageError(f"explorer: {exc}") from None
        problems.append(f"ignored the remembered model settings ({exc}): starting {arch} at its defaults")
        spec = ModelSpec.create(arch)  # a stale remembered value: the arch's defaults
    text = args.weights if args.weights is not None else usable_remembered_weights(spec, remembered)
    weights = WeightsSource.parse(text)
    if text is None and torchvision_cached(spec):
        weights = WeightsSource(TORCHVISION)  # trained predictions on first run when they are one file away
    backend = args.backend or remembered.get("backend") or AUTO
    if backend not in registry.choices():
        problems.append(f"ignored the remembered backend {backend!r} (not one this version has): using {AUTO}")
        backend = AUTO
    tab = args.tab or remembered.get("tab") or "live"
    if tab not in TAB_NAMES:
        problems.append(f"ignored the remembered tab {tab!r} (not one this version has)")
        tab = "live"
    config = RunConfig(spec, weights, backend, args.threads or default_live_threads())
    return config, args.source or remembered.get("source"), tab


def usable_remembered_weights(spec: ModelSpec, remembered: dict) -> str | None:
    """The weights remembered for ``spec``'s architecture (their text), if their file is still there;
    a missing one is forgotten and said (``remembered["problems"]``) instead of failing every start."""
    by_arch = remembered.setdefault("weights_by_arch", {})
    weights = by_arch.get(spec.arch)
    try:
        path = WeightsSource.parse(weights).file
    except ValueError as exc:  # a damaged value: forgotten and said, never a failed start
        remembered.setdefault("problems", []).append(f"ignored the remembered weights {weights!r} ({exc})")
        by_arch.pop(spec.arch)
        return None
    if path and not path.is_file():
        remembered.setdefault("problems", []).append(
            f"the remembered {spec.label.split(' @')[0]} weights {path} are gone: running without them "
            "(pick a checkpoint in Weights to use one again)"
        )
        by_arch.pop(spec.arch)
        return None
    return weights


def remembered_weights(spec: ModelSpec, weights: WeightsSource) -> str | None:
    """The weights choice to remember (its text): untrained only when trained weights were at hand
    and turned down; an untrained start stays unremembered, so weights cached later are used by default."""
    if weights:
        return str(weights)
    return str(UNTRAINED) if torchvision_cached(spec) else None


def remembered_values(state: AppState, tab: str) -> dict:
    """What the next start reopens; each architecture keeps its own weights (never another's)."""
    spec = state.config.spec
    weights = remembered_weights(spec, state.config.weights)
    bundle = state.bundle
    if state.config.weights and bundle is not None and bundle.config == state.config and not bundle.trained:
        weights = None  # they did not load (damaged, or not for this model): never make the next start say it again
    known = set(arch_names())  # an architecture this version lacks keeps its text as it was
    by_arch = {
        arch: remembered_weights(ModelSpec.create(arch), chosen) if arch in known else (str(chosen) if chosen else None)
        for arch, chosen in state.weights_by_arch.items()
    }
    by_arch[spec.arch] = weights
    return {
        "arch": spec.arch,
        "groups": spec.groups if spec.architecture.group_choices else None,
        "scale": spec.scale,
        "backend": state.config.backend,
        "weights": None,
        "weights_by_arch": by_arch,
        "source": state.source_text,
        "tab": tab,
    }
