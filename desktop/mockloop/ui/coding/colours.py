"""The code pad's colours, derived from the palette and kept readable on its background (light or dark theme)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from mockloop.engine.coding.results import RunStatus
from mockloop.ui.common import theme

# A failed test reads as an error, not a warning; the theme has no red, so the pad keeps its own.
FAILURE_HUE = QColor(205, 45, 45)

# Syntax hues, tuned for a white page; `readable` pulls them towards the text colour where they are too faint.
SYNTAX_HUES = {
    "keyword": QColor(150, 50, 190),
    "builtin": QColor(0, 120, 150),
    "number": QColor(190, 95, 0),
    "string": QColor(30, 130, 55),
    "decorator": QColor(170, 110, 0),
    "definition": QColor(20, 95, 205),
}

TEXT_CONTRAST = 4.5  # WCAG AA for body text
COMMENT_CONTRAST = 3.5  # comments may recede, but must stay legible


def luminance(colour: QColor) -> float:
    """Relative luminance (WCAG 2)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: QColor, background: QColor, text: QColor, minimum: float = TEXT_CONTRAST) -> QColor:
    """`colour`, blended towards `text` just enough to reach `minimum` contrast on `background`."""
    if contrast(colour, background) >= minimum:
        return colour
    # On a dark page a saturated hue is too dark: lift it towards the (light) text colour in small steps.
    for step in range(1, 11):
        candidate = theme.blend(colour, text, step / 10)
        if contrast(candidate, background) >= minimum:
            return candidate
    return QColor(text)


def editor_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """The editor's background and text colours."""
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def syntax_colours(palette: QPalette) -> dict[str, QColor]:
    """One readable colour per token kind ("keyword", "string", "comment", ...), on the editor's background."""
    base, text = editor_colours(palette)
    colours = {name: readable(hue, base, text) for name, hue in SYNTAX_HUES.items()}
    colours["comment"] = readable(theme.blend(base, text, 0.5), base, text, COMMENT_CONTRAST)
    return colours


def current_line(palette: QPalette) -> QColor:
    """The faint band behind the line the cursor is on."""
    base = palette.color(QPalette.ColorRole.Base)
    return theme.blend(base, palette.color(QPalette.ColorRole.Highlight), 0.10)


def gutter_colours(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """The line-number gutter's fill, its numbers, and the current line's number."""
    base, text = editor_colours(palette)
    fill = theme.blend(base, text, 0.05)
    return fill, readable(theme.blend(base, text, 0.45), fill, text, COMMENT_CONTRAST), text


def status_colour(palette: QPalette, status: RunStatus) -> QColor:
    """The summary's colour: green when every test passed, red when some failed, amber when the code did not run."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    hue = {RunStatus.PASSED: theme.SUCCESS_HUE, RunStatus.FAILED: FAILURE_HUE}.get(status, theme.WARNING_HUE)
    return readable(hue, window, text)


def mark_colour(palette: QPalette, passed: bool) -> QColor:
    """The colour of a test's ✓ or ✗."""
    return status_colour(palette, RunStatus.PASSED if passed else RunStatus.FAILED)
