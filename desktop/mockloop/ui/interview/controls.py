"""The candidate's controls in the interview: the status row, action buttons, the typed-answer box and the talk key."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.interview.commands import Command
from mockloop.ui.common import theme
from mockloop.ui.interview.parts import StatePill
from mockloop.ui.common.level_meter import LevelMeter

VOICE_KEYS = "Space: hold to talk · R: repeat · S: skip · D or Enter: I'm done"
TYPED_KEYS = "Ctrl+Enter: send your answer · R: repeat · S: skip"


END_OF_TURN_TIP = "How your answer ends (from your next answer on)"
END_OF_TURN_LABELS = {
    EndOfTurn.HANDS_FREE: "Hands-free: a long pause ends my answer",
    EndOfTurn.PUSH_TO_TALK: "Push-to-talk: hold Space while I speak",
    EndOfTurn.MANUAL: "Manual: I press “I'm done”",
}


class StatusRow(QWidget):
    """What the app is doing, how an answer ends, "Type instead", the interviewer's last line and the level meter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(self.fontMetrics().height() // 3)
        top = QHBoxLayout()
        self.pill = StatePill(self)
        top.addWidget(self.pill, 1)
        self.end_of_turn = QComboBox(self)
        self.end_of_turn.setAccessibleName("How an answer ends")
        self.end_of_turn.setToolTip(END_OF_TURN_TIP)
        for value, label in END_OF_TURN_LABELS.items():
            self.end_of_turn.addItem(label, value.value)
        top.addWidget(self.end_of_turn)
        self.type_toggle = QPushButton("Type instead", self)
        self.type_toggle.setCheckable(True)
        self.type_toggle.setAccessibleName("Type my answers")
        self.type_toggle.setToolTip("Type your answers instead of speaking them; an answer you have begun aloud goes on typed (Ctrl+T)")
        self.type_toggle.setShortcut(QKeySequence("Ctrl+T"))
        top.addWidget(self.type_toggle)
        rows.addLayout(top)
        self.said_label = theme.muted("", self)
        self.said_label.setAccessibleName("Interviewer says")
        self.said_label.hide()
        rows.addWidget(self.said_label)
        self.meter_row = QWidget(self)
        meter_row = QHBoxLayout(self.meter_row)
        meter_row.setContentsMargins(0, 0, 0, 0)
        mic = QLabel("Microphone", self.meter_row)
        meter_row.addWidget(mic)
        self.meter = LevelMeter(self.meter_row)
        mic.setBuddy(self.meter)
        meter_row.addWidget(self.meter, 1)
        rows.addWidget(self.meter_row)

    def set_policy(self, end_of_turn: EndOfTurn) -> None:
        """Show a policy without announcing it as the candidate's choice."""
        self.end_of_turn.blockSignals(True)
        self.end_of_turn.setCurrentIndex(max(0, self.end_of_turn.findData(end_of_turn.value)))
        self.end_of_turn.blockSignals(False)

    def set_typing(self, typing: bool) -> None:
        """Check or uncheck "Type instead" without announcing it as the candidate's choice."""
        self.type_toggle.blockSignals(True)
        self.type_toggle.setChecked(typing)
        self.type_toggle.blockSignals(False)

    def note(self, text: str) -> None:
        """The line under the state: what the interviewer just said, or a hint; hidden when empty."""
        self.said_label.setText(text)
        self.said_label.setVisible(bool(text))


