"""The control panel: the model, weights and run boxes in the dock.  Each draws the state and forwards intent.

No box changes a model: each turns a user action into a request on the AppState (a spec, a
weights choice, a backend, a thread count, a source) and says plainly why a combination is not
available instead of silently ignoring it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from explorer.ui.base.bridge import QtState
from explorer.ui.controls.model_box import ModelBox
from explorer.ui.controls.run_box import RunBox
from explorer.ui.controls.weights_box import WeightsBox


class ControlsPanel(QWidget):
    def __init__(self, qt_state: QtState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_box = ModelBox(qt_state)
        self.weights_box = WeightsBox(qt_state)
        self.run_box = RunBox(qt_state)
        layout = QVBoxLayout(self)
        for box in (self.model_box, self.weights_box, self.run_box):
            layout.addWidget(box)
        layout.addStretch(1)
        # a combo's long entries (a backend's full title, a path) show in its list, not in the
        # panel's width: large fonts must not push the window past the screen
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)

    def cancel(self) -> None:
        """Stop the fit's measurement: the window is closing."""
        self.run_box.fit.task.cancel()
