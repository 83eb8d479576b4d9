"""Review: past sessions listed; one replayed turn by turn with its words lit as they play; exported or deleted."""

from __future__ import annotations

import html
from functools import partial
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QStandardPaths, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mockloop.engine.audio.base import AudioOut
from mockloop.engine.bank import BankSet
from mockloop.engine.export.output import default_name
from mockloop.engine.store import Session, SessionSummary
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.cards import Banner, Severity
from mockloop.ui.review.detail import SessionDetail
from mockloop.ui.review.parts import (
    EXPORTS, SessionList, delete_session, export_session, load_session, load_summaries, local_time,
)
SKIP_SECONDS = 5.0


def speaker_factory(output_device: str = "") -> Callable[[], AudioOut]:
    """The real speaker, opened when first needed (on a pool thread: finding the device can take a moment)."""
    def make() -> AudioOut:
        from mockloop.engine.audio.output import SoundDeviceOut

        return SoundDeviceOut(output_device or None)
    return make


class ReviewView(QWidget):
    """The session list beside the chosen session: its turns, their playback and the export and delete actions."""

    title = "Review"
    practice_requested = Signal(str)  # question id: "Practice this again"
    status_message = Signal(str)  # a short line for the window's status bar
    sessions_changed = Signal()  # a session was deleted
    exported = Signal(str)  # path of a finished export

    def __init__(self, parent: QWidget | None = None, *, audio_out_factory: Callable[[], AudioOut] | None = None,
                 output_device: str = "", banks: BankSet | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Review")
        self.banks = banks
        self.summaries: list[SessionSummary] = []
        self._wanted: str | None = None  # the session whose details are loading or shown
        self._pending_show: str | None = None
        self._list_token = 0  # answers to older list requests are dropped
        self._list_error = ""
        self._export_dir: Path | None = None
        em = self.fontMetrics().height()

        page = QVBoxLayout(self)
        page.setContentsMargins(em * 2, em * 3 // 2, em * 2, em)
        page.setSpacing(em)
        top = QHBoxLayout()
        top.addWidget(theme.heading("Past sessions", self, 1.35))
        self.count_label = theme.muted("", self)
        self.count_label.setAccessibleName("Number of sessions")
        top.addWidget(self.count_label, 1, Qt.AlignmentFlag.AlignBottom)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.refresh_button.setAccessibleName("Refresh the session list")
        self.refresh_button.setToolTip("Reload the session list (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        page.addLayout(top)
        self.error_banner = Banner(Severity.WARNING, self)
        self.error_banner.setAccessibleName("Problem")
        page.addWidget(self.error_banner)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        page.addWidget(splitter, 1)
        left = QWidget(splitter)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        self.sessions = SessionList(left)
        self.sessions.currentItemChanged.connect(self._on_session_picked)
        column.addWidget(self.sessions, 1)
        self.empty_label = theme.muted("No sessions yet. Practise a question or run a mock interview, and it appears "
                                       "here to replay, export or delete.", left)
        self.empty_label.setFont(theme.scaled_font(self.empty_label, 1.1))
        self.empty_label.setAccessibleName("No sessions")
        column.addWidget(self.empty_label)
        column.addStretch(0)
        splitter.addWidget(left)
        self._own_speaker = audio_out_factory is None  # else tests or scripts chose the output
        self.detail = SessionDetail(audio_out_factory or speaker_factory(output_device), splitter)
        self.player = self.detail.player
        self.detail.practice_requested.connect(self.practice_requested)
        self.detail.delete_button.clicked.connect(self.delete_current)
        for button in self.detail.export_buttons.values():
            button.clicked.connect(self._on_export)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([em * 28, em * 50])
        self._build_shortcuts()
        self._show_list([])
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # the speaker is released even if nobody calls shutdown()

    # ---- building ----------------------------------------------------------------------------------

    def _build_shortcuts(self) -> None:
        for keys, slot in ((Qt.Key.Key_Space, self._on_space), (QKeySequence.StandardKey.Delete, self.delete_current),
                           (QKeySequence.StandardKey.Refresh, self.refresh),
                           ("Ctrl+Right", self._skip_forward), ("Ctrl+Left", self._skip_back)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # ---- the list ----------------------------------------------------------------------------------

    def set_banks(self, banks: BankSet | None) -> None:
        """Banks name the personas and questions, and give exports their radar."""
        self.banks = banks
        self._show_list(self.summaries)

    @Slot()
    def refresh(self) -> None:
        """Reload the session list in the background."""
        self._list_token += 1
        run_in_background(partial(load_summaries, self._list_token), self._on_sessions_loaded, self._on_list_failed)

    @Slot(object)
    def _on_sessions_loaded(self, answer: tuple[int, list[SessionSummary]]) -> None:
        token, summaries = answer
        if token != self._list_token:
            return
        if self._list_error and self.error_banner.accessibleDescription() == self._list_error:
            self.error_banner.clear()
        self._list_error = ""
        self._show_list(summaries)
        wanted = self._pending_show or self._wanted
        self._pending_show = None
        if wanted and self.sessions.select_id(wanted):
            return
        if self._wanted and wanted != self._wanted:
            return
        if self.sessions.topLevelItemCount():
            self.sessions.setCurrentItem(self.sessions.topLevelItem(0))
        else:
            self._wanted = None
            self.detail.show_session(None)

    @Slot(str)
    def _on_list_failed(self, sentence: str) -> None:
        self._list_error = sentence
        self._on_load_failed(sentence)

    @Slot(str)
    def _on_load_failed(self, sentence: str) -> None:
        self.error_banner.show_message(html.escape(sentence), sentence)

    def _show_list(self, summaries: list[SessionSummary]) -> None:
        self.summaries = list(summaries)
        self.sessions.set_summaries(self.summaries, self.banks)
        if self._wanted:
            item = self.sessions.item_for(self._wanted)
            if item is not None:
                self.sessions.blockSignals(True)
                self.sessions.setCurrentItem(item)
                self.sessions.blockSignals(False)
        empty = not self.summaries
        self.sessions.setVisible(not empty)
        self.empty_label.setVisible(empty)
        interrupted = sum(1 for s in self.summaries if s.interrupted)
        count = f"{len(self.summaries)} session{'s' if len(self.summaries) != 1 else ''}"
        self.count_label.setText(f"{count} · {interrupted} interrupted" if interrupted else count)

    def show_session(self, session_id: str) -> None:
        """Select and show a session (reloading the list first when it is not listed yet)."""
        if not self.sessions.select_id(session_id):
            self._pending_show = session_id
            self.refresh()

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_session_picked(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        session_id = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        if session_id is None or session_id == self._wanted:
            return
        self._wanted = session_id
        run_in_background(partial(load_session, session_id), self._on_session_loaded, self._on_load_failed)

    @Slot(object)
    def _on_session_loaded(self, session: Session) -> None:
        if session.id == self._wanted:
            self.detail.show_session(session, self.banks)

    @property
    def session(self) -> Session | None:
        """The session shown on the right, once loaded."""
        return self.detail.session

    # ---- keys --------------------------------------------------------------------------------------

    @Slot()
    def _on_space(self) -> None:
        focus = QApplication.focusWidget()
        if isinstance(focus, QAbstractButton) and self.isAncestorOf(focus):
            focus.animateClick()  # Space still presses the focused button
        else:
            self.player.toggle_answer()

    @Slot()
    def _skip_forward(self) -> None:
        self.player.skip(SKIP_SECONDS)

    @Slot()
    def _skip_back(self) -> None:
        self.player.skip(-SKIP_SECONDS)

    # ---- export ------------------------------------------------------------------------------------

    @Slot()
    def _on_export(self) -> None:
        kind = self.sender().property("export_kind")
        if self.session is None or kind not in EXPORTS:
            return
        text, file_filter, suffix = EXPORTS[kind]
        folder = self._export_dir or Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
                                          or Path.home())
        chosen, _ = QFileDialog.getSaveFileName(self, f"Export session as {text.replace('&', '')}",
                                                str(folder / default_name(self.session.id, kind)), file_filter)
        if chosen:
            path = Path(chosen)
            self.export_to(kind, path if path.suffix.lower() == suffix else path.with_name(path.name + suffix))

    def export_to(self, kind: str, path: Path | str) -> None:
        """Write the shown session to `path` in the background (the save dialog has asked about replacing it)."""
        if self.session is None:
            return
        path = Path(path)
        self._export_dir = path.parent
        self.detail.set_exporting(True)
        self.error_banner.clear()
        self.status_message.emit(f"Exporting to {path.name}…")
        run_in_background(partial(export_session, kind, self.session.id, path, self.banks), self._on_exported,
                          self._on_export_failed)

    @Slot(object)
    def _on_exported(self, path: Path) -> None:
        self.detail.set_exporting(False)
        self.detail.show_export(path)
        self.status_message.emit(f"Saved {Path(path).name}")
        self.exported.emit(str(path))

    @Slot(str)
    def _on_export_failed(self, sentence: str) -> None:
        self.detail.set_exporting(False)
        self.error_banner.show_message(html.escape(sentence), sentence)
        self.status_message.emit("Export failed")

    # ---- delete ------------------------------------------------------------------------------------

    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (tests replace this method)."""
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def delete_current(self) -> None:
        """Delete the shown session after asking."""
        if self.session is None:
            return
        when = local_time(self.session.started_at)
        if self.confirm("Delete session?", f"Delete the session of {when} with its recordings and scores? "
                                           "This cannot be undone."):
            self.delete_session(self.session.id)

    def delete_session(self, session_id: str) -> None:
        """Delete without asking, in the background; the list reloads afterwards."""
        if self.session is not None and self.session.id == session_id:
            self.player.pause()  # its recordings are about to go
        run_in_background(partial(delete_session, session_id), self._on_deleted, self._on_load_failed)

    @Slot(object)
    def _on_deleted(self, session_id: str) -> None:
        if self._wanted == session_id:
            self._wanted = None
            self.detail.show_session(None)
        self.status_message.emit("Session deleted")
        self.sessions_changed.emit()
        self.refresh()

    # ---- lifetime ----------------------------------------------------------------------------------

    @Slot()
    def set_output_device(self, output_device: str) -> None:
        """The speaker chosen in Settings: playback moves to it (an injected output is kept)."""
        if self._own_speaker:
            self.detail.player.set_make_out(speaker_factory(output_device))

    def shutdown(self) -> None:
        """Stop playback and release the speaker; call when the window closes."""
        self.player.shutdown()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.refresh()  # sessions may have been added since the view was last shown
