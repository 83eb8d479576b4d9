"""The right side of Review: one session's header, export and delete buttons, its turns and the turn player."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QStyle, QVBoxLayout, QWidget

from mockloop.engine.audio.base import AudioOut
from mockloop.engine.bank import BankSet
from mockloop.engine.store import Session, SessionStatus, Turn, TurnKind
from mockloop.engine.coding.results import CodeRun
from mockloop.engine.coding.timeline import EditTimeline
from mockloop.ui.coding.replay import CodeReplay
from mockloop.ui.common import theme
from mockloop.ui.common.cards import Banner, Severity
from mockloop.ui.review.parts import (
    EXPORTS, MODE_LABELS, clock, local_time, persona_name, score_text, session_folder, session_score, turn_title,
)
from mockloop.ui.review.transcript_player import TranscriptPlayer

TURN_ROLE = Qt.ItemDataRole.UserRole


class SessionDetail(QWidget):
    """Shows one Session (or a placeholder); the view connects its buttons to the actions."""

    practice_requested = Signal(str)  # question id of the chosen turn

    def __init__(self, make_out: Callable[[], AudioOut], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Session details")
        self.session: Session | None = None
        self.last_export: Path | None = None
        em = self.fontMetrics().height()
        column = QVBoxLayout(self)
        column.setContentsMargins(em, 0, 0, 0)
        column.setSpacing(round(em * 0.6))
        self.placeholder = theme.muted("Pick a session to replay its answers.", self)
        column.addWidget(self.placeholder)
        self.body = QWidget(self)
        column.addWidget(self.body, 1)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(round(em * 0.6))
        self.session_title = theme.plain("", self.body)
        self.session_title.setFont(theme.scaled_font(self.session_title, 1.25, bold=True))
        self.session_title.setAccessibleName("Session")
        body.addWidget(self.session_title)
        self.session_meta = theme.muted("", self.body)
        self.session_meta.setAccessibleName("About this session")
        body.addWidget(self.session_meta)
        self.interrupted_banner = Banner(Severity.WARNING, self.body)
        self.interrupted_banner.setAccessibleName("Interrupted session")
        body.addWidget(self.interrupted_banner)
        body.addLayout(self._build_actions())
        self.export_banner = Banner(Severity.INFO, self.body)
        self.export_banner.setAccessibleName("Export")
        self.open_folder_button = QPushButton("Open containing folder", self.export_banner)
        self.open_folder_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon))
        self.open_folder_button.setAccessibleName("Open containing folder")
        self.open_folder_button.clicked.connect(self.open_export_folder)
        self.export_banner.body.addWidget(self.open_folder_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.export_banner)

        body.addWidget(theme.heading("Turns", self.body, 1.05))
        self.turns = QListWidget(self.body)
        self.turns.setAccessibleName("Turns")
        self.turns.currentItemChanged.connect(self._on_turn_picked)
        body.addWidget(self.turns)
        row = QHBoxLayout()
        self.turn_meta = theme.muted("", self.body)
        self.turn_meta.setAccessibleName("About this turn")
        row.addWidget(self.turn_meta, 1)
        self.again_button = QPushButton("P&ractice this again", self.body)
        self.again_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.again_button.setAccessibleName("Practice this question again")
        self.again_button.setToolTip("Practise this turn's question now (Alt+R)")
        self.again_button.clicked.connect(self._on_again)
        row.addWidget(self.again_button)
        body.addLayout(row)
        self.player = TranscriptPlayer(make_out, self.body)
        body.addWidget(self.player, 1)
        # A coding turn: the code as it was at each moment of the recording follows the player.
        self.code_replay = CodeReplay(self.body)
        self.code_replay.setAccessibleName("Code as it was written")
        self.code_replay.hide()
        self.player.position_changed.connect(self.code_replay.show_time)
        body.addWidget(self.code_replay, 1)
        self.show_session(None)

    def _build_actions(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        actions.addWidget(QLabel("Export:", self.body))
        self.export_buttons: dict[str, QPushButton] = {}
        for kind, (text, _filter, _suffix) in EXPORTS.items():
            button = QPushButton(text, self.body)
            plain = text.replace("&", "")
            button.setAccessibleName(f"Export as {plain}")
            button.setToolTip(f"Save this session as {plain} (Alt+{plain[0]})")
            button.setProperty("export_kind", kind)
            actions.addWidget(button)
            self.export_buttons[kind] = button
        actions.addStretch(1)
        self.delete_button = QPushButton("&Delete session…", self.body)
        self.delete_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.delete_button.setAccessibleName("Delete session")
        self.delete_button.setToolTip("Delete this session and its recordings (Delete)")
        actions.addWidget(self.delete_button)
        return actions

    # ---- showing -----------------------------------------------------------------------------------

    def show_session(self, session: Session | None, banks: BankSet | None = None) -> None:
        self.session = session
        self.placeholder.setVisible(session is None)
        self.body.setVisible(session is not None)
        self.export_banner.clear()
        self.turns.blockSignals(True)
        self.turns.clear()
        self.turns.blockSignals(False)
        if session is None:
            self.player.show_turn(None)
            return
        people = persona_name(banks, session.bank_id, session.persona_id)
        self.session_title.setText(f"{MODE_LABELS.get(session.mode, session.mode.value)} with {people}")
        questions = [t for t in session.turns if t.kind is TurnKind.QUESTION]
        parts = [local_time(session.started_at), f"{len(questions)} question{'s' if len(questions) != 1 else ''}",
                 f"score {score_text(session_score(session))}", _bank_name(banks, session.bank_id)]
        self.session_meta.setText(" · ".join(p for p in parts if p))
        if session.status is SessionStatus.INTERRUPTED:
            when = f" at {local_time(session.interrupted_at)}" if session.interrupted_at else ""
            rest = f"{when}: the app closed during this session. Everything recorded up to then is kept."
            self.interrupted_banner.show_message(f"<b>Interrupted</b>{html.escape(rest)}", f"Interrupted{rest}")
        else:
            self.interrupted_banner.clear()
        number = 0
        for turn in session.turns:
            number += turn.kind is TurnKind.QUESTION
            item = QListWidgetItem(turn_title(turn, number))
            item.setData(TURN_ROLE, turn.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text().strip())
            item.setToolTip(turn.interviewer_text)
            self.turns.addItem(item)
        self._fit_turns()
        if self.turns.count():
            self.turns.setCurrentRow(0)
        else:
            self.player.show_turn(None)
            self.turn_meta.setText("No answers were recorded in this session.")
            self.again_button.setEnabled(False)

    def _fit_turns(self) -> None:
        """As tall as its rows, up to six; longer sessions scroll."""
        rows = min(max(self.turns.count(), 1), 6)
        row = self.turns.sizeHintForRow(0) if self.turns.count() else self.fontMetrics().height() + 4
        self.turns.setFixedHeight(rows * row + 2 * self.turns.frameWidth() + 2)

    def current_turn(self) -> Turn | None:
        item = self.turns.currentItem()
        if item is None or self.session is None:
            return None
        return next((t for t in self.session.turns if t.id == item.data(TURN_ROLE)), None)

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_turn_picked(self, _current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        turn = self.current_turn()
        self.player.show_turn(turn, session_folder(self.session.id) if self.session is not None else None)
        self._show_code(turn)
        self.again_button.setEnabled(turn is not None and bool(turn.question_id))
        if turn is None:
            self.turn_meta.setText("")
            return
        parts = ["Follow-up" if turn.kind is TurnKind.FOLLOWUP else f"Attempt {turn.attempt}",
                 turn.status.value.replace("_", " ").capitalize()]
        if turn.kind is TurnKind.QUESTION:
            parts.append(f"score {score_text(turn.overall)}")
        if turn.audio_seconds:
            parts.append(f"{clock(turn.audio_seconds)} of audio")
        self.turn_meta.setText(" · ".join(parts))

    def _show_code(self, turn: Turn | None) -> None:
        code = turn.code if turn is not None else {}
        if not code:
            self.code_replay.hide()
            return
        timeline = EditTimeline.from_dict(code.get("timeline")) if code.get("timeline") else EditTimeline(code.get("final", ""))
        self.code_replay.set_timeline(timeline, [CodeRun.from_dict(r) for r in turn.code_runs])
        self.code_replay.show_time(0.0)
        self.code_replay.show()

    @Slot()
    def _on_again(self) -> None:
        turn = self.current_turn()
        if turn is not None and turn.question_id:
            self.practice_requested.emit(turn.question_id)

    # ---- exports -----------------------------------------------------------------------------------

    def set_exporting(self, busy: bool) -> None:
        for button in self.export_buttons.values():
            button.setEnabled(not busy)
        if busy:
            self.export_banner.clear()

    def show_export(self, path: Path) -> None:
        self.last_export = Path(path)
        self.export_banner.show_message(f"Saved to <b>{html.escape(str(path))}</b>", f"Saved to {path}")

    @Slot()
    def open_export_folder(self) -> None:
        if self.last_export is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_export.parent)))


def _bank_name(banks: BankSet | None, bank_id: str) -> str:
    if banks is not None:
        try:
            return banks.bank(bank_id).company.name
        except KeyError:
            pass
    return bank_id
