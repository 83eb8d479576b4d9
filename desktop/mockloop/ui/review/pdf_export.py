"""Session export to PDF: the engine's HTML laid out by QTextDocument and printed offscreen, no display needed."""

from __future__ import annotations

import os
from pathlib import Path

from mockloop.engine.export import SessionReport
from mockloop.engine.export.html import RADAR_IMAGE, render_html
from mockloop.engine.export.output import write_private
from mockloop.engine.export.svg import radar_svg

RESOLUTION_DPI = 96  # CSS pixels: the HTML's sizes then mean what they say
_RADAR_SCALE = 2  # the radar is rasterised at twice its size so it stays sharp in print


def _ensure_gui_app():
    """QTextDocument needs a QGuiApplication (fonts); headless, Qt's offscreen platform serves.

    A QApplication is created rather than a bare QGuiApplication, so widgets made later in the
    same process (the desktop app, tests) still work.
    """
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QCoreApplication.instance()
    if app is not None:
        if not isinstance(app, QGuiApplication):
            raise RuntimeError("PDF export needs a QGuiApplication, but a QCoreApplication is running")
        return app
    if not os.environ.get("QT_QPA_PLATFORM") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    global _APP  # kept alive for the process: Qt allows one application object
    _APP = QApplication(["mockloop-pdf"])
    return _APP


_APP = None


def _radar_image(report: SessionReport):
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(radar_svg(report.radar).encode("utf-8")))
    size = renderer.defaultSize()
    image = QImage(size.width() * _RADAR_SCALE, size.height() * _RADAR_SCALE, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    finally:
        painter.end()
    return image


def pdf_bytes(report: SessionReport) -> bytes:
    """The session as an A4 PDF document."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    _ensure_gui_app()
    document = QTextDocument()
    if report.radar is not None:
        image = _radar_image(report)
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(RADAR_IMAGE), image)
    document.setHtml(render_html(report, qt=True))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)  # into memory: the file is written private (0600) by write_private
    writer.setTitle(f"Mock interview {report.session.id}")
    writer.setCreator("mockloop")
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)
    del writer  # finishes the PDF
    buffer.close()
    return bytes(data.data())


def write_pdf(report: SessionReport, path: Path | str, *, overwrite: bool = False) -> Path:
    return write_private(path, pdf_bytes(report), overwrite=overwrite)
