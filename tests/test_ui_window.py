"""The whole window: every view reachable by keyboard, named for screen readers, drawn sharp at high DPI, Settings applied live."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QApplication, QComboBox, QLineEdit,
    QHeaderView, QMessageBox, QPlainTextEdit, QScrollBar, QTextEdit, QWidget,
)

from mockloop.engine.models import registry
from mockloop.engine.bank import load_banks
from mockloop.engine.core.settings import Settings
from mockloop.ui.common import theme
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.main_window import MainWindow

TIMEOUT_MS = 30_000
VIEWS = ["Home", "Question bank", "Radar", "Review", "Settings"]
INTERACTIVE = (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView, QAbstractSlider, QAbstractSpinBox,
               QPlainTextEdit, QTextEdit)


@pytest.fixture(scope="module")
def banks():
    loaded = load_banks()
    assert not loaded.errors
    return loaded


@pytest.fixture
def window(qtbot, banks):
    window = MainWindow(banks, Settings())
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=TIMEOUT_MS)
    assert wait_for_background(TIMEOUT_MS)


def _models_checked(window: MainWindow) -> bool:
    return all(window.home.model_panel.state(role) != "checking" for role in registry.ROLES)


def _unnamed(view: QWidget) -> list[str]:
    """Interactive widgets a screen reader could only call by their type."""
    missing = []
    for widget in view.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(view):
            continue
        if widget.objectName().startswith("qt_") or isinstance(widget, (QScrollBar, QHeaderView)):
            continue  # parts Qt builds inside a named control (a spin box's editor, scroll bars, table headers)
        label = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
        if not label.strip().strip("&"):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(widget.parent()).__name__}")
    return missing


def test_every_view_has_a_nav_entry_and_a_ctrl_number_shortcut(qtbot, window):
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == VIEWS
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    for number, title in enumerate(VIEWS, start=1):
        qtbot.keyClick(window.focusWidget() or window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert window.current_view().title == title
        assert window.nav.item(number - 1).toolTip() == f"{title} (Ctrl+{number})"


def test_every_control_in_every_view_has_an_accessible_name(qtbot, window):
    problems = {}
    for title in VIEWS:
        window.show_view(next(window.stack.widget(i) for i in range(window.stack.count()) if window.stack.widget(i).title == title))
        qtbot.wait(50)  # the view lays itself out once shown
        unnamed = _unnamed(window.current_view())
        if unnamed:
            problems[title] = unnamed
    assert problems == {}


def test_saved_settings_reach_the_window_and_a_broken_model_shows_its_fix(qtbot, window, tmp_path):
    qtbot.waitUntil(lambda: _models_checked(window), timeout=TIMEOUT_MS)
    assert window.home.model_panel.ready_count() == len(registry.ROLES)
    window.show_view(window.settings_view)
    view = window.settings_view
    broken = tmp_path / "interviewer.gguf"
    broken.write_text("not a model", encoding="utf-8")
    view.models.rows["llm"].set_path(str(broken))
    with qtbot.waitSignal(view.settings_changed, timeout=TIMEOUT_MS) as saved:
        assert view.save()
    assert saved.args[0].llm_model == str(broken) and window.settings.llm_model == str(broken)
    assert Settings.load().llm_model == str(broken)
    # The model status is checked again: Home says what is wrong and how to fix it.
    qtbot.waitUntil(lambda: window.home.model_panel.state("llm") == "failed", timeout=TIMEOUT_MS)
    banner = window.home.model_panel.banner
    assert not banner.isHidden() and str(broken.name) in banner.label.text()
    qtbot.waitUntil(lambda: window.models_label.text() == "1 model problem: see Home", timeout=TIMEOUT_MS)


def test_closing_with_unsaved_settings_asks_and_keeps_the_window_on_cancel(qtbot, window, monkeypatch):
    view = window.settings_view
    window.show_view(view)
    view.models.rows["stt"].set_path("/nowhere/whisper")
    assert view.has_unsaved_changes()
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked = []

    def question(*args, **kwargs):
        asked.append(args[1:3])
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    window.close()
    assert window.isVisible() and window.current_view() is view  # Cancel: nothing closes, the changes stay
    assert view.has_unsaved_changes()
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=TIMEOUT_MS)
    assert [a[0] for a in asked] == ["Unsaved settings", "Unsaved settings"]
    assert Settings.load().stt_model == ""  # discarded, not saved


def test_the_window_follows_a_dark_palette(qtbot, window):
    app = QApplication.instance()
    light = app.palette()
    dark = QPalette(light)
    for role, colour in ((QPalette.ColorRole.Window, QColor(32, 33, 36)), (QPalette.ColorRole.WindowText, QColor(232, 234, 237)),
                         (QPalette.ColorRole.Base, QColor(24, 25, 27)), (QPalette.ColorRole.Text, QColor(232, 234, 237)),
                         (QPalette.ColorRole.Button, QColor(48, 49, 52)), (QPalette.ColorRole.ButtonText, QColor(232, 234, 237))):
        dark.setColor(role, colour)
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: window.home.palette().color(QPalette.ColorRole.Window) == QColor(32, 33, 36), timeout=TIMEOUT_MS)
        fill, _border = theme.card_colours(window.home.model_panel.palette())
        assert fill.lightness() < 80  # cards are drawn from the palette, so they turn dark too
        image = window.grab().toImage()
        centre = image.pixelColor(image.width() // 2, image.height() // 2)
        assert centre.lightness() < 128
    finally:
        app.setPalette(light)


def test_no_microphone_at_launch_shows_a_banner_with_the_fix(qtbot, banks, monkeypatch):
    from mockloop.engine.audio import devices
    from mockloop.ui import main_window

    # The hardware edge: this machine's sound cards, replaced by a laptop without a microphone.
    speaker = devices.AudioDevice(0, "Speakers", "ALSA", 0, 2, 48_000.0)
    report = devices.AudioReport(portaudio=True, outputs=[speaker],
                                       reason="No microphone was found. Plug one in; until then you can type your answers.")
    monkeypatch.setattr(main_window, "audio_report", lambda: report)
    window = MainWindow(banks, Settings())
    window.show()
    try:
        banner = window.home.device_banner
        qtbot.waitUntil(lambda: not banner.isHidden(), timeout=TIMEOUT_MS)
        assert "No microphone was found" in banner.label.text() and "Settings (Ctrl+5)" in banner.label.text()
        assert "type your answers" in banner.accessibleDescription()
    finally:
        window.close()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=TIMEOUT_MS)
        assert wait_for_background(TIMEOUT_MS)


def test_start_and_practice_have_shortcuts_in_the_file_menu(qtbot, window):
    assert window.start_action.shortcut().toString() == "Ctrl+N"
    assert window.practice_action.shortcut().toString() == "Ctrl+P"
    # Only the request is checked here: the interview itself is another test's business.
    window.home.practice_requested.disconnect(window._on_practice)
    window.home.start_loop_requested.disconnect(window._on_start_loop)
    window.start_action.triggered.disconnect(window._on_start_loop)
    window.start_action.triggered.connect(window.home.start_button.click)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.home.plan_panel.plan is not None, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.home.practice_requested, timeout=TIMEOUT_MS) as practice:
        qtbot.keyClick(window.nav, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert practice.args == [window.home.plan_panel.plan.days[0].items[0].question_id]
    with qtbot.waitSignal(window.home.start_loop_requested, timeout=TIMEOUT_MS):
        qtbot.keyClick(window.nav, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)


_RENDER_VIEWS = textwrap.dedent("""
    import json, sys
    from PySide6.QtWidgets import QApplication
    from mockloop.engine.bank import load_banks
    from mockloop.engine.core.settings import Settings
    from mockloop.ui.common.background import wait_for_background
    from mockloop.ui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow(load_banks(), Settings())
    window.resize(1100, 760)
    window.show()
    shown = {}
    for name in ("home", "bank_view", "radar_view", "review_view", "settings_view"):
        view = getattr(window, name)
        window.show_view(view)
        for _ in range(20):
            app.processEvents()
        wait_for_background(60_000)
        app.processEvents()
        image = window.grab().toImage()
        image.save(f"{sys.argv[1]}/{name}.png")
        shown[name] = [window.width(), window.height(), image.width(), image.height(), image.devicePixelRatio()]
    print(json.dumps(shown))
    window.close()
