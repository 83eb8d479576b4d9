"""The detail pane of the question bank: everything about one question, and a practice button."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from mockloop.engine.bank import Bank, Question
from mockloop.ui.common import theme
from mockloop.ui.common.cards import scroll_page


def _html_list(items: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    body = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"<{tag} style='margin-left: 0; -qt-list-indent: 1;'>{body}</{tag}>"


def _code_html(code: str, block: bool) -> str:
    """Code in the system's fixed-width font: a block keeps its lines and indentation."""
    family = html.escape(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family(), quote=True)
    tag = "pre" if block else "code"
    return f"<{tag} style=\"font-family: '{family}', monospace;\">{html.escape(code.rstrip())}</{tag}>"


def _complexity_html(question: Question) -> str:
    target = question.coding.complexity
    said = ", ".join(f"“{phrase}”" for phrase in target.says)
    return (f"Time {_code_html(target.time, False)} · space {_code_html(target.space, False)}"
            f"<br>Said aloud as: {html.escape(said)}")


def _scenario_html(question: Question) -> str:
    """Each fact with its topic; the ones a strong candidate asks for are marked."""
    items = []
    for fact in question.scenario:
        mark = " <i>(important: a strong candidate asks)</i>" if fact.important else ""
        items.append(f"<li><b>{html.escape(fact.topic.value.capitalize())}</b>: {html.escape(fact.fact)}{mark}</li>")
    return f"<ul style='margin-left: 0; -qt-list-indent: 1;'>{''.join(items)}</ul>"


class QuestionDetail(QWidget):
    """Shows the selected question; empty (with a hint) when nothing is selected."""

    practice_requested = Signal(str)  # question id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Question details")
        self.question: Question | None = None
        em = self.fontMetrics().height()
        content = scroll_page(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(em, em // 2, em // 2, em)
        layout.setSpacing(em // 3)

        self.meta_label = theme.muted("", content)
        self.meta_label.setAccessibleName("Question facts")
        self.text_label = theme.plain("", content)
        self.text_label.setFont(theme.scaled_font(self.text_label, 1.2, bold=True))
        self.text_label.setAccessibleName("Question")
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.practice_button = QPushButton("Practice this question", content)
        self.practice_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.practice_button.setAccessibleName("Practice this question")
        self.practice_button.setToolTip("Answer this question out loud (Enter on the table does the same)")
        self.practice_button.clicked.connect(self._on_practice)
        layout.addWidget(self.meta_label)
        layout.addWidget(self.text_label)
        layout.addWidget(self.practice_button, 0, Qt.AlignmentFlag.AlignLeft)

        self._sections: list[QWidget] = []
        self.tags_label = self._section(layout, content, "Tags")
        self.axes_label = self._section(layout, content, "Radar axes")
        # A coding question's editor content; the reference solution is never shown.
        coding_from = len(self._sections)
        self.signature_label = self._section(layout, content, "Function to write")
        self.starter_label = self._section(layout, content, "Starter code in the editor")
        self.complexity_label = self._section(layout, content, "Complexity target")
        self._coding_sections = self._sections[coding_from:]
        self.rubric_label = self._section(layout, content, "What a strong answer covers")
        self.probes_label = self._section(layout, content, "Follow-up probes")
        self.outline_label = self._section(layout, content, "Outline of a strong answer")
        # Shown only for a question with a scenario: what the interviewer answers when asked.
        scenario_from = len(self._sections)
        self.scenario_label = self._section(layout, content, "What the interviewer can tell you")
        self._scenario_sections = self._sections[scenario_from:]
        layout.addStretch(1)
        self.show_question(None, None)

    def _section(self, layout: QVBoxLayout, parent: QWidget, title: str) -> QLabel:
        head = theme.heading(title, parent, 1.05)
        head.setContentsMargins(0, self.fontMetrics().height() // 2, 0, 0)
        label = QLabel(parent)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        label.setAccessibleName(title)
        layout.addWidget(head)
        layout.addWidget(label)
        self._sections += [head, label]
        return label

    def show_question(self, bank: Bank | None, question: Question | None) -> None:
        self.question = question
        has = question is not None and bank is not None
        coding = has and question.coding is not None
        scenario = has and bool(question.scenario)
        for widget in self._sections:
            if widget in self._coding_sections:
                widget.setVisible(coding)
            elif widget in self._scenario_sections:
                widget.setVisible(scenario)
            else:
                widget.setVisible(has)
        self.practice_button.setVisible(has)
        if not has:
            self.meta_label.setText("")
            self.text_label.setText("Select a question to see its rubric, follow-up probes and outline.")
            self.text_label.setFont(theme.scaled_font(self, 1.0))
            for label in (self.tags_label, self.axes_label, self.signature_label, self.starter_label,
                          self.complexity_label, self.rubric_label, self.probes_label, self.outline_label,
                          self.scenario_label):
                label.clear()
            return
        self.text_label.setFont(theme.scaled_font(self, 1.2, bold=True))
        stage = next((s.name for s in bank.loop if s.id == question.round), question.round)
        self.meta_label.setText(
            f"{question.difficulty.value.capitalize()} · {question.role.value} · {question.kind.value} · {stage} · id: {question.id}"
        )
        self.text_label.setText(question.text)
        self.tags_label.setText(html.escape("  ".join(f"#{t}" for t in question.tags)))
        names = {a.id: a.name for a in bank.radar_axes}
        self.axes_label.setText(html.escape(" · ".join(names[a] for a in bank.axes_for(question))))
        if coding:
            self.signature_label.setText(_code_html(question.coding.signature, False))
            self.starter_label.setText(_code_html(question.coding.starter, True))
            self.complexity_label.setText(_complexity_html(question))
        else:
            for label in (self.signature_label, self.starter_label, self.complexity_label):
                label.clear()
        self.rubric_label.setText(
            _html_list([f"{p.point} ({p.dimension.replace('_', ' ')}" + (f", ×{p.weight:g})" if p.weight != 1 else ")") for p in question.rubric])
        )
        self.probes_label.setText(_html_list(question.probes))
        self.outline_label.setText(_html_list(question.outline, ordered=True))
        self.scenario_label.setText(_scenario_html(question) if scenario else "")

    @Slot()
    def _on_practice(self) -> None:
        if self.question is not None:
            self.practice_requested.emit(self.question.id)
