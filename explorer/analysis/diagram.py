"""The network as the papers draw it: stages of units, each unit a few lanes of layers.

A Qt-free description the Diagram tab and `explorer diagram` both draw.  V1 units follow the V1
paper's Figure 2 (1x1 GConv, channel shuffle, 3x3 DWConv, 1x1 GConv; add, or concat with a 3x3
average-pooled shortcut), V2 units its Figure 3 (channel split, two branches, concat, channel
shuffle; the stride-2 unit feeds the whole input to both branches).  Anything without a
hand-drawn unit is drawn generically from its module tree.

Every node names the complexity-table rows it stands for (a conv node also covers the BN and
ReLU right after it, as the papers draw them), and its numbers are the sums of those rows, so
the drawing can never disagree with the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from torch import nn

from explorer.analysis.complexity import ComplexityReport, spec_tables
from explorer.models.registry import build_shape_model
from explorer.models.shuffle import Add, ChannelShuffle, Concat
from explorer.models.spec import ModelSpec

LEVELS = ("stages", "units", "layers")
QUANTITIES = {"madds": "multiply-adds", "params": "parameters", "mac": "memory access cost", "ms": "measured ms"}
_FOLDED = (nn.BatchNorm2d, nn.BatchNorm1d, nn.ReLU, nn.ReLU6, nn.Hardswish, nn.Flatten, nn.Dropout)


@dataclass(frozen=True)
class Numbers:
    out_shape: tuple[int, ...] | None
    params: int
    madds: int
    mac: int

    def value(self, quantity: str, layer_ms: float | None = None) -> float:
        return float(layer_ms or 0.0) if quantity == "ms" else float(getattr(self, quantity))


@dataclass(frozen=True)
class Node:
    """One box: a conv (with its BN/ReLU), a pool, the shuffle, a split, concat or add."""

    id: str
    kind: str  # conv | pool | shuffle | split | fanout | concat | add | identity | fc | module
    label: str
    detail: str
    layers: tuple[str, ...]  # complexity-table rows this box stands for
    numbers: Numbers
    tap: str | None = None  # the feature tap showing this node's output, if any
    enabled: bool = True  # False: a switched-off shuffle (drawn grey)
    groups: int | None = None


@dataclass(frozen=True)
class Unit:
    """A unit (or the stem/head): an optional entry node, parallel lanes, then merge nodes."""

    id: str
    title: str
    entry: Node | None
    lanes: tuple[tuple[Node, ...], ...]
    exit: tuple[Node, ...]
    numbers: Numbers
    tap: str | None = None
    stride: int = 1

    def nodes(self) -> Iterator[Node]:
        if self.entry is not None:
            yield self.entry
        for lane in self.lanes:
            yield from lane
        yield from self.exit


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    units: tuple[Unit, ...]
    numbers: Numbers
    tap: str | None = None


@dataclass(frozen=True)
class Diagram:
    spec: ModelSpec
    input_shape: tuple[int, ...]
    stages: tuple[Stage, ...] = field(default_factory=tuple)

    def units(self) -> Iterator[Unit]:
        for stage in self.stages:
            yield from stage.units

    def nodes(self) -> Iterator[Node]:
        for unit in self.units():
            yield from unit.nodes()

    def covered_layers(self) -> list[str]:
        return [name for node in self.nodes() for name in node.layers]


class _Rows:
    """Sums of complexity-table rows by name."""

    def __init__(self, report: ComplexityReport) -> None:
        self.rows = {row.name: row for row in report.layers}

    def has_any(self, leaves: list[tuple[str, nn.Module]]) -> bool:
        """Whether any of these modules has a row (runs in forward): an unused Identity has none."""
        return any(name in self.rows for name, _ in leaves)

    def numbers(self, names: Iterable[str], out_shape: tuple[int, ...] | None = None) -> Numbers:
        rows = [self.rows[n] for n in names if n in self.rows]
        if out_shape is None and rows:
            out_shape = rows[-1].out_shape
        return Numbers(out_shape, sum(r.params for r in rows), sum(r.madds for r in rows), sum(r.mac for r in rows))


def _conv_label(conv: nn.Conv2d) -> tuple[str, str]:
    kh, kw = conv.kernel_size
    kernel = f"{kh}x{kw}"
    if conv.groups > 1 and conv.groups == conv.in_channels == conv.out_channels:
        kind = "DWConv"
    elif conv.groups > 1:
        kind = "GConv"
    else:
        kind = "Conv"
    stride = conv.stride if conv.stride[0] != conv.stride[1] else conv.stride[0]
    label = f"{kernel} {kind}" + (f" (stride = {stride})" if stride not in (1, (1, 1)) else "")
    detail = f"{conv.in_channels}→{conv.out_channels}" + (f", g = {conv.groups}" if kind == "GConv" else "")
    return label, detail


def _lane(modules: list[tuple[str, nn.Module]], rows: _Rows, tap_after_shuffle: dict[str, str]) -> tuple[Node, ...]:
    """Leaf modules in execution order as boxes; BN/ReLU/flatten fold into the box before them."""
    groups: list[tuple[str, nn.Module, list[str]]] = []
    for name, module in modules:
        if isinstance(module, _FOLDED) and groups and not isinstance(groups[-1][1], ChannelShuffle):
            groups[-1][2].append(name)
        else:
            groups.append((name, module, [name]))
    nodes = []
    for name, module, names in groups:
        folded = [
            type(m).__name__ for n, m in modules if n in names[1:] and not isinstance(m, (nn.Flatten, nn.Dropout))
        ]
        suffix = " · " + " ".join("BN" if f.startswith("BatchNorm") else f for f in folded) if folded else ""
        numbers = rows.numbers(names)
        if isinstance(module, nn.Conv2d):
            label, detail = _conv_label(module)
            nodes.append(Node(name, "conv", label, detail + suffix, tuple(names), numbers, groups=module.groups))
        elif isinstance(module, ChannelShuffle):
            state = "" if module.enabled else " (off)"
            nodes.append(
                Node(
                    name,
                    "shuffle",
                    f"Channel Shuffle{state}",
                    f"g = {module.groups}",
                    tuple(names),
                    numbers,
                    tap=tap_after_shuffle.get(name),
                    enabled=module.enabled,
                    groups=module.groups,
                )
            )
        elif isinstance(module, (nn.AvgPool2d, nn.MaxPool2d)):
            kind = "AVG Pool" if isinstance(module, nn.AvgPool2d) else "Max Pool"
            k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
            s = module.stride if isinstance(module.stride, int) else module.stride[0]
            nodes.append(Node(name, "pool", f"{k}x{k} {kind} (stride = {s})", "", tuple(names), numbers))
        elif isinstance(module, nn.AdaptiveAvgPool2d) and module.output_size not in (1, (1, 1)):
            size = (
                "x".join(map(str, module.output_size)) if isinstance(module.output_size, tuple) else module.output_size
            )
            nodes.append(Node(name, "pool", "Adaptive Avg Pool", f"to {size}", tuple(names), numbers))
        elif isinstance(module, nn.AdaptiveAvgPool2d) or type(module).__name__ == "GlobalAvgPool":
            nodes.append(Node(name, "pool", "Global Avg Pool", "", tuple(names), numbers))
        elif isinstance(module, nn.Linear):
            nodes.append(
                Node(name, "fc", "FC", f"{module.in_features}→{module.out_features}{suffix}", tuple(names), numbers)
            )
        elif isinstance(module, nn.Identity):
            nodes.append(Node(name, "identity", "Identity", "passes through", tuple(names), numbers))
        elif isinstance(module, Concat):
            nodes.append(Node(name, "concat", "Concat", suffix.lstrip(" ·"), tuple(names), numbers))
        elif isinstance(module, Add):
            nodes.append(Node(name, "add", "Add", suffix.lstrip(" ·"), tuple(names), numbers))
        else:
            nodes.append(Node(name, "module", type(module).__name__, suffix.lstrip(" ·"), tuple(names), numbers))
    return tuple(nodes)


def _leaves(model: nn.Module, prefix: str) -> list[tuple[str, nn.Module]]:
    root = model.get_submodule(prefix) if prefix else model
    return [
        (f"{prefix}.{n}" if prefix else n, m)
        for n, m in root.named_modules()
        if n and not any(True for _ in m.children())
    ] or [(prefix, root)]


def _unit(uid: str, title: str, rows: _Rows, lanes, exit_nodes=(), entry=None, tap=None, stride=1) -> Unit:
    names = [n for lane in lanes for node in lane for n in node.layers]
    names += [n for node in exit_nodes for n in node.layers]
    last = exit_nodes[-1].numbers.out_shape if exit_nodes else lanes[0][-1].numbers.out_shape
    return Unit(uid, title, entry, tuple(lanes), tuple(exit_nodes), rows.numbers(names, last), tap, stride)


def _stage(sid: str, title: str, units: list[Unit], rows: _Rows, tap=None) -> Stage:
    names = [n for unit in units for node in unit.nodes() for n in node.layers]
    return Stage(sid, title, tuple(units), rows.numbers(names, units[-1].numbers.out_shape), tap)


def _v1_unit(model, prefix: str, index: int, rows: _Rows, taps: dict[str, str]) -> Unit:
    unit = model.get_submodule(prefix)
    main = _lane(
        [
            (f"{prefix}.{n}", getattr(unit, n))
            for n in ("gconv1", "bn1", "relu1", "shuffle", "dwconv", "bn2", "gconv2", "bn3")
        ],
        rows,
        taps,
    )
    if unit.stride == 2:
        shortcut = _lane([(f"{prefix}.shortcut", unit.shortcut)], rows, taps)
    else:  # the identity shortcut is the input itself: no module runs, no row in the table
        shortcut = (Node(f"{prefix}.shortcut", "identity", "Identity", "the input itself", (), Numbers(None, 0, 0, 0)),)
    # in execution order: a stride-2 unit applies its ReLU to the branch before the concat
    merge_names = (
        (f"{prefix}.relu_out", f"{prefix}.merge") if unit.stride == 2 else (f"{prefix}.merge", f"{prefix}.relu_out")
    )
    kind, label = ("concat", "Concat") if unit.stride == 2 else ("add", "Add")
    merge = Node(f"{prefix}.merge", kind, label, "ReLU", merge_names, rows.numbers(merge_names))
    return _unit(
        prefix,
        f"unit {index + 1}" + (" · stride 2" if unit.stride == 2 else ""),
        rows,
        [shortcut, main],
        [merge],
        tap=prefix,
        stride=unit.stride,
    )


def _v2_unit(model, prefix: str, index: int, rows: _Rows, taps: dict[str, str]) -> Unit:
    unit = model.get_submodule(prefix)
    concat_row = rows.rows[f"{prefix}.concat"]
    concat = Node(f"{prefix}.concat", "concat", "Concat", "", (f"{prefix}.concat",), rows.numbers([f"{prefix}.concat"]))
    shuffle = _lane([(f"{prefix}.shuffle", unit.shuffle)], rows, taps)
    branch2 = _lane(_leaves(model, f"{prefix}.branch2"), rows, taps)
    if unit.stride == 1:
        c, h, w = concat_row.out_shape
        split = Node(
            f"{prefix}.split",
            "split",
            "Channel Split",
            f"{c}→{c // 2} + {c // 2} (a view, no copy)",
            (),
            Numbers((c // 2, h, w), 0, 0, 0),
        )
        passthrough = Node(
            f"{prefix}.pass",
            "identity",
            "Identity",
            "half the channels pass through",
            (),
            Numbers((c // 2, h, w), 0, 0, 0),
        )
        return _unit(
            prefix, f"unit {index + 1}", rows, [(passthrough,), branch2], [concat, *shuffle], entry=split, tap=prefix
        )
    branch1 = _lane(_leaves(model, f"{prefix}.branch1"), rows, taps)
    fanout = Node(
        f"{prefix}.fanout", "fanout", "No split", "both branches see every channel", (), Numbers(None, 0, 0, 0)
    )
    return _unit(
        prefix,
        f"unit {index + 1} · stride 2",
        rows,
        [branch1, branch2],
        [concat, *shuffle],
        entry=fanout,
        tap=prefix,
        stride=2,
    )


# the hand-drawn units an architecture entry's DiagramPlan names
UNIT_DRAWERS = {"grouped_bottleneck": _v1_unit, "split_branches": _v2_unit}


def _generic_units(model, prefix: str, rows: _Rows, taps: dict[str, str], unit_taps: set[str]) -> list[Unit]:
    """One unit per child of ``prefix``, each one lane of its leaf modules (no hand-drawn unit)."""
    container = model.get_submodule(prefix)
    units = []
    for index, (name, _child) in enumerate(container.named_children()):
        path = f"{prefix}.{name}"
        lane = _lane(_leaves(model, path), rows, taps)
        units.append(_unit(path, f"block {index + 1}", rows, [lane], tap=path if path in unit_taps else None))
    return units


def _single(uid: str, title: str, nodes: tuple[Node, ...], rows: _Rows, tap=None) -> Unit:
    return _unit(uid, title, rows, [nodes], tap=tap)


def build_diagram(spec: ModelSpec) -> Diagram:
    """The drawing of ``spec`` (shapes at its input size), from a shape-only model and the
    cached complexity table."""
    report, tap_table = spec_tables(spec)
    rows = _Rows(report)
    model = build_shape_model(spec)
    tap_names = {t.name for t in tap_table}
    after_shuffle = {t.point.module: t.name for t in tap_table if t.point.kind == "after_shuffle"}
    unit_taps = {t.name for t in tap_table if t.point.kind == "unit"}
    stages: list[Stage] = []
    plan = spec.architecture.diagram
    if plan is not None:
        conv = _lane([leaf for name in plan.stem for leaf in _leaves(model, name)], rows, after_shuffle)
        conv = (replace(conv[0], tap="stem"),)
        pool = (replace(_lane([("maxpool", model.maxpool)], rows, after_shuffle)[0], tap="stem.pool"),)
        stem = _single("stem", "stem", conv + pool, rows, tap="stem.pool")
        stages.append(_stage("stem", "Stem", [stem], rows, tap="stem.pool"))
        make_unit = UNIT_DRAWERS[plan.unit]
        for stage_name in plan.stages:
            units = [
                make_unit(model, f"{stage_name}.{i}", i, rows, after_shuffle)
                for i in range(len(model.get_submodule(stage_name)))
            ]
            stages.append(_stage(stage_name, f"Stage {stage_name[-1]}", units, rows, tap=stage_name))
        head_nodes = _lane([leaf for name in plan.head for leaf in _leaves(model, name)], rows, after_shuffle)
        if plan.head_tap is not None:
            head_nodes = (replace(head_nodes[0], tap=plan.head_tap),) + head_nodes[1:]
        stages.append(_stage("head", "Head", [_single("head", "head", head_nodes, rows)], rows))
    else:
        # no hand-drawn unit (the compact net, the family): the module tree's longest Sequential
        # is the body, one unit per child; what runs before it is the stem, after it the head
        children = [(n, m) for n, m in model.named_children() if rows.has_any(_leaves(model, n))]
        body = max(
            range(len(children)), key=lambda i: len(children[i][1]) if isinstance(children[i][1], nn.Sequential) else 0
        )
        parts = {"stem": children[:body], "head": children[body + 1 :]}
        if parts["stem"]:
            nodes = _lane([leaf for name, _ in parts["stem"] for leaf in _leaves(model, name)], rows, after_shuffle)
            stages.append(_stage("stem", "Stem", [_single("stem", "stem", nodes, rows)], rows))
        name = children[body][0]
        stages.append(
            _stage(name, name.capitalize(), _generic_units(model, name, rows, after_shuffle, unit_taps), rows)
        )
        if parts["head"]:
            nodes = _lane([leaf for name, _ in parts["head"] for leaf in _leaves(model, name)], rows, after_shuffle)
            stages.append(_stage("head", "Head", [_single("head", "head", nodes, rows)], rows))
    for node in (n for s in stages for u in s.units for n in u.nodes()):
        if node.tap is not None and node.tap not in tap_names:
            raise AssertionError(f"diagram node {node.id} names an unknown tap {node.tap}")
    return Diagram(spec, tuple(spec.input_shape), tuple(stages))
