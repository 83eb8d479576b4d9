"""Create the QApplication and open the main window: what `mockloop` with no arguments runs."""

from __future__ import annotations

import sys
from typing import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

import mockloop
from mockloop.engine.bank import load_banks
from mockloop.engine.settings import Settings
from mockloop.ui.background import wait_for_background
from mockloop.ui.main_window import MainWindow

# How long quitting may wait for a worker thread that missed its stop request.
SHUTDOWN_WAIT_MS = 3000


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
    code = app.exec()
    wait_for_background(SHUTDOWN_WAIT_MS)  # e.g. the models being freed
    window.model_probe.stop()
    window.model_probe.wait(SHUTDOWN_WAIT_MS)
    if window.interview is not None:  # normally already ended: the window closes after it
        window.interview.stop()
        window.interview.wait(SHUTDOWN_WAIT_MS)
    return code
