"""The scrolling multi-channel sensor plot of the Live tab: the last seconds of every channel on
its own lane, the window the model reads shaded, time in seconds before now.

Per window it is one numpy expression and one setData per channel (9 polylines of ~500 points,
a cosmetic 1-px pen): about a millisecond on the UI thread.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from explorer.sources.signal_stream import SignalWindow
from explorer.ui.base.font_scale import set_axis_label

LANE = 1.0  # vertical distance between channel lanes
AMPLITUDE = 0.42  # a channel's typical amplitude (its spread) in lanes
CLIP = 0.5  # in lanes
# a colour per sensor: body acceleration, gyroscope, total acceleration (Okabe-Ito)
SENSOR_COLOURS = ("#56b4e9", "#e69f00", "#009e73", "#cc79a7", "#f0e442", "#d55e00")


def channel_colour(index: int, count: int) -> str:
    """Channels come in triples (x, y, z) of one sensor: one colour per sensor."""
    return (
        SENSOR_COLOURS[(index // 3) % len(SENSOR_COLOURS)]
        if count % 3 == 0
        else SENSOR_COLOURS[index % len(SENSOR_COLOURS)]
    )


class SignalPlot(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, background="#202020")
        self.setMouseEnabled(False, False)
        self.hideButtons()
        set_axis_label(self, "bottom", "seconds before now")
        self.showGrid(x=True, alpha=0.2)
        self.region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(86, 180, 233, 45), pen=pg.mkPen("#56b4e9"))
        self.region.setZValue(-10)
        self.addItem(self.region)
        self.window_label = pg.TextItem(color="#9cc9ea", anchor=(1, 1))
        self.addItem(self.window_label)
        self.curves: list[pg.PlotDataItem] = []
        self._layout: tuple | None = None
        self._times = np.zeros(0)
        self._offsets = np.zeros(0, np.float32)

    def _lay_out(self, window: SignalWindow, series: int) -> None:
        """Lanes, names and the shaded window: once per source and window length, not per read."""
        count, modal = len(window.history), window.modal
        for curve in self.curves:
            self.removeItem(curve)
        self.curves = [
            self.plot(pen=pg.mkPen(channel_colour(i, modal), width=1), skipFiniteCheck=True) for i in range(modal)
        ]
        self._offsets = (-np.arange(modal) * LANE).astype(np.float32)
        self._times = (np.arange(count) - (count - 1)) / window.rate
        names = window.channels if len(window.channels) == modal else tuple(f"ch{i}" for i in range(modal))
        self.getAxis("left").setTicks([[(float(o), n) for o, n in zip(self._offsets, names)]])
        self.setXRange(float(self._times[0]), 0.0, padding=0.01)
        self.setYRange(float(self._offsets[-1]) - LANE * 0.6, LANE * 0.6, padding=0)
        start = -(series - 1) / window.rate
        self.region.setRegion((start, 0.0))
        self.window_label.setText(f"the model's window: {series} samples ({series / window.rate:.2f} s)")
        self.window_label.setPos(0.0, LANE * 0.6)
        self._layout = (count, modal, window.channels, window.rate, series)

    def show_window(self, window: SignalWindow, series: int) -> None:
        if self._layout != (len(window.history), window.modal, window.channels, window.rate, series):
            self._lay_out(window, series)
        # centred on the recording's median, not the window's: a posture change moves the lane
        # clipped to its lane: a channel never draws over its neighbours
        lanes = np.clip((window.history - window.centre) / window.spread * AMPLITUDE, -CLIP, CLIP) + self._offsets
        for i, curve in enumerate(self.curves):
            curve.setData(self._times, lanes[:, i])

    def lane_data(self, channel: int) -> np.ndarray:
        """What is drawn for one channel (for tests)."""
        return self.curves[channel].getData()[1]
