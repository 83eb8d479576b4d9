"""Python syntax highlighting for the code pad: keywords, builtins, numbers, strings, comments, decorators, names defined."""

from __future__ import annotations

import builtins
import keyword
import re

from PySide6.QtGui import QFont, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from mockloop.ui.coding import colours
from mockloop.ui.coding.text_edits import utf16_offsets

KEYWORDS = frozenset(keyword.kwlist)
BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_")) - KEYWORDS

# Block states: what a line leaves open for the next one.
NORMAL, IN_SINGLE_TRIPLE, IN_DOUBLE_TRIPLE = 0, 1, 2
TRIPLE_STATES = {"'''": IN_SINGLE_TRIPLE, '"""': IN_DOUBLE_TRIPLE}
QUOTE_OF_STATE = {state: quote for quote, state in TRIPLE_STATES.items()}

_PREFIX = r"(?:[rRbBuUfF]{1,2})?"
# Earliest match wins; at one position, the order below decides (a string prefix before a name).
TOKEN = re.compile(
    rf"""
    (?P<comment>\#.*)
  | (?P<triple>{_PREFIX}(?:'''|\"\"\"))
  | (?P<string>{_PREFIX}(?:'(?:[^'\\]|\\.)*'?|"(?:[^"\\]|\\.)*"?))
  | (?P<decorator>@[^\W\d][\w.]*)
  | (?P<number>\b(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?[jJ]?)
      | (?<![\w.])\.\d[\d_]*(?:[eE][+-]?\d+)?[jJ]?)
  | (?P<name>[^\W\d]\w*)
    """,
    re.VERBOSE,
)


def closing_quote(text: str, start: int, quote: str) -> int:
    """The index just past the unescaped `quote` that closes a triple-quoted string, or -1 if the line has none."""
    at = start
    while True:
        found = text.find(quote, at)
        if found == -1:
            return -1
        slashes = len(text[:found]) - len(text[:found].rstrip("\\"))
        if slashes % 2 == 0:
            return found + len(quote)
        at = found + 1


class PythonHighlighter(QSyntaxHighlighter):
    """Colours a document as Python, a line at a time; triple-quoted strings carry over lines as block state."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self.formats: dict[str, QTextCharFormat] = {}
        self.set_palette(palette, rehighlight=False)

    def set_palette(self, palette: QPalette, *, rehighlight: bool = True) -> None:
        """Rebuild the formats from `palette` (the theme changed)."""
        self.formats = {}
        for name, colour in colours.syntax_colours(palette).items():
            fmt = QTextCharFormat()
            fmt.setForeground(colour)
            if name in ("keyword", "definition"):
                fmt.setFontWeight(QFont.Weight.DemiBold)
            if name == "comment":
                fmt.setFontItalic(True)
            self.formats[name] = fmt
        if rehighlight:
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt API)
        offsets = utf16_offsets(text)

        def paint(start: int, end: int, kind: str) -> None:
            # Qt counts UTF-16 units: an emoji earlier on the line must not shift the colours after it.
            if offsets is not None:
                start, end = offsets[start], offsets[end]
            self.setFormat(start, end - start, self.formats[kind])

        pos = 0
        self.setCurrentBlockState(NORMAL)
        previous = self.previousBlockState()
        if previous in QUOTE_OF_STATE:
            end = closing_quote(text, 0, QUOTE_OF_STATE[previous])
            if end == -1:
                paint(0, len(text), "string")
                self.setCurrentBlockState(previous)
                return
            paint(0, end, "string")
            pos = end
        after_def = False
        while (match := TOKEN.search(text, pos)) is not None:
            kind, start, pos = match.lastgroup, match.start(), match.end()
            if kind == "triple":
                quote = match.group()[-3:]
                end = closing_quote(text, pos, quote)
                if end == -1:
                    paint(start, len(text), "string")
                    self.setCurrentBlockState(TRIPLE_STATES[quote])
                    return
                paint(start, end, "string")
                pos, after_def = end, False
                continue
            if kind == "name":
                word = match.group()
                if after_def:
                    kind = "definition"
                elif word in KEYWORDS:
                    kind = "keyword"
                elif word in BUILTINS:
                    kind = "builtin"
                else:
                    kind = ""
                after_def = word in ("def", "class")
            else:
                after_def = False
                if kind == "decorator" and text[:start].strip():
                    kind = ""  # `a @ b` is matrix multiplication, not a decorator
            if kind:
                paint(start, pos, kind)
