"""Python's cycle collector runs on the GUI thread only, once the main window exists.

The collector starts whenever enough objects were allocated, on whichever thread allocated
them. When it ran on a worker thread (a model check, a device scan) and the cycles it freed
held Qt objects made on the GUI thread, PySide6 destroyed them off their thread and the
process died with a segmentation fault (seen once in a full test run, in the model-status
thread). Once the main window exists, automatic collection is off and a timer on the GUI
thread collects each generation when the interpreter's own thresholds say it is due; it is back on
when the application quits.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Owned by the application: automatic collection stays off while it runs, and this collects instead."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    @Slot()
    def collect(self) -> None:
        """Collect the generations the interpreter's thresholds say are due, oldest first."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = [g for g in range(3) if counts[g] > thresholds[g]]
        if due:
            gc.collect(max(due))

    @Slot()
    def stop(self) -> None:
        """The application is quitting: collection goes back to the interpreter."""
        self._timer.stop()
        gc.enable()


def collect_on_the_gui_thread() -> GuiThreadCollector | None:
    """Install the collector on the running application, once (the main window calls this)."""
    app = QCoreApplication.instance()
    if app is None:
        return None
    existing = app.findChild(GuiThreadCollector)
    if existing is not None:
        return existing
    collector = GuiThreadCollector(app)
    app.aboutToQuit.connect(collector.stop)
    return collector
