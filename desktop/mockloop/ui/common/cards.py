"""Rounded card and banner containers painted from the palette (no style sheets)."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QStyle, QVBoxLayout, QWidget

from mockloop.ui.common import theme


def scroll_page(view: QWidget, max_width_em: int | None = None) -> QWidget:
    """Fill `view`'s new layout with a frameless scroll area; returns the widget to build the page in.

    With `max_width_em` the content stops growing at that many lines' heights and is centred,
    so lines stay readable on wide screens.
    """
    scroll = QScrollArea(view)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    outer = QVBoxLayout(view)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(0)
    outer.addWidget(scroll, 1)  # `view.layout()` can take more below it (e.g. a button bar)
    content = QWidget(scroll)
    if max_width_em is not None:
        content.setMaximumWidth(view.fontMetrics().height() * max_width_em)
        scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
    scroll.setWidget(content)
    return content


class Card(QFrame):
    """A rounded panel one step off the window colour; children go in `body`."""

    def __init__(self, parent: QWidget | None = None, *, spacing_factor: float = 0.5) -> None:
        super().__init__(parent)
        self.body = QVBoxLayout(self)
        em = self.fontMetrics().height()
        self.body.setContentsMargins(em, round(em * 0.8), em, round(em * 0.8))
        self.body.setSpacing(round(em * spacing_factor))

    def colours(self) -> tuple[QColor, QColor]:
        return theme.card_colours(self.palette())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        fill, border = self.colours()
        radius = self.fontMetrics().height() * 0.45
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
        painter.end()


class Severity(Enum):
    INFO = "info"
    WARNING = "warning"


class Banner(Card):
    """A tinted message strip with an icon; hidden while it has no message."""

    def __init__(self, severity: Severity = Severity.WARNING, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.severity = severity
        row = QHBoxLayout()
        row.setSpacing(self.fontMetrics().height() // 2)
        self.icon = QLabel(self)
        pixmap = QStyle.StandardPixmap.SP_MessageBoxWarning if severity is Severity.WARNING else QStyle.StandardPixmap.SP_MessageBoxInformation
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        self.icon.setPixmap(self.style().standardIcon(pixmap, None, self).pixmap(size, size))
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        row.addWidget(self.icon)
        row.addWidget(self.label, 1)
        self.body.addLayout(row)
        self.setAccessibleName("Warning" if severity is Severity.WARNING else "Information")
        self.hide()

    def colours(self) -> tuple[QColor, QColor]:
        if self.severity is Severity.WARNING:
            return theme.tint_colours(self.palette(), theme.WARNING_HUE)
        return theme.tint_colours(self.palette(), self.palette().color(QPalette.ColorRole.Highlight))

    def show_message(self, html: str, plain: str | None = None) -> None:
        """Show rich text (already escaped); `plain` becomes the accessible description."""
        self.label.setText(html)
        self.setAccessibleDescription(plain if plain is not None else self.label.text())
        self.setVisible(bool(html))

    def clear(self) -> None:
        self.label.clear()
        self.hide()
