"""`RunResultsPanel`: what one Run showed: the summary, each test, the first failure, the printed output, the time.

Everything the candidate's code produced is shown as plain text: output such as "<b>hi</b>" must
appear as typed, never as markup.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit, QScrollArea, QVBoxLayout, QWidget

from mockloop.engine.coding.results import CaseResult, RunResult, RunStatus
from mockloop.engine.coding.verdict import NOT_RUN
from mockloop.ui.coding import colours
from mockloop.ui.common import theme
from mockloop.ui.common.cards import Card

EMPTY_TEXT = "Press Run (Ctrl+Enter) to test your code."
RUNNING_TEXT = "Running…"
PASS_MARK, FAIL_MARK, SKIP_MARK = "✓", "✗", "–"
CASE_COLUMNS = 3
OUTPUT_LINES = 6  # the output box's height; longer output scrolls
TRUNCATED_NOTE = "(cut short: only the start is shown)"


def _mono(widget: QWidget) -> None:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if widget.font().pointSizeF() > 0:
        font.setPointSizeF(widget.font().pointSizeF())
    widget.setFont(font)


def ran(case: CaseResult) -> bool:
    """False for a test the run never reached (a syntax error, an earlier timeout)."""
    return case.passed or case.error != NOT_RUN


def first_failure(result: RunResult) -> CaseResult | None:
    """The first test that ran and failed (or was stopped), not one that never ran."""
    return next((c for c in result.cases if not c.passed and ran(c)), None)


def _selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class OutputBox(QPlainTextEdit):
    """Read-only monospace text a few lines high (the code's stdout or stderr); longer text scrolls."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        _mono(self)
        margins = self.contentsMargins()
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(line * OUTPUT_LINES + round(self.document().documentMargin() * 2) + margins.top() + margins.bottom())


class FailureDetail(QWidget):
    """The first failing test: its name, then input, expected, got and the error, in monospace."""

    FIELDS = ("Input", "Expected", "Got", "Error")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        em = self.fontMetrics().height()
        layout.setSpacing(em // 4)
        self.title = theme.plain("", self)
        self.title.setFont(theme.scaled_font(self.title, bold=True))
        layout.addWidget(self.title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(em)
        grid.setVerticalSpacing(em // 4)
        grid.setColumnStretch(1, 1)
        self.names: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for row, field in enumerate(self.FIELDS):
            name = theme.muted(field, self)
            name.setWordWrap(False)
            value = _selectable(theme.plain("", self))
            _mono(value)
            value.setAccessibleName(field)
            grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.names[field], self.values[field] = name, value
        layout.addLayout(grid)

    def show_case(self, case: CaseResult) -> None:
        self.title.setText(f"First failure: {case.name}")
        shown = {"Input": case.input, "Expected": case.expected, "Got": case.got, "Error": case.error}
        for field, text in shown.items():
            # "Got" stays when empty only if there is no error to explain it.
            visible = bool(text) or (field == "Got" and not case.error)
            self.values[field].setText(text if text else "(nothing)")
            self.names[field].setVisible(visible)
            self.values[field].setVisible(visible)

    def text(self) -> str:
        """Everything shown, as lines (tests and accessibility)."""
        lines = [self.title.text()]
        lines += [f"{f}: {self.values[f].text()}" for f in self.FIELDS if self.values[f].isVisibleTo(self)]
        return "\n".join(lines)


class RunResultsPanel(Card):
    """The outcome of the last Run, an empty state before the first, and "Running…" while one runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Test results")
        self.result: RunResult | None = None
        em = self.fontMetrics().height()
        top = QHBoxLayout()
        top.setSpacing(em)
        self.summary_label = theme.plain(EMPTY_TEXT, self)
        self.summary_label.setAccessibleName("Run result")
        self.time_label = theme.muted("", self)
        self.time_label.setWordWrap(False)
        self.time_label.setMinimumWidth(self.time_label.fontMetrics().horizontalAdvance("000.00 s"))
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.time_label.setAccessibleName("Time taken")
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.time_label, 0, Qt.AlignmentFlag.AlignTop)
        self.body.addLayout(top)

        # The rest scrolls, so many tests or long values never squeeze the editor above.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.viewport().setAutoFillBackground(False)
        details = QWidget(scroll)
        column = QVBoxLayout(details)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(em // 2)
        self.cases_grid = QGridLayout()
        self.cases_grid.setHorizontalSpacing(em)
        self.cases_grid.setVerticalSpacing(em // 6)
        column.addLayout(self.cases_grid)
        self.case_labels: list[tuple[QLabel, QLabel]] = []
        self.failure = FailureDetail(details)
        column.addWidget(self.failure)
        self.stdout_title = theme.muted("Printed output", details)
        self.stdout_view = OutputBox("Printed output", details)
        self.stderr_title = theme.muted("Error output", details)
        self.stderr_view = OutputBox("Error output", details)
        for widget in (self.stdout_title, self.stdout_view, self.stderr_title, self.stderr_view):
            column.addWidget(widget)
        column.addStretch(1)
        scroll.setWidget(details)
        details.setAutoFillBackground(False)  # setWidget turned it on; the card's fill shows through
        self.scroll = scroll
        self.body.addWidget(scroll, 1)
        self.show_empty()

    # --- states ----------------------------------------------------------------------------------------------

    def show_empty(self) -> None:
        """Before the first Run."""
        self.result = None
        self._set_summary(EMPTY_TEXT, None)
        self.time_label.clear()
        self._hide_details()

    def show_running(self) -> None:
        self.result = None
        self._set_summary(RUNNING_TEXT, None)
        self.time_label.clear()
        self._hide_details()

    def show_result(self, result: RunResult) -> None:
        self.result = result
        self._set_summary(result.summary or result.status.value, result.status)
        self.time_label.setText(f"{result.seconds:.2f} s")
        self._show_cases(result.cases)
        failure = first_failure(result)
        self.failure.setVisible(failure is not None)
        if failure is not None:
            self.failure.show_case(failure)
        # The run says only that some output was cut, so both titles carry the note.
        self._show_output(self.stdout_title, self.stdout_view, "Printed output", result.stdout, result.truncated)
        self._show_output(self.stderr_title, self.stderr_view, "Error output", result.stderr, result.truncated)
        self.setAccessibleDescription(self.text())

    def text(self) -> str:
        """What the panel shows, as plain lines (tests and screen readers)."""
        lines = [self.summary_label.text()]
        lines += [f"{mark.text()} {name.text()}" for mark, name in self.case_labels]
        if self.failure.isVisibleTo(self):
            lines.append(self.failure.text())
        for title, view in ((self.stdout_title, self.stdout_view), (self.stderr_title, self.stderr_view)):
            if view.isVisibleTo(self):
                lines += [title.text(), view.toPlainText()]
        if self.time_label.text():
            lines.append(self.time_label.text())
        return "\n".join(lines)

    # --- pieces ----------------------------------------------------------------------------------------------

    def _set_summary(self, text: str, status: RunStatus | None) -> None:
        self.summary_label.setText(text)
        self.summary_label.setFont(theme.scaled_font(self, 1.1, bold=status is not None))
        # A palette with only the text colour set inherits everything else, so a theme change still reaches it.
        palette = QPalette()
        if status is None:
            self.summary_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        else:
            palette.setColor(QPalette.ColorRole.WindowText, colours.status_colour(self.palette(), status))
            self.summary_label.setForegroundRole(QPalette.ColorRole.WindowText)
        self.summary_label.setPalette(palette)

    def _hide_details(self) -> None:
        self._show_cases([])
        for widget in (self.failure, self.stdout_title, self.stdout_view, self.stderr_title, self.stderr_view):
            widget.hide()

    def _show_cases(self, cases: list[CaseResult]) -> None:
        for mark, name in self.case_labels:
            self.cases_grid.removeWidget(mark)
            self.cases_grid.removeWidget(name)
            mark.deleteLater()
            name.deleteLater()
        self.case_labels = []
        parent = self.failure.parentWidget()
        for index, case in enumerate(cases):
            mark = theme.plain(PASS_MARK if case.passed else FAIL_MARK if ran(case) else SKIP_MARK, parent)
            mark.setWordWrap(False)
            mark.setFont(theme.scaled_font(mark, bold=True))
            if ran(case):
                palette = QPalette()
                palette.setColor(QPalette.ColorRole.WindowText, colours.mark_colour(self.palette(), case.passed))
                mark.setPalette(palette)
            else:
                mark.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            mark.setAccessibleName("passed" if case.passed else "failed" if ran(case) else NOT_RUN)
            mark.setToolTip(mark.accessibleName())
            name = theme.plain(case.name, parent)
            row, col = divmod(index, CASE_COLUMNS)
            self.cases_grid.addWidget(mark, row, col * 2, Qt.AlignmentFlag.AlignTop)
            self.cases_grid.addWidget(name, row, col * 2 + 1)
            self.cases_grid.setColumnStretch(col * 2 + 1, 1)
            mark.show()  # made after the panel was shown, so not shown by it
            name.show()
            self.case_labels.append((mark, name))

    @staticmethod
    def _show_output(title: QLabel, view: OutputBox, name: str, text: str, truncated: bool) -> None:
        title.setText(f"{name} {TRUNCATED_NOTE}" if truncated else name)
        view.setPlainText(text)
        title.setVisible(bool(text))
        view.setVisible(bool(text))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            if self.result is not None:
                self.show_result(self.result)
