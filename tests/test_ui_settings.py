"""The Settings view: save round trip, model checks, voices, data folder, and device tests on the virtual sound card."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import soundfile as sf
import yaml
from PySide6.QtCore import Qt

from mockloop.engine.models import registry
from mockloop.engine.audio import capture, devices as audio_devices
from mockloop.engine.core import paths
from mockloop.engine.audio.output import WavFileOut
from mockloop.engine.bank import BankSet, load_banks
from mockloop.engine.core.errors import AudioUnavailableError
from mockloop.engine.core.settings import EndOfTurn, Settings
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.settings.device_test import MICROPHONE, SPEAKER, VOICE
from mockloop.ui.settings.models import ROLE_LABELS
from mockloop.ui.settings.view import SettingsView

from conftest import answer_file_dialog
from test_audio_io import MonitorRecorder
from test_ui_home import bank_data

TIMEOUT_MS = 30_000
SPEECH = Path(__file__).resolve().parent / "data" / "speech"


@pytest.fixture
def banks(tmp_path: Path) -> BankSet:
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(bank_data(), sort_keys=False), encoding="utf-8")
    loaded = load_banks(files=[path])
    assert not loaded.errors
    return loaded


@pytest.fixture(autouse=True)
def private_config_dir(tmp_path, monkeypatch):
    """The data-folder location file goes to a private config folder."""
    folder = tmp_path / "config"
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(folder))
    return folder


@pytest.fixture
def make_view(qtbot, banks):
    """Build shown views; at teardown device tests, scans and checks finish before the views close.

    Not qtbot.addWidget: pytest-qt closes those before fixture teardown, and a view that is
    gone can no longer say that its scan finished.
    """
    views: list[SettingsView] = []

    def make(settings: Settings | None = None, **kwargs) -> SettingsView:
        view = SettingsView(settings or Settings(), kwargs.pop("banks", banks), **kwargs)
        views.append(view)
        view.resize(1000, 1200)
        view.show()
        qtbot.waitExposed(view)
        return view

    yield make
    for view in views:
        view.stop_tests()
        wait_for(qtbot, view.tester.stopped, lambda v=view: not v.tester.is_running())
        wait_for(qtbot, view.devices.scanned, lambda v=view: not v.devices.is_scanning())
    assert wait_for_background(TIMEOUT_MS)
    for view in views:
        view.close()
        view.deleteLater()


def wait_for(qtbot, signal, done) -> None:
    """Run the event loop until done() holds, waking on `signal`.

    Not qtbot.waitUntil: PySide6's QTest.qWait keeps the GIL, which starves the pool
    threads the view's checks run on; waitSignal runs a real event loop.
    """
    while not done():
        with qtbot.waitSignal(signal, timeout=TIMEOUT_MS):
            pass


def _wait_checked(qtbot, view: SettingsView) -> None:
    for row in view.models.rows.values():
        wait_for(qtbot, row.checked, lambda r=row: r.state() != "checking")


def _press_save(qtbot, view: SettingsView) -> None:
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(view.settings_changed, timeout=TIMEOUT_MS):
        qtbot.keyClick(view.turn.silence_spin, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_changes_are_saved_with_ctrl_s_and_reload(qtbot, make_view, private_data_dir):
    view = make_view()
    assert view.title == "Settings"
    assert not view.has_unsaved_changes() and not view.save_button.isEnabled()
    view.voice.rate_spin.setValue(1.25)
    assert view.voice.rate_slider.value() == 125
    view.persona.combo.setCurrentIndex(view.persona.combo.findData("bar-raiser"))
    view.turn.buttons[EndOfTurn.PUSH_TO_TALK].click()
    assert not view.turn.silence_spin.isEnabled()  # the threshold is for hands-free only
    view.turn.buttons[EndOfTurn.HANDS_FREE].click()
    view.turn.silence_spin.setValue(6.5)
    view.turn.buttons[EndOfTurn.MANUAL].click()
    assert view.has_unsaved_changes() and view.save_button.isEnabled()
    assert "Unsaved changes" in view.status_label.text()

    _press_save(qtbot, view)
    saved = Settings.load()
    assert saved.speaking_rate == 1.25 and saved.persona == "bar-raiser"
    assert saved.end_of_turn is EndOfTurn.MANUAL and saved.silence_seconds == 6.5
    assert saved == view.saved_settings()
    assert not view.has_unsaved_changes() and view.status_label.text().startswith("Saved")
    assert Settings.path().parent == private_data_dir


def test_the_signal_carries_the_new_settings(qtbot, make_view):
    view = make_view(Settings(llm_threads=3))
    view.turn.buttons[EndOfTurn.PUSH_TO_TALK].click()
    with qtbot.waitSignal(view.settings_changed, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    new = blocker.args[0]
    assert isinstance(new, Settings)
    assert new.end_of_turn is EndOfTurn.PUSH_TO_TALK and new.llm_threads == 3  # a field the form does not show is kept


def test_discard_and_restore_defaults(qtbot, make_view):
    view = make_view(Settings(persona="bar-raiser", speaking_rate=1.5, end_of_turn=EndOfTurn.MANUAL))
    assert view.voice.rate() == 1.5 and view.persona.persona() == "bar-raiser"
    assert view.turn.policy() is EndOfTurn.MANUAL
    view.voice.rate_slider.setValue(80)
    assert view.voice.rate() == 0.8 and view.has_unsaved_changes()
    qtbot.mouseClick(view.discard_button, Qt.MouseButton.LeftButton)
    assert view.voice.rate() == 1.5 and not view.has_unsaved_changes()

    qtbot.mouseClick(view.defaults_button, Qt.MouseButton.LeftButton)
    assert view.voice.rate() == 1.0 and view.persona.persona() == "standard"
    assert view.turn.policy() is EndOfTurn.HANDS_FREE
    assert view.has_unsaved_changes()  # shown, not yet saved
    assert "press Save" in view.status_label.text()
    assert not Settings.path().exists()
    assert view.save()
    assert Settings.load() == Settings()


def test_end_of_turn_choices_explain_themselves(make_view):
    view = make_view()
    descriptions = {p: b.accessibleDescription() for p, b in view.turn.buttons.items()}
    assert "silence threshold" in descriptions[EndOfTurn.HANDS_FREE]
    assert "Hold Space" in descriptions[EndOfTurn.PUSH_TO_TALK]
    assert "I'm done" in descriptions[EndOfTurn.MANUAL]


def test_personas_come_from_the_banks_with_their_description(make_view):
    view = make_view(Settings(persona="bar-raiser"))
    combo = view.persona.combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["standard", "bar-raiser"]
    assert combo.currentText() == "The Bar Raiser — Staff Engineer"
    assert view.persona.description.text().startswith("Trade-offs.")
    stale = make_view(Settings(persona="retired"))
    assert stale.persona.persona() == "retired"  # a persona from a removed bank is kept, and said so
    assert "not in any loaded bank" in stale.persona.description.text()
    empty = make_view(Settings(), banks=BankSet())
    assert not empty.persona.combo.isEnabled()
    assert "No question bank" in empty.persona.description.text()


def test_model_paths_show_the_registry_check(qtbot, make_view, tmp_path):
    view = make_view()
    _wait_checked(qtbot, view)
    for role, row in view.models.rows.items():
        expected = registry.resolve(role, Settings())
        assert row.state() == "ok", row.status_text()
        assert expected.name in row.status_text() and "bundled" in row.status_text() and "MB" in row.status_text()
        assert not row.default_button.isEnabled()

    llm = view.models.rows["llm"]
    missing = tmp_path / "nowhere" / "model.gguf"
    qtbot.keyClicks(llm.edit, str(missing))
    qtbot.keyClick(llm.edit, Qt.Key.Key_Return)
    wait_for(qtbot, llm.checked, lambda: llm.state() == "failed")
    assert str(missing) in llm.status_text() and "does not exist" in llm.status_text()
    assert "Choose another model in Settings" in llm.status_text()  # the fix
    assert view.has_unsaved_changes()

    not_a_model = tmp_path / "notes.gguf"
    not_a_model.write_text("just some text, not a model\n" * 100, encoding="utf-8")
    llm.set_path(str(not_a_model))  # checked after a pause in typing
    wait_for(qtbot, llm.checked, lambda: llm.state() == "failed" and str(not_a_model) in llm.status_text())
    assert "not a usable GGUF model" in llm.status_text()

    qtbot.mouseClick(llm.default_button, Qt.MouseButton.LeftButton)
    assert llm.path() == ""
    wait_for(qtbot, llm.checked, lambda: llm.state() == "ok")
    assert registry.resolve("llm", Settings()).name in llm.status_text()
    assert not view.has_unsaved_changes()


def test_a_saved_model_path_is_checked_on_open(qtbot, make_view, bundled):
    view = make_view(Settings(stt_model=str(bundled["stt"].path)))
    row = view.models.rows["stt"]
    wait_for(qtbot, row.checked, lambda: row.state() != "checking")
    assert row.state() == "ok" and "setting" in row.status_text()
    assert row.default_button.isEnabled()


def test_browse_picks_a_model_with_the_file_dialog(qtbot, make_view, bundled):
    view = make_view()
    _wait_checked(qtbot, view)
    llm, stt = view.models.rows["llm"], view.models.rows["stt"]
    shown = answer_file_dialog(bundled["llm"].path)  # Qt's file dialog, answered as a user would
    qtbot.mouseClick(llm.browse_button, Qt.MouseButton.LeftButton)
    assert [(title, name_filter) for title, _, name_filter in shown] == [
        (f"Choose the {ROLE_LABELS['llm'].lower()} model", "GGUF models (*.gguf)")]
    assert llm.path() == str(bundled["llm"].path)
    wait_for(qtbot, llm.checked, lambda: llm.state() == "ok" and "setting" in llm.status_text())
    folder = answer_file_dialog(bundled["stt"].path)  # Whisper models are folders: a folder dialog
    qtbot.mouseClick(stt.browse_button, Qt.MouseButton.LeftButton)
    assert len(folder) == 1 and stt.path() == str(bundled["stt"].path)
    wait_for(qtbot, stt.checked, lambda: stt.state() == "ok" and "setting" in stt.status_text())
    assert view.has_unsaved_changes()


def test_voices_list_the_bundled_and_dropped_in_ones(qtbot, make_view, bundled, tmp_path, monkeypatch):
    models = tmp_path / "my-models"
    models.mkdir()
    tts = bundled["tts"]
    (models / "en_US-other-medium.onnx").symlink_to(tts.path)
    (models / "en_US-other-medium.onnx.json").symlink_to(tts.config_path)
    (models / "broken.onnx").write_bytes(b"no config beside it")
    monkeypatch.setenv(paths.ENV_MODELS_DIR, str(models))
    view = make_view()
    combo = view.voice.voice_combo
    wait_for(qtbot, view.voice.voices_listed, lambda: combo.count() >= 3)
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[0].startswith("Automatic")
    assert any("bundled" in label for label in labels)
    assert "en_US-other-medium · user models folder" in labels
    assert not any("broken" in label for label in labels)

    combo.setCurrentIndex(labels.index("en_US-other-medium · user models folder"))
    row = view.models.rows["tts"]
    assert row.path() == str(models / "en_US-other-medium.onnx")  # the voice and its model path are one setting
    wait_for(qtbot, row.checked, lambda: row.state() == "ok")
    assert "setting" in row.status_text()
    view.save()
    assert Settings.load().tts_voice == str(models / "en_US-other-medium.onnx")

    row.set_path(str(tts.path))
    assert view.voice.voice() == str(tts.path)
    assert "bundled" in combo.currentText()

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "en_US-mine-medium.onnx").symlink_to(tts.path)
    (elsewhere / "en_US-mine-medium.onnx.json").symlink_to(tts.config_path)
    shown = answer_file_dialog(elsewhere / "en_US-mine-medium.onnx")  # "Choose file…": a voice from anywhere
    qtbot.mouseClick(view.voice.choose_button, Qt.MouseButton.LeftButton)
    assert [(title, name_filter) for title, _, name_filter in shown] == [("Choose a Piper voice", "Piper voices (*.onnx)")]
    assert view.voice.voice() == str(elsewhere / "en_US-mine-medium.onnx")
    assert row.path() == str(elsewhere / "en_US-mine-medium.onnx")
    wait_for(qtbot, row.checked, lambda: row.state() == "ok")


def test_hear_it_speaks_with_the_chosen_rate_and_persona(qtbot, make_view, tmp_path):
    files = []

    def file_out(device: str):
        files.append(tmp_path / f"out-{len(files)}.wav")
        return WavFileOut(files[-1])

    view = make_view(make_out=file_out)
    for rate in (1.0, 2.0):
        view.voice.rate_spin.setValue(rate)
        with qtbot.waitSignal(view.tester.finished, timeout=TIMEOUT_MS) as blocker:
            qtbot.mouseClick(view.voice.hear_button, Qt.MouseButton.LeftButton)
        result = blocker.args[0]
        assert result.kind == VOICE and result.ok, result.sentence
        wait_for(qtbot, view.tester.stopped, lambda: not view.tester.is_running())
        assert view.voice.result_label.text() == result.sentence
    normal, fast = (sf.info(f).duration for f in files)
    assert fast < 0.8 * normal


def test_the_data_folder_set_by_the_environment_cannot_be_changed_here(make_view, private_data_dir):
    view = make_view()
    section = view.data_folder
    assert section.path_label.text() == str(private_data_dir)
    assert "MOCKLOOP_DATA_DIR" in section.note_label.text()
    assert not section.change_button.isEnabled()


def test_open_folder_opens_the_data_folder(qtbot, make_view, private_data_dir):
    opened = []
    view = make_view(opener=lambda folder: opened.append(folder) or True)
    qtbot.mouseClick(view.data_folder.open_button, Qt.MouseButton.LeftButton)
    assert opened == [private_data_dir] and private_data_dir.is_dir()


def test_changing_the_data_folder_takes_effect_after_restart(qtbot, make_view, monkeypatch, tmp_path, private_config_dir):
    first = tmp_path / "first"
    paths.choose_data_dir(first)
    monkeypatch.delenv(paths.ENV_DATA_DIR)
    assert paths.data_dir() == first  # this "process" started with the first folder
    view = make_view(Settings(persona="bar-raiser"))
    section = view.data_folder
    assert section.path_label.text() == str(first) and section.change_button.isEnabled()
    assert "you chose" in section.note_label.text()

    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    assert not section.choose(a_file)
    assert "is a file, not a folder" in section.banner.label.text() and section.banner.isVisible()
    assert not view.has_unsaved_changes()

    second = tmp_path / "second"
    second.mkdir()
    cancelled = answer_file_dialog(None)
    qtbot.mouseClick(section.change_button, Qt.MouseButton.LeftButton)
    assert [title for title, _, _ in cancelled] == ["Choose the data folder"] and not view.has_unsaved_changes()
    shown = answer_file_dialog(second)  # Qt's folder dialog, answered as a user would
    qtbot.mouseClick(section.change_button, Qt.MouseButton.LeftButton)
    assert [title for title, _, _ in shown] == ["Choose the data folder"]
    assert not section.banner.isVisible()
    assert view.has_unsaved_changes()
    assert "takes effect after you restart" in section.pending_label.text()
    assert str(first) in section.pending_label.text()  # where the old sessions stay
    with qtbot.waitSignal(view.settings_changed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "after you restart" in view.status_label.text()
    assert json.loads((private_config_dir / paths.LOCATION_FILE).read_text(encoding="utf-8")) == {"data_dir": str(second)}
    assert paths.data_dir() == first  # still the folder this process started with
    assert Settings.load(first / "settings.json").persona == "bar-raiser"
    assert Settings.load(second / "settings.json").persona == "bar-raiser"  # the new folder starts with these settings
    out = subprocess.run([sys.executable, "-c", "from mockloop.engine.core import paths; print(paths.data_dir())"],
                         capture_output=True, text=True, check=True, timeout=60)
    assert Path(out.stdout.strip()) == second
    assert not view.has_unsaved_changes()


def test_no_sound_library_means_a_clear_message_and_no_tests(qtbot, make_view, monkeypatch):
    def no_portaudio():
        raise AudioUnavailableError("The PortAudio sound library is not installed, so there is no microphone or speaker.", "Install it.")

    # Stands in for a machine without libportaudio2.
    monkeypatch.setattr(audio_devices, "import_sounddevice", no_portaudio)
    monkeypatch.setattr(capture, "import_sounddevice", no_portaudio)
    view = make_view(Settings(input_device="USB Mic"))
    section = view.devices
    wait_for(qtbot, section.scanned, lambda: section.report is not None)
    assert section.banner.isVisible()
    assert "PortAudio sound library is not installed" in section.banner.label.text()
    assert not section.mic_button.isEnabled() and not section.speaker_button.isEnabled()
    assert section.input_combo.currentText() == "USB Mic (not connected)"
    assert section.input_device() == "USB Mic"  # the saved choice is not lost
    assert not view.has_unsaved_changes()
    qtbot.mouseClick(section.rescan_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, section.scanned, lambda: not section.is_scanning())
    assert section.banner.isVisible()


# --- the virtual sound card ----------------------------------------------------------------------


def _scanned(qtbot, view: SettingsView) -> None:
    wait_for(qtbot, view.devices.scanned, lambda: view.devices.report is not None and not view.devices.is_scanning())


@pytest.mark.audio
def test_devices_are_listed_and_a_rescan_keeps_the_choice(qtbot, make_view, sound_card):
    view = make_view()
    _scanned(qtbot, view)
    combo = view.devices.input_combo
    names = [combo.itemData(i) for i in range(combo.count())]
    assert names[0] == "" and combo.itemText(0).startswith("System default")
    assert "pulse" in names
    combo.setCurrentIndex(names.index("pulse"))
    qtbot.mouseClick(view.devices.rescan_button, Qt.MouseButton.LeftButton)
    _scanned(qtbot, view)
    assert view.devices.input_device() == "pulse"
    assert not view.devices.banner.isVisible()
    view.set_interview_active(True)
    assert not view.devices.mic_button.isEnabled() and not view.devices.rescan_button.isEnabled()
    view.set_interview_active(False)
    assert view.devices.mic_button.isEnabled()


@pytest.mark.audio
def test_microphone_test_shows_the_level_and_plays_it_back(qtbot, make_view, sound_card):
    view = make_view(Settings(input_device="pulse", output_device="pulse"))
    _scanned(qtbot, view)
    devices = view.devices
    recording = []
    view.tester.status.connect(recording.append)
    qtbot.mouseClick(devices.mic_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, view.tester.status, lambda: any(s.startswith("Recording") for s in recording))
    assert devices.meter.active and not devices.mic_button.isEnabled()
    monitor = MonitorRecorder(sound_card)
    try:
        subprocess.run(["paplay", "--device=virt_mic_src", str(SPEECH / "piper_vocab.flac")], env=sound_card, check=True, timeout=60)
        wait_for(qtbot, view.tester.finished, lambda: devices.last_result is not None)
        heard_back = monitor.audio()
    finally:
        monitor.close()
    result = devices.last_result
    assert result.kind == MICROPHONE and result.ok, result.sentence
    assert result.report.heard
    assert devices.loudest_level > 0.1  # the live meter saw the speech
    assert "The microphone (pulse) works" in result.sentence and "played back" in result.sentence
    assert devices.result_label.text() == result.sentence
    assert any(s.startswith("Playing back") for s in recording)
    assert heard_back.size and abs(heard_back).max() > 0.05  # the recording reached the virtual speaker
    wait_for(qtbot, view.tester.stopped, lambda: not view.tester.is_running())
    assert devices.mic_button.isEnabled()
    assert not devices.meter.active


@pytest.mark.audio
def test_a_silent_microphone_is_reported_as_heard_nothing(qtbot, make_view, sound_card):
    view = make_view(Settings(input_device="pulse"))
    _scanned(qtbot, view)
    with qtbot.waitSignal(view.tester.finished, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.devices.mic_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert not result.ok
    assert result.sentence.startswith("Heard nothing: the microphone (pulse) sent")


@pytest.mark.audio
def test_a_missing_microphone_is_a_sentence_not_a_crash(qtbot, make_view, sound_card):
    view = make_view(Settings(input_device="no-such-microphone-xyz"))
    _scanned(qtbot, view)
    assert view.devices.input_combo.currentText() == "no-such-microphone-xyz (not connected)"
    with qtbot.waitSignal(view.tester.finished, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.devices.mic_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert not result.ok
    assert result.sentence.startswith("No microphone named 'no-such-microphone-xyz' was found.")
    assert view.devices.result_label.text() == result.sentence


@pytest.mark.audio
def test_speaker_test_speaks_on_the_chosen_speaker(qtbot, make_view, sound_card):
    view = make_view(Settings(output_device="pulse"))
    _scanned(qtbot, view)
    monitor = MonitorRecorder(sound_card)
    try:
        with qtbot.waitSignal(view.tester.finished, timeout=TIMEOUT_MS) as blocker:
            qtbot.mouseClick(view.devices.speaker_button, Qt.MouseButton.LeftButton)
        heard = monitor.audio()
    finally:
        monitor.close()
    result = blocker.args[0]
    assert result.kind == SPEAKER and result.ok, result.sentence
    assert "(pulse)" in result.sentence
    assert heard.size and abs(heard).max() > 0.1
