"""Settings: devices with tests, voice and rate, persona, end of turn, model paths and the data folder."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStyle, QVBoxLayout, QWidget

from mockloop.engine.models import registry
from mockloop.engine.core import paths
from mockloop.engine.audio.devices import AudioReport, audio_report
from mockloop.engine.bank import BankSet
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.core.settings import Settings
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.cards import Banner, Severity, scroll_page
from mockloop.ui.settings.device_test import DeviceTester, InFactory, OutFactory, open_microphone, open_speaker
from mockloop.ui.settings.devices import DeviceSection
from mockloop.ui.settings.models import ModelsSection, Resolver, find_voices
from mockloop.ui.settings.data import DataFolderSection, open_folder
from mockloop.ui.settings.parts import PersonaSection, TurnSection, VoiceSection


class SettingsView(QWidget):
    """Edits a copy of the settings; Save (Ctrl+S) writes them and emits `settings_changed`.

    Nothing is applied until Save. `has_unsaved_changes()` tells the window whether to
    ask before closing; `set_interview_active(True)` keeps device tests off the devices
    an interview is using; `stop_tests()` ends a running device test (then `tests_stopped`).
    """

    title = "Settings"
    settings_changed = Signal(object)  # the saved Settings (a copy)
    dirty_changed = Signal(bool)
    tests_stopped = Signal()  # a device test ended (after `stop_tests()` too)

    def __init__(self, settings: Settings, banks: BankSet, parent: QWidget | None = None, *,
                 resolve: Resolver = registry.resolve, settings_path: Path | None = None,
                 list_devices: Callable[[], AudioReport] = audio_report,
                 make_in: InFactory = open_microphone, make_out: OutFactory = open_speaker,
                 opener: Callable[[Path], bool] = open_folder) -> None:
        super().__init__(parent)
        self.setAccessibleName("Settings")
        self._saved = dataclasses.replace(settings)
        self._baseline = self._saved
        self._settings_path = settings_path  # None: Settings.path() in the data folder in use
        self._dirty = False
        self._loading = False
        self.tester = DeviceTester(self, make_in=make_in, make_out=make_out)
        self.tester.stopped.connect(self.tests_stopped)
        em = self.fontMetrics().height()

        content = scroll_page(self, 64)
        page = QVBoxLayout(content)
        page.setContentsMargins(em * 2, em * 3 // 2, em * 2, em * 2)
        page.setSpacing(em)
        page.addWidget(theme.heading("Settings", content, 1.6))

        self.devices = DeviceSection(self.tester, self._speaker_voice, content, list_devices=list_devices)
        self.voice = VoiceSection(self.tester, self._hear_it, content)
        self.persona = PersonaSection(banks, content)
        self.turn = TurnSection(content)
        self.models = ModelsSection(resolve, content)
        self.data_folder = DataFolderSection(content, opener=opener)
        for section in (self.devices, self.voice, self.persona, self.turn, self.models, self.data_folder):
            page.addWidget(section)
            section.changed.connect(self._on_changed)
        page.addStretch(1)
        self.voice.voice_changed.connect(self._on_voice_chosen)
        self.models.rows["tts"].edit.textChanged.connect(self._on_voice_path_edited)

        self.layout().addWidget(self._build_save_bar())

        self._load(self._saved)
        self._baseline = self.current()  # as the widgets show it (a rate of 1.234 shows as 1.23)
        self._on_changed()
        self._scanned = False  # devices, model checks and voices are looked up when the view is first shown

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._scanned:
            # Not at launch: the window opens faster, and PortAudio is left alone until needed.
            self._scanned = True
            self.devices.rescan()
            self.models.check_all()
            run_in_background(find_voices, self._on_voices_found)

    def _build_save_bar(self) -> QWidget:
        em = self.fontMetrics().height()
        bar = QWidget(self)
        column = QVBoxLayout(bar)
        column.setContentsMargins(em * 2, em // 2, em * 2, em // 2)
        self.save_banner = Banner(Severity.WARNING, bar)
        self.save_banner.setAccessibleName("Settings not saved")
        column.addWidget(self.save_banner)
        row = QHBoxLayout()
        self.status_label = theme.muted("", bar)
        self.status_label.setAccessibleName("Settings status")
        row.addWidget(self.status_label, 1)
        self.defaults_button = QPushButton("Restore defaults", bar)
        self.defaults_button.setAccessibleName("Restore defaults")
        self.defaults_button.setToolTip("Put every setting back to its default (press Save to keep that)")
        self.discard_button = QPushButton("Discard changes", bar)
        self.discard_button.setAccessibleName("Discard changes")
        self.discard_button.setToolTip("Go back to the saved settings")
        self.save_button = theme.PrimaryButton("Save", bar)
        self.save_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.save_button.setAccessibleName("Save settings")
        self.save_button.setToolTip("Save the settings (Ctrl+S)")
        for button in (self.defaults_button, self.discard_button, self.save_button):
            row.addWidget(button)
        column.addLayout(row)
        self.save_action = QAction("&Save settings", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.save_action)
        self.save_action.triggered.connect(self._on_save)
        self.save_button.clicked.connect(self._on_save)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.discard_button.clicked.connect(self.discard_changes)
        return bar

    # State -----------------------------------------------------------------------------

    def saved_settings(self) -> Settings:
        return dataclasses.replace(self._saved)

    def current(self) -> Settings:
        """The settings as the form shows them (fields the form does not show are kept)."""
        settings = dataclasses.replace(self._saved)
        self.devices.apply_to(settings)
        self.voice.apply_to(settings)
        settings.persona = self.persona.persona() or settings.persona
        self.turn.apply_to(settings)
        self.models.apply_to(settings)
        return settings

    def has_unsaved_changes(self) -> bool:
        return self.current() != self._baseline or self.data_folder.is_changed()

    def _load(self, settings: Settings) -> None:
        self._loading = True
        try:
            self.devices.set_values(settings.input_device, settings.output_device)
            self.voice.set_values(settings)
            self.persona.set_persona(settings.persona)
            self.turn.set_values(settings)
            self.models.set_values(settings)
        finally:
            self._loading = False
        self._on_changed()

    @Slot()
    def _on_changed(self) -> None:
        if self._loading:
            return
        dirty = self.has_unsaved_changes()
        self.save_button.setEnabled(dirty)
        self.discard_button.setEnabled(dirty)
        if dirty:
            self.status_label.setText("Unsaved changes: press Save (Ctrl+S) to use them.")
        elif not self.status_label.text().startswith("Saved"):
            self.status_label.setText("All settings are saved.")
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    # Actions ---------------------------------------------------------------------------

    @Slot()
    def _on_save(self) -> None:
        self.save()

    def save(self) -> bool:
        """Write the settings (and the data folder choice); False, with a sentence shown, when that failed."""
        settings = self.current()
        try:
            settings.save(self._settings_path)
        except MockloopError as exc:
            return self._save_failed(exc.user_message())
        except OSError as exc:
            return self._save_failed(f"Your settings could not be saved ({exc.strerror or exc}). They are still here; "
                                     "free some disk space or check the data folder's permissions, then press Save again.")
        note = ""
        if self.data_folder.is_changed():
            target = self.data_folder.target()
            try:
                chosen = paths.choose_data_dir(target)
                copy = chosen / "settings.json"
                if not copy.exists():  # the new folder starts with these settings; existing ones are theirs
                    settings.save(copy)
            except (MockloopError, OSError) as exc:
                sentence = exc.user_message() if isinstance(exc, MockloopError) else str(exc)
                self._baseline = self._saved = settings
                self._on_changed()
                return self._save_failed(f"Settings saved, but the data folder could not be changed: {sentence}")
            self.data_folder.mark_saved()
            note = " The new data folder is used after you restart mockloop."
        self._saved = settings
        self._baseline = self.current()
        self.save_banner.clear()
        self.status_label.setText("Saved." + note)
        self._on_changed()
        self.settings_changed.emit(dataclasses.replace(settings))
        return True

    def _save_failed(self, sentence: str) -> bool:
        self.save_banner.show_message(html.escape(sentence), sentence)
        self.status_label.setText("Not saved.")
        return False

    @Slot()
    def restore_defaults(self) -> None:
        """Show the defaults in the form; they are kept only when saved."""
        defaults = dataclasses.replace(Settings(), llm_threads=self._saved.llm_threads)
        self._load(defaults)
        self.data_folder.reset(to_default=True)
        self.models.check_all()
        self._on_changed()
        if self.has_unsaved_changes():
            self.status_label.setText("Defaults restored in the form: press Save (Ctrl+S) to keep them.")

    @Slot()
    def discard_changes(self) -> None:
        self._load(self._saved)
        self.data_folder.reset()
        self.save_banner.clear()
        self.models.check_all()
        self._on_changed()

    def set_interview_active(self, active: bool) -> None:
        """An interview owns the microphone and speaker: no tests or rescans meanwhile."""
        if active:
            self.tester.cancel()
        self.devices.set_busy(active)

    def stop_tests(self) -> bool:
        """Cancel a running device test; True if none runs (else `tests_stopped` follows)."""
        return self.tester.cancel()

    # Wiring between sections --------------------------------------------------------------

    def _speaker_voice(self) -> tuple[Settings, float]:
        settings = self.current()
        return settings, settings.speaking_rate

    def _hear_it(self) -> tuple[str, Settings, float]:
        settings = self.current()
        # What the interview will use: this persona's pace times the rate chosen here.
        return settings.output_device, settings, settings.speaking_rate * self.persona.speaking_rate()

    @Slot(str)
    def _on_voice_chosen(self, path: str) -> None:
        self.models.rows["tts"].set_path(path)

    @Slot(str)
    def _on_voice_path_edited(self, _text: str) -> None:
        self.voice.select_voice(self.models.rows["tts"].path())

    @Slot(object)
    def _on_voices_found(self, voices: list) -> None:
        self.voice.set_voices(voices)
