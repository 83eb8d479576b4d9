"""Pieces of the Review view: the jobs it runs off the GUI thread, labels for sessions and turns, the session list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from mockloop.engine.audio.base import AudioOut
from mockloop.engine.bank import BankSet
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.export import build_report, render_html, render_markdown, write_private
from mockloop.engine.export.asking import ExchangeLine, exchange_lines
from mockloop.engine.audio.playback import Clip, PlaybackError, load_clip
from mockloop.engine.store import (
    Session, SessionMode, SessionStatus, SessionStore, SessionSummary, Turn, TurnKind, TurnStatus, default_path, files,
)

SESSION_ROLE = Qt.ItemDataRole.UserRole

# kind -> (button text with its mnemonic, file-dialog filter, extension)
EXPORTS = {
    "md": ("&Markdown", "Markdown (*.md)", ".md"),
    "html": ("&HTML", "Web page (*.html)", ".html"),
    "pdf": ("&PDF", "PDF document (*.pdf)", ".pdf"),
}
MODE_LABELS = {SessionMode.PRACTICE: "Practice", SessionMode.LOOP: "Full loop"}
STATUS_LABELS = {SessionStatus.FINISHED: "Finished", SessionStatus.INTERRUPTED: "Interrupted",
                 SessionStatus.IN_PROGRESS: "In progress"}
TURN_STATUS_NOTES = {TurnStatus.SKIPPED: "skipped", TurnStatus.INTERRUPTED: "interrupted",
                     TurnStatus.RECORDING: "still recording"}


# ---- jobs (run on the thread pool; each opens its own store) -------------------------------------

def load_summaries(token: int = 0) -> tuple[int, list[SessionSummary]]:
    """Every session, newest first, tagged with the caller's request number."""
    with SessionStore.open() as store:
        return token, store.list_sessions(None)


def load_session(session_id: str) -> Session:
    with SessionStore.open() as store:
        return store.get_session(session_id)


def delete_session(session_id: str) -> str:
    with SessionStore.open() as store:
        store.delete_session(session_id)
    return session_id


def export_session(kind: str, session_id: str, path: Path, banks: BankSet | None) -> Path:
    """Write one session as Markdown, HTML or PDF to `path` (the save dialog already asked about replacing it)."""
    with SessionStore.open() as store:
        report = build_report(store, session_id, banks)
    if kind == "md":
        return write_private(path, render_markdown(report).encode("utf-8"), overwrite=True)
    if kind == "html":
        return write_private(path, render_html(report).encode("utf-8"), overwrite=True)
    if kind == "pdf":
        from mockloop.ui.review.pdf_export import write_pdf

        return write_pdf(report, path, overwrite=True)
    raise ValueError(f"unknown export kind {kind!r}")


@dataclass(frozen=True)
class TurnAudio:
    """What a turn's recordings loaded to: a clip, or a sentence saying why there is none."""

    turn_id: int
    out: AudioOut | None
    out_problem: str
    answer: Clip | None
    answer_problem: str
    question: Clip | None
    question_problem: str
    typed: bool = False  # the answer was typed: no recording is expected
    # The interviewer's spoken replies by exchange (index into `exchange_lines(turn.exchanges)`), and why one could not load.
    replies: dict[int, Clip] = field(default_factory=dict)
    reply_problems: dict[int, str] = field(default_factory=dict)


def session_folder(session_id: str) -> Path:
    """Where a stored session's recordings and reply WAVs live (in the default store, which Review shows)."""
    return files.session_dir(default_path().parent, session_id)


def reply_paths(exchanges: list[ExchangeLine], folder: Path | None) -> dict[int, Path]:
    """Exchange index -> its reply WAV (a bare name in the session's folder), for the exchanges that name one."""
    if folder is None:
        return {}
    return {i: folder / Path(x.reply_audio).name for i, x in enumerate(exchanges) if x.reply_audio}


def load_turn_audio(turn: Turn, out: AudioOut | None, make_out: Callable[[], AudioOut],
                    folder: Path | None = None) -> TurnAudio:
    """Open the speaker (the first time) and decode the recordings of a turn at its rate (the replies' from `folder`)."""
    problem = ""
    if out is None:
        try:
            out = make_out()
            opener = getattr(out, "open", None)
            if opener is not None:
                opener()  # a speaker stream opens here, not on the GUI thread at the first Play
        except MockloopError as exc:
            out, problem = None, str(exc)
    rate = getattr(out, "device_rate", 0) or None
    typed = not _timed(turn) and (turn.candidate_audio is None or not turn.candidate_audio.is_file())
    if typed:
        answer, answer_problem = None, "This answer was typed, so there is no recording to play."
    else:
        answer, answer_problem = _clip(turn.candidate_audio, rate, "answer recording")
    if turn.interviewer_audio is None:
        question, question_problem = None, "The question's audio was not kept for this turn."
    else:
        question, question_problem = _clip(turn.interviewer_audio, rate, "question recording")
    replies, reply_problems = {}, {}
    for index, path in reply_paths(exchange_lines(turn.exchanges), folder).items():
        if path.is_file():  # a reply whose WAV is gone is shown as text only
            replies[index], reply_problems[index] = _clip(path, rate, "interviewer's reply")
    replies = {i: clip for i, clip in replies.items() if clip is not None}
    return TurnAudio(turn.id, out, problem, answer, answer_problem, question, question_problem, typed, replies,
                     {i: text for i, text in reply_problems.items() if text})


