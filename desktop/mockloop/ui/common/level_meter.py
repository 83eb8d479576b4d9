"""A microphone level meter: loudness (RMS) as a bar and the recent peak as a tick, in decibels."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from mockloop.ui.common import theme

FLOOR_DB = -60.0  # silence in a quiet room sits near here; the bar starts above it
SPEECH_DB = -30.0  # about where normal speech into a laptop microphone lands
DECAY_PER_TICK = 0.82  # the bar falls smoothly instead of flickering between blocks
PEAK_HOLD_TICKS = 18
TICK_MS = 40


def level_fraction(value: float) -> float:
    """0..1 on a dB scale from FLOOR_DB to 0 dBFS."""
    if value <= 0.0:
        return 0.0
    db = 20.0 * math.log10(value)
    return max(0.0, min(1.0, (db - FLOOR_DB) / -FLOOR_DB))


class LevelMeter(QWidget):
    """Shows the last `set_level`; greyed while the app is not listening (`set_active(False)`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Microphone level")
        self.setAccessibleDescription("Not listening")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._active = False
        self._level = 0.0  # displayed bar, 0..1
        self._peak = 0.0
        self._hold = 0
        self._loud = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._decay)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        em = self.fontMetrics().height()
        return QSize(em * 12, max(8, round(em * 0.6)))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        em = self.fontMetrics().height()
        return QSize(em * 4, max(8, round(em * 0.6)))

    @property
    def level(self) -> float:
        return self._level

    @property
    def active(self) -> bool:
        return self._active

    def set_active(self, active: bool) -> None:
        if active == self._active:
            return
        self._active = active
        self.setAccessibleDescription("Listening" if active else "Not listening")
        if active:
            self._timer.start()
        else:
            self._timer.stop()
            self._level = self._peak = 0.0
            self._loud = False
        self.update()

    @Slot(float, float)
    def set_level(self, rms: float, peak: float) -> None:
        if not self._active:
            return
        self._level = max(self._level * DECAY_PER_TICK, level_fraction(rms))
        fraction = level_fraction(peak)
        if fraction >= self._peak:
            self._peak, self._hold = fraction, PEAK_HOLD_TICKS
        loud = 20.0 * math.log10(max(rms, 1e-9)) >= SPEECH_DB
        if loud != self._loud:
            self._loud = loud
            self.setAccessibleDescription("Hearing you" if loud else "Listening")
        self.update()

    @Slot()
    def _decay(self) -> None:
        self._level *= DECAY_PER_TICK
        if self._hold > 0:
            self._hold -= 1
        else:
            self._peak *= DECAY_PER_TICK
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        palette = self.palette()
        window = palette.color(QPalette.ColorRole.Window)
        text = palette.color(QPalette.ColorRole.WindowText)
        track = theme.blend(window, text, 0.12)
        fill = theme.blend(window, theme.SUCCESS_HUE, 0.85) if self._active else theme.blend(window, text, 0.25)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = rect.height() / 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(rect, radius, radius)
        if self._active and self._level > 0.005:
            bar = QRectF(rect.left(), rect.top(), max(rect.height(), rect.width() * self._level), rect.height())
            painter.setBrush(fill)
            painter.drawRoundedRect(bar, radius, radius)
        if self._active and self._peak > 0.02:
            x = rect.left() + rect.width() * self._peak
            painter.setBrush(theme.blend(window, text, 0.7))
            painter.drawRect(QRectF(min(x, rect.right() - 2), rect.top(), 2, rect.height()))
        painter.end()