class ActionBar(QWidget):
    """Repeat, Skip, Re-answer, End round on the left; End interview and I'm done on the right."""

    command = Signal(str)  # a Command's value: repeat | skip | reanswer | end-round
    done_requested = Signal()
    end_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.setSpacing(self.fontMetrics().height() // 2)
        self.repeat_button = self._action("Repeat", "Hear the question again (R)", Command.REPEAT, QStyle.StandardPixmap.SP_BrowserReload)
        self.skip_button = self._action("Skip", "Skip this question (S)", Command.SKIP, QStyle.StandardPixmap.SP_MediaSkipForward)
        self.reanswer_button = self._action("Re-answer", "Start this answer again from the top", Command.REANSWER, QStyle.StandardPixmap.SP_MediaSeekBackward)
        self.end_round_button = self._action("End round", "End this round and move on", Command.END_ROUND, QStyle.StandardPixmap.SP_MediaStop)
        for button in (self.repeat_button, self.skip_button, self.reanswer_button, self.end_round_button):
            row.addWidget(button)
        row.addStretch(1)
        self.end_button = QPushButton("End interview", self)
        self.end_button.setAccessibleName("End interview")
        self.end_button.setToolTip("Stop now; everything so far is saved")
        self.end_button.clicked.connect(self.end_requested)
        row.addWidget(self.end_button)
        self.done_button = theme.PrimaryButton("I'm done", self)
        self.done_button.setAccessibleName("I'm done")
        self.done_button.setToolTip("End your answer (D or Enter)")
        self.done_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
        self.done_button.setFont(theme.scaled_font(self.done_button, 1.05, bold=True))
        self.done_button.setMinimumHeight(round(self.done_button.sizeHint().height() * 1.2))
        self.done_button.clicked.connect(self.done_requested)
        row.addWidget(self.done_button)
        rows.addLayout(row)
        self.keys_hint = theme.muted(VOICE_KEYS, self)
        self.keys_hint.setAccessibleName("Keyboard shortcuts")
        rows.addWidget(self.keys_hint)

    def _action(self, text: str, tip: str, command: Command, icon: QStyle.StandardPixmap) -> QPushButton:
        button = QPushButton(self.style().standardIcon(icon), text, self)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.setProperty("command", command.value)
        button.clicked.connect(self._on_action)
        return button

    def buttons(self) -> list[QPushButton]:
        return [self.repeat_button, self.skip_button, self.reanswer_button, self.end_round_button, self.end_button, self.done_button]

    def set_running(self, running: bool) -> None:
        for button in self.buttons():
            button.setEnabled(running)

    def set_typing(self, typing: bool) -> None:
        self.keys_hint.setText(TYPED_KEYS if typing else VOICE_KEYS)

    def add_shortcuts(self, scope: QWidget, done: Callable[[], None]) -> None:
        """Single keys that work anywhere in `scope` (text fields keep their letters)."""
        for key, slot in (("R", self.repeat_button.click), ("S", self.skip_button.click), ("D", done),
                          ("Return", done), ("Enter", done)):
            shortcut = QShortcut(QKeySequence(key), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    @Slot()
    def _on_action(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton) and button.isEnabled():
            self.command.emit(button.property("command"))


class TypedAnswerBox(QWidget):
    """A multi-line answer editor and its Send button (Ctrl+Enter)."""

    send_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        em = self.fontMetrics().height()
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName("Typed answer")
        self.editor.setPlaceholderText("Type your answer, thinking out loud as you would speak. Ctrl+Enter sends it.")
        self.editor.setTabChangesFocus(True)
        self.editor.setFont(theme.scaled_font(self.editor, 1.1))
        self.editor.setMinimumHeight(em * 4)
        self.editor.setMaximumHeight(em * 4)
        self.send_button = QPushButton("Send answer", self)
        self.send_button.setAccessibleName("Send typed answer")
        self.send_button.setToolTip("Send your typed answer (Ctrl+Enter)")
        self.send_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowRight))
        self.send_button.clicked.connect(self.send_requested)
        row.addWidget(self.editor, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            send = QShortcut(QKeySequence(key), self.editor)
            send.setContext(Qt.ShortcutContext.WidgetShortcut)
            send.activated.connect(self.send_requested)

    def set_tall(self, tall: bool) -> None:
        """Tall while typing is how the candidate answers; four lines otherwise."""
        self.editor.setMaximumHeight(16777215 if tall else self.fontMetrics().height() * 4)


class PushToTalk(QObject):
    """Space held anywhere in `scope` (except text fields) means "I'm talking"; install while `scope` is shown.

    An application-wide filter, because a focused button would otherwise take Space as a click.
    In a coding round Space is the editor's, so the key is Ctrl+Space, and it works in the editor too.
    """

    pressed = Signal()
    released = Signal()

    def __init__(self, scope: QWidget, enabled: Callable[[], bool]) -> None:
        super().__init__(scope)
        self._scope = scope
        self._enabled = enabled
        self.down = False
        self.coding = False

    @property
    def key_name(self) -> str:
        return "Ctrl+Space" if self.coding else "Space"

    def set_coding(self, coding: bool) -> None:
        """Ctrl+Space (coding round) or Space (every other round); a key held now is let go."""
        if self.down and coding != self.coding:
            self.down = False
            self.released.emit()
        self.coding = coding

    def install(self) -> None:
        QApplication.instance().installEventFilter(self)

    def remove(self) -> None:
        QApplication.instance().removeEventFilter(self)
        if self.down:
            self.down = False
            self.released.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        if not isinstance(event, QKeyEvent) or event.key() != Qt.Key.Key_Space:
            return False
        wanted = Qt.KeyboardModifier.ControlModifier if self.coding else Qt.KeyboardModifier.NoModifier
        # A release counts while the key is down, whatever was let go first (Ctrl before Space, say).
        if event.modifiers() != wanted and not (kind == QEvent.Type.KeyRelease and self.down):
            return False
        focus = QApplication.focusWidget()
        if focus is None or not (focus is self._scope or self._scope.isAncestorOf(focus)):
            return False
        typing_field = isinstance(focus, (QLineEdit, QComboBox)) or (isinstance(focus, QPlainTextEdit) and not self.coding)
        if typing_field or not self._enabled():
            return False
        if event.isAutoRepeat():
            return True
        if kind == QEvent.Type.KeyPress and not self.down:
            self.down = True
            self.pressed.emit()
        elif kind == QEvent.Type.KeyRelease and self.down:
            self.down = False
            self.released.emit()
        return True  # Space is the talk key here, never a button click
