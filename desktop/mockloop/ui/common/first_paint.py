"""A window's first appearance: its first size, and work run once it has been painted, so a launch shows it first.

Loading the models and scanning the audio devices import large native libraries on worker threads;
started before the first paint they hold the interpreter while the window waits to be drawn.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QSize, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)  # after this paint is on screen
        return False


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call `callback` (a bound method of a QObject that lives as long as `widget`) once after its first paint."""
    _FirstPaint(widget, callback)


def first_size(window: QWidget, ems: QSize) -> QSize:
    """`ems` (in font heights) as pixels, at most 90 % of the screen the window is on."""
    em = window.fontMetrics().height()
    wanted = QSize(em * ems.width(), em * ems.height())
    screen = window.screen().availableGeometry() if window.screen() else None
    return wanted.boundedTo(screen.size() * 0.9) if screen is not None else wanted
