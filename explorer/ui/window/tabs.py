"""The window's tabs, one entry each: its view, its title, its Help text and what Ctrl+S saves on it.

A new tab is a TabPage subclass plus one entry here; the main window, the View menu's Ctrl+N
shortcuts, F1 and Ctrl+S all read this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from explorer.ui.base.tab_page import TabPage
from explorer.ui.diagram.diagram_view import DiagramView
from explorer.ui.views.arch_view import ArchitectureView
from explorer.ui.views.feature_view import FeatureView
from explorer.ui.views.lessons_view import LessonsView
from explorer.ui.views.live_view import LiveView
from explorer.ui.views.shuffle_view import ShuffleView
from explorer.ui.views.sweep_view import SweepView
from explorer.ui.views.teach_view import TeachView
from explorer.ui.window.files import FileActions


@dataclass(frozen=True)
class TabEntry:
    name: str  # for --tab and the code
    title: str  # short: all eight fit beside the controls at 1400 px in large-font mode too
    view: type[TabPage]
    help: str  # F1
    tip: str = ""  # the tab's tooltip; the title when empty
    save: Callable[[FileActions], bool] | None = None  # Ctrl+S and the tab's Save button; None: the window PNG


TABS = (
    TabEntry(
        "live",
        "Live",
        LiveView,
        "The camera (or video, or synthetic scene) and what the model says about it: the top-5 classes and "
        "how sure it is. Below, how long each frame took, split into capture, preprocessing, inference and the "
        "rest, and the backend and thread count that made those numbers. Without trained weights the classes are "
        "noise, and the tab says so.",
    ),
    TabEntry(
        "features",
        "Features",
        FeatureView,
        "What one layer of the network computes: every channel of its output as a small grey image, "
        "framed by the group it belongs to. At a channel shuffle, the channels before and after sit side by side: "
        "the frames' colours show the groups interleave. Turn the shuffle off (S) and they stay apart.",
        tip="Feature maps of any layer",
    ),
    TabEntry(
        "shuffle",
        "Shuffle",
        ShuffleView,
        "Channel shuffle on its own, for any channel count C and group count g: which input channel lands "
        "where, and what two stacked group convolutions can see. Off: each output group sees one input group. On: "
        "every output group sees every input group, once there are at least g channels per group.",
        tip="What the channel shuffle does",
    ),
    TabEntry(
        "architecture",
        "Architecture",
        ArchitectureView,
        "The running model layer by layer: output shape, parameters, multiply-adds (FLOPs), memory "
        "access cost and measured time per layer. The totals line names the backend and threads that timed it.",
    ),
    TabEntry(
        "diagram",
        "Diagram",
        DiagramView,
        "The network drawn the way the papers draw it: stem, stages of units, head. Click a unit to see "
        "its layers. Save it as SVG or PNG (Ctrl+S) for slides.",
        save=lambda files: files.save_diagram(),
    ),
    TabEntry(
        "sweep",
        "FLOPs vs ms",
        SweepView,
        "Multiply-adds against measured latency for every ShuffleNet variant (and, ticked, the rivals) on "
        "this machine. Points on the same vertical line cost the same FLOPs but not the same time: FLOPs are not "
        "speed, because memory access and parallelism count too.",
        tip="FLOPs vs measured latency",
        save=lambda files: files.save_sweep(),
    ),
    TabEntry(
        "teach",
        "Teach",
        TeachView,
        "Teach the network your own classes: show each class to the camera, capture examples, and train a "
        "small head on the network's features in seconds. For the compact net, train the whole network on sensor "
        "windows.",
    ),
    TabEntry(
        "lessons",
        "Lessons",
        LessonsView,
        "The papers' experiments re-run on this machine: the four guidelines of ShuffleNet V2, the shuffle "
        "ablation, FLOPs against speed, ShuffleNet among its rivals. Each claim gets a verdict from the "
        "measurement, or 'inconclusive' when the machine was too busy to tell.",
        save=lambda files: files.save_lesson(),
    ),
)
TAB_NAMES = tuple(entry.name for entry in TABS)
