"""The Feedback card "Your questions to the interviewer": each exchange, the key facts never asked for, and the credit."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QTextDocument
from PySide6.QtWidgets import QLabel, QWidget

from mockloop.ui.common import theme
from mockloop.ui.common.cards import Card

TITLE = "Your questions to the interviewer"


def asking_html(view: dict, palette: QPalette) -> str:
    """The card's rich text from the record's `asking` view; every sentence from the answer or the bank is escaped."""
    accent = palette.color(QPalette.ColorRole.Link).name()
    muted = palette.color(QPalette.ColorRole.PlaceholderText).name()
    parts = []
    if view.get("summary"):
        parts.append(f"<p style='margin:0 0 6px 0'>{html.escape(view['summary'])}</p>")
    items = []
    for x in view.get("exchanges") or []:
        facts = f" <span style='color:{muted}'>({html.escape(x['facts'])})</span>" if x["facts"] else ""
        asked = f": “{html.escape(x['asked'])}”" if x["asked"] else ""
        reply = f"<i>{html.escape(x['answer'])}</i>" if x["intent"] == "repeat" else f"<b>Interviewer:</b> {html.escape(x['answer'])}"
        items.append(f"<li style='margin-bottom:6px'><b>{html.escape(x['lead'])}</b>{facts}{asked}<br>"
                     f"<span style='color:{accent}'>{reply}</span></li>")
    if items:
        parts.append(f"<ul style='margin-left:0; -qt-list-indent:1;'>{''.join(items)}</ul>")
    else:
        parts.append("<p style='margin:0 0 6px 0'><i>You asked the interviewer nothing during this answer.</i></p>")
    if view.get("unasked"):
        body = "".join(f"<li style='margin-bottom:4px'>{html.escape(line)}</li>" for line in view["unasked"])
        parts.append(f"<p style='margin:6px 0 2px 0'><b>Key facts you never asked for</b></p>"
                     f"<ul style='margin-left:0; -qt-list-indent:1;'>{body}</ul>")
    if view.get("credit"):
        parts.append(f"<p style='margin:6px 0 0 0'>{html.escape(view['credit'])}</p>")
    return "".join(parts)


class AskingCard(Card):
    """Shown when the answer had exchanges with the interviewer or key facts never asked for; hidden otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(TITLE)
        self.body.addWidget(theme.heading(TITLE, self, 1.05))
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.label.setAccessibleName(TITLE)
        self.body.addWidget(self.label)
        self.hide()

    def show_asking(self, view: dict | None) -> None:
        """Show an answer record's `asking` view (None: nothing asked and nothing missed, so hidden)."""
        if not view:
            self.label.clear()
            self.hide()
            return
        self.label.setText(asking_html(view, self.palette()))
        self.show()

    def text(self) -> str:
        """The card's words as plain text (what a screen reader gets from the label)."""
        document = QTextDocument()
        document.setHtml(self.label.text())
        return document.toPlainText()
