"""FLOPs vs measured latency over the V1/V2 variants: the tool's answer to "why is g = 8 not
faster than g = 3?".  The sweep runs in a background thread with progress and can be cancelled."""

from __future__ import annotations

import csv
import dataclasses
import io

import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QPushButton, QVBoxLayout

from explorer.analysis.mosaic import group_colour
from explorer.engine.measure import RIVALS, SweepRow, default_sweep, groups_note, run_sweep, sweep_series
from explorer.models.architecture import architectures
from explorer.models.spec import ModelSpec
from explorer.optional import torchvision_status
from explorer.runtime import registry
from explorer.ui.base.bridge import QtState
from explorer.ui.base.font_scale import set_axis_label
from explorer.ui.base.tab_page import TabPage
from explorer.ui.figures.point_labels import PointLabels, hover_names
from explorer.ui.widgets.task_panel import TaskPanel


def rival_specs() -> list[ModelSpec]:
    """The networks ShuffleNet is compared with (torchvision's only where torchvision works)."""
    usable = torchvision_status().available
    return [
        ModelSpec.create(a.name, scale=scale)
        for a in architectures(shufflenet=False)
        if usable or not a.needs_torchvision
        for scale in a.scales
    ]


def rows_csv(rows: list[SweepRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["model", *[f.name for f in dataclasses.fields(SweepRow)]])
    writer.writeheader()
    for row in rows:
        writer.writerow({"model": row.label, **dataclasses.asdict(row)})
    return out.getvalue()


HEADLINE = ("v1", 3, 1.0)  # V1 1x g=3: the V1 paper's comparison model (arch, groups, scale)


class SweepView(TabPage):
    """The live view pauses while the sweep measures (clean numbers), and resumes after."""

    def __init__(self, qt_state: QtState, parent=None) -> None:
        super().__init__(parent)
        self.state = qt_state.state
        self.rivals = QCheckBox("with the rivals")
        self.rivals.setToolTip(
            "also MobileNetV1 (0.25-1x), MobileNetV2/V3, SqueezeNet 1.1 and MnasNet: the networks ShuffleNet is compared with"
        )
        self.save_button = QPushButton("Save PNG and CSV…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_requested)
        self.task = TaskPanel(
            "sweep",
            "Run sweep",
            self.state,
            idle_text="FLOPs vs measured latency: run the sweep to see where the FLOPs stop predicting speed.",
            cancelled_text="sweep cancelled",
            failed_text="sweep failed: {}",
            progress_text="measured {}",
            leading=(self.rivals,),
            trailing=(self.save_button,),
        )
        self.task.run_button.setToolTip(
            "measure every V1/V2 variant of the papers' tables (the live view pauses meanwhile)"
        )
        self.plot = pg.PlotWidget(background="#202020")
        set_axis_label(self.plot, "bottom", "MFLOPs (multiply-adds)")
        set_axis_label(self.plot, "left", "median latency (ms)")  # no units=: pyqtgraph would prefix "kms"
        self.labels: PointLabels | None = None
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.addLegend(offset=(10, 10))
        layout = QVBoxLayout(self)
        layout.addWidget(self.task)
        layout.addWidget(self.plot, 1)
        self.rows: list[SweepRow] = []
        self.threads = self.state.config.threads
        self.current: ModelSpec | None = self.state.bundle.spec if self.state.bundle else None
        self.task.finished.connect(self._on_finished)
        self.task.run_clicked.connect(lambda: self.start())
        qt_state.running.connect(lambda bundle: self.set_current(bundle.spec))

    @property
    def running(self) -> bool:
        return self.task.running

    def start(self, specs: list[ModelSpec] | None = None, runs: int = 15, warmup: int = 3) -> None:
        specs = specs or default_sweep() + (rival_specs() if self.rivals.isChecked() else [])
        if self.current is not None and not any(self._is_current(s) for s in specs):
            specs = [*specs, self.current]  # the current model is always on the figure, measured like the rest
        threads = self.state.config.threads
        if self.task.start(
            lambda progress, cancel: run_sweep(specs, threads, runs, warmup, progress=progress, cancel=cancel)[1],
            f"measuring {len(specs)} models on {self._timed_on(threads)}, {runs} runs each…",
            pause_video=True,  # the live view yields the CPU to the measurement
        ):
            self.threads = threads

    @staticmethod
    def _timed_on(threads: int) -> str:
        return registry.timed_on(registry.reference().name, threads)  # the sweep times the torch module itself

    def cancel(self) -> None:
        self.task.cancel()

    def wait(self, timeout: float | None = None) -> None:
        self.task.wait(timeout)

    def set_current(self, spec: ModelSpec) -> None:
        self.current = spec
        self._draw()

    def _on_finished(self, rows) -> None:
        self.rows = rows
        self.save_button.setEnabled(bool(rows))
        self.task.say(f"done: {len(rows)} models on {self._timed_on(self.threads)}.{groups_note(rows)}")
        self._draw()

    def _is_current(self, item) -> bool:
        current = self.current
        return current is not None and (item.arch, item.groups, item.scale) == (
            current.arch,
            current.groups,
            current.scale,
        )

    def _draw(self) -> None:
        if self.labels is not None:
            self.labels.detach()
            self.labels = None
        self.plot.clear()
        if not self.rows:
            return
        set_axis_label(self.plot.getPlotItem(), "left", f"median latency (ms, {self._timed_on(self.threads)})")
        entries, points = [], []
        for i, (name, rows) in enumerate(sweep_series(self.rows).items()):
            rows = sorted(rows, key=lambda r: r.madds)
            colour = group_colour(i)
            # a family's variants read as a line; the rivals are unrelated networks: points only
            pen = None if name == RIVALS else pg.mkPen(colour, width=1)
            item = self.plot.plot(
                [r.madds / 1e6 for r in rows],
                [r.median_ms for r in rows],
                pen=pen,
                symbol="o",
                symbolBrush=colour,
                symbolSize=9,
                name=name,
                data=[r.label for r in rows],
            )
            hover_names(item, lambda label, x, y: f"{label}\n{x:.0f} MFLOPs, {y:.1f} ms")
            points += [(r.madds / 1e6, r.median_ms) for r in rows]
        match = [r for r in self.rows if self._is_current(r)]
        if match:  # the current model first: its label wins a crowded spot
            r = match[0]
            self.plot.plot(
                [r.madds / 1e6],
                [r.median_ms],
                pen=None,
                symbol="star",
                symbolSize=22,
                symbolBrush="#ff4040",
                name="current model",
            )
            entries.append((r.madds / 1e6, r.median_ms, f"{r.label} (current)", "#ff8080"))
        entries += [  # then the paper's headline model, then the rest: crowded spots go to what matters
            (r.madds / 1e6, r.median_ms, r.label, "#cccccc")
            for r in sorted(self.rows, key=lambda r: ((r.arch, r.groups, r.scale) != HEADLINE, r.madds))
            if not self._is_current(r)
        ]
        self.labels = PointLabels(self.plot.getPlotItem(), entries, points)
        self.labels.relayout()
