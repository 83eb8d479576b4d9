"""Feedback on one answer: scores, rubric points with their evidence in the transcript, delivery and insights.

What it shows is an `AnswerRecord` (engine.interview.answer_record): from the interview as
each answer is scored, or `AnswerRecord.from_turn` for a stored answer reviewed later.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mockloop.engine.interview.answer_record import AnswerInput, AnswerRecord
from mockloop.ui.common import theme
from mockloop.ui.common.cards import Banner, Card, Severity, scroll_page
from mockloop.ui.feedback.asking_card import AskingCard
from mockloop.ui.feedback.code_card import CodeCard
from mockloop.ui.feedback.parts import (
    STATUS_LABELS, STATUS_ORDER, FittedList, ScoreBar, bullet_html, dimension_label, heard_text, highlight_html, insights_html,
    metric_rows, status_icon,
)

POINT_ROLE = Qt.ItemDataRole.UserRole


def _rich(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAccessibleName(name)
    return label


class FeedbackView(QWidget):
    """The feedback of the answers given in this run of the app, one at a time (newest first in the picker)."""

    title = "Feedback"
    practice_requested = Signal(str)  # question id: "Practice this question again"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Feedback")
        self.answers: list[AnswerRecord] = []  # newest first, as in the picker
        self.answer: AnswerRecord | None = None  # the one shown
        self._selected_point: str | None = None
        em = self.fontMetrics().height()
        content = scroll_page(self, 90)
        page = QVBoxLayout(content)
        page.setContentsMargins(em * 2, em * 3 // 2, em * 2, em * 2)
        page.setSpacing(em)

        self.empty_label = theme.muted("Answer a question and its feedback appears here: scores, what you covered, and how you thought out loud.", content)
        self.empty_label.setFont(theme.scaled_font(self.empty_label, 1.1))
        page.addWidget(self.empty_label)
        self.body = QWidget(content)
        page.addWidget(self.body)
        page.addStretch(1)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(em)
        body.addLayout(self._build_header(self.body))
        self.notes_banner = Banner(Severity.INFO, self.body)
        self.notes_banner.setAccessibleName("Notes on this score")
        body.addWidget(self.notes_banner)

        columns = QHBoxLayout()
        columns.setSpacing(em)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.setSpacing(em)
        right.setSpacing(em)
        left.addWidget(self._build_scores(self.body))
        left.addWidget(self._build_metrics(self.body))
        self.insights_label, card = self._text_card("Word insights", self.body)
        left.addWidget(card)
        self.followups_label, card = self._text_card("Follow-ups asked", self.body)
        left.addWidget(card)
        left.addStretch(1)
        self.code_card = CodeCard(self.body)
        right.addWidget(self.code_card)
        right.addWidget(self._build_rubric(self.body))
        self.asking_card = AskingCard(self.body)
        right.addWidget(self.asking_card)
        right.addWidget(self._build_transcript(self.body))
        self.advice_label, card = self._text_card("What to keep, what to work on", self.body)
        right.addWidget(card)
        self.outline_label, card = self._text_card("Outline of a strong answer", self.body)
        right.addWidget(card)
        right.addStretch(1)
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        body.addLayout(columns)
        self.show_answer(None)

    # ---- building ---------------------------------------------------------------------------------

    def _build_header(self, parent: QWidget) -> QVBoxLayout:
        header = QVBoxLayout()
        header.setSpacing(self.fontMetrics().height() // 3)
        top = QHBoxLayout()
        self.question_label = theme.plain("", parent)
        self.question_label.setFont(theme.scaled_font(self.question_label, 1.35, bold=True))
        self.question_label.setAccessibleName("Question")
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        top.addWidget(self.question_label, 1)
        self.picker = QComboBox(parent)
        self.picker.setAccessibleName("Answer")
        self.picker.setToolTip("Choose which answer's feedback to show")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.picker.currentIndexChanged.connect(self._on_picked)
        top.addWidget(self.picker, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(top)
        row = QHBoxLayout()
        self.meta_label = theme.muted("", parent)
        self.meta_label.setAccessibleName("About this answer")
        row.addWidget(self.meta_label, 1)
        self.again_button = QPushButton("&Practice this question again", parent)
        self.again_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.again_button.setAccessibleName("Practice this question again")
        self.again_button.clicked.connect(self._on_again)
        row.addWidget(self.again_button)
        header.addLayout(row)
        return header

    def _build_scores(self, parent: QWidget) -> Card:
        card = Card(parent)
        card.setAccessibleName("Scores")
        card.body.addWidget(theme.heading("Score", card, 1.05))
        row = QHBoxLayout()
        self.overall_label = QLabel("—", card)
        self.overall_label.setFont(theme.scaled_font(self.overall_label, 3.0, bold=True))
        self.overall_label.setAccessibleName("Overall score")
        out_of = theme.muted("/ 100", card)
        out_of.setFont(theme.scaled_font(out_of, 1.3))
        row.addWidget(self.overall_label, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(out_of, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        card.body.addLayout(row)
        self.verdict_label = theme.muted("", card)
        card.body.addWidget(self.verdict_label)
        self.bars = QVBoxLayout()
        self.bars.setSpacing(2)
        card.body.addLayout(self.bars)
        self.score_bars: list[ScoreBar] = []
        return card

    def _build_metrics(self, parent: QWidget) -> Card:
        card = Card(parent)
        card.setAccessibleName("Thinking out loud")
        card.body.addWidget(theme.heading("Thinking out loud", card, 1.05))
        self.metrics_grid = QGridLayout()
        em = self.fontMetrics().height()
        self.metrics_grid.setHorizontalSpacing(em)
        self.metrics_grid.setVerticalSpacing(em // 3)
        self.metrics_grid.setColumnStretch(1, 1)
        card.body.addLayout(self.metrics_grid)
        self.metric_values: dict[str, QLabel] = {}
        for row, (label, _value, _hint) in enumerate(metric_rows({})):
            name = QLabel(label, card)
            value = _rich(card, label)
            self.metrics_grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            self.metrics_grid.addWidget(value, row, 1)
            self.metric_values[label] = value
        self.metrics_note = theme.muted("", card)
        card.body.addWidget(self.metrics_note)
        return card

    def _text_card(self, title: str, parent: QWidget) -> tuple[QLabel, Card]:
        card = Card(parent)
        card.setAccessibleName(title)
        card.body.addWidget(theme.heading(title, card, 1.05))
        label = _rich(card, title)
        card.body.addWidget(label)
        return label, card

    def _build_rubric(self, parent: QWidget) -> Card:
        card = Card(parent)
        card.setAccessibleName("Rubric")
        card.body.addWidget(theme.heading("What the interviewer was listening for", card, 1.05))
        self.rubric_summary = theme.muted("", card)
        card.body.addWidget(self.rubric_summary)
        self.rubric_list = FittedList(card)
        self.rubric_list.setAccessibleName("Rubric points")
        self.rubric_list.setFrameShape(QListWidget.Shape.NoFrame)
        self.rubric_list.setSpacing(2)
        em = self.fontMetrics().height()
        self.rubric_list.setIconSize(QSize(round(em * 0.9), round(em * 0.9)))
        self.rubric_list.currentItemChanged.connect(self._on_point_chosen)
        card.body.addWidget(self.rubric_list)
        return card

    def _build_transcript(self, parent: QWidget) -> Card:
        card = Card(parent)
        card.setAccessibleName("Transcript")
        card.body.addWidget(theme.heading("Your answer", card, 1.05))
        self.legend_label = theme.muted("Shaded words are the evidence for a rubric point: green covered, amber partly. Pick a point to see its words.", card)
        card.body.addWidget(self.legend_label)
        self.transcript = QTextBrowser(card)
        self.transcript.setAccessibleName("Transcript with evidence")
        self.transcript.setOpenLinks(False)
        self.transcript.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.transcript.setMinimumHeight(self.fontMetrics().height() * 9)
        self.transcript.setFont(theme.scaled_font(self.transcript, 1.05))
        card.body.addWidget(self.transcript)
        return card

    # ---- showing ----------------------------------------------------------------------------------

    @Slot(object)
    def add_answer(self, answer: AnswerRecord) -> None:
        """A newly scored answer: listed first in the picker and shown."""
        self.answers.insert(0, answer)
        self.picker.blockSignals(True)
        self.picker.insertItem(0, self._answer_title(answer))
        self.picker.setCurrentIndex(0)
        self.picker.blockSignals(False)
        self.picker.setVisible(len(self.answers) > 1)
        self.show_answer(answer)

    @staticmethod
    def _answer_title(answer: AnswerRecord) -> str:
        text = answer.question
        short = text if len(text) <= 48 else text[:47].rstrip() + "…"
        score = "not scored" if answer.overall is None else f"{answer.overall:.0f}"
        return f"{short} · attempt {answer.attempt} · {score}"

    @Slot(int)
    def _on_picked(self, index: int) -> None:
        if 0 <= index < len(self.answers):
            self.show_answer(self.answers[index])

    def show_answer(self, answer: AnswerRecord | None) -> None:
        self.answer = answer
        self._selected_point = None
        self.empty_label.setVisible(answer is None)
        self.body.setVisible(answer is not None)
        if answer is None:
            return
        self.question_label.setText(answer.question)
        meta = [answer.kind, f"attempt {answer.attempt}"]
        if answer.input is AnswerInput.TYPED:
            meta.append("typed answer")
        self.meta_label.setText(" · ".join(m for m in meta if m))
        notes = answer.notes
        if notes:
            self.notes_banner.show_message("<br>".join(html.escape(n) for n in notes), " ".join(notes))
        else:
            self.notes_banner.clear()
        self._show_scores(answer)
        self.code_card.show_coding(answer.coding)
        self._show_metrics(answer.metrics or {})
        self.insights_label.setText(insights_html(answer.insights or {}))
        followups = answer.followups
        self.followups_label.setText(bullet_html(followups) if followups else "<i>No follow-up questions were asked.</i>")
        self._show_rubric(answer.rubric or [])
        self.asking_card.show_asking(answer.asking)
        self._show_transcript()
        fb = answer.feedback or {}
        advice = []
        if fb.get("misconceptions"):
            advice.append("<b>Said, but not so</b>" + bullet_html(fb["misconceptions"]))
        if fb.get("named"):
            advice.append("<b>Named, not explained</b>" + bullet_html(fb["named"]))
        if fb.get("strengths"):
            advice.append("<b>Keep</b>" + bullet_html(fb["strengths"]))
        if fb.get("gaps"):
            advice.append("<b>Work on</b>" + bullet_html(fb["gaps"]))
        if fb.get("coaching"):
            advice.append("<b>Delivery</b>" + bullet_html(fb["coaching"]))
        self.advice_label.setText("".join(advice) or "<i>No advice for this answer.</i>")
        outline = fb.get("outline") or []
        self.outline_label.setText(bullet_html(outline, ordered=True) if outline else "<i>No outline in the bank for this question.</i>")

    def _show_scores(self, answer: AnswerRecord) -> None:
        score = answer.score or {}
        overall = score.get("overall")
        self.overall_label.setText("—" if overall is None else f"{overall:.0f}")
        self.overall_label.setAccessibleDescription("not scored" if overall is None else f"{overall:.0f} out of 100")
        if overall is None:
            verdict = "Not scored. " + " ".join(answer.notes)
        else:
            verdict = "Strong answer." if overall >= 70 else "A fair start: see what to work on." if overall >= 40 else "Needs work: the outline shows a strong answer."
        self.verdict_label.setText(verdict.strip())
        for bar in self.score_bars:
            self.bars.removeWidget(bar)
            bar.hide()  # not drawn under the new bars until Qt deletes it
            bar.deleteLater()
        self.score_bars = []
        for name, value in (score.get("dimensions") or {}).items():
            bar = ScoreBar(dimension_label(name), value, self.body)
            self.bars.addWidget(bar)
            self.score_bars.append(bar)

    def _show_metrics(self, metrics: dict) -> None:
        for label, value, hint in metric_rows(metrics):
            widget = self.metric_values[label]
            widget.setText(f"<b>{html.escape(value)}</b>" + (f"<br><span style='color:{self._muted_colour()}'>{hint}</span>" if hint else ""))
            widget.setAccessibleDescription(f"{value}. {hint}")
        reason = metrics.get("unavailable_reason") or ""
        self.metrics_note.setText(f"Some timings are not available: {reason}." if reason else "")
        self.metrics_note.setVisible(bool(reason))

    def _muted_colour(self) -> str:
        return self.palette().color(QPalette.ColorRole.PlaceholderText).name()

    def _show_rubric(self, rubric: list[dict]) -> None:
        self.rubric_list.blockSignals(True)
        self.rubric_list.clear()
        size = self.rubric_list.iconSize().width()
        counts = {"covered": 0, "partial": 0, "missing": 0}
        for point in sorted(rubric, key=lambda p: STATUS_ORDER.get(p.get("status", "missing"), 2)):
            status = point.get("status", "missing")
            counts[status] = counts.get(status, 0) + 1
            heard = heard_text(point)
            item = QListWidgetItem(status_icon(self.palette(), status, size), f"{point.get('point', '')}\n{STATUS_LABELS.get(status, status)} · {heard}")
            item.setData(POINT_ROLE, point.get("id"))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{STATUS_LABELS.get(status, status)}: {point.get('point', '')}. {heard}")
            item.setToolTip(f"{dimension_label(point.get('dimension', ''))} · weight {point.get('weight', 1)}")
            self.rubric_list.addItem(item)
        self.rubric_list.setCurrentRow(-1)
        self.rubric_list.blockSignals(False)
        self.rubric_summary.setText(f"{counts['covered']} covered · {counts['partial']} partly · {counts['missing']} missing")
        self.rubric_list.fit()

    def _show_transcript(self) -> None:
        if self.answer is None:
            return
        text = self.answer.transcript
        if not text.strip():
            self.transcript.setHtml("<i>Nothing was heard for this answer.</i>")
            return
        body = highlight_html(text, self.answer.rubric or [], self.palette(), self._selected_point)
        self.transcript.setHtml(f"<p style='line-height:140%'>{body}</p>")

    def transcript_html(self) -> str:
        return self.transcript.toHtml()

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_point_chosen(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self._selected_point = current.data(POINT_ROLE) if current is not None else None
        self._show_transcript()

    @Slot()
    def _on_again(self) -> None:
        if self.answer is not None and self.answer.question_id:
            self.practice_requested.emit(self.answer.question_id)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.answer is not None:
            self.show_answer(self.answer)  # highlight colours come from the palette
