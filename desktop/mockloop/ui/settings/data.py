"""Settings: the data folder, shown and changed through a location file that takes effect after a restart."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QStyle, QWidget

from mockloop.engine.core import paths
from mockloop.engine.core.errors import MockloopError
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.cards import Banner, Card, Severity
from mockloop.ui.settings.parts import selectable


def open_folder(folder: Path) -> bool:
    """Show a folder in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class DataFolderSection(Card):
    """Where sessions, recordings and settings live; a new folder takes effect after a restart."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, opener: Callable[[Path], bool] = open_folder) -> None:
        super().__init__(parent)
        self.setAccessibleName("Data folder")
        self._opener = opener
        self.body.addWidget(theme.heading("Data folder", self, 1.1))
        self.path_label = selectable(theme.plain("", self))
        self.path_label.setAccessibleName("Data folder in use")
        self.path_label.setFont(theme.scaled_font(self.path_label, bold=True))
        self.note_label = theme.muted("", self)
        self.note_label.setAccessibleName("Data folder note")
        self.pending_label = selectable(theme.plain("", self))
        self.pending_label.setAccessibleName("Data folder after restart")
        self.banner = Banner(Severity.WARNING, self)
        self.banner.setAccessibleName("Data folder problem")
        row = QHBoxLayout()
        self.open_button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon), "Open folder", self)
        self.open_button.setAccessibleName("Open the data folder")
        self.change_button = QPushButton("Change…", self)
        self.change_button.setAccessibleName("Change the data folder")
        self.change_button.setToolTip("Choose where new sessions, recordings and settings are kept (after a restart)")
        self.default_button = QPushButton("Use default folder", self)
        self.default_button.setAccessibleName("Use the default data folder")
        for button in (self.open_button, self.change_button, self.default_button):
            row.addWidget(button)
        row.addStretch(1)
        for widget in (self.path_label, self.note_label, self.pending_label, self.banner):
            self.body.addWidget(widget)
        self.body.addLayout(row)
        self.open_button.clicked.connect(self._on_open)
        self.change_button.clicked.connect(self._on_change)
        self.default_button.clicked.connect(self._on_default)
        self._saved = paths.chosen_data_dir()  # what the location file says
        self._target = self._saved  # None: the default folder
        self.refresh()

    def target(self) -> Path | None:
        """The folder chosen in the form (None: the default)."""
        return self._target

    def is_changed(self) -> bool:
        return self._target != self._saved

    def reset(self, to_default: bool = False) -> None:
        """Back to the saved choice (or to the default folder)."""
        self._target = None if to_default else self._saved
        self.banner.clear()
        self.refresh()

    def mark_saved(self) -> None:
        self._saved = self._target
        self.refresh()

    def choose(self, folder: Path | str) -> bool:
        """Take a folder the user picked; refuse (with a sentence) one that cannot hold the data."""
        try:
            path = paths.check_data_folder(folder)
        except MockloopError as exc:
            self.banner.show_message(html.escape(exc.user_message()), exc.user_message())
            return False
        self.banner.clear()
        self._target = None if path == paths.default_data_dir() else path
        self.refresh()
        self.changed.emit()
        return True

    def refresh(self) -> None:
        in_use = paths.data_dir()
        self.path_label.setText(str(in_use))
        source = paths.data_dir_source()
        env = source == "environment"
        if env:
            self.note_label.setText(f"Set by {paths.ENV_DATA_DIR}; unset it to choose the folder here.")
        elif source == "chosen":
            self.note_label.setText("Sessions, recordings and settings are kept here (a folder you chose).")
        else:
            self.note_label.setText("Sessions, recordings and settings are kept here (the default folder).")
        self.change_button.setEnabled(not env)
        self.default_button.setEnabled(not env and self._target is not None)
        after = self._target or paths.default_data_dir()
        if env or after == in_use:
            self.pending_label.clear()
            self.pending_label.hide()
        else:
            state = "" if self.is_changed() else " (saved)"
            self.pending_label.setText(
                f"From the next start{state}: {after}. This takes effect after you restart mockloop. "
                f"Nothing is moved: your past sessions and recordings stay in {in_use}; "
                "move them yourself while mockloop is closed if you want them in the new folder.")
            self.pending_label.show()

    @Slot()
    def _on_open(self) -> None:
        folder = paths.data_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            sentence = f"The data folder {folder} could not be created ({exc.strerror or exc})."
            self.banner.show_message(html.escape(sentence), sentence)
            return
        if not self._opener(folder):
            sentence = f"No file manager could open {folder}. Open it yourself; the path can be copied from above."
            self.banner.show_message(html.escape(sentence), sentence)

    @Slot()
    def _on_change(self) -> None:
        start = str(self._target or paths.data_dir())
        chosen = QFileDialog.getExistingDirectory(self, "Choose the data folder", start)
        if chosen:
            self.choose(chosen)

    @Slot()
    def _on_default(self) -> None:
        self.reset(to_default=True)
        self.changed.emit()
