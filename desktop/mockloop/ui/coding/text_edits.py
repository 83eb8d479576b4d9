"""The one edit between two texts (common prefix and suffix), and Python indices as Qt's UTF-16 positions."""

from __future__ import annotations

from typing import NamedTuple


class TextEdit(NamedTuple):
    """`removed` characters at `position` of the old text were replaced by `inserted` (Python indices)."""

    position: int
    removed: int
    inserted: str


def diff(old: str, new: str) -> TextEdit | None:
    """The smallest single replacement turning `old` into `new`; None when they are equal."""
    if old == new:
        return None
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    # The suffix may not reach into the prefix: "aa" -> "aaa" is one "a" inserted at 2, not a negative span.
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return TextEdit(start, len(old) - start - end, new[start:len(new) - end])


def utf16_length(text: str) -> int:
    """How many UTF-16 code units Qt counts in `text` (an emoji counts two)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def utf16_offsets(text: str) -> list[int] | None:
    """Qt's position of every Python index of `text` (one more than its length), None when they are the same."""
    if all(ord(c) < 0x10000 for c in text):
        return None
    offsets, unit = [], 0
    for char in text:
        offsets.append(unit)
        unit += 2 if ord(char) >= 0x10000 else 1
    offsets.append(unit)
    return offsets
