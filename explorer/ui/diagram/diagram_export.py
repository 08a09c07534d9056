"""`explorer diagram`: the Diagram tab's drawing written to SVG or PNG without opening a window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from explorer.analysis.diagram import build_diagram
from explorer.cli_args import UsageError, output_path, print_json, spec_from_args


def run_diagram(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in (".svg", ".png"):
        raise UsageError(f"explorer diagram: --out must name an .svg or .png file, got {args.out!r}")
    output_path("diagram", args.out)
    spec = spec_from_args(args)
    # nothing is shown: the offscreen platform draws without a display (a set value is kept)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from explorer.ui.diagram.diagram_scene import DiagramScene
    from explorer.ui.diagram.drawing import save_diagram

    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept alive while drawing
    scene = DiagramScene()
    scene.level = args.level
    scene.quantity = args.quantity
    diagram = build_diagram(spec)
    scene.show_diagram(diagram)
    try:
        save_diagram(scene, out)
    except OSError as exc:
        raise UsageError(f"explorer diagram: cannot write {args.out}: {exc}") from None
    summary = {
        "spec": spec.to_dict(),
        "level": args.level,
        "quantity": args.quantity,
        "out": str(out),
        "boxes": len(scene.node_boxes()),
        "units": sum(1 for _ in diagram.units()),
    }
    if args.json:
        print_json(summary)
    else:
        print(f"{spec.label}: {summary['boxes']} layer boxes drawn at level {args.level} -> {out}")
    return 0
