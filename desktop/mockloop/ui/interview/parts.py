"""Pieces of the interview view: the persona card, the state indicator, the round clock and the side column."""

from __future__ import annotations

import re
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QRectF, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from mockloop.ui.common import theme
from mockloop.ui.common.cards import Card

if TYPE_CHECKING:
    from mockloop.engine.interview.answer_record import AnswerRecord


class State(Enum):
    """What the interview is doing, as the candidate should understand it."""

    PREPARING = "Getting ready…"
    SPEAKING = "Interviewer speaking"
    LISTENING = "Listening — your turn"
    HEARING = "Listening — go on"
    PAUSED = "Listening — take your time"
    TYPING = "Your turn — type your answer"
    THINKING = "Thinking…"
    ENDED = "Interview finished"
    FAILED = "Stopped"


def state_colour(palette: QPalette, state: State) -> QColor:
    window = palette.color(QPalette.ColorRole.Window)
    if state is State.SPEAKING:
        return palette.color(QPalette.ColorRole.Highlight)
    if state in (State.LISTENING, State.HEARING, State.PAUSED, State.TYPING):
        return theme.blend(window, theme.SUCCESS_HUE, 0.9)
    if state in (State.THINKING, State.PREPARING):
        return theme.blend(window, theme.WARNING_HUE, 0.9)
    return palette.color(QPalette.ColorRole.PlaceholderText)


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class Avatar(QWidget):
    """A round badge with the persona's initials, in the palette's highlight colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._initials = ""
        em = self.fontMetrics().height()
        self.setFixedSize(em * 3, em * 3)

    def set_name(self, name: str) -> None:
        words = [w for w in re.findall(r"[^\W\d_]+", name) if w.lower() != "the"]
        self._initials = "".join(w[0].upper() for w in words[:2])
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        painter.drawEllipse(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        painter.setFont(theme.scaled_font(self, 1.3, bold=True))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._initials)
        painter.end()


class PersonaCard(Card):
    """Who is interviewing: initials, name, title and what they focus on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Interviewer")
        row = QHBoxLayout()
        row.setSpacing(self.fontMetrics().height() * 2 // 3)
        self.avatar = Avatar(self)
        row.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.name_label = theme.heading("", self, 1.1)
        self.title_label = theme.plain("", self)
        self.title_label.setFont(theme.scaled_font(self.title_label, bold=True))
        self.focus_label = theme.muted("", self)
        for label in (self.name_label, self.title_label, self.focus_label):
            text.addWidget(label)
        row.addLayout(text, 1)
        self.body.addLayout(row)

    @Slot(object)
    def show_persona(self, persona: dict) -> None:
        self.avatar.set_name(persona.get("name", ""))
        self.name_label.setText(persona.get("name", ""))
        self.name_label.setAccessibleName(persona.get("name", ""))
        self.title_label.setText(persona.get("title", ""))
        self.focus_label.setText(persona.get("focus", ""))
        self.setAccessibleDescription(f"{persona.get('title', '')}. {persona.get('focus', '')}")


class _Dot(QWidget):
    def __init__(self, pill: "StatePill") -> None:
        super().__init__(pill)
        self._pill = pill
        em = self.fontMetrics().height()
        self.setFixedSize(round(em * 0.75), round(em * 0.75))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(state_colour(self.palette(), self._pill.state))
        painter.drawEllipse(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()


class StatePill(QWidget):
    """A coloured dot and a sentence: what the interview is doing right now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = State.PREPARING
        self.setAccessibleName("Interview state")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        em = self.fontMetrics().height()
        row.setSpacing(em // 2)
        self.dot = _Dot(self)
        self.label = QLabel(State.PREPARING.value, self)
        self.label.setFont(theme.scaled_font(self.label, 1.15, bold=True))
        row.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.label, 1)
        self.set_state(State.PREPARING)

    def set_state(self, state: State, text: str | None = None) -> None:
        self.state = state
        self.label.setText(text or state.value)
        self.setAccessibleDescription(self.label.text())
        self.dot.update()

    def text(self) -> str:
        return self.label.text()


class ProgressLine(QWidget):
    """A thin rounded progress bar painted from the palette (turns to the warning hue when over)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(max(4, self.fontMetrics().height() // 3))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self.fontMetrics().height() * 10, self.height())

    def set_fraction(self, fraction: float) -> None:
        self.fraction = max(0.0, fraction)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        palette = self.palette()
        window = palette.color(QPalette.ColorRole.Window)
        rect = QRectF(self.rect())
        radius = rect.height() / 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.blend(window, palette.color(QPalette.ColorRole.WindowText), 0.12))
        painter.drawRoundedRect(rect, radius, radius)
        if self.fraction > 0:
            colour = theme.blend(window, theme.WARNING_HUE, 0.9) if self.fraction > 1 else palette.color(QPalette.ColorRole.Highlight)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), max(rect.height(), rect.width() * min(1.0, self.fraction)), rect.height()), radius, radius)
        painter.end()


