"""The answer's words as a text area: timed words seek, the playing one is lit, the interviewer's replies sit in place."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import QEvent, QPoint, QUrl, Signal, Slot
from PySide6.QtGui import QFont, QPalette, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QTextEdit, QWidget

from mockloop.engine.export.asking import ExchangeLine
from mockloop.engine.store import Word
from mockloop.ui.common import theme
from mockloop.ui.review.parts import clock


class WordTranscript(QTextBrowser):
    """The answer's words; timed words are links (`#w<index>`) and the playing one is highlighted."""

    word_clicked = Signal(int)  # index into the words given to set_words
    exchange_clicked = Signal(int)  # index into the exchanges given to set_words: play the answer from the question
    reply_clicked = Signal(int)  # the same index: play the interviewer's reply

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
        self.exchanges: list[ExchangeLine] = []
        self._exchange_spans: dict[int, tuple[int, int]] = {}  # document positions of each interviewer block
        self._reply_spans: dict[int, tuple[int, int]] = {}  # and of its "hear the reply" link
        self._shown: tuple = ([], "", (), frozenset())  # what set_words was given, to redraw in a new palette
        self.anchorClicked.connect(self._on_anchor)

    def set_words(self, words: list[Word], transcript: str = "", exchanges: list[ExchangeLine] = (),
                  playable: frozenset[int] | set[int] = frozenset()) -> None:
        """`exchanges` go in after the words said before `asked_end`; `playable`: those whose reply can be heard."""
        self._shown = (words, transcript, exchanges, playable)
        self.words = list(words)
        self.exchanges = list(exchanges)
        self._spans, self._current = [], None
        self._exchange_spans, self._reply_spans = {}, {}
        timed = sorted((w.start, i) for i, w in enumerate(self.words) if w.start is not None)
        self._starts = [start for start, _ in timed]
        self._timed = [i for _, i in timed]
        self.clear()
        self.setExtraSelections([])
        cursor = QTextCursor(self.document())
        plain = QTextCharFormat()
        after = self._placements()
        if not self.words:
            cursor.insertText(transcript.strip() or "Nothing was heard for this answer.", plain)
        for n in after.get(-1, []):
            self._insert_exchange(cursor, n, n in playable)
        fresh = True  # at the start of a paragraph: no space before the next word
        for index, word in enumerate(self.words):
            if not fresh:
                cursor.insertText(" ", plain)
            start = cursor.position()
            fmt = QTextCharFormat()
            if word.start is not None:
                fmt.setAnchor(True)
                fmt.setAnchorHref(f"#w{index}")
                fmt.setToolTip(f"Play from {clock(word.start)}")
            cursor.insertText(word.text.strip(), fmt)
            self._spans.append((start, cursor.position()))
            fresh = False
            for n in after.get(index, []):
                self._insert_exchange(cursor, n, n in playable)
                fresh = True
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def _placements(self) -> dict[int, list[int]]:
        """Word index each exchange follows (-1: before the first word): the last word begun before the
        question ended; an untimed one (a typed answer) after its sentence, else at the end."""
        placed: dict[int, list[int]] = {}
        lowered, ends = self._word_text()
        for n, x in enumerate(self.exchanges):
            at = x.asked_end if x.asked_end is not None else x.asked_at
            if at is not None and self._starts:
                before = bisect_left(self._starts, at) - 1
                index = self._timed[before] if before >= 0 else -1
            else:
                found = lowered.find(x.asked.lower().strip(" ?.!,")) if x.asked.strip(" ?.!,") else -1
                end = found + len(x.asked.strip(" ?.!,")) if found >= 0 else len(lowered)
                index = min(bisect_left(ends, end), len(self.words) - 1) if self.words else -1
            placed.setdefault(index, []).append(n)
        return placed

    def _word_text(self) -> tuple[str, list[int]]:
        """The words joined by spaces, lowered, and where each word ends in it."""
        text, ends = "", []
        for word in self.words:
            text += (" " if text else "") + word.text.strip().lower()
            ends.append(len(text))
        return text, ends

    def _insert_exchange(self, cursor: QTextCursor, n: int, playable: bool) -> None:
        """'Interviewer: …' as its own indented paragraph (a link that plays the answer from the question),
        then '▶ Hear the reply' when its WAV is there; the answer goes on in a new paragraph."""
        x = self.exchanges[n]
        em = self.fontMetrics().height()
        block = QTextBlockFormat()
        block.setLeftMargin(em)
        block.setTopMargin(em / 4)
        block.setBottomMargin(em / 4)
        cursor.insertBlock(block)
        accent = self.palette().color(QPalette.ColorRole.Link)
        fmt = QTextCharFormat()
        fmt.setForeground(accent)
        if x.asked_at is not None:
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"#x{n}")
            fmt.setToolTip(f"Play your answer from your question at {clock(x.asked_at)}")
        start = cursor.position()
        if x.intent == "repeat":
            fmt.setFontItalic(True)
            cursor.insertText(x.answer, fmt)
        else:
            bold = QTextCharFormat(fmt)
            bold.setFontWeight(QFont.Weight.Bold)
            cursor.insertText("Interviewer: ", bold)
            cursor.insertText(x.reply, fmt)
        self._exchange_spans[n] = (start, cursor.position())
        if playable:
            cursor.insertText("  ", QTextCharFormat())
            link = QTextCharFormat()
            link.setForeground(accent)
            link.setFontUnderline(True)
            link.setAnchor(True)
            link.setAnchorHref(f"#r{n}")
            link.setToolTip("Hear the interviewer's reply as it was spoken")
            start = cursor.position()
            cursor.insertText("▶ Hear the reply", link)
            self._reply_spans[n] = (start, cursor.position())
        cursor.insertBlock(QTextBlockFormat())

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
        return self._point(self._spans[index])

    def exchange_point(self, n: int) -> QPoint:
        """Where a click on the n-th interviewer block lands."""
        return self._point(self._exchange_spans[n])

    def reply_point(self, n: int) -> QPoint | None:
        """Where a click on the n-th reply's play link lands; None when its reply cannot be heard."""
        span = self._reply_spans.get(n)
        return self._point(span) if span is not None else None

    def exchange_text(self, n: int) -> str:
        start, end = self._exchange_spans[n]
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText()

    def _point(self, span: tuple[int, int]) -> QPoint:
        cursor = QTextCursor(self.document())
        cursor.setPosition((span[0] + span[1]) // 2)
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
        signals = {"w": self.word_clicked, "x": self.exchange_clicked, "r": self.reply_clicked}
        if fragment[:1] in signals and fragment[1:].isdigit():
            signals[fragment[:1]].emit(int(fragment[1:]))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            if self.exchanges:  # the interviewer's lines are drawn in the palette's link colour
                current = self._current
                self.set_words(*self._shown)
                self._current = None
                self.highlight(current)
            self._paint()  # the highlight takes the palette's colours
