"""Exports of a session: Markdown, self-contained HTML (radar as inline SVG) and a portable .zip archive.

May import: `progress`, `store`, `bank` and `core`.
"""

from mockloop.engine.export.archive import ArchiveError, ImportResult, export_archive, import_archive
from mockloop.engine.export.html import render_html
from mockloop.engine.export.markdown import render_markdown
from mockloop.engine.export.output import ExportError, write_private
from mockloop.engine.export.report import SessionReport, build_report

__all__ = ["ArchiveError", "ExportError", "ImportResult", "SessionReport", "build_report", "export_archive", "import_archive",
           "render_html", "render_markdown", "write_private"]
