"""Home's practice plan: today's questions and the next days', each with a Practice button, and the interview date."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from mockloop.engine.bank import Bank
from mockloop.engine.progress.practice_plan import (
    INTERVIEW_DATE_KEY, PlanDay, PlanItem, PracticePlan, parse_interview_date, plan_for, stored_interview_date,
)
from mockloop.engine.progress.radar import backfill_axis_scores
from mockloop.engine.store import SessionStore, default_path
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.background import run_in_background
from mockloop.ui.common.cards import Banner, Card, Severity

DAYS_SHOWN = 3  # today and the next two; the rest behind "Show all"
SAVE_DELAY_MS = 600  # typing a date digit by digit saves once, when it settles


@dataclass(frozen=True)
class PlanData:
    bank_id: str
    stored_date: date | None  # the interview date preference as stored (may have passed)
    plan: PracticePlan


def load_plan(path: Path, bank: Bank, change: tuple[date | None] | None = None) -> PlanData:
    """Runs on the thread pool: optionally save the interview date (`change`), then plan from the history."""
    today = date.today()
    with SessionStore.open(path) as store:
        if change is not None:
            day = change[0]
            store.set_preference(INTERVIEW_DATE_KEY, parse_interview_date(day.isoformat(), today).isoformat()
                                 if day is not None else None)
        interview = stored_interview_date(store)
        backfill_axis_scores(store, bank)
        plan = plan_for(store, bank, today=today, interview_date=interview)
    return PlanData(bank.company.id, interview, plan)


def day_title(day: date, today: date) -> str:
    if day == today:
        return f"Today · {day:%a %d %b}"
    if day == today + timedelta(days=1):
        return f"Tomorrow · {day:%a %d %b}"
    return f"{day:%A %d %b}"


def plan_summary(plan: PracticePlan) -> str:
    if plan.interview_date is None:
        return f"{plan.per_day} questions a day, weakest topics first."
    if plan.days_left == 0:
        return "Your interview is today: a last warm-up."
    days = "1 day" if plan.days_left == 1 else f"{plan.days_left} days"
    return f"Interview on {plan.interview_date:%A %d %B %Y}, {days} away · {plan.per_day} questions a day, weakest topics first."


class PlanItemRow(QWidget):
    """One planned question: its text, axis and why it was chosen, and a Practice button."""

    practice_requested = Signal(str)  # question id

    def __init__(self, item: PlanItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question_id = item.question_id
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        text = QVBoxLayout()
        text.setSpacing(0)
        self.text_label = theme.plain(item.text, self)
        text.addWidget(self.text_label)
        why = f"{'; '.join(item.reasons)} · {item.kind}"
        self.why_label = theme.muted(why, self)
        text.addWidget(self.why_label)
        row.addLayout(text, 1)
        self.button = QPushButton("Practice", self)
        self.button.setAccessibleName(f"Practice {item.question_id}")
        self.button.setToolTip(f"Answer “{item.question_id}” out loud now")
        self.button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.button.clicked.connect(self._on_clicked)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setAccessibleName(item.text)
        self.setAccessibleDescription(why)

    @Slot()
    def _on_clicked(self) -> None:
        self.practice_requested.emit(self.question_id)


class PlanPanel(Card):
    """The practice plan of one bank, loaded in the background; the interview date is saved with the history."""

    practice_requested = Signal(str)  # question id
    loaded = Signal()  # a plan was shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Practice plan")
        self.bank: Bank | None = None
        self.plan: PracticePlan | None = None
        self.rows: list[PlanItemRow] = []
        self._show_all = False
        self._requests = 0  # answers still due; only the last one is shown
        self.summary_label = theme.muted("", self)
        self.summary_label.setAccessibleName("Plan summary")
        self.body.addWidget(self.summary_label)

        dates = QHBoxLayout()
        self.date_check = QCheckBox("&Interview on", self)
        self.date_check.setAccessibleName("I have an interview date")
        self.date_check.setToolTip("Plan the days up to your interview")
        self.date_edit = QDateEdit(self)
        self.date_edit.setAccessibleName("Interview date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setMinimumDate(QDate.currentDate())
        self.date_edit.setDate(QDate.currentDate().addDays(14))
        self.date_edit.setEnabled(False)
        self.date_check.toggled.connect(self._on_date_toggled)
        self.date_edit.dateChanged.connect(self._on_date_edited)
        dates.addWidget(self.date_check)
        dates.addWidget(self.date_edit)
        dates.addStretch(1)
        self.body.addLayout(dates)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_date)

        self.error_banner = Banner(Severity.WARNING, self)
        self.error_banner.setAccessibleName("Plan problem")
        self.body.addWidget(self.error_banner)
        self.notes_label = theme.muted("", self)
        self.notes_label.setAccessibleName("Plan notes")
        self.body.addWidget(self.notes_label)
        self._days = QVBoxLayout()
        self._days.setSpacing(self.fontMetrics().height() // 2)
        self.body.addLayout(self._days)
        self.more_button = QPushButton(self)
        self.more_button.setFlat(True)
        self.more_button.setAccessibleName("Show every planned day")
        self.more_button.clicked.connect(self._on_more)
        self.more_button.hide()
        self.body.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._show_plan(None)

    # ---- loading -----------------------------------------------------------------------------------

    def set_bank(self, bank: Bank | None) -> None:
        self.bank = bank
        self.plan = None
        self._show_plan(None)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Reload the plan in the background (e.g. after a finished session)."""
        self._load(None)

    def set_interview_date(self, day: date | None) -> None:
        """Save the interview date (None forgets it) and plan again."""
        self._save_timer.stop()
        self._load((day,))

    def _load(self, change: tuple[date | None] | None) -> None:
        if self.bank is None:
            return
        self._requests += 1
        run_in_background(partial(load_plan, default_path(), self.bank, change), self._on_loaded, self._on_failed)

    @Slot(object)
    def _on_loaded(self, data: PlanData) -> None:
        self._requests -= 1
        if self._requests or self.bank is None or data.bank_id != self.bank.company.id:
            return  # a newer answer is coming
        self.error_banner.clear()
        self._show_date(data.stored_date)
        self._show_plan(data.plan)
        self.loaded.emit()

    @Slot(str)
    def _on_failed(self, sentence: str) -> None:
        self._requests -= 1
        self.error_banner.show_message(html.escape(sentence), sentence)

    # ---- the interview date ------------------------------------------------------------------------

    def _show_date(self, day: date | None) -> None:
        if self._save_timer.isActive():
            return  # the user is editing: do not overwrite what they typed
        for widget in (self.date_check, self.date_edit):
            widget.blockSignals(True)
        self.date_check.setChecked(day is not None)
        self.date_edit.setEnabled(day is not None)
        if day is not None:
            wanted = QDate(day.year, day.month, day.day)
            self.date_edit.setMinimumDate(min(wanted, QDate.currentDate()))
            self.date_edit.setDate(wanted)
        for widget in (self.date_check, self.date_edit):
            widget.blockSignals(False)

    def interview_date(self) -> date | None:
        """The date shown (None when the box is unchecked)."""
        if not self.date_check.isChecked():
            return None
        return self.date_edit.date().toPython()

    @Slot(bool)
    def _on_date_toggled(self, checked: bool) -> None:
        self.date_edit.setEnabled(checked)
        self.set_interview_date(self.interview_date())

    @Slot(QDate)
    def _on_date_edited(self, _day: QDate) -> None:
        if self.date_check.isChecked():
            self._save_timer.start()

    @Slot()
    def _save_date(self) -> None:
        self.set_interview_date(self.interview_date())

    # ---- showing -----------------------------------------------------------------------------------

    def _show_plan(self, plan: PracticePlan | None) -> None:
        self.plan = plan
        while (item := self._days.takeAt(0)) is not None:
            if item.widget() is not None:
                item.widget().deleteLater()
        self.rows = []
        if plan is None:
            self.summary_label.setText("Loading your plan…" if self.bank is not None else "No question bank loaded.")
            self.notes_label.hide()
            self.more_button.hide()
            return
        self.summary_label.setText(plan_summary(plan))
        notes = [n for n in plan.notes if not n.startswith("No interview date")]
        self.notes_label.setText(" ".join(notes))
        self.notes_label.setVisible(bool(notes))
        days = [d for d in plan.days if d.items]
        shown = days if self._show_all else days[:DAYS_SHOWN]
        for day in shown:
            self._add_day(day, plan.today)
        hidden = len(days) - len(shown)
        if hidden > 0:
            self.more_button.setText(f"Show all {len(days)} days")
        elif self._show_all and len(days) > DAYS_SHOWN:
            self.more_button.setText("Show fewer days")
        self.more_button.setVisible(len(days) > DAYS_SHOWN)
        if not days:
            self._days.addWidget(theme.muted("Nothing to plan: this bank has no questions on its radar.", self))

    def _add_day(self, day: PlanDay, today: date) -> None:
        title = theme.plain(day_title(day.date, today), self)
        title.setFont(theme.scaled_font(title, 1.0, bold=True))
        if day.date == today:
            title.setForegroundRole(QPalette.ColorRole.Link)
        title.setAccessibleName(day_title(day.date, today))
        self._days.addWidget(title)
        for item in day.items:
            row = PlanItemRow(item, self)
            row.practice_requested.connect(self.practice_requested)
            self._days.addWidget(row)
            self.rows.append(row)

    @Slot()
    def _on_more(self) -> None:
        self._show_all = not self._show_all
        self._show_plan(self.plan)

    def today_question_ids(self) -> list[str]:
        if self.plan is None or not self.plan.days or self.plan.days[0].date != self.plan.today:
            return []
        return [i.question_id for i in self.plan.days[0].items]
