"""The GUI-side owner of one interview: its worker on a QThread, started once and stopped without blocking."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from mockloop.engine.core.settings import Settings
from mockloop.engine.interview.commands import Command
from mockloop.engine.models.warm_engines import WarmEngines
from mockloop.ui.common import qt_fixes  # noqa: F401 (PySide6 reference-count bugs: see qt_fixes)
from mockloop.ui.interview.worker import AudioEdge, InterviewWorker, SessionRequest


class InterviewSession(QObject):
    """The GUI-side owner of one interview: start once, act, stop without blocking, `stopped` at the end."""

    stopped = Signal()

    def __init__(self, request: SessionRequest, settings: Settings, edge: AudioEdge | None = None,
                 parent: QObject | None = None, *, warm: WarmEngines | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.worker = InterviewWorker(request, settings, edge, warm)
        self._thread: QThread | None = None
        self._finished = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = QThread(self)
        self._thread.setObjectName("mockloop-interview")
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        self.worker.finished.connect(self._thread.quit)
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and not self._finished

    @Slot(str)
    def command(self, name: Command | str) -> None:
        if self.is_running():
            self.worker.command(name)  # thread-safe: the worker's thread is busy running the interview

    @Slot(str)
    def submit_text(self, text: str) -> bool:
        return self.is_running() and self.worker.submit_text(text)

    @Slot(bool)
    def set_typing(self, typing: bool) -> None:
        self.worker.set_typing(typing)

    @Slot(str)
    def set_end_of_turn(self, value: str) -> None:
        self.worker.set_end_of_turn(value)

    def interviewer_speaking(self) -> bool:
        return self.is_running() and self.worker.interviewer_speaking()

    def end(self, draft: str = "") -> None:
        """The candidate ends the interview (finished, not interrupted); `stopped` follows."""
        if self.is_running():
            self.worker.end(draft)

    def stop(self, draft: str = "") -> bool:
        """Ask the session to end as interrupted; True if nothing is running (else `stopped` follows).

        `draft`: text typed but not sent yet, kept as the answer in progress.
        """
        if not self.is_running():
            return True
        self.worker.stop(draft)
        return False

    def wait(self, msecs: int) -> bool:
        """Join the thread (for shutdown paths that cannot wait for `stopped`)."""
        return self._thread is None or self._thread.wait(msecs)

    @Slot()
    def _on_thread_finished(self) -> None:
        self._finished = True
        self.stopped.emit()
