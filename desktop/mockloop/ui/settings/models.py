"""Settings: model paths for speech recognition, voice and interviewer, each checked by the registry."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QStyle, QWidget

from mockloop.engine.core.model_info import ModelInfo
from mockloop.engine.models import registry
from mockloop.engine.core import paths
from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.settings import Settings
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.cards import Card

Resolver = Callable[[str, Settings], ModelInfo]

ROLE_LABELS = {"stt": "Speech recognition", "tts": "Interviewer voice", "llm": "Interviewer model",
               "text": "Answer understanding"}
ROLE_HINTS = {
    "stt": "A faster-whisper (CTranslate2) model folder",
    "tts": "A Piper voice: an .onnx file with its .onnx.json beside it",
    "llm": "A language model: one .gguf file",
    "text": "A word-embedding folder: a tokenizer .json and a .safetensors table",
}
FOLDER_ROLES = ("stt", "text")  # models that are folders, not single files
CHECK_DELAY_MS = 400  # typing pauses this long before a path is checked


def size_text(size_bytes: int) -> str:
    if size_bytes >= 10_000_000:
        return f"{size_bytes / 1_000_000:,.0f} MB"
    if size_bytes >= 1_000_000:
        return f"{size_bytes / 1_000_000:.1f} MB"
    return f"{max(1, round(size_bytes / 1000))} KB"


@dataclass
class CheckResult:
    """A path as checked: the ModelInfo, or the ModelError's problem and fix."""

    path: str
    info: ModelInfo | None = None
    problem: str = ""
    fix: str = ""


@dataclass
class VoiceChoice:
    label: str
    path: str  # "" for automatic


def find_voices() -> list[VoiceChoice]:
    """Piper voices the registry can use: the bundled one and every usable .onnx in the models folders."""
    voices: list[VoiceChoice] = []
    try:
        bundled = registry.bundled_model("tts")
        voices.append(VoiceChoice(f"{bundled.name} · bundled", str(bundled.path)))
    except (ModelError, OSError, KeyError):
        pass  # the automatic choice still says what is wrong
    for source, folder in registry.model_folders():
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.onnx")):
            try:
                info = registry.check_model("tts", path, source)
            except ModelError:
                continue
            voices.append(VoiceChoice(f"{info.name} · {source}", str(info.path)))
    return voices


