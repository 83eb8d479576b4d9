"""Check the STT, TTS and LLM models on a worker thread and show what was found."""

from __future__ import annotations

import dataclasses
import html
from typing import Callable

from PySide6.QtCore import QObject, QThread, Qt, Signal, Slot
from PySide6.QtWidgets import QGridLayout, QLabel, QStyle, QWidget

from mockloop.engine.core.model_info import ModelInfo
from mockloop.engine.models import registry
from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.settings import Settings
from mockloop.ui.common import theme
from mockloop.ui.common.cards import Banner, Card, Severity

ROLE_LABELS = {"stt": "Speech recognition", "tts": "Interviewer voice", "llm": "Interviewer model",
               "text": "Answer understanding"}

Resolver = Callable[[str, Settings], ModelInfo]


class ModelStatusWorker(QObject):
    """Resolves each model role in turn; lives on the probe's thread."""

    resolved = Signal(str, object)  # role, ModelInfo
    failed = Signal(str, str, str)  # role, problem, fix
    finished = Signal()

    def __init__(self, settings: Settings, resolve: Resolver = registry.resolve) -> None:
        super().__init__()
        self._settings = settings
        self._resolve = resolve

    @Slot()
    def run(self) -> None:
        for role in registry.ROLES:
            if QThread.currentThread().isInterruptionRequested():
                break
            try:
                info = self._resolve(role, self._settings)
            except ModelError as exc:
                self.failed.emit(role, exc.problem, exc.fix)
            except Exception as exc:  # noqa: BLE001 - any failure must reach the user, not kill the thread
                self.failed.emit(role, f"The {ROLE_LABELS[role].lower()} could not be checked: {exc}", "Run `mockloop doctor` for details.")
            else:
                self.resolved.emit(role, info)
        self.finished.emit()


class ModelStatusProbe(QObject):
    """Owns the worker thread: start once, stop without blocking, report on the GUI thread."""

    model_ready = Signal(str, object)
    model_failed = Signal(str, str, str)
    stopped = Signal()

    def __init__(self, settings: Settings, resolve: Resolver = registry.resolve, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # A copy: the worker must not see the GUI thread editing settings.
        self._settings = dataclasses.replace(settings)
        self._resolve = resolve
        self._thread: QThread | None = None
        self._worker: ModelStatusWorker | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = QThread(self)
        self._thread.setObjectName("mockloop-model-status")
        self._worker = ModelStatusWorker(self._settings, self._resolve)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.resolved.connect(self._on_resolved)
        self._worker.failed.connect(self._on_failed)
        self._worker.finished.connect(self._thread.quit)
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def stop(self) -> bool:
        """Ask the worker to stop; True if nothing is running (else `stopped` follows)."""
        if not self.is_running():
            return True
        self._thread.requestInterruption()
        return False

    def wait(self, msecs: int) -> bool:
        """Join the thread (for shutdown paths that cannot wait for `stopped`)."""
        return self._thread is None or self._thread.wait(msecs)

    @Slot(str, object)
    def _on_resolved(self, role: str, info: object) -> None:
        self.model_ready.emit(role, info)

    @Slot(str, str, str)
    def _on_failed(self, role: str, problem: str, fix: str) -> None:
        self.model_failed.emit(role, problem, fix)

    @Slot()
    def _on_thread_finished(self) -> None:
        # The worker is Python-owned (no parent): dropping it here deletes it on the GUI
        # thread once its own thread has ended, which is safe; deleteLater would double-free.
        self._worker = None
        self.stopped.emit()


class ModelStatusPanel(Card):
    """One row per model role: an icon, the model's name and where it came from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Model status")
        grid = QGridLayout()
        grid.setHorizontalSpacing(self.fontMetrics().height() // 2)
        grid.setColumnStretch(2, 1)
        self._icons: dict[str, QLabel] = {}
        self._texts: dict[str, QLabel] = {}
        self._states: dict[str, str] = {}
        for row, role in enumerate(registry.ROLES):
            icon = QLabel(self)
            name = QLabel(ROLE_LABELS[role], self)
            name.setFont(theme.scaled_font(name, bold=True))
            text = theme.plain("Checking…", self)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setAccessibleName(f"{ROLE_LABELS[role]} status")
            grid.addWidget(icon, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(name, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(text, row, 2)
            self._icons[role], self._texts[role] = icon, text
            self._states[role] = "checking"
            self._set_icon(role, QStyle.StandardPixmap.SP_BrowserReload)
        self.body.addLayout(grid)
        self.banner = Banner(Severity.WARNING, self)
        self.banner.setAccessibleName("Model problems")
        self.body.addWidget(self.banner)
        self._problems: dict[str, tuple[str, str]] = {}

    def _set_icon(self, role: str, pixmap: QStyle.StandardPixmap) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        self._icons[role].setPixmap(self.style().standardIcon(pixmap, None, self).pixmap(size, size))

    def state(self, role: str) -> str:
        """'checking', 'ready' or 'failed'."""
        return self._states[role]

    def status_text(self, role: str) -> str:
        return self._texts[role].text()

    def ready_count(self) -> int:
        return sum(1 for s in self._states.values() if s == "ready")

    def show_checking(self, role: str) -> None:
        """Back to "Checking…" (the models were changed in Settings)."""
        self._texts[role].setText("Checking…")
        self._texts[role].setToolTip("")
        self._states[role] = "checking"
        self._set_icon(role, QStyle.StandardPixmap.SP_BrowserReload)
        self._problems.pop(role, None)
        self._refresh_banner()

    @Slot(str, object)
    def show_ready(self, role: str, info: object) -> None:
        assert isinstance(info, ModelInfo)
        mb = info.size_bytes / 1_000_000
        self._texts[role].setText(f"{info.name}\n{info.source} · {mb:,.0f} MB")
        self._texts[role].setToolTip(str(info.path))
        self._states[role] = "ready"
        self._set_icon(role, QStyle.StandardPixmap.SP_DialogApplyButton)
        self._problems.pop(role, None)
        self._refresh_banner()

    @Slot(str, str, str)
    def show_failed(self, role: str, problem: str, fix: str) -> None:
        self._texts[role].setText("Not available (see below)")
        self._texts[role].setToolTip(problem)
        self._states[role] = "failed"
        self._set_icon(role, QStyle.StandardPixmap.SP_MessageBoxWarning)
        self._problems[role] = (problem, fix)
        self._refresh_banner()

    def _refresh_banner(self) -> None:
        if not self._problems:
            self.banner.clear()
            return
        items = "".join(
            f"<p><b>{html.escape(ROLE_LABELS[role])}:</b> {html.escape(problem)}<br>{html.escape(fix)}</p>"
            for role, (problem, fix) in self._problems.items()
        )
        plain = " ".join(f"{ROLE_LABELS[r]}: {p} {f}" for r, (p, f) in self._problems.items())
        self.banner.show_message(items, plain)
