"""The coding round in the Interview view: the code pad beside the live captions, and its keys.

While a coding question is open the microphone and captions keep running as the candidate
types. Space belongs to the editor, so push-to-talk moves to Ctrl+Space (shown in the hint),
and the turn ends only with “I'm done”: a quiet stretch of typing is not the end of an answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from mockloop.ui.coding.pad import CodePad

if TYPE_CHECKING:
    from mockloop.engine.interview.events import CodingStarted

CODING_TALK_KEY = "Ctrl+Space"
CODING_KEYS = "Ctrl+Enter: run the tests · Ctrl+Space: hold to talk (push-to-talk) · “I'm done” ends your answer"
HANDS_FREE_HINT = "The microphone stays on while you type: think out loud. “I'm done” ends your answer."
TALK_HINT = f"Hold {CODING_TALK_KEY} while you speak; Space types a space. “I'm done” ends your answer."


class CodingArea(QSplitter):
    """The captions card and, during a coding question, the code pad to its right."""

    def __init__(self, captions: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setChildrenCollapsible(False)
        self.captions = captions
        self.addWidget(captions)
        self.pad = CodePad(self)
        self.pad.setAccessibleName("Code pad")
        self.addWidget(self.pad)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)
        self.pad.hide()
        self.question_id: str | None = None

    @property
    def active(self) -> bool:
        return self.question_id is not None

    def start(self, event: CodingStarted, push_to_talk: bool) -> None:
        """Open the pad with the question's starter code; every edit and run goes into the event's session."""
        self.question_id = event.id
        self.pad.load(event.id, event.task, event.session)
        self.pad.set_hint(TALK_HINT if push_to_talk else HANDS_FREE_HINT)
        self.pad.show()
        em = self.fontMetrics().height()
        self.setSizes([em * 18, em * 30])
        self.pad.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_push_to_talk(self, push_to_talk: bool) -> None:
        if self.active:
            self.pad.set_hint(TALK_HINT if push_to_talk else HANDS_FREE_HINT)

    def stop(self) -> None:
        """A question that is not about code: the captions take the whole width again."""
        if self.question_id is None:
            return
        self.question_id = None
        self.pad.clear()
        self.pad.hide()
