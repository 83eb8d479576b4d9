"""Settings: microphone and speaker choice, with test buttons, a live level and a rescan."""

from __future__ import annotations

import threading
from typing import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from mockloop.engine.audio.devices import AudioReport, audio_report
from mockloop.engine.core.settings import Settings
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.cards import Banner, Card, Severity
from mockloop.ui.settings.device_test import MICROPHONE, SPEAKER, DeviceTester, DeviceTestResult
from mockloop.ui.common.level_meter import LevelMeter

MIC_TEST_SECONDS = 3.0
BUSY_TIP = "Not available while an interview is running"


_scan_lock = threading.Lock()  # PortAudio is not thread-safe: one re-initialisation at a time


class _Scan:
    """The pool job of one device listing."""

    def __init__(self, list_devices: Callable[[], AudioReport]) -> None:
        self._list_devices = list_devices

    def __call__(self) -> AudioReport:
        with _scan_lock:
            return self._list_devices()


def fill_combo(combo: QComboBox, names: list[str], default_name: str, current: str) -> None:
    """'System default' first, then the devices; a saved device that is missing stays, marked."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(f"System default ({default_name})" if default_name else "System default", "")
    for name in names:
        combo.addItem(name, name)
    if current and current not in names:
        combo.addItem(f"{current} (not connected)", current)
    index = combo.findData(current)
    combo.setCurrentIndex(index if index >= 0 else 0)
    combo.blockSignals(False)


class DeviceSection(Card):
    """Input and output device combos, "Test microphone", "Test speaker" and "Rescan devices"."""

    changed = Signal()
    scanned = Signal()  # a device listing arrived (or failed)

    def __init__(self, tester: DeviceTester, voice_settings: Callable[[], tuple[Settings, float]],
                 parent: QWidget | None = None, *, list_devices: Callable[[], AudioReport] = audio_report) -> None:
        super().__init__(parent)
        self.setAccessibleName("Microphone and speaker")
        self._tester = tester
        self._voice_settings = voice_settings  # the voice and rate "Test speaker" speaks with
        self._list_devices = list_devices
        self._busy = False  # an interview owns the devices
        self._scanning = False
        self.report: AudioReport | None = None
        self._current = ("", "")
        self.body.addWidget(theme.heading("Microphone and speaker", self, 1.1))
        self.banner = Banner(Severity.WARNING, self)
        self.banner.setAccessibleName("Audio device problems")
        self.body.addWidget(self.banner)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.input_combo = QComboBox(self)
        self.input_combo.setAccessibleName("Microphone")
        self.output_combo = QComboBox(self)
        self.output_combo.setAccessibleName("Speaker")
        for combo in (self.input_combo, self.output_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(24)
            combo.currentIndexChanged.connect(self._on_combo_changed)
        self.mic_button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Test microphone", self)
        self.mic_button.setAccessibleName("Test microphone")
        self.mic_button.setToolTip(f"Record {MIC_TEST_SECONDS:.0f} seconds, show the level, then play it back on the speaker")
        self.speaker_button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume), "Test speaker", self)
        self.speaker_button.setAccessibleName("Test speaker")
        self.speaker_button.setToolTip("Speak a short sentence with the chosen voice and rate")
        mic_label = QLabel("&Microphone", self)
        mic_label.setBuddy(self.input_combo)
        out_label = QLabel("S&peaker", self)
        out_label.setBuddy(self.output_combo)
        grid.addWidget(mic_label, 0, 0)
        grid.addWidget(self.input_combo, 0, 1)
        grid.addWidget(self.mic_button, 0, 2)
        self.meter = LevelMeter(self)
        self.meter.setAccessibleName("Microphone test level")
        grid.addWidget(self.meter, 1, 1)
        grid.addWidget(out_label, 2, 0)
        grid.addWidget(self.output_combo, 2, 1)
        grid.addWidget(self.speaker_button, 2, 2)
        self.body.addLayout(grid)

        self.result_label = theme.plain("", self)
        self.result_label.setAccessibleName("Device test result")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.body.addWidget(self.result_label)
        row = QHBoxLayout()
        self.rescan_button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Rescan devices", self)
        self.rescan_button.setAccessibleName("Rescan devices")
        self.rescan_button.setToolTip("Look for microphones and speakers again (after plugging one in)")
        row.addWidget(self.rescan_button)
        row.addStretch(1)
        self.body.addLayout(row)

        self._tips = {b: b.toolTip() for b in (self.mic_button, self.speaker_button, self.rescan_button)}
        self.last_result: DeviceTestResult | None = None
        self.loudest_level = 0.0  # the highest peak the meter was given during the last microphone test
        self.mic_button.clicked.connect(self._on_test_microphone)
        self.speaker_button.clicked.connect(self._on_test_speaker)
        self.rescan_button.clicked.connect(self.rescan)
        tester.started.connect(self._on_test_started)
        tester.level.connect(self._on_level)
        tester.status.connect(self._on_status)
        tester.finished.connect(self._on_test_finished)
        tester.stopped.connect(self._update_buttons)
        self._update_buttons()

    # Values ---------------------------------------------------------------------------

    def input_device(self) -> str:
        return str(self.input_combo.currentData() or "")

    def output_device(self) -> str:
        return str(self.output_combo.currentData() or "")

    def set_values(self, input_device: str, output_device: str) -> None:
        self._current = (input_device, output_device)
        self._fill()

    def apply_to(self, settings: Settings) -> None:
        settings.input_device = self.input_device()
        settings.output_device = self.output_device()

    def _fill(self) -> None:
        report = self.report
        inputs = [d.name for d in report.inputs] if report else []
        outputs = [d.name for d in report.outputs] if report else []
        fill_combo(self.input_combo, inputs, report.default_input if report else "", self._current[0])
        fill_combo(self.output_combo, outputs, report.default_output if report else "", self._current[1])

    @Slot(int)
    def _on_combo_changed(self, _index: int) -> None:
        self._current = (self.input_device(), self.output_device())
        self.changed.emit()

    # Scanning ---------------------------------------------------------------------------

    @Slot()
    def rescan(self) -> None:
        """List devices again on a pool thread (PortAudio is re-initialised there)."""
        if self._scanning or self._busy or self._tester.is_running():
            return
        self._scanning = True
        self.result_label.setText("Looking for microphones and speakers…")
        self._update_buttons()
        run_in_background(_Scan(self._list_devices), self._on_scanned, self._on_scan_failed)

    def is_scanning(self) -> bool:
        return self._scanning

    @Slot(object)
    def _on_scanned(self, report: AudioReport) -> None:
        self._scanning = False
        self.report = report
        self._fill()
        if report.reason:
            self.banner.show_message(report.reason.replace("&", "&amp;").replace("<", "&lt;"), report.reason)
        else:
            self.banner.clear()
        found = f"{len(report.inputs)} microphone" + ("s" if len(report.inputs) != 1 else "")
        found += f" and {len(report.outputs)} speaker" + ("s" if len(report.outputs) != 1 else "") + " found."
        self.result_label.setText(found)
        self._update_buttons()
        self.scanned.emit()

    @Slot(str)
    def _on_scan_failed(self, sentence: str) -> None:
        self._scanning = False
        self.banner.show_message(sentence.replace("&", "&amp;").replace("<", "&lt;"), sentence)
        self.result_label.clear()
        self._update_buttons()
        self.scanned.emit()

    # Tests ------------------------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        """While an interview runs it owns the devices: tests and rescans wait."""
        self._busy = busy
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        running = self._tester.is_running()
        idle = not (self._busy or self._scanning or running)
        report = self.report
        self.mic_button.setEnabled(idle and (report is None or report.can_record))
        self.speaker_button.setEnabled(idle and (report is None or report.can_play))
        self.rescan_button.setEnabled(idle)
        for button, tip in self._tips.items():
            button.setToolTip(BUSY_TIP if self._busy else tip)
        if not running:
            self.meter.set_active(False)

    @Slot()
    def _on_test_microphone(self) -> None:
        self.result_label.setText("Starting the microphone test…")
        self._tester.test_microphone(self.input_device(), self.output_device(), MIC_TEST_SECONDS)

    @Slot()
    def _on_test_speaker(self) -> None:
        settings, rate = self._voice_settings()
        self.result_label.setText("Starting the speaker test…")
        self._tester.test_speaker(self.output_device(), settings, rate, kind=SPEAKER)

    @Slot(str)
    def _on_test_started(self, kind: str) -> None:
        self.meter.set_active(kind == MICROPHONE)
        if kind == MICROPHONE:
            self.loudest_level = 0.0
        self._update_buttons()

    @Slot(float, float, float)
    def _on_level(self, rms: float, peak: float, _done: float) -> None:
        self.meter.set_level(rms, peak)
        self.loudest_level = max(self.loudest_level, peak)

    @Slot(str)
    def _on_status(self, text: str) -> None:
        if self._tester.kind in (MICROPHONE, SPEAKER):
            self.result_label.setText(text)

    @Slot(object)
    def _on_test_finished(self, result: DeviceTestResult) -> None:
        if result.kind in (MICROPHONE, SPEAKER):
            self.result_label.setText(result.sentence)
            self.last_result = result
