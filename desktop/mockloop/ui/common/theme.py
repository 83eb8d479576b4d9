"""Palette-derived colours and font sizes, so the app follows the system theme and DPI."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

# Hues for tints only: always blended into the palette at a low strength.
WARNING_HUE = QColor(232, 160, 0)
SUCCESS_HUE = QColor(40, 160, 80)


def blend(base: QColor, tint: QColor, amount: float) -> QColor:
    """`amount` of `tint` mixed into `base` (0 gives base, 1 gives tint)."""
    keep = 1.0 - amount
    return QColor(
        round(base.red() * keep + tint.red() * amount),
        round(base.green() * keep + tint.green() * amount),
        round(base.blue() * keep + tint.blue() * amount),
    )


def card_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """Fill and border of a card: a step away from the window colour, light or dark theme alike."""
    window = palette.color(QPalette.ColorRole.Window)
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.WindowText)
    fill = blend(window, base, 0.7) if base != window else blend(window, text, 0.04)
    return fill, blend(window, text, 0.16)


def tint_colours(palette: QPalette, hue: QColor) -> tuple[QColor, QColor]:
    """Fill and border of a banner tinted with `hue`."""
    window = palette.color(QPalette.ColorRole.Window)
    return blend(window, hue, 0.14), blend(window, hue, 0.55)


def scaled_font(widget: QWidget, factor: float = 1.0, *, bold: bool = False) -> QFont:
    """The widget's font scaled relative to the system size (never a pixel size)."""
    font = QFont(widget.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    if bold:
        font.setWeight(QFont.Weight.DemiBold)
    return font


def plain(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A word-wrapped plain-text label: bank text is never interpreted as HTML."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    return label


def heading(text: str, parent: QWidget | None = None, factor: float = 1.25) -> QLabel:
    """A bold section heading label, sized relative to the system font."""
    label = plain(text, parent)
    label.setFont(scaled_font(label, factor, bold=True))
    label.setAccessibleName(text)
    return label


def muted(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A secondary label in the palette's placeholder colour."""
    label = plain(text, parent)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class PrimaryButton(QPushButton):
    """The one call to action of a view: drawn in the palette's highlight colours."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._apply_palette()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        # Only the application-wide change: our own setPalette() sends PaletteChange.
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._apply_palette()

    def _apply_palette(self) -> None:
        base = QApplication.palette(self)
        palette = QPalette(base)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            palette.setColor(group, QPalette.ColorRole.Button, base.color(group, QPalette.ColorRole.Highlight))
            palette.setColor(group, QPalette.ColorRole.ButtonText, base.color(group, QPalette.ColorRole.HighlightedText))
        self.setPalette(palette)
