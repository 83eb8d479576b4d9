"""Settings sections: voice and speaking rate, persona, and how an answer ends."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSlider,
    QStyle,
    QWidget,
)

from mockloop.engine.core import paths
from mockloop.engine.bank import BankSet
from mockloop.engine.core.settings import RATE_MAX, RATE_MIN, SILENCE_MAX, SILENCE_MIN, EndOfTurn, Settings
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.cards import Card
from mockloop.ui.settings.device_test import VOICE, DeviceTester, DeviceTestResult
from mockloop.ui.settings.models import VoiceChoice

END_OF_TURN_TEXT = {
    EndOfTurn.HANDS_FREE: ("Hands-free", "Your answer ends when you stay quiet for the silence threshold below; nothing to press."),
    EndOfTurn.PUSH_TO_TALK: ("Push-to-talk", "Hold Space while you speak; letting go ends your answer."),
    EndOfTurn.MANUAL: ("Manual", "Think as long as you like; press \u201cI'm done\u201d (D or Enter) when you have finished."),
}
HEAR_IT_TEXT = "Here is how I will sound when I ask you a question. Take your time, and think out loud."


def selectable(label: QLabel) -> QLabel:
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class VoiceSection(Card):
    """The interviewer's voice (a Piper .onnx), the speaking rate and "Hear it"."""

    voice_changed = Signal(str)  # path, "" for automatic
    changed = Signal()
    voices_listed = Signal()  # the voices found on disk are in the list

    def __init__(self, tester: DeviceTester, hear: Callable[[], tuple[str, Settings, float]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Voice")
        self._tester = tester
        self._hear = hear  # (output device, settings, rate) for "Hear it"
        self._voices: list[VoiceChoice] = []
        self._current = ""
        self.body.addWidget(theme.heading("Interviewer voice", self, 1.1))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.voice_combo = QComboBox(self)
        self.voice_combo.setAccessibleName("Voice")
        self.voice_combo.setToolTip("Piper voices found in the app and in your models folders")
        self.choose_button = QPushButton("Choose file…", self)
        self.choose_button.setAccessibleName("Choose a voice file")
        self.choose_button.setToolTip("Use a Piper voice (.onnx, with its .onnx.json beside it) from anywhere")
        voice_label = QLabel("&Voice", self)
        voice_label.setBuddy(self.voice_combo)
        grid.addWidget(voice_label, 0, 0)
        grid.addWidget(self.voice_combo, 0, 1)
        grid.addWidget(self.choose_button, 0, 2)

        self.rate_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.rate_slider.setRange(round(RATE_MIN * 100), round(RATE_MAX * 100))
        self.rate_slider.setSingleStep(5)
        self.rate_slider.setPageStep(10)
        self.rate_slider.setAccessibleName("Speaking rate slider")
        self.rate_spin = QDoubleSpinBox(self)
        self.rate_spin.setRange(RATE_MIN, RATE_MAX)
        self.rate_spin.setSingleStep(0.05)
        self.rate_spin.setDecimals(2)
        self.rate_spin.setSuffix("×")
        self.rate_spin.setAccessibleName("Speaking rate")
        self.rate_spin.setToolTip("1.0 is the voice's natural pace; each persona adds its own pace on top")
        self.hear_button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume), "Hear it", self)
        self.hear_button.setAccessibleName("Hear the voice at this rate")
        self.hear_button.setToolTip("Speak a sentence with this voice, rate and persona on the chosen speaker")
        rate_label = QLabel("Speaking &rate", self)
        rate_label.setBuddy(self.rate_spin)
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.rate_slider, 1)
        rate_row.addWidget(self.rate_spin)
        grid.addWidget(rate_label, 1, 0)
        grid.addLayout(rate_row, 1, 1)
        grid.addWidget(self.hear_button, 1, 2)
        self.body.addLayout(grid)
        self.result_label = selectable(theme.plain("", self))
        self.result_label.setAccessibleName("Voice test result")
        self.body.addWidget(self.result_label)

        self.voice_combo.currentIndexChanged.connect(self._on_voice_chosen)
        self.choose_button.clicked.connect(self._on_choose_file)
        self.rate_slider.valueChanged.connect(self._on_slider)
        self.rate_spin.valueChanged.connect(self._on_spin)
        self.hear_button.clicked.connect(self._on_hear)
        tester.status.connect(self._on_status)
        tester.finished.connect(self._on_finished)
        tester.started.connect(self._on_test_started)
        tester.stopped.connect(self._update_button)
        self._fill()

    def voice(self) -> str:
        return self._current

    def rate(self) -> float:
        return round(self.rate_spin.value(), 2)

    def set_values(self, settings: Settings) -> None:
        self.select_voice(settings.tts_voice)
        self.rate_spin.setValue(settings.speaking_rate)

    def apply_to(self, settings: Settings) -> None:
        settings.tts_voice = self.voice()
        settings.speaking_rate = self.rate()

    def set_voices(self, voices: list[VoiceChoice]) -> None:
        self._voices = list(voices)
        self._fill()
        self.voices_listed.emit()

    def select_voice(self, path: str) -> None:
        if path != self._current:
            self._current = path
            self._fill()

    def _fill(self) -> None:
        combo = self.voice_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Automatic (a voice in the models folder, else the bundled one)", "")
        for choice in self._voices:
            combo.addItem(choice.label, choice.path)
        if self._current and combo.findData(self._current) < 0:
            combo.addItem(f"{Path(self._current).name} (chosen file)", self._current)
        combo.setCurrentIndex(max(0, combo.findData(self._current)))
        combo.blockSignals(False)

    @Slot(int)
    def _on_voice_chosen(self, _index: int) -> None:
        self._current = str(self.voice_combo.currentData() or "")
        self.voice_changed.emit(self._current)
        self.changed.emit()

    @Slot()
    def _on_choose_file(self) -> None:
        start = str(Path(self._current).parent) if self._current else str(paths.user_models_dir())
        chosen, _ = QFileDialog.getOpenFileName(self, "Choose a Piper voice", start, "Piper voices (*.onnx);;All files (*)")
        if chosen:
            self.select_voice(chosen)
            self.voice_changed.emit(chosen)
            self.changed.emit()

    @Slot(int)
    def _on_slider(self, value: int) -> None:
        if round(self.rate_spin.value() * 100) != value:
            self.rate_spin.setValue(value / 100)

    @Slot(float)
    def _on_spin(self, value: float) -> None:
        self.rate_slider.blockSignals(True)
        self.rate_slider.setValue(round(value * 100))
        self.rate_slider.blockSignals(False)
        self.changed.emit()

    @Slot()
    def _on_hear(self) -> None:
        device, settings, rate = self._hear()
        self.result_label.setText("Starting…")
        self._tester.test_speaker(device, settings, rate, kind=VOICE, text=HEAR_IT_TEXT)

    @Slot(str)
    def _on_test_started(self, _kind: str) -> None:
        self._update_button()

    @Slot()
    def _update_button(self) -> None:
        self.hear_button.setEnabled(not self._tester.is_running())

    @Slot(str)
    def _on_status(self, text: str) -> None:
        if self._tester.kind == VOICE:
            self.result_label.setText(text)

    @Slot(object)
    def _on_finished(self, result: DeviceTestResult) -> None:
        if result.kind == VOICE:
            self.result_label.setText(result.sentence)