""")


def _render_views(folder: Path, scale: str) -> dict:
    folder.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale}
    done = subprocess.run([sys.executable, "-c", _RENDER_VIEWS, str(folder)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rgb(path: Path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return rows[:, :image.width(), :3].astype(np.int16)


def _pixel_doubled_share(pixels: np.ndarray) -> float:
    """How much of an image is uniform 2x2 blocks: 1.0 for a picture blown up from half the size."""
    h, w = pixels.shape[0] // 2 * 2, pixels.shape[1] // 2 * 2
    blocks = pixels[:h, :w].reshape(h // 2, 2, w // 2, 2, 3)
    uniform = (blocks == blocks[:, :1, :, :1]).all(axis=(1, 3, 4))
    return float(uniform.mean())


def test_at_twice_the_pixel_density_every_view_is_drawn_at_full_resolution(tmp_path, private_data_dir):
    normal, dense = _render_views(tmp_path / "x1", "1"), _render_views(tmp_path / "x2", "2")
    assert set(normal) == set(dense)
    for name, (width, height, px_w, px_h, ratio) in dense.items():
        assert (width, height) == tuple(normal[name][:2])  # the same layout, in device-independent pixels
        assert ratio == 2.0 and (px_w, px_h) == (2 * width, 2 * height)
        # Text, icons and the custom-painted widgets are drawn with the extra pixels, not blown up:
        # a blown-up picture is nothing but uniform 2x2 blocks.
        blown_up = _rgb(tmp_path / "x1" / f"{name}.png").repeat(2, axis=0).repeat(2, axis=1)
        assert _pixel_doubled_share(blown_up) == 1.0
        share = _pixel_doubled_share(_rgb(tmp_path / "x2" / f"{name}.png"))
        print(f"{name}: {share:.3f} of 2x2 blocks uniform at 2x")
        assert share < 0.99, name


def test_garbage_made_on_a_worker_thread_is_collected_on_the_gui_thread(qtbot, window):
    """A cycle freed by the collector on a worker thread could destroy Qt objects off their thread."""
    import gc
    import threading

    freed_on: list[str] = []

    class Cycle:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            freed_on.append(threading.current_thread().name)

    def make_garbage() -> None:
        for _ in range(3 * gc.get_threshold()[0]):  # past the threshold that used to start a collection here
            Cycle()

    assert not gc.isenabled()
    worker = threading.Thread(target=make_garbage, name="mockloop-test-worker")
    worker.start()
    worker.join()
    assert freed_on == []  # nothing was collected on the worker
    qtbot.waitUntil(lambda: len(freed_on) > 0, timeout=TIMEOUT_MS)
    assert set(freed_on) == {threading.main_thread().name}
