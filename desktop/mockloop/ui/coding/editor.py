"""`CodeEditor`: a plain-text Python editor with line numbers, the current line marked, and 4-space indentation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QKeyEvent, QPainter, QPaintEvent, QResizeEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from mockloop.ui.coding import colours
from mockloop.ui.coding.highlighter import PythonHighlighter

INDENT = 4
MIN_DIGITS = 2  # the gutter does not jump when the tenth line is typed, only at the hundredth

# Keys an editing text field must get even when the window binds them (push-to-talk on Space, Enter for "I'm done").
EDITING_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab,
                          Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Home, Qt.Key.Key_End,
                          Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down})
TEXT_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
RUN_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})


def _is_run_key(event: QKeyEvent) -> bool:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return event.key() in RUN_KEYS and mods == Qt.KeyboardModifier.ControlModifier


class LineNumbers(QWidget):
    """The gutter left of the text: one number per line, painted by the editor."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        self._editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """Python in a monospace font; Tab, Shift+Tab, Enter and Backspace work on 4-space indents, never tabs."""

    run_requested = Signal()  # Ctrl+Enter reached the editor itself (no shortcut above it took the key)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Code editor")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if self.font().pointSizeF() > 0:
            font.setPointSizeF(self.font().pointSizeF())  # the system's text size, in its fixed-width face
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * INDENT)
        self.highlighter = PythonHighlighter(self.document(), self.palette())
        self.gutter = LineNumbers(self)
        self.blockCountChanged.connect(self._update_margins)
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._mark_current_line)
        self._update_margins()
        self._mark_current_line()

    # --- read-only (Review's replay) ----------------------------------------------------------------------------

    def set_read_only(self, read_only: bool) -> None:
        """Read-only keeps selection and copying, drops the current-line band, and leaves the window's keys alone."""
        self.setReadOnly(read_only)
        if read_only:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self._mark_current_line()

    # --- the gutter ------------------------------------------------------------------------------------------

    def gutter_width(self) -> int:
        digits = max(MIN_DIGITS, len(str(max(1, self.blockCount()))))
        em = self.fontMetrics().height()
        return self.fontMetrics().horizontalAdvance("9") * digits + em

    @Slot()
    def _update_margins(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self._place_gutter()

    def _place_gutter(self) -> None:
        area = self.contentsRect()
        self.gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    @Slot(QRect, int)
    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_margins()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._place_gutter()

    def paint_gutter(self, event: QPaintEvent) -> None:
        fill, number, current = colours.gutter_colours(self.palette())
        painter = QPainter(self.gutter)
        painter.fillRect(event.rect(), fill)
        painter.setFont(self.font())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        cursor_block = self.textCursor().blockNumber()
        right = self.gutter.width() - self.fontMetrics().height() // 2
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                painter.setPen(current if block.blockNumber() == cursor_block and not self.isReadOnly() else number)
                painter.drawText(0, top, right, height, Qt.AlignmentFlag.AlignRight, str(block.blockNumber() + 1))
            block, top = block.next(), bottom
        painter.end()

    @Slot()
    def _mark_current_line(self) -> None:
        if self.isReadOnly():
            self.setExtraSelections([])
            return
        band = QTextEdit.ExtraSelection()
        band.format.setBackground(colours.current_line(self.palette()))
        band.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        band.cursor = self.textCursor()
        band.cursor.clearSelection()
        self.setExtraSelections([band])
        self.gutter.update()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.highlighter.set_palette(self.palette())
            self._mark_current_line()

    # --- keys ------------------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # A shortcut on a plain key (Space for push-to-talk, Enter, a letter) would otherwise swallow typing.
        if event.type() == QEvent.Type.ShortcutOverride and not self.isReadOnly() and self._types(event):
            event.accept()
            return True
        return super().event(event)

    @staticmethod
    def _types(event: QKeyEvent) -> bool:
        """True for a key that edits or moves in the text (Space included), False for a shortcut (Ctrl+Enter)."""
        if event.modifiers() & ~TEXT_MODIFIERS:
            return False
        if event.key() in EDITING_KEYS:
            return True
        text = event.text()
        return bool(text) and text.isprintable()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if _is_run_key(event):
            self.run_requested.emit()
            return
        if self.isReadOnly() or not self._indent_key(event):
            super().keyPressEvent(event)

    def _indent_key(self, event: QKeyEvent) -> bool:
        """Handle the keys that work on indentation; False lets Qt do the usual."""
        key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        cursor = self.textCursor()
        if key == Qt.Key.Key_Backtab or (key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.ShiftModifier):
            self._shift_lines(cursor, -1)
        elif key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier:
            if cursor.hasSelection():
                self._shift_lines(cursor, +1)
            else:
                column = cursor.positionInBlock()
                cursor.insertText(" " * (INDENT - column % INDENT))
        elif key in RUN_KEYS and mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            self._new_line(cursor)
        elif key == Qt.Key.Key_Backspace and mods == Qt.KeyboardModifier.NoModifier and not cursor.hasSelection():
            return self._dedent_back(cursor)
        else:
            return False
        self.setTextCursor(cursor)
        return True

    def _new_line(self, cursor: QTextCursor) -> None:
        # Shift+Enter too: Qt would insert a line separator (U+2028), which is not a Python line break.
        before = cursor.block().text()[: cursor.positionInBlock()]
        indent = before[: len(before) - len(before.lstrip(" "))]
        if before.rstrip().endswith(":"):
            indent += " " * INDENT
        cursor.insertText("\n" + indent)

    def _dedent_back(self, cursor: QTextCursor) -> bool:
        before = cursor.block().text()[: cursor.positionInBlock()]
        if not before or before.strip(" "):
            return False  # not in the leading spaces: an ordinary Backspace
        keep = (len(before) - 1) // INDENT * INDENT
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, len(before) - keep)
        cursor.removeSelectedText()
        self.setTextCursor(cursor)
        return True

    def _shift_lines(self, cursor: QTextCursor, direction: int) -> None:
        """Indent (+1) or dedent (-1) every line the cursor or selection touches by one level, as one undo step."""
        doc = self.document()
        start, end = sorted((cursor.anchor(), cursor.position()))
        first = doc.findBlock(start)
        last = doc.findBlock(end)
        if last != first and end == last.position() and cursor.hasSelection():
            last = last.previous()  # a selection ending at a line's start does not take that line
        edit = QTextCursor(doc)
        edit.beginEditBlock()
        block = first
        while block.isValid():
            text = block.text()
            edit.setPosition(block.position())
            if direction > 0:
                if text.strip() or first == last:
                    edit.insertText(" " * INDENT)
            else:
                lead = len(text) - len(text.lstrip(" "))
                width = lead - (lead - 1) // INDENT * INDENT if lead else 0
                edit.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, width)
                edit.removeSelectedText()
            if block == last:
                break
            block = block.next()
        edit.endEditBlock()
        if cursor.hasSelection():
            # Keep whole lines selected, so Tab and Shift+Tab can be pressed again.
            cursor.setPosition(first.position())
            cursor.setPosition(last.position() + last.length() - 1, QTextCursor.MoveMode.KeepAnchor)

    # --- pasting ---------------------------------------------------------------------------------------------

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt API)
        if not source.hasText():
            return
        # Pasted code keeps to spaces too, and Windows line ends become plain ones.
        text = source.text().replace("\r\n", "\n").replace("\r", "\n").replace("\t", " " * INDENT)
        self.textCursor().insertText(text)
        self.ensureCursorVisible()

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802 (Qt API)
        return source.hasText()
