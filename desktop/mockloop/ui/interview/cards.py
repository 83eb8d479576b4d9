"""The interview's two main cards: the question being asked and the live captions of the answer."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTextBrowser, QWidget

from mockloop.ui.common import theme
from mockloop.ui.common.cards import Card

WAITING_TEXT = "The interview is about to begin."


class QuestionCard(Card):
    """The question (or follow-up) in large type, what kind it is, and the design phase when there is one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Question")
        self.meta_label = theme.muted("", self)
        self.meta_label.setAccessibleName("About the question")
        self.asked_before = theme.muted("", self)
        self.asked_before.setAccessibleName("Original question")
        self.text_label = theme.plain(WAITING_TEXT, self)
        self.text_label.setFont(theme.scaled_font(self.text_label, 1.45, bold=True))
        self.text_label.setAccessibleName("Question")
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text_label.setMinimumHeight(self.fontMetrics().height() * 3)
        self.phase_label = theme.plain("", self)
        self.phase_label.setForegroundRole(QPalette.ColorRole.Link)
        self.phase_label.setAccessibleName("Design phase")
        for widget in (self.meta_label, self.asked_before, self.text_label, self.phase_label):
            self.body.addWidget(widget)
        self.reset()

    def reset(self) -> None:
        self.text_label.setText(WAITING_TEXT)
        self.meta_label.clear()
        self.asked_before.hide()
        self.phase_label.hide()

    def show_question(self, text: str, kind: str, attempt: int) -> None:
        self.text_label.setText(text)
        self.meta_label.setText(kind + (f" · attempt {attempt}" if attempt > 1 else ""))
        self.asked_before.hide()
        self.phase_label.hide()

    def show_followup(self, number: int, text: str, original: str) -> None:
        self.asked_before.setText(f"You were asked: {original}")
        self.asked_before.show()
        self.meta_label.setText(f"Follow-up {number}")
        self.text_label.setText(text)

    def show_end(self, title: str, detail: str) -> None:
        self.meta_label.setText("Session saved")
        self.text_label.setText(title)
        self.asked_before.hide()
        self.phase_label.setText(detail)
        self.phase_label.show()

    def show_phase(self, phase_id: str, prompt: str, seconds: float) -> None:
        minutes = max(1, round(seconds / 60))
        name = phase_id.replace('-', ' ').capitalize()
        self.phase_label.setText(f"{name} · up to {minutes} min for this part (it moves on when you are done or the time is spent): {prompt}")
        self.phase_label.setToolTip("A system design answer goes in parts; each has a share of the question's time.")
        self.phase_label.show()


class CaptionsCard(Card):
    """What the candidate has said so far: committed words in the text colour, tentative ones greyed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Live captions")
        self.heading = theme.heading("Live captions", self, 1.0)
        self.body.addWidget(self.heading)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName("Live captions")
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.browser.setFont(theme.scaled_font(self.browser, 1.15))
        self.browser.setMinimumHeight(self.fontMetrics().height() * 5)
        self.browser.viewport().setAutoFillBackground(False)
        self.body.addWidget(self.browser, 1)
        self.committed = ""
        self.tentative = ""
        self.replies: list[tuple[int, str]] = []  # (length of the committed text when it came, the interviewer's reply)
        self.set_typing(False)

    def set_typing(self, typing: bool) -> None:
        """Typed answers have no captions: the card shows the answer that was sent, and stays short."""
        self.heading.setText("Your answer" if typing else "Live captions")
        self.browser.setPlaceholderText("Your answer appears here once you send it." if typing else "What you say appears here as you speak.")
        self.setMaximumHeight(self.fontMetrics().height() * 9 if typing else 16777215)

    def show_caption(self, committed: str, tentative: str) -> None:
        if self.replies and len(committed) < self.replies[-1][0]:
            self.replies = []  # a new part of the answer (the next design phase): its captions start afresh
        self.committed, self.tentative = committed, tentative
        self._render()

    def add_reply(self, text: str, asked: str = "") -> None:
        """The interviewer answered the candidate mid-answer: shown in place, after the question it answers
        (found in the captions; else after what had been said when it came)."""
        at = -1
        for probe in (asked.strip(), " ".join(asked.split()[-3:])):
            if probe and (found := self.committed.rfind(probe)) >= 0:
                at = found + len(probe)
                break
        self.replies.append((at if at >= 0 else len(self.committed), text))
        self.replies.sort(key=lambda item: item[0])
        self._render()

    def _render(self) -> None:
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        accent = self.palette().color(QPalette.ColorRole.Link).name()
        pieces, start = [], 0
        for at, reply in self.replies:
            pieces.append(html.escape(self.committed[start:at]))
            pieces.append(f"<p style='margin:4px 0 4px 16px; color:{accent}'><b>Interviewer:</b> {html.escape(reply)}</p>")
            start = at
        pieces.append(html.escape(self.committed[start:]))
        self.browser.setHtml(f"{''.join(pieces)} <span style='color:{muted}'>{html.escape(self.tentative)}</span>")
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())

    def show_sent(self, text: str) -> None:
        self.committed, self.tentative = text, ""
        self.browser.setPlainText(text)

    def clear(self) -> None:
        self.committed = self.tentative = ""
        self.replies = []
        self.browser.clear()

    def text(self) -> str:
        return self.browser.toPlainText()