class RoundClock(Card):
    """The round's title, which question this is, and the time used against the round's budget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Round timer")
        self.title_label = theme.heading("Round", self, 1.05)
        self.detail_label = theme.muted("", self)
        self.time_label = QLabel("00:00", self)
        self.time_label.setFont(theme.scaled_font(self.time_label, 1.8, bold=True))
        self.time_label.setAccessibleName("Time in this round")
        self.progress = ProgressLine(self)
        self.body.addWidget(self.title_label)
        self.body.addWidget(self.time_label)
        self.body.addWidget(self.progress)
        self.body.addWidget(self.detail_label)
        self._elapsed = QElapsedTimer()
        self._budget = 0.0
        self._questions = 0
        self._asked = 0
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self.refresh)

    def start_round(self, title: str, budget_seconds: float, questions: int) -> None:
        self._budget, self._questions, self._asked = budget_seconds, questions, 0
        self.title_label.setText(title)
        self._elapsed.start()
        self._timer.start()
        self.refresh()

    def question_asked(self, new_question: bool) -> None:
        if new_question:
            self._asked += 1
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def elapsed_seconds(self) -> float:
        return self._elapsed.elapsed() / 1000 if self._elapsed.isValid() else 0.0

    @Slot()
    def refresh(self) -> None:
        used = self.elapsed_seconds()
        budget = f" / {clock_text(self._budget)}" if self._budget else ""
        self.time_label.setText(f"{clock_text(used)}{budget}")
        self.progress.set_fraction(used / self._budget if self._budget else 0.0)
        if self._questions:
            self.detail_label.setText(f"Question {max(1, self._asked)} of {self._questions}")
        self.setAccessibleDescription(f"{self.title_label.text()}: {self.time_label.text()}. {self.detail_label.text()}")


class ResultCard(Card):
    """The last answer's score and a way to its full feedback; hidden until an answer is scored."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Last answer")
        self.body.addWidget(theme.heading("Last answer", self, 1.05))
        self.score_label = QLabel("", self)
        self.score_label.setFont(theme.scaled_font(self.score_label, 1.6, bold=True))
        self.score_label.setAccessibleName("Last answer score")
        self.body.addWidget(self.score_label)
        self.detail_label = theme.muted("", self)
        self.body.addWidget(self.detail_label)
        self.feedback_button = QPushButton("See feedback", self)
        self.feedback_button.setAccessibleName("See feedback")
        self.body.addWidget(self.feedback_button)
        self.hide()

    def show_score(self, answer: AnswerRecord) -> None:
        overall = answer.overall
        self.score_label.setText("Not scored" if overall is None else f"{overall:.0f} / 100")
        points = answer.rubric or []
        covered = sum(1 for p in points if p.get("status") == "covered")
        self.detail_label.setText(f"{covered} of {len(points)} rubric points covered" if points else "")
        self.setAccessibleDescription(f"{self.score_label.text()}. {self.detail_label.text()}")
        self.show()


def tip_card(parent: QWidget) -> Card:
    card = Card(parent)
    card.setAccessibleName("Tip")
    card.body.addWidget(theme.heading("Think out loud", card, 1.0))
    card.body.addWidget(theme.muted("Say what you are weighing before you commit to an answer. "
                                    "Silence is fine; narrate it (“let me think about the data first”).", card))
    return card


class SidePanel(QWidget):
    """The interview's left column: who is asking, the round clock, the last score and a tip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        em = self.fontMetrics().height()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(em * 2 // 3)
        self.persona_card = PersonaCard(self)
        self.clock = RoundClock(self)
        self.result_card = ResultCard(self)
        for widget in (self.persona_card, self.clock, self.result_card, tip_card(self)):
            column.addWidget(widget)
        column.addStretch(1)
        self.setFixedWidth(em * 17)