class ModelPathRow(QWidget):
    """A path for one role: edit, Browse…, Use default, and the registry's verdict beside it."""

    changed = Signal()
    checked = Signal(str)  # 'ok' or 'failed', once the registry answered for the current path

    def __init__(self, role: str, resolve: Resolver, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self._resolve = resolve
        self._template = Settings()
        self._state = "checking"
        self._wanted = ""  # the path the newest check was for
        label = ROLE_LABELS[role]
        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(f"{label} model path")
        self.edit.setPlaceholderText("Automatic: the bundled model, or one in the models folder")
        self.edit.setToolTip(ROLE_HINTS[role])
        self.edit.setClearButtonEnabled(True)
        self.browse_button = QPushButton("Browse…", self)
        self.browse_button.setAccessibleName(f"Browse for the {label.lower()} model")
        self.default_button = QPushButton("Use default", self)
        self.default_button.setAccessibleName(f"Use the default {label.lower()} model")
        self.default_button.setToolTip("Clear the path: mockloop picks the model itself")
        self.default_button.setEnabled(False)
        self.icon = QLabel(self)
        self.status = theme.plain("Checking…", self)
        self.status.setAccessibleName(f"{label} check result")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.default_button)
        grid.addLayout(row, 0, 0, 1, 2)
        grid.addWidget(self.icon, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.status, 1, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.edit.textChanged.connect(self._on_text_changed)
        self.edit.editingFinished.connect(self._on_editing_finished)
        self.browse_button.clicked.connect(self._on_browse)
        self.default_button.clicked.connect(self._on_default)

    def path(self) -> str:
        return self.edit.text().strip()

    def set_path(self, path: str) -> None:
        if path != self.edit.text():
            self.edit.setText(path)

    def set_template(self, settings: Settings) -> None:
        """The other settings a check runs with (only this role's path is replaced)."""
        self._template = dataclasses.replace(settings)

    def state(self) -> str:
        """'checking', 'ok' or 'failed'."""
        return self._state

    def status_text(self) -> str:
        return self.status.text()

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        self.default_button.setEnabled(bool(self.path()))
        self._show("checking", "Checking…", QStyle.StandardPixmap.SP_BrowserReload)
        self._timer.start()
        self.changed.emit()

    @Slot()
    def _on_editing_finished(self) -> None:
        if self._timer.isActive() or self.path() != self._wanted:
            self.check()

    @Slot()
    def check(self) -> None:
        """Ask the registry about the current path on a pool thread; a newer check supersedes it."""
        self._timer.stop()
        path = self.path()
        self._wanted = path
        self._show("checking", "Checking…", QStyle.StandardPixmap.SP_BrowserReload)
        settings = dataclasses.replace(self._template, **{registry.SETTING_KEYS[self.role]: path})
        run_in_background(_Check(self.role, path, settings, self._resolve), self._on_checked, self._on_check_failed)

    @Slot(object)
    def _on_checked(self, result: CheckResult) -> None:
        if result.path != self._wanted or self._timer.isActive():
            return  # an older path's answer
        if result.info is None:
            self._show("failed", f"{result.problem}\n{result.fix}".strip(), QStyle.StandardPixmap.SP_MessageBoxWarning)
        else:
            info = result.info
            where = "set by " + registry.ENV_VARS[self.role] if info.source == "environment" else info.source
            self._show("ok", f"{info.name} · {where} · {size_text(info.size_bytes)}", QStyle.StandardPixmap.SP_DialogApplyButton)
            self.status.setToolTip(str(info.path))
        self.checked.emit(self._state)

    @Slot(str)
    def _on_check_failed(self, sentence: str) -> None:
        if not self._timer.isActive():
            self._show("failed", sentence, QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.checked.emit(self._state)

    def _show(self, state: str, text: str, pixmap: QStyle.StandardPixmap) -> None:
        self._state = state
        self.status.setText(text)
        self.status.setToolTip("")
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        self.icon.setPixmap(self.style().standardIcon(pixmap, None, self).pixmap(size, size))

    def _start_folder(self) -> str:
        current = Path(self.path()).expanduser() if self.path() else None
        if current is not None and current.parent.is_dir():
            return str(current if current.is_dir() and self.role in FOLDER_ROLES else current.parent)
        return str(paths.user_models_dir() if paths.user_models_dir().is_dir() else Path.home())

    @Slot()
    def _on_browse(self) -> None:
        title = f"Choose the {ROLE_LABELS[self.role].lower()} model"
        if self.role in FOLDER_ROLES:
            chosen = QFileDialog.getExistingDirectory(self, title, self._start_folder())
        else:
            pattern = "Piper voices (*.onnx)" if self.role == "tts" else "GGUF models (*.gguf)"
            chosen, _ = QFileDialog.getOpenFileName(self, title, self._start_folder(), f"{pattern};;All files (*)")
        if chosen:
            self.set_path(chosen)
            self.check()

    @Slot()
    def _on_default(self) -> None:
        self.set_path("")
        self.check()


class _Check:
    """The pool job of one check (a plain callable: no Qt object crosses threads)."""

    def __init__(self, role: str, path: str, settings: Settings, resolve: Resolver) -> None:
        self.role, self.path, self.settings, self.resolve = role, path, settings, resolve

    def __call__(self) -> CheckResult:
        try:
            return CheckResult(self.path, info=self.resolve(self.role, self.settings))
        except ModelError as exc:
            return CheckResult(self.path, problem=exc.problem, fix=exc.fix)


class ModelsSection(Card):
    """The three model paths."""

    changed = Signal()

    def __init__(self, resolve: Resolver, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Models")
        self.body.addWidget(theme.heading("Models", self, 1.1))
        self.body.addWidget(theme.muted(
            "Leave a path empty and mockloop uses the bundled model, or one you dropped into "
            f"{paths.user_models_dir()}. Changes are used from the next interview.", self))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(self.fontMetrics().height() // 2)
        self.rows: dict[str, ModelPathRow] = {}
        for index, role in enumerate(registry.ROLES):
            name = QLabel(ROLE_LABELS[role], self)
            name.setFont(theme.scaled_font(name, bold=True))
            row = ModelPathRow(role, resolve, self)
            name.setBuddy(row.edit)
            grid.addWidget(name, index, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row, index, 1)
            row.changed.connect(self.changed)
            self.rows[role] = row
        self.body.addLayout(grid)

    def set_values(self, settings: Settings) -> None:
        for role, row in self.rows.items():
            row.set_template(settings)
            row.set_path(getattr(settings, registry.SETTING_KEYS[role]))

    def check_all(self) -> None:
        for row in self.rows.values():
            row.check()

    def apply_to(self, settings: Settings) -> None:
        for role, row in self.rows.items():
            setattr(settings, registry.SETTING_KEYS[role], row.path())
