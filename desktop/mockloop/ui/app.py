"""Create the QApplication and open the main window: what `mockloop` with no arguments runs."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

import mockloop
from mockloop.engine.bank import load_banks
from mockloop.engine.core.settings import Settings
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.main_window import MainWindow

# Set by `mockloop bench` to time the launch: a file for the JSON report, and "1" to quit after it.
ENV_STARTUP_REPORT = "MOCKLOOP_STARTUP_REPORT"
ENV_STARTUP_QUIT = "MOCKLOOP_STARTUP_QUIT"

# How long quitting may wait for a worker thread that missed its stop request.
SHUTDOWN_WAIT_MS = 3000


class StartupReport(QObject):
    """For `mockloop bench`: write how long after the process began the window was first painted."""

    def __init__(self, window: QWidget, path: Path, *, quit_after: bool) -> None:
        super().__init__(window)
        self._window = window
        self._path = path
        self._quit = quit_after
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self._write)  # after this first paint has been done
        return False

    @Slot()
    def _write(self) -> None:
        import psutil

        started = psutil.Process().create_time()
        self._path.write_text(json.dumps({"visible_seconds": round(time.time() - started, 3)}), encoding="utf-8")
        if self._quit:
            self._window.close()


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The existing QApplication, or a new one set up for mockloop."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scale factors (e.g. 150 %) render crisply instead of being rounded.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName("mockloop")
    app.setApplicationDisplayName("mockloop")
    app.setApplicationVersion(mockloop.__version__)
    app.setOrganizationName("mockloop")
    app.setDesktopFileName("mockloop")
    return app


def create_window(settings: Settings | None = None) -> MainWindow:
    """The main window over the installed banks; models are checked in the background."""
    settings = settings or Settings.load()
    return MainWindow(load_banks(), settings, warm_models=True)


def run(argv: Sequence[str] | None = None) -> int:
    """Open the desktop app and return its exit code."""
    app = create_application(argv)
    window = create_window()
    window.show()
    report = os.environ.get(ENV_STARTUP_REPORT)
    if report:
        StartupReport(window, Path(report), quit_after=os.environ.get(ENV_STARTUP_QUIT) == "1")
    code = app.exec()
    wait_for_background(SHUTDOWN_WAIT_MS)  # e.g. the models being freed
    window.model_probe.stop()
    window.model_probe.wait(SHUTDOWN_WAIT_MS)
    if window.interview is not None:  # normally already ended: the window closes after it
        window.interview.stop()
        window.interview.wait(SHUTDOWN_WAIT_MS)
    return code
