"""Per-layer complexity: parameters, multiply-adds and memory access cost (MAC).

Conventions (also printed by the CLI and shown in the GUI):
- FLOPs = multiply-adds of convolution and fully connected layers, as both ShuffleNet papers
  count them.  BN, ReLU, pooling, add, concat and shuffle count 0 multiply-adds.  Bias additions
  are not counted.  torch.utils.flop_counter counts 2 FLOPs per multiply-add.
- MAC (ShuffleNet V2, guidelines G1/G2) in elements, not bytes: every layer reads its inputs and
  its parameters and writes its output.  For a 1x1 conv with c1 inputs, c2 outputs, h x w output
  and g groups that is h*w*(c1 + c2) + c1*c2/g, the paper's formula.  The same rule covers
  depthwise convs (weights k*k*c), BN (input + output + 2c folded scale/shift), ReLU, pooling and
  add (inputs + output).  Concat and channel shuffle are real copies in eager PyTorch (inputs +
  output); the V2 channel split and flatten are views and cost 0; a disabled shuffle costs 0.
  Counting BN/ReLU as separate passes is what eager execution does (guideline G4); a fused
  runtime would save most of that traffic.

Analysis runs on the meta device: shapes only, so it is instant for any spec.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from explorer.models.registry import build_shape_model
from explorer.models.shuffle import ChannelShuffle
from explorer.models.spec import ModelSpec
from explorer.models.taps import FeatureTaps, TapInfo, tap_infos, tap_points

_VIEWS = (nn.Flatten, nn.Identity, nn.Dropout)


@dataclass(frozen=True)
class LayerRow:
    name: str
    type: str
    out_shape: tuple[int, ...]
    params: int
    madds: int
    mac: int

    def to_dict(self) -> dict:
        data = asdict(self)
        data["out_shape"] = list(self.out_shape)
        return data


@dataclass(frozen=True)
class Totals:
    params: int
    madds: int
    madds_conv: int
    madds_fc: int
    mac: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ComplexityReport:
    spec: ModelSpec
    layers: list[LayerRow] = field(default_factory=list)
    totals: Totals = Totals(0, 0, 0, 0, 0)

    def to_dict(self) -> dict:
        return {
            "spec": self.spec.to_dict(),
            "totals": self.totals.to_dict(),
            "layers": [row.to_dict() for row in self.layers],
        }


def _numel(t: torch.Tensor) -> int:
    return int(t.numel())


def _tensors(args) -> list[torch.Tensor]:
    return [a for a in args if isinstance(a, torch.Tensor)]


def layer_madds(module: nn.Module, inputs: list[torch.Tensor], output: torch.Tensor) -> int:
    """Multiply-adds of one call (batch 1 assumed by the caller)."""
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        return _numel(output) * (module.in_channels // module.groups) * kh * kw
    if isinstance(module, nn.Linear):
        return _numel(output) * module.in_features
    return 0


def layer_mac(module: nn.Module, inputs: list[torch.Tensor], output: torch.Tensor) -> int:
    """Memory access cost of one call in elements; see the module docstring."""
    if isinstance(module, _VIEWS):
        return 0
    if isinstance(module, ChannelShuffle) and (not module.enabled or module.groups == 1):
        return 0
    own_params = sum(p.numel() for p in module.parameters(recurse=False))
    return sum(_numel(t) for t in inputs) + _numel(output) + own_params


def analyze(spec: ModelSpec) -> ComplexityReport:
    """The layer table and totals of ``spec`` (batch 1, spec's input size).

    Cached by spec (a frozen value): switching back and forth in the GUI costs nothing.
    """
    return spec_tables(spec)[0]


@functools.lru_cache(maxsize=64)
def spec_tables(spec: ModelSpec) -> tuple[ComplexityReport, tuple[TapInfo, ...]]:
    """(complexity report, tap table) of ``spec`` from ONE shape-only pass on the meta device."""
    model = build_shape_model(spec)
    names = [p.name for p in tap_points(model)]
    with FeatureTaps(model, names, clone=False) as taps:
        report = analyze_model(model, spec)
    return report, tuple(tap_infos(model, spec.input_shape, {n: t.shape for n, t in taps.features.items()}))


def analyze_model(model: nn.Module, spec: ModelSpec) -> ComplexityReport:
    rows, totals = count_layers(model, spec.input_shape)
    return ComplexityReport(spec, rows, totals)


def count_layers(model: nn.Module, input_shape: tuple[int, ...]) -> tuple[list[LayerRow], Totals]:
    """Every leaf layer's params, multiply-adds and MAC on one batch-1 input of ``input_shape``
    (any module: the zoo's networks and the lessons' test blocks alike)."""
    device = next(model.parameters()).device
    rows: list[LayerRow] = []
    handles = []

    def make_hook(name: str):
        def hook(module, args, output):
            inputs = _tensors(args)
            own_params = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(
                LayerRow(
                    name=name,
                    type=type(module).__name__,
                    out_shape=tuple(int(d) for d in output.shape[1:]),
                    params=int(own_params),
                    madds=int(layer_madds(module, inputs, output)),
                    mac=int(layer_mac(module, inputs, output)),
                )
            )

        return hook

    for name, module in model.named_modules():
        if name and not any(True for _ in module.children()):
            handles.append(module.register_forward_hook(make_hook(name)))
    try:
        with torch.no_grad():
            model(torch.zeros(1, *input_shape, device=device))
    finally:
        for handle in handles:
            handle.remove()

    conv = sum(r.madds for r in rows if r.type == "Conv2d")
    fc = sum(r.madds for r in rows if r.type == "Linear")
    totals = Totals(
        params=int(sum(p.numel() for p in model.parameters())),
        madds=conv + fc,
        madds_conv=conv,
        madds_fc=fc,
        mac=sum(r.mac for r in rows),
    )
    return rows, totals


def flop_counter_total(spec: ModelSpec) -> int:
    """Total FLOPs per torch.utils.flop_counter (2 per multiply-add), for cross-checking."""
    # imported here, not at the top: flop_counter imports torch._dynamo, and with it triton on
    # CUDA builds of torch (seconds of start-up, leak warnings at exit); only this cross-check needs it
    from torch.utils.flop_counter import FlopCounterMode

    model = build_shape_model(spec)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, *spec.input_shape, device="meta"))
    return int(counter.get_total_flops())


LAYER_CSV_FIELDS = ["layer", "type", "output", "params", "madds", "mac", "measured_ms"]


def write_layer_csv(path, report: ComplexityReport, layer_ms: dict[str, float] | None = None) -> None:
    """The layer table (and a totals row) as CSV; ``measured_ms`` empty where not measured."""
    layer_ms = layer_ms or {}
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(LAYER_CSV_FIELDS)
        for row in report.layers:
            ms = layer_ms.get(row.name)
            writer.writerow(
                [
                    row.name,
                    row.type,
                    "x".join(map(str, row.out_shape)),
                    row.params,
                    row.madds,
                    row.mac,
                    "" if ms is None else f"{ms:.4f}",
                ]
            )
        t = report.totals
        total_ms = sum(layer_ms.values()) if layer_ms else None
        writer.writerow(
            ["TOTAL", report.spec.label, "", t.params, t.madds, t.mac, "" if total_ms is None else f"{total_ms:.4f}"]
        )
