"""The answer's words as a text area: timed words are links that seek, the word being played is highlighted."""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtCore import QEvent, QPoint, QUrl, Signal, Slot
from PySide6.QtGui import QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from mockloop.engine.store import Word
from mockloop.ui.common import theme
from mockloop.ui.review.parts import clock


class WordTranscript(QTextBrowser):
    """The answer's words; timed words are links (`#w<index>`) and the playing one is highlighted."""

    word_clicked = Signal(int)  # index into the words given to set_words

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Answer transcript")
        self.setAccessibleDescription("Words of your answer; activate a word to play the answer from there.")
        self.setOpenLinks(False)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setFont(theme.scaled_font(self, 1.1))
        self.setMinimumHeight(self.fontMetrics().height() * 8)
        self.words: list[Word] = []
        self._spans: list[tuple[int, int]] = []  # document positions of each word
        self._starts: list[float] = []  # start times of the timed words, ascending
        self._timed: list[int] = []  # word index of each entry in _starts
        self._current: int | None = None
        self.anchorClicked.connect(self._on_anchor)

    def set_words(self, words: list[Word], transcript: str = "") -> None:
        self.words = list(words)
        self._spans, self._current = [], None
        timed = sorted((w.start, i) for i, w in enumerate(self.words) if w.start is not None)
        self._starts = [start for start, _ in timed]
        self._timed = [i for _, i in timed]
        self.clear()
        self.setExtraSelections([])
        cursor = QTextCursor(self.document())
        plain = QTextCharFormat()
        if not self.words:
            cursor.insertText(transcript.strip() or "Nothing was heard for this answer.", plain)
            return
        for index, word in enumerate(self.words):
            if index:
                cursor.insertText(" ", plain)
            start = cursor.position()
            fmt = QTextCharFormat()
            if word.start is not None:
                fmt.setAnchor(True)
                fmt.setAnchorHref(f"#w{index}")
                fmt.setToolTip(f"Play from {clock(word.start)}")
            cursor.insertText(word.text.strip(), fmt)
            self._spans.append((start, cursor.position()))
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def timed(self) -> bool:
        return bool(self._starts)

    def index_at(self, seconds: float) -> int | None:
        """The word being said at `seconds`: the last one started by then (held through pauses)."""
        n = bisect_right(self._starts, seconds + 1e-6) - 1
        return self._timed[n] if n >= 0 else None

    def highlighted(self) -> int | None:
        return self._current

    def highlight(self, index: int | None) -> None:
        if index == self._current:
            return
        self._current = index
        self._paint()
        if index is not None:
            self._scroll_to(index)

    def _paint(self) -> None:
        if self._current is None or not 0 <= self._current < len(self._spans):
            self.setExtraSelections([])
            return
        start, end = self._spans[self._current]
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(self.palette().color(QPalette.ColorRole.Highlight))
        fmt.setForeground(self.palette().color(QPalette.ColorRole.HighlightedText))
        selection.cursor = cursor
        selection.format = fmt
        self.setExtraSelections([selection])

    def highlighted_text(self) -> str:
        """The text under the highlight, as drawn (tests compare it with the word)."""
        selections = self.extraSelections()
        return selections[0].cursor.selectedText() if selections else ""

    def word_point(self, index: int) -> QPoint:
        """The middle of a word in viewport coordinates (where a click lands on it)."""
        start, end = self._spans[index]
        cursor = QTextCursor(self.document())
        cursor.setPosition((start + end) // 2)
        return self.cursorRect(cursor).center()

    def _scroll_to(self, index: int) -> None:
        point = self.word_point(index)
        height = self.viewport().height()
        if not 0 <= point.y() < height:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + point.y() - height // 3)

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        fragment = url.fragment() or url.toString().lstrip("#")
        if fragment.startswith("w") and fragment[1:].isdigit():
            self.word_clicked.emit(int(fragment[1:]))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._paint()  # the highlight takes the palette's colours