class PersonaSection(Card):
    """Which interviewer persona runs the interview, with their one-line description."""

    changed = Signal()

    def __init__(self, banks: BankSet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Interviewer persona")
        self.body.addWidget(theme.heading("Interviewer persona", self, 1.1))
        self.combo = QComboBox(self)
        self.combo.setAccessibleName("Persona")
        self.description = theme.muted("", self)
        self.description.setAccessibleName("Persona description")
        self.body.addWidget(self.combo)
        self.body.addWidget(self.description)
        self._personas = {}
        for bank in banks.banks:
            for persona in bank.personas:
                self._personas.setdefault(persona.id, persona)
        self.combo.currentIndexChanged.connect(self._on_chosen)
        self.set_persona("")

    def persona(self) -> str:
        return str(self.combo.currentData() or "")

    def set_persona(self, persona_id: str) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for persona in self._personas.values():
            self.combo.addItem(f"{persona.name} — {persona.title}", persona.id)
        if persona_id and persona_id not in self._personas:
            self.combo.addItem(f"{persona_id} (not in any loaded bank)", persona_id)
        self.combo.setCurrentIndex(max(0, self.combo.findData(persona_id)))
        self.combo.setEnabled(bool(self._personas))
        self.combo.blockSignals(False)
        self._describe()

    def _describe(self) -> None:
        persona = self._personas.get(self.persona())
        if persona is not None:
            self.description.setText(f"{persona.focus} Speaks at {persona.speaking_rate:g}× the voice's pace.")
        elif not self._personas:
            self.description.setText("No question bank is loaded, so there are no personas to choose from.")
        else:
            self.description.setText("This persona is not in any loaded bank; the first persona of the bank is used instead.")
        self.combo.setAccessibleDescription(self.description.text())

    def speaking_rate(self) -> float:
        persona = self._personas.get(self.persona())
        return persona.speaking_rate if persona is not None else 1.0

    @Slot(int)
    def _on_chosen(self, _index: int) -> None:
        self._describe()
        self.changed.emit()


class TurnSection(Card):
    """How an answer ends: hands-free, push-to-talk or manual, and the hands-free silence threshold."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("End of answer")
        self.body.addWidget(theme.heading("End of answer", self, 1.1))
        self.group = QButtonGroup(self)
        self.buttons: dict[EndOfTurn, QRadioButton] = {}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        for row, policy in enumerate(EndOfTurn):
            name, explanation = END_OF_TURN_TEXT[policy]
            button = QRadioButton(name, self)
            button.setAccessibleName(name)
            button.setAccessibleDescription(explanation)
            self.group.addButton(button, row)
            self.buttons[policy] = button
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(theme.muted(explanation, self), row, 1)
        self.body.addLayout(grid)
        row = QHBoxLayout()
        self.silence_spin = QDoubleSpinBox(self)
        self.silence_spin.setRange(SILENCE_MIN, SILENCE_MAX)
        self.silence_spin.setSingleStep(0.5)
        self.silence_spin.setDecimals(1)
        self.silence_spin.setSuffix(" s")
        self.silence_spin.setAccessibleName("Silence threshold")
        self.silence_spin.setToolTip("Thinking out loud has pauses: only a pause this long ends a hands-free answer")
        label = QLabel("&Silence threshold", self)
        label.setBuddy(self.silence_spin)
        row.addWidget(label)
        row.addWidget(self.silence_spin)
        row.addWidget(theme.muted("a pause this long ends a hands-free answer", self), 1)
        self.body.addLayout(row)
        self.group.idToggled.connect(self._on_toggled)
        self.silence_spin.valueChanged.connect(self._on_silence)

    def policy(self) -> EndOfTurn:
        for policy, button in self.buttons.items():
            if button.isChecked():
                return policy
        return EndOfTurn.HANDS_FREE

    def set_values(self, settings: Settings) -> None:
        self.buttons[EndOfTurn(settings.end_of_turn)].setChecked(True)
        self.silence_spin.setValue(settings.silence_seconds)
        self.silence_spin.setEnabled(self.policy() is EndOfTurn.HANDS_FREE)

    def apply_to(self, settings: Settings) -> None:
        settings.end_of_turn = self.policy()
        settings.silence_seconds = round(self.silence_spin.value(), 1)

    @Slot(int, bool)
    def _on_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self.silence_spin.setEnabled(self.policy() is EndOfTurn.HANDS_FREE)
            self.changed.emit()

    @Slot(float)
    def _on_silence(self, _value: float) -> None:
        self.changed.emit()