def _clip(path: Path | None, rate: int | None, what: str) -> tuple[Clip | None, str]:
    try:
        return load_clip(path, rate, what=what), ""
    except PlaybackError as exc:
        return None, str(exc)


def _timed(turn: Turn) -> bool:
    return any(w.start is not None for w in turn.words)


# ---- labels ------------------------------------------------------------------------------------

def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return (moment.astimezone() if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def persona_name(banks: BankSet | None, bank_id: str, persona_id: str) -> str:
    if banks is not None:
        try:
            return banks.bank(bank_id).persona(persona_id).name
        except KeyError:
            pass
    return persona_id.replace("-", " ").replace("_", " ").title()


def score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.0f}"


def clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def shorten(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def turn_title(turn: Turn, number: int) -> str:
    """`number` counts question turns; a follow-up is shown under its question."""
    text = shorten(turn.interviewer_text or turn.question_id)
    note = TURN_STATUS_NOTES.get(turn.status)
    suffix = f" · {note}" if note else ""
    if turn.kind is TurnKind.FOLLOWUP:
        return f"    ↳ Follow-up: {text}{suffix}"
    attempt = f" · attempt {turn.attempt}" if turn.attempt > 1 else ""
    return f"{number}. {text} · {score_text(turn.overall)}{attempt}{suffix}"


def session_score(session: Session) -> float | None:
    scores = [t.overall for t in session.turns if t.kind is TurnKind.QUESTION and t.overall is not None]
    return sum(scores) / len(scores) if scores else None


# ---- the session list --------------------------------------------------------------------------

class _SessionItem(QTreeWidgetItem):
    """A session row that sorts by value: dates by time, scores as numbers (unscored below every score)."""

    def __init__(self, texts: list[str], keys: tuple) -> None:
        super().__init__(texts)
        self.keys = keys

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        tree = self.treeWidget()
        column = tree.sortColumn() if tree is not None else 0
        if isinstance(other, _SessionItem):
            return (self.keys[column], self.keys[0]) < (other.keys[column], other.keys[0])
        return self.text(column) < other.text(column)  # (QTreeWidgetItem.__lt__ would call back here)


class SessionList(QTreeWidget):
    """Sessions, newest first until a header is clicked: date, mode, persona, score and status.

    Interrupted sessions carry a warning icon. Clicking a header sorts by that column
    (dates by time, scores by value, unscored sessions below the lowest score).
    """

    HEADERS = ("Date", "Mode", "Persona", "Score", "Status")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sessions")
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHeaderLabels(list(self.HEADERS))
        header = self.header()
        header.setStretchLastSection(False)
        for column in range(len(self.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.DescendingOrder)

    def set_summaries(self, summaries: list[SessionSummary], banks: BankSet | None) -> None:
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning, None, self)
        self.blockSignals(True)
        self.setSortingEnabled(False)  # sort once at the end, not on every insert
        self.clear()
        for summary in summaries:
            status = STATUS_LABELS.get(summary.status, summary.status.value)
            persona = persona_name(banks, summary.bank_id, summary.persona_id)
            mode = MODE_LABELS.get(summary.mode, summary.mode.value)
            score = summary.overall_average
            keys = (summary.started_at.timestamp(), mode.casefold(), persona.casefold(),
                    -1.0 if score is None else float(score), status.casefold())
            item = _SessionItem([local_time(summary.started_at), mode, persona, score_text(score), status], keys)
            item.setData(0, SESSION_ROLE, summary.id)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if summary.interrupted:
                item.setIcon(4, warning)
                item.setToolTip(4, "The app closed during this session; what was recorded is kept.")
            answered = f"{summary.turn_count} question{'s' if summary.turn_count != 1 else ''}"
            item.setToolTip(0, f"{answered}, {summary.scored_count} scored · session {summary.id}")
            spoken = (f"{item.text(0)}, {item.text(1)}, {persona}, score {item.text(3)}, {status}, {answered}")
            for column in range(len(self.HEADERS)):
                item.setData(column, Qt.ItemDataRole.AccessibleTextRole, spoken)
            self.addTopLevelItem(item)
        self.setSortingEnabled(True)  # re-sorts by the column the user last chose
        self.blockSignals(False)

    def ids(self) -> list[str]:
        return [self.topLevelItem(i).data(0, SESSION_ROLE) for i in range(self.topLevelItemCount())]

    def select_id(self, session_id: str) -> bool:
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item.data(0, SESSION_ROLE) == session_id:
                self.setCurrentItem(item)
                self.scrollToItem(item)
                return True
        return False

    def current_id(self) -> str | None:
        item = self.currentItem()
        return item.data(0, SESSION_ROLE) if item is not None else None

    def item_for(self, session_id: str) -> QTreeWidgetItem | None:
        for i in range(self.topLevelItemCount()):
            if self.topLevelItem(i).data(0, SESSION_ROLE) == session_id:
                return self.topLevelItem(i)
        return None
