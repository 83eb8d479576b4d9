"""`CodePad`: the coding round's editor over the Run button and the results; every edit and run goes to a `CodeSession`.

Edits are recorded as Python-string diffs of the whole text on `textChanged`, not from Qt's
`contentsChange`, whose positions count UTF-16 units: one emoji would shift every later edit.
The tests run in the sandbox on a pool thread, which also records the run in the session (its
listeners store it there); the GUI thread only shows the result.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol, Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from mockloop.engine.coding.results import CodeRun, RunResult, RunStatus
from mockloop.engine.coding.sandbox import run_tests
from mockloop.engine.coding.session import CodeSession
from mockloop.ui.coding.editor import CodeEditor
from mockloop.ui.coding.results_panel import RunResultsPanel
from mockloop.ui.coding.text_edits import diff
from mockloop.ui.common import theme
from mockloop.ui.common.background import run_in_background

RUN_LABEL = "Run tests (Ctrl+Enter)"
RUN_TIP = "Run your code against the hidden tests (Ctrl+Enter)"
RUN_SHORTCUTS = ("Ctrl+Return", "Ctrl+Enter")  # the main Enter key and the keypad's


class PadTask(Protocol):
    """What the pad needs of a question's coding section (the bank's `CodingTask`)."""

    function: str
    starter: str
    cases: Sequence[Any]


def run_and_record(generation: int, session: CodeSession, code: str, function: str, cases: Sequence[Any],
                   offset_s: float) -> tuple[int, RunResult]:
    """On a pool thread: run the tests, record the run in the session, and return it tagged with the pad's load."""
    try:
        result = run_tests(code, function, list(cases))
    except Exception as exc:  # noqa: BLE001 - the sandbox reports its own failures; this keeps a surprise readable
        result = RunResult(RunStatus.UNAVAILABLE, f"Your tests could not be run: {exc}")
    session.add_run(CodeRun(offset_s, code, result))
    return generation, result


class CodePad(QWidget):
    """The editor, a Run row with a hint, and the last run's results; `load` a question, `clear` for none."""

    run_started = Signal()
    run_finished = Signal(object)  # the RunResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Code pad")
        self.question_id = ""
        self.task: PadTask | None = None
        self.session: CodeSession | None = None
        self.running = False
        self._generation = 0  # bumped by load and clear, so a run of an earlier question is not shown
        self._last_text = ""
        em = self.fontMetrics().height()

        self.editor = CodeEditor(self)
        self.run_button = theme.PrimaryButton(RUN_LABEL, self)
        self.run_button.setToolTip(RUN_TIP)
        self.run_button.setAccessibleName("Run tests")
        self.hint_label = theme.muted("", self)
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.results = RunResultsPanel(self)

        lower = QWidget(self)
        column = QVBoxLayout(lower)
        column.setContentsMargins(0, em // 2, 0, 0)
        column.setSpacing(em // 2)
        row = QHBoxLayout()
        row.setSpacing(em)
        row.addWidget(self.run_button)
        row.addWidget(self.hint_label, 1)
        column.addLayout(row)
        column.addWidget(self.results, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.editor)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)  # the editor gets most of the height
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.run_button.clicked.connect(self.run)
        self.editor.run_requested.connect(self.run)
        self.editor.textChanged.connect(self._record_edit)
        self.shortcuts = []
        for keys in RUN_SHORTCUTS:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.run)
            self.shortcuts.append(shortcut)
        self.clear()

    # --- the question ----------------------------------------------------------------------------------------

    def load(self, question_id: str, task: PadTask, session: CodeSession) -> None:
        """Show the session's code (the task's starter when it is new) and record every edit from now on."""
        self._generation += 1
        self.question_id, self.task, self.session = question_id, task, None
        self._set_running(False)
        # The session is the record: its text is what the editor starts from, so the timeline replays exactly.
        # Refilling the editor is not an edit (session still None); if Qt changed the text while taking it
        # in, that one difference is recorded, so the timeline still ends at what the editor shows.
        self._last_text = session.text()
        self.editor.setPlainText(self._last_text)
        self.session = session
        self._record_edit()
        self.editor.set_read_only(False)
        self.run_button.setEnabled(True)
        self.results.show_empty()
        self.editor.moveCursor(QTextCursor.MoveOperation.End)

    def clear(self) -> None:
        """No question: an empty, read-only editor and nothing to run."""
        self._generation += 1
        self.question_id, self.task, self.session = "", None, None
        self._set_running(False)
        self.editor.setPlainText("")
        self._last_text = ""
        self.editor.set_read_only(True)
        self.run_button.setEnabled(False)
        self.results.show_empty()

    def code(self) -> str:
        return self.editor.toPlainText()

    def set_hint(self, text: str) -> None:
        """The line beside Run, e.g. "Push to talk: hold Ctrl+Space"."""
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))

    @Slot()
    def _record_edit(self) -> None:
        if self.session is None:
            return
        text = self.editor.toPlainText()
        change = diff(self._last_text, text)
        self._last_text = text
        if change is not None:
            self.session.edit(change.position, change.removed, change.inserted)

    # --- running ---------------------------------------------------------------------------------------------

    @Slot()
    def run(self) -> None:
        """Run the code against the hidden tests in the background; ignored while a run is under way."""
        if self.running or self.session is None or self.task is None:
            return
        code = self.code()
        job = functools.partial(run_and_record, self._generation, self.session, code, self.task.function,
                                self.task.cases, self.session.now())
        self._set_running(True)
        self.results.show_running()
        self.run_started.emit()
        run_in_background(job, self._on_ran, self._on_run_failed)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.run_button.setEnabled(not running and self.session is not None)

    @Slot(object)
    def _on_ran(self, outcome: tuple[int, RunResult]) -> None:
        generation, result = outcome
        if generation != self._generation:
            return  # a run of the question before; its session already has it
        self._show(result)

    @Slot(str)
    def _on_run_failed(self, sentence: str) -> None:
        if self.running:
            self._show(RunResult(RunStatus.UNAVAILABLE, sentence))

    def _show(self, result: RunResult) -> None:
        self._set_running(False)
        self.results.show_result(result)
        self.run_finished.emit(result)
