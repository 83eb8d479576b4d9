"""Feedback on a coding answer: the tests, thinking out loud before and while coding, complexity, the final code."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from mockloop.ui.coding.editor import CodeEditor
from mockloop.ui.common import theme
from mockloop.ui.common.cards import Card
from mockloop.ui.feedback.parts import bullet_html


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} s" if value < 90 else f"{int(value // 60)} min {int(value % 60):02d} s"


def think_aloud_lines(coding: dict) -> list[str]:
    """The think-aloud figures as sentences, e.g. "Spoke 40 s before the first line of code"."""
    ta = coding.get("think_aloud") or {}
    if not ta.get("timed"):
        return ["The code came as a file, so there is no timeline of how it was written."]
    if ta.get("first_code_s") is None:
        return ["No code was written."]
    stated = coding.get("approach_before_code")
    lines = [f"Spoke {_seconds(ta.get('spoke_before_code_s'))} before the first line of code "
             f"(at {_seconds(ta.get('first_code_s'))})",
             "Approach stated before coding: " + ("yes" if stated else "no" if stated is False else "—"),
             f"Narrated {round(100 * (ta.get('narrated_share') or 0.0))} % of the coding time",
             f"Longest stretch of typing without a word: {_seconds(ta.get('longest_silent_typing_s'))}",
             f"Runs: {ta.get('runs', 0)}"]
    return lines


def complexity_line(coding: dict) -> str:
    c = coding.get("complexity") or {}
    parts = [f"Target {c.get('target', '—')}", "said aloud" if c.get("said") else "not said aloud"]
    estimate = c.get("estimate")
    if estimate:
        parts.append(f"your loops nest like {estimate['order']}" + (" (slower than the target)" if c.get("slower_than_target") else ""))
    return "; ".join(parts) + "."


def tests_html(tests: dict | None) -> str:
    """Each hidden test as ✓/✗ with its name, then the first failure's input, expected and got; all escaped."""
    if not tests:
        return "<i>The code was never run against the tests.</i>"
    out = [f"<b>{html.escape(tests.get('summary', ''))}</b>"]
    cases = tests.get("cases") or []
    if cases:
        out.append("<br>" + " &nbsp; ".join(("✓ " if c.get("passed") else "✗ ") + html.escape(c.get("name", "")) for c in cases))
    failure = next((c for c in cases if not c.get("passed")), None)
    if failure is not None:
        rows = [("Input", failure.get("input", "")), ("Expected", failure.get("expected", "")),
                ("Got", failure.get("got", "") or "—"), ("Error", failure.get("error", ""))]
        out.append("<br>" + "<br>".join(f"{k}: <code>{html.escape(v)}</code>" for k, v in rows if v))
    return "".join(out)


class CodeCard(Card):
    """Shown for a coding answer only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Your code")
        self.body.addWidget(theme.heading("Your code and its tests", self, 1.05))
        self.tests_label = self._rich("Test results")
        self.think_label = self._rich("Thinking out loud while coding")
        self.complexity_label = theme.muted("", self)
        self.complexity_label.setAccessibleName("Complexity")
        self.body.addWidget(self.complexity_label)
        self.code_view = CodeEditor(self)
        self.code_view.set_read_only(True)
        self.code_view.setAccessibleName("Final code")
        self.code_view.setMinimumHeight(self.fontMetrics().height() * 12)
        self.body.addWidget(self.code_view)
        self.hide()

    def _rich(self, name: str) -> QLabel:
        """A label for HTML this card builds itself, every piece of the candidate's text escaped first."""
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(label)
        return label

    def show_coding(self, coding: dict | None) -> None:
        if not coding:
            self.hide()
            return
        self.tests_label.setText(tests_html(coding.get("tests")))
        self.think_label.setText(bullet_html(think_aloud_lines(coding)))
        self.complexity_label.setText(complexity_line(coding))
        self.code_view.setPlainText(coding.get("code") or "")
        self.show()
