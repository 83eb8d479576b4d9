"""Pieces of the feedback view: score bars, rubric status marks, the highlighted transcript and metric text.

Everything shown here comes from `AnswerScore.to_dict()` (or a stored turn with the same
fields). The candidate's words are always escaped before they go into rich text.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPaintEvent, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QSizePolicy, QWidget

from mockloop.ui.common import theme

MISSING_HUE = QColor(214, 64, 64)
STATUS_LABELS = {"covered": "Covered", "partial": "Partly covered", "missing": "Missing"}
STATUS_ORDER = {"covered": 0, "partial": 1, "missing": 2}
DIMENSION_LABELS = {
    "problem_understanding": "Problem understanding", "data_features": "Data & features", "tradeoffs": "Trade-offs",
}


def dimension_label(name: str) -> str:
    return DIMENSION_LABELS.get(name, name.replace("_", " ").capitalize())


def status_hue(status: str) -> QColor:
    return {"covered": theme.SUCCESS_HUE, "partial": theme.WARNING_HUE}.get(status, MISSING_HUE)


def score_hue(score: float | None) -> QColor:
    if score is None:
        return QColor(128, 128, 128)
    return theme.SUCCESS_HUE if score >= 70 else theme.WARNING_HUE if score >= 40 else MISSING_HUE


def status_icon(palette: QPalette, status: str, size: int) -> QIcon:
    """A filled circle for covered, a half-filled one for partial, a ring for missing."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    window = palette.color(QPalette.ColorRole.Window)
    colour = theme.blend(window, status_hue(status), 0.9)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(1.5, 1.5, size - 3, size - 3)
    painter.setPen(colour)
    painter.setBrush(colour if status == "covered" else Qt.GlobalColor.transparent)
    painter.drawEllipse(rect)
    if status == "partial":
        painter.setBrush(colour)
        painter.drawPie(rect, 90 * 16, 180 * 16)
    painter.end()
    return QIcon(pixmap)


