"""`CodeReplay`: Review's read-only view of the code as it was at a moment of the recording, and the last run before it."""

from __future__ import annotations

import bisect

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from mockloop.engine.coding.results import CodeRun, RunStatus
from mockloop.engine.coding.timeline import EditTimeline
from mockloop.ui.coding.editor import CodeEditor
from mockloop.ui.coding.text_edits import diff, utf16_length
from mockloop.ui.common import theme

NOT_RUN = "Not run yet."


def run_time(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def run_status(run: CodeRun | None) -> str:
    """One line for the last run: "Run at 0:42: 5 of 7 tests passed"."""
    if run is None:
        return NOT_RUN
    result = run.result
    if result.status in (RunStatus.PASSED, RunStatus.FAILED) and result.total:
        told = f"{result.passed} of {result.total} tests passed"
    else:
        told = result.summary.rstrip(".") or result.status.value
    return f"Run at {run_time(run.offset_s)}: {told}"


class CodeReplay(QWidget):
    """The code at any time of a turn; cheap to call on every tick of the player (nothing is redone when unchanged)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Code replay")
        self.timeline = EditTimeline()
        self.runs: list[CodeRun] = []
        self._run_times: list[float] = []
        self._shown_text = ""
        self._shown_run: CodeRun | None = None
        em = self.fontMetrics().height()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(em // 3)
        self.editor = CodeEditor(self)
        self.editor.set_read_only(True)
        self.status_label = theme.muted(NOT_RUN, self)
        self.status_label.setAccessibleName("Last run")
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status_label)

    def set_timeline(self, timeline: EditTimeline, runs: list[CodeRun]) -> None:
        """A turn's edits and runs; shows its starter until `show_time` is called."""
        self.timeline = timeline
        self.runs = sorted(runs, key=lambda r: r.offset_s)
        self._run_times = [r.offset_s for r in self.runs]
        self._shown_text = timeline.starter
        self.editor.setPlainText(timeline.starter)
        self._shown_run = None
        self.status_label.setText(NOT_RUN)

    def show_time(self, seconds: float) -> None:
        """Show the code as it was `seconds` into the recording, and the last run by then."""
        text = self.timeline.text_at(seconds)
        if text != self._shown_text:
            self._replace(text)
        index = bisect.bisect_right(self._run_times, seconds)
        run = self.runs[index - 1] if index else None
        if run is not self._shown_run:
            self._shown_run = run
            self.status_label.setText(run_status(run))

    def text(self) -> str:
        return self.editor.toPlainText()

    def _replace(self, text: str) -> None:
        # Only the changed span is replaced: the scroll stays put, only those lines are re-highlighted,
        # and the cursor lands on the change so the view follows the last edit.
        old = self._shown_text
        change = diff(old, text)
        self._shown_text = text
        if change is None:
            return
        start = utf16_length(old[: change.position])  # Qt positions count UTF-16 units
        end = start + utf16_length(old[change.position: change.position + change.removed])
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(change.inserted)
        if self.editor.toPlainText() != text:
            self.editor.setPlainText(text)  # the document normalised something; show the timeline's text as is
            cursor = QTextCursor(self.editor.document())
            cursor.setPosition(min(start, self.editor.document().characterCount() - 1))
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()
