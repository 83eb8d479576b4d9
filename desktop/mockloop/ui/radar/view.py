"""The difficulty radar view: performance per axis over the bank's difficulty, all time or one session, with each axis's answers."""

from __future__ import annotations

import html
from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mockloop.engine.bank import Bank
from mockloop.engine.progress.practice_plan import question_for_axis
from mockloop.engine.progress.radar import HALF_LIFE_DAYS, AxisValue, Radar, recency_weight
from mockloop.engine.store import SessionSummary, default_path
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.cards import Banner, Severity
from mockloop.ui.radar.chart import RadarChart
from mockloop.ui.radar.parts import (
    RadarData, asked_text, axis_summary, load_radar, local_time, recency_text, session_label,
)

AXIS_ROLE = Qt.ItemDataRole.UserRole
QUESTION_ROLE = Qt.ItemDataRole.UserRole
EXCERPT = 70


class RadarView(QWidget):
    """The radar chart beside an accessible list of its axes and the answers behind the chosen one."""

    title = "Radar"
    practice_requested = Signal(str)  # question id
    loaded = Signal()  # a radar was drawn (after refresh() or a scope change)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Difficulty radar")
        self.bank: Bank | None = None
        self.radar: Radar | None = None
        self.sessions: list[SessionSummary] = []
        self.asked: dict[int, tuple[int, int]] = {}  # turn id -> (key facts asked, key facts), where known
        self._wanted: str | None = None  # the scope asked for: a session id, None for all time
        self._hovered = -1
        self._shown: AxisValue | None = None
        em = self.fontMetrics().height()

        page = QVBoxLayout(self)
        page.setContentsMargins(em * 2, em * 3 // 2, em * 2, em)
        page.setSpacing(em * 2 // 3)
        top = QHBoxLayout()
        top.addWidget(theme.heading("Difficulty radar", self, 1.35))
        self.bank_label = theme.muted("", self)
        self.bank_label.setAccessibleName("Question bank")
        top.addWidget(self.bank_label, 1, Qt.AlignmentFlag.AlignBottom)
        scope_label = QLabel("&Show:", self)
        self.scope_combo = QComboBox(self)
        self.scope_combo.setAccessibleName("Radar scope")
        self.scope_combo.setToolTip("All your answers, or the answers of one session")
        self.scope_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        scope_label.setBuddy(self.scope_combo)
        self.scope_combo.currentIndexChanged.connect(self._on_scope_chosen)
        top.addWidget(scope_label, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.scope_combo, 0, Qt.AlignmentFlag.AlignVCenter)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
        self.refresh_button.setAccessibleName("Refresh the radar")
        self.refresh_button.setToolTip("Reload the radar (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button, 0, Qt.AlignmentFlag.AlignVCenter)
        page.addLayout(top)

        self.recency_label = theme.muted(recency_text(HALF_LIFE_DAYS), self)
        self.recency_label.setAccessibleName("How performance is weighed")
        page.addWidget(self.recency_label)
        self.error_banner = Banner(Severity.WARNING, self)
        self.error_banner.setAccessibleName("Problem")
        page.addWidget(self.error_banner)
        self.empty_label = theme.plain("", self)
        self.empty_label.setFont(theme.scaled_font(self.empty_label, 1.1))
        self.empty_label.setAccessibleName("Nothing answered yet")
        page.addWidget(self.empty_label)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        self.chart = RadarChart(splitter)
        self.chart.axis_hovered.connect(self._on_axis_hovered)
        self.chart.axis_clicked.connect(self._on_axis_clicked)
        splitter.addWidget(self.chart)
        splitter.addWidget(self._build_side(splitter))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([em * 36, em * 24])  # the answers' long titles must not squeeze the chart
        page.addWidget(splitter, 1)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.refresh)
        self._show(None)

    def _build_side(self, parent: QWidget) -> QWidget:
        side = QWidget(parent)
        column = QVBoxLayout(side)
        column.setContentsMargins(self.fontMetrics().height() // 2, 0, 0, 0)
        axes_heading = theme.heading("&Axes", side, 1.05)
        axes_heading.setAccessibleName("Axes")
        column.addWidget(axes_heading)
        self.axis_list = QListWidget(side)
        self.axis_list.setAccessibleName("Radar axes")
        self.axis_list.setAccessibleDescription("Choose an axis to list the answers behind it")
        self.axis_list.setWordWrap(True)
        self.axis_list.currentRowChanged.connect(self._on_axis_chosen)
        axes_heading.setBuddy(self.axis_list)
        column.addWidget(self.axis_list)
        self.detail_heading = theme.heading("", side, 1.05)
        self.detail_heading.setAccessibleName("Answers behind the axis")
        column.addWidget(self.detail_heading)
        self.answers = QTreeWidget(side)
        self.answers.setAccessibleName("Answers behind the axis")
        self.answers.setRootIsDecorated(False)
        self.answers.setUniformRowHeights(True)
        self.answers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.answers.setHeaderLabels(["Date", "Question", "Score", "Weight", "Asked"])
        self.answers.headerItem().setToolTip(4, "How many of the question's key facts you asked the interviewer for")
        header = self.answers.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.answers.itemActivated.connect(self._on_answer_activated)
        self.answers.setToolTip("Double-click or press Enter to practise that question again")
        column.addWidget(self.answers, 1)
        self.no_answers_label = theme.muted("", side)
        column.addWidget(self.no_answers_label)
        self.practice_button = QPushButton("&Practise this axis", side)
        self.practice_button.setAccessibleName("Practise this axis")
        self.practice_button.clicked.connect(self._on_practice)
        column.addWidget(self.practice_button, 0, Qt.AlignmentFlag.AlignLeft)
        return side

    # ---- loading -----------------------------------------------------------------------------------

    def set_bank(self, bank: Bank | None) -> None:
        """Show `bank`'s radar (all time) and load it."""
        self.bank = bank
        self._wanted = None
        self.sessions = []
        self._fill_scopes()
        self._show(None)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Rebuild the radar of the chosen scope in the background (e.g. after a finished session)."""
        if self.bank is None:
            return
        run_in_background(partial(load_radar, default_path(), self.bank, self._wanted), self._on_loaded, self._on_failed)

    @Slot(object)
    def _on_loaded(self, data: RadarData) -> None:
        if self.bank is None or data.radar.bank_id != self.bank.company.id or data.requested != self._wanted:
            return  # a newer request is on its way
        self.error_banner.clear()
        self.sessions = data.sessions
        self.asked = data.asked
        self._wanted = data.radar.session_id
        self._fill_scopes()
        self._show(data.radar)
        self.loaded.emit()

    @Slot(str)
    def _on_failed(self, sentence: str) -> None:
        self.error_banner.show_message(html.escape(sentence), sentence)

    @Slot(int)
    def _on_scope_chosen(self, index: int) -> None:
        wanted = self.scope_combo.itemData(index) if index >= 0 else None
        if wanted != self._wanted:
            self._wanted = wanted
            self.refresh()

    def set_scope(self, session_id: str | None) -> bool:
        """Pick a session (or None for all time) as if chosen in the picker; False if it is not listed."""
        index = self.scope_combo.findData(session_id) if session_id is not None else 0
        if index < 0:
            return False
        self.scope_combo.setCurrentIndex(index)
        return True

    def _fill_scopes(self) -> None:
        self.scope_combo.blockSignals(True)
        self.scope_combo.clear()
        self.scope_combo.addItem("All time", None)
        for summary in self.sessions:
            self.scope_combo.addItem(session_label(summary), summary.id)
        index = self.scope_combo.findData(self._wanted) if self._wanted is not None else 0
        self.scope_combo.setCurrentIndex(max(0, index))
        self.scope_combo.blockSignals(False)
        self.scope_combo.setEnabled(self.bank is not None)

    # ---- showing -----------------------------------------------------------------------------------

    def _show(self, radar: Radar | None) -> None:
        current = self.current_axis()
        keep = current.id if current is not None else None
        self.radar = radar
        self.chart.show_radar(radar)
        self.bank_label.setText(self.bank.company.name if self.bank is not None else "")
        if radar is not None:
            self.recency_label.setText(recency_text(radar.half_life_days))
        self._show_empty_state(radar)
        self.axis_list.blockSignals(True)
        self.axis_list.clear()
        for index, axis in enumerate(radar.axes if radar is not None else ()):
            item = QListWidgetItem(axis_summary(axis), self.axis_list)
            item.setData(AXIS_ROLE, index)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, axis_summary(axis))
            if axis.performance is None:
                font = item.font()
                font.setItalic(True)  # "no data" stands out in any palette
                item.setFont(font)
        rows = [a.id for a in radar.axes] if radar is not None else []
        self._fit_axis_list()
        self.axis_list.setCurrentRow(rows.index(keep) if keep in rows else (0 if rows else -1))
        self.axis_list.blockSignals(False)
        self._show_axis(self.axis_list.currentRow())

    def _fit_axis_list(self) -> None:
        # Every axis visible at once (there are at most ten); the answers below get the rest.
        count = max(3, self.axis_list.count())
        row = self.axis_list.sizeHintForRow(0) if self.axis_list.count() else self.fontMetrics().height() + 4
        self.axis_list.setFixedHeight(row * count + 2 * self.axis_list.frameWidth() + 4)

    def _show_empty_state(self, radar: Radar | None) -> None:
        if self.bank is None:
            text = "No question bank loaded, so there is no radar to draw."
        elif radar is None:
            text = "Loading the radar…"
        elif radar.answers == 0 and radar.scope == "all":
            text = ("Nothing answered yet. Practise a question and your score on each topic appears here, "
                    "drawn over how hard the bank's questions on it are.")
        elif radar.answers == 0:
            text = "This session has no scored answers on the radar."
        else:
            text = ""
        self.empty_label.setText(text)
        self.empty_label.setVisible(bool(text))

    def current_axis(self) -> AxisValue | None:
        row = self.axis_list.currentRow()
        if self.radar is None or not 0 <= row < len(self.radar.axes):
            return None
        return self.radar.axes[row]

    @property
    def shown_axis_id(self) -> str | None:
        """The axis whose answers are listed (the hovered one while the pointer is on the chart)."""
        return self._shown.id if self._shown is not None else None

    def select_axis(self, axis_id: str) -> bool:
        rows = [a.id for a in self.radar.axes] if self.radar is not None else []
        if axis_id not in rows:
            return False
        self.axis_list.setCurrentRow(rows.index(axis_id))
        return True

    @Slot(int)
    def _on_axis_chosen(self, row: int) -> None:
        if self._hovered < 0:
            self._show_axis(row)

    @Slot(int)
    def _on_axis_hovered(self, index: int) -> None:
        # While the pointer is near an axis its answers are listed; leaving goes back to the chosen one.
        self._hovered = index
        self._show_axis(index if index >= 0 else self.axis_list.currentRow())

    @Slot(int)
    def _on_axis_clicked(self, index: int) -> None:
        self.axis_list.setCurrentRow(index)
        self.axis_list.setFocus(Qt.FocusReason.MouseFocusReason)

    def _show_axis(self, index: int) -> None:
        axes = self.radar.axes if self.radar is not None else ()
        axis = axes[index] if 0 <= index < len(axes) else None
        self._shown = axis
        self.chart.highlight_axis(index if axis is not None else -1)
        self.answers.clear()
        if axis is None:
            self.detail_heading.setText("Answers")
            self.no_answers_label.setText("")
            self.answers.hide()
            self.practice_button.setEnabled(False)
            return
        self.detail_heading.setText(f"Answers behind {axis.name}")
        titles = {q.id: q.text for q in self.bank.questions} if self.bank is not None else {}
        for point in sorted(axis.history, key=lambda p: p.date, reverse=True):
            text = titles.get(point.question_id, "")
            excerpt = text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"
            weight = recency_weight(point.date, self.radar.as_of, self.radar.half_life_days)
            item = QTreeWidgetItem([local_time(point.date), f"{point.question_id} — {excerpt}" if excerpt else point.question_id,
                                    f"{point.score:.0f}", f"{weight:.2f}"])
            item.setData(1, QUESTION_ROLE, point.question_id)
            item.setToolTip(1, text or point.question_id)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            counts = self.asked.get(point.turn_id)
            if counts is not None:
                item.setText(4, f"{counts[0]} of {counts[1]}")  # narrow: the question's title needs the width
                item.setToolTip(4, f"You {asked_text(counts)} of this question's scenario.")
                item.setData(4, Qt.ItemDataRole.AccessibleTextRole, asked_text(counts))
            self.answers.addTopLevelItem(item)
        # Only axes with system design or technical answers scored for asking get the column.
        self.answers.setColumnHidden(4, not any(p.turn_id in self.asked for p in axis.history))
        self.answers.setVisible(bool(axis.history))
        self.no_answers_label.setText("" if axis.history else "No answers on this axis yet: it is drawn as a gap, not a zero.")
        self.no_answers_label.setVisible(not axis.history)
        self.practice_button.setEnabled(self._practice_question(axis) is not None)
        self.practice_button.setToolTip(f"Practise a question on {axis.name}")

    def answer_rows(self) -> list[tuple[str, str, str]]:
        """(date, question id, score) of the listed answers, as shown."""
        rows = []
        for i in range(self.answers.topLevelItemCount()):
            item = self.answers.topLevelItem(i)
            rows.append((item.text(0), item.data(1, QUESTION_ROLE), item.text(2)))
        return rows

    # ---- practice ----------------------------------------------------------------------------------

    @Slot()
    def _on_practice(self) -> None:
        question_id = self._practice_question(self._shown)
        if question_id is not None:
            self.practice_requested.emit(question_id)

    def _practice_question(self, axis: AxisValue | None) -> str | None:
        """The question "Practise this axis" opens: the one the practice plan would pick for it today."""
        if axis is None or self.bank is None:
            return None
        question = question_for_axis(self.bank, axis, today=date.today())
        return question.id if question is not None else None

    @Slot(QTreeWidgetItem, int)
    def _on_answer_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        question_id = item.data(1, QUESTION_ROLE)
        if question_id:
            self.practice_requested.emit(question_id)