class ScoreBar(QWidget):
    """One score out of 100: label on the left, a bar, the number on the right."""

    def __init__(self, label: str, score: float | None, parent: QWidget | None = None, *, emphasis: bool = False) -> None:
        super().__init__(parent)
        self.label = label
        self.score = score
        self.emphasis = emphasis
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFont(theme.scaled_font(self, 1.05 if emphasis else 1.0, bold=emphasis))
        self.setAccessibleName(label)
        self.setAccessibleDescription(self.value_text())
        self.setToolTip(f"{label}: {self.value_text()}")

    def value_text(self) -> str:
        return "not scored" if self.score is None else f"{self.score:.0f} / 100"

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        em = self.fontMetrics().height()
        return QSize(em * 20, round(em * 1.6))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        palette = self.palette()
        window = palette.color(QPalette.ColorRole.Window)
        text = palette.color(QPalette.ColorRole.WindowText)
        metrics = self.fontMetrics()
        em = metrics.height()
        label_w = min(self.width() // 3, em * 9)
        value_w = metrics.horizontalAdvance("100") + em // 2
        bar = QRectF(label_w, (self.height() - em * 0.55) / 2, max(0, self.width() - label_w - value_w - em // 2), em * 0.55)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(text)
        painter.drawText(QRectF(0, 0, label_w - em // 2, self.height()), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(self.label, Qt.TextElideMode.ElideRight, label_w - em // 2))
        painter.setPen(Qt.PenStyle.NoPen)
        radius = bar.height() / 2
        painter.setBrush(theme.blend(window, text, 0.12))
        painter.drawRoundedRect(bar, radius, radius)
        if self.score is not None and self.score > 0:
            painter.setBrush(theme.blend(window, score_hue(self.score), 0.85))
            painter.drawRoundedRect(QRectF(bar.left(), bar.top(), max(bar.height(), bar.width() * min(100.0, self.score) / 100), bar.height()), radius, radius)
        painter.setPen(text)
        value = "—" if self.score is None else f"{self.score:.0f}"
        painter.drawText(QRectF(self.width() - value_w, 0, value_w, self.height()), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, value)
        painter.end()


class FittedList(QListWidget):
    """A list of word-wrapped items exactly as tall as its rows: the page scrolls, not the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fitted_width = -1

    def fit(self) -> None:
        width = self.viewport().width()
        self._fitted_width = width
        em = self.fontMetrics().height()
        text_width = max(em * 4, width - self.iconSize().width() - em)
        total = 0
        for i in range(self.count()):
            item = self.item(i)
            bounds = self.fontMetrics().boundingRect(QRect(0, 0, text_width, 1 << 20), Qt.TextFlag.TextWordWrap, item.text())
            height = bounds.height() + em // 2
            item.setSizeHint(QSize(text_width + self.iconSize().width() + em // 2, height))
            total += height + 2 * self.spacing()
        self.setFixedHeight(total + 2 * self.frameWidth() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.viewport().width() != self._fitted_width:
            self.fit()


def evidence_spans(rubric: list[dict], text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, status, point id) of every piece of evidence, located in `text`.

    Offsets are trusted when they still frame the matched words; otherwise (a transcript
    stored in a slightly different form) the nearest occurrence of the words is used.
    """
    spans = []
    lowered = text.lower()
    for point in rubric:
        # Phrases heard, and clauses that said the point in other words (judged by meaning).
        for e in [*(point.get("evidence") or []), *(point.get("meaning") or [])]:
            start, end, match = e.get("start_char"), e.get("end_char"), (e.get("match") or e.get("clause") or "").lower()
            framed = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            if not framed or (match and lowered[start:end] != match):
                found = list(_occurrences(lowered, match)) if match else []
                if not found:
                    continue
                near = start if isinstance(start, int) else 0
                start = min(found, key=lambda i: abs(i - near))
                end = start + len(match)
            spans.append((start, end, point.get("status", "missing"), point.get("id", "")))
    return spans


def _occurrences(text: str, needle: str):
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


BY_ASKING = "asking"  # a rubric point whose status rests on the questions asked (engine/scoring/clarify.py)


def _is_asked(evidence: dict) -> bool:
    """Evidence that cites a question put to the interviewer ("asked: <fact id>"), read here on the GUI thread."""
    return str(evidence.get("signal", "")).startswith("asked: ")


def heard_text(point: dict) -> str:
    """What the answer gave a rubric point: phrases heard, its own words, a bare list, or a rejection."""
    matches = list(dict.fromkeys(e.get("match", "") for e in point.get("evidence") or []
                                 if e.get("match") and not _is_asked(e)))
    # Questions put to the interviewer: asked, not said as part of the answer.
    asked = list(dict.fromkeys(str(e.get("text") or e.get("match") or "").strip()
                               for e in point.get("evidence") or [] if _is_asked(e)))
    asked = [a for a in asked if a]
    listed = point.get("listed_signals") or []
    rejected = point.get("rejected_signals") or []
    own = [m.get("clause", "") for m in point.get("meaning") or [] if m.get("clause")]

    def quote(items: list[str]) -> str:
        return ", ".join(f"“{m}”" for m in items[:3])

    if point.get("judged_by") == "named":
        return f"Named, not explained: {quote(listed or matches)}"
    parts = []
    if asked and point.get("judged_by") == BY_ASKING:
        parts.append(f"Earned by asking: {quote(asked)}")
    if matches:
        parts.append(f"Heard: {quote(matches)}")
    if own:
        words = own[0].split()
        parts.append("In your words: “" + " ".join(words[:12]) + ("…" if len(words) > 12 else "") + "”")
    if rejected:
        parts.append(f"Set aside: {quote(rejected)}")
    if asked and point.get("judged_by") != BY_ASKING:
        parts.append(f"You also asked: {quote(asked)}")
    return " · ".join(parts) or "Not heard in your answer."


def highlight_html(text: str, rubric: list[dict], palette: QPalette, selected: str | None = None) -> str:
    """The transcript as rich text, evidence shaded by its point's status; the selected point's in bold.

    Overlapping evidence takes the stronger mark (selected, then covered, then partial).
    """
    base = palette.color(QPalette.ColorRole.Base)
    marks: list[tuple[tuple[bool, int], str, bool] | None] = [None] * len(text)
    for start, end, status, point_id in evidence_spans(rubric, text):
        is_selected = point_id == selected
        strength = (is_selected, -STATUS_ORDER.get(status, 2))
        for i in range(start, end):
            current = marks[i]
            if current is None or strength > current[0]:
                marks[i] = (strength, status, is_selected)
    pieces: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and marks[j] == marks[i]:
            j += 1
        chunk = html.escape(text[i:j])
        mark = marks[i]
        if mark is None:
            pieces.append(chunk)
        else:
            _, status, is_selected = mark
            fill = theme.blend(base, status_hue(status), 0.55 if is_selected else 0.28).name()
            weight = "font-weight:600; text-decoration:underline;" if is_selected else ""
            pieces.append(f'<span style="background-color:{fill}; {weight}">{chunk}</span>')
        i = j
    return "".join(pieces)


def seconds_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def counted(items: dict[str, int] | list[dict], key: str = "word") -> str:
    """'“um” ×3, “so” ×1' from {word: count} or [{word, count}] (escaped for rich text)."""
    pairs = list(items.items()) if isinstance(items, dict) else [(d.get(key, ""), d.get("count", 0)) for d in items]
    pairs.sort(key=lambda kv: -kv[1])
    return ", ".join(f"“{html.escape(str(k))}” ×{v}" for k, v in pairs)


def metric_rows(metrics: dict) -> list[tuple[str, str, str]]:
    """(label, value, explanation) of the think-out-loud metrics; unavailable ones show a dash."""
    m = metrics or {}
    wpm = m.get("words_per_minute")
    fillers = m.get("fillers") or {}
    per_minute = m.get("fillers_per_minute")
    rate = f"{per_minute:.1f} a minute" if per_minute is not None else f"{m.get('fillers_per_100_words', 0):.1f} per 100 words"
    filler_value = f"{m.get('filler_count', 0)} ({rate})"
    pauses = m.get("pauses_over_5s")
    return [
        ("Pace", "—" if wpm is None else f"{wpm:.0f} words/min", "About 120–160 words a minute is easy to follow."),
        ("Fillers", filler_value, counted(fillers) or "No fillers."),
        ("Longest pause", seconds_text(m.get("longest_pause_s")), "A long silence reads as being stuck; say what you are weighing."),
        ("Pauses over 5 s", "—" if pauses is None else str(pauses), "Silences of five seconds or more."),
        ("Time to first word", seconds_text(m.get("time_to_first_word_s")), "How long you took to start talking."),
        ("Nudges", str(m.get("nudges", 0)), "How often the interviewer prompted you during a silence."),
        ("Words", str(m.get("word_count", 0)), ""),
        ("Speaking time", seconds_text(m.get("speaking_time_s")), ""),
    ]


def insights_html(insights: dict) -> str:
    """Repeated words, domain terms used and missed, hedges and signposts as a short rich-text list."""
    if not insights:
        return "<i>Word insights were not kept for this answer.</i>"
    rows = []
    used = insights.get("domain_terms_used") or []
    missed = insights.get("domain_terms_missed") or []
    rows.append(("Domain terms you used", counted(used, "term") or "none"))
    rows.append(("Domain terms to bring in", ", ".join(html.escape(t) for t in missed) or "none missed"))
    rows.append(("Repeated words", counted(insights.get("repeated_words") or []) or "none"))
    rows.append(("Hedges", counted(insights.get("hedges") or {}) or "none"))
    signposts = insights.get("signposts") or []
    rows.append(("Signposts", ", ".join(f"“{html.escape(s)}”" for s in signposts) or "none: try “first…”, “the trade-off is…”"))
    return "".join(f"<p style='margin:0 0 6px 0'><b>{label}:</b> {value}</p>" for label, value in rows)


def bullet_html(items: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    body = "".join(f"<li style='margin-bottom:4px'>{html.escape(item)}</li>" for item in items)
    return f"<{tag} style='margin-left:0; -qt-list-indent:1;'>{body}</{tag}>"
