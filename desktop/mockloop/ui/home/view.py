"""Home: the company header, the interview loop, the practice plan, the interviewers and the model status."""

from __future__ import annotations

import html
from typing import Iterable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from mockloop.engine.core import paths
from mockloop.engine.bank import Bank, BankSet
from mockloop.engine.bank.schema import LoopStage, Persona
from mockloop.engine.models import registry
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)
from mockloop.ui.common.cards import Banner, Card, Severity, scroll_page
from mockloop.ui.common.model_status import ModelStatusPanel
from mockloop.ui.home.plan_panel import PlanPanel

STAGE_COLUMNS = 3


def rounds_text(stage: LoopStage) -> str:
    """'1 round', '3 rounds' or '3–4 rounds'."""
    if stage.rounds_min == stage.rounds_max:
        return f"{stage.rounds_min} round" + ("s" if stage.rounds_min > 1 else "")
    return f"{stage.rounds_min}–{stage.rounds_max} rounds"


def company_meta(bank: Bank) -> str:
    """'4 rounds · ~14 days · Hard'."""
    c = bank.company
    return f"{c.rounds} rounds · ~{c.timeline_days} days · {c.difficulty}"


def _clear(layout: QLayout) -> None:
    while (item := layout.takeAt(0)) is not None:
        if item.widget() is not None:
            item.widget().deleteLater()
        elif item.layout() is not None:
            _clear(item.layout())


class StageCard(Card):
    """One stage of the loop: name, time, rounds, what happens and what it tests."""

    def __init__(self, stage: LoopStage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage_id = stage.id
        self.setAccessibleName(stage.name)
        self.body.addWidget(theme.heading(stage.name, self, 1.1))
        each = " each" if stage.rounds_max > 1 else ""
        meta = QLabel(f"{stage.minutes_per_round} min{each} · {rounds_text(stage)}", self)
        meta.setFont(theme.scaled_font(meta, bold=True))
        meta.setForegroundRole(QPalette.ColorRole.Link)
        self.body.addWidget(meta)
        description = theme.plain(stage.description, self)
        self.body.addWidget(description)
        self.body.addWidget(theme.muted("Focus: " + " · ".join(stage.focus), self))
        self.body.addStretch(1)
        self.setAccessibleDescription(f"{meta.text()}. {stage.description}")


class PersonaCard(Card):
    """An interviewer persona: name, title and what they focus on."""

    def __init__(self, persona: Persona, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.persona_id = persona.id
        self.setAccessibleName(persona.name)
        self.body.addWidget(theme.heading(persona.name, self, 1.05))
        title = theme.plain(persona.title, self)
        title.setFont(theme.scaled_font(title, bold=True))
        self.body.addWidget(title)
        self.body.addWidget(theme.muted(persona.focus, self))
        self.setAccessibleDescription(f"{persona.title}. {persona.focus}")


class HomeView(QWidget):
    """The landing view; its two buttons ask the window to start an interview."""

    title = "Home"
    start_loop_requested = Signal()
    practice_requested = Signal(str)  # question id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Home")
        self._banks = BankSet()
        self.bank: Bank | None = None
        self.stage_cards: list[StageCard] = []
        self.persona_cards: list[PersonaCard] = []
        em = self.fontMetrics().height()

        content = scroll_page(self, 80)
        page = QVBoxLayout(content)
        page.setContentsMargins(em * 2, em * 3 // 2, em * 2, em * 2)
        page.setSpacing(em)

        self.errors_banner = Banner(Severity.WARNING, content)
        self.errors_banner.setAccessibleName("Question bank problems")
        page.addWidget(self.errors_banner)
        self.device_banner = Banner(Severity.WARNING, content)
        self.device_banner.setAccessibleName("Audio device problems")
        page.addWidget(self.device_banner)
        page.addLayout(self._build_header(content))
        self.loop_heading = theme.heading("The interview loop", content)
        page.addWidget(self.loop_heading)
        self._stages = QGridLayout()
        self._stages.setSpacing(em)
        page.addLayout(self._stages)

        lower = QHBoxLayout()
        lower.setSpacing(em)
        left = QVBoxLayout()
        self.personas_heading = theme.heading("Meet your interviewers", content)
        left.addWidget(self.personas_heading)
        self._personas = QVBoxLayout()
        self._personas.setSpacing(em // 2)
        left.addLayout(self._personas)
        left.addWidget(self._build_rule_card(content))
        left.addStretch(1)
        right = QVBoxLayout()
        self.plan_heading = theme.heading("Your practice plan", content)
        right.addWidget(self.plan_heading)
        self.plan_panel = PlanPanel(content)
        self.plan_panel.practice_requested.connect(self.practice_requested)
        right.addWidget(self.plan_panel)
        right.addWidget(theme.heading("Models on this computer", content))
        self.model_panel = ModelStatusPanel(content)
        right.addWidget(self.model_panel)
        right.addStretch(1)
        lower.addLayout(left, 1)
        lower.addLayout(right, 1)
        page.addLayout(lower)
        page.addStretch(1)
        self.set_banks(BankSet())

    def _build_header(self, parent: QWidget) -> QVBoxLayout:
        header = QVBoxLayout()
        header.setSpacing(self.fontMetrics().height() // 3)
        top = QHBoxLayout()
        self.company_label = theme.plain("", parent)
        self.company_label.setFont(theme.scaled_font(self.company_label, 2.0, bold=True))
        self.company_label.setAccessibleName("Company")
        top.addWidget(self.company_label, 1)
        self.company_combo = QComboBox(parent)
        self.company_combo.setAccessibleName("Company")
        self.company_combo.setToolTip("Choose which company's loop to practise")
        self.company_combo.currentIndexChanged.connect(self._on_company_chosen)
        top.addWidget(self.company_combo, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addLayout(top)
        self.summary_label = theme.muted("", parent)
        self.summary_label.setFont(theme.scaled_font(self.summary_label, 1.1))
        header.addWidget(self.summary_label)
        self.meta_label = theme.plain("", parent)
        self.meta_label.setFont(theme.scaled_font(self.meta_label, 1.05, bold=True))
        self.meta_label.setAccessibleName("Loop at a glance")
        header.addWidget(self.meta_label)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, self.fontMetrics().height() // 2, 0, 0)
        self.start_button = theme.PrimaryButton("Start mock interview", parent)
        self.start_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.start_button.setDefault(True)
        self.start_button.setAccessibleName("Start mock interview")
        self.start_button.setToolTip("Run the whole loop, round by round, with a spoken interviewer (Ctrl+N)")
        self.practice_button = QPushButton("Practice now", parent)
        self.practice_button.setAccessibleName("Practice now")
        self.practice_button.setToolTip("Answer one question out loud and get feedback (Ctrl+P)")
        for button in (self.start_button, self.practice_button):
            button.setFont(theme.scaled_font(button, 1.15, bold=True))
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            button.setMinimumHeight(round(button.sizeHint().height() * 1.3))
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.start_button.clicked.connect(self._on_start)
        self.practice_button.clicked.connect(self._on_practice)
        header.addLayout(buttons)
        return header

    def _build_rule_card(self, parent: QWidget) -> Card:
        card = Card(parent)
        card.setAccessibleName("Unwritten rule")
        card.body.addWidget(theme.heading("Unwritten rule: think out loud", card, 1.05))
        card.body.addWidget(
            theme.muted("Explain your thought process before writing code or drawing architecture. mockloop listens for it.", card)
        )
        return card

    def set_banks(self, banks: BankSet) -> None:
        """Show the first loaded bank; a company picker appears when there are several."""
        self._banks = banks
        self.company_combo.blockSignals(True)
        self.company_combo.clear()
        for bank in banks.banks:
            self.company_combo.addItem(bank.company.name, bank.company.id)
        self.company_combo.blockSignals(False)
        self.company_combo.setVisible(len(banks.banks) > 1)
        if banks.errors:
            count = len(banks.errors)
            noun = "problem was" if count == 1 else "problems were"
            self.errors_banner.show_message(
                f"{count} {noun} found in the question banks; see <b>Question bank</b> (Ctrl+2) for the file and line."
            )
        else:
            self.errors_banner.clear()
        self.show_bank(banks.banks[0] if banks.banks else None)

    @Slot(int)
    def _on_company_chosen(self, index: int) -> None:
        if 0 <= index < len(self._banks.banks):
            self.show_bank(self._banks.banks[index])

    def show_bank(self, bank: Bank | None) -> None:
        self.bank = bank
        _clear(self._stages)
        _clear(self._personas)
        self.stage_cards, self.persona_cards = [], []
        has_bank = bank is not None
        for widget in (self.start_button, self.practice_button):
            widget.setEnabled(has_bank)
        self.loop_heading.setVisible(has_bank)
        self.personas_heading.setVisible(has_bank)
        self.plan_heading.setVisible(has_bank)
        self.plan_panel.setVisible(has_bank)
        self.plan_panel.set_bank(bank)
        if bank is None:
            self.company_label.setText("No question bank loaded")
            folder = paths.user_questions_dir()
            self.summary_label.setText(f"Put a bank file (.yaml) in {folder}, then restart mockloop.")
            self.meta_label.clear()
            return
        c = bank.company
        self.company_label.setText(c.name)
        self.summary_label.setText(c.summary)
        self.meta_label.setText(company_meta(bank))
        for index, stage in enumerate(bank.loop):
            card = StageCard(stage, self)
            self._stages.addWidget(card, index // STAGE_COLUMNS, index % STAGE_COLUMNS)
            self.stage_cards.append(card)
        for column in range(STAGE_COLUMNS):
            self._stages.setColumnStretch(column, 1 if column < len(bank.loop) else 0)
        for persona in bank.personas:
            card = PersonaCard(persona, self)
            self._personas.addWidget(card)
            self.persona_cards.append(card)

    @Slot()
    def refresh_plan(self) -> None:
        """Reload the practice plan in the background (call after each finished session)."""
        self.plan_panel.refresh()

    @Slot()
    def practice_now(self) -> None:
        """What "Practice now" does (the window's Ctrl+P): today's planned question, when a bank is shown."""
        self.practice_button.click()

    def show_device_problem(self, reason: str, fix: str) -> None:
        """Why there is no microphone or speaker, and what to do; an empty reason clears it."""
        if not reason:
            self.device_banner.clear()
            return
        self.device_banner.show_message(f"{html.escape(reason)}<br>{html.escape(fix)}", f"{reason} {fix}")

    # ---- the models' status (from the window's probe) ---------------------------------------------

    @Slot(str, object)
    def show_model_ready(self, role: str, info: object) -> None:
        self.model_panel.show_ready(role, info)

    @Slot(str, str, str)
    def show_model_failed(self, role: str, problem: str, fix: str) -> None:
        self.model_panel.show_failed(role, problem, fix)

    def show_models_checking(self, roles: Iterable[str]) -> None:
        """Back to "Checking…" (the models were changed in Settings)."""
        for role in roles:
            self.model_panel.show_checking(role)

    def model_counts(self) -> tuple[int, int]:
        """(ready, still being checked) among the model roles."""
        checking = sum(1 for role in registry.ROLES if self.model_panel.state(role) == "checking")
        return self.model_panel.ready_count(), checking

    def practice_question_id(self) -> str | None:
        """The question "Practice now" opens: the plan's first for today, else the bank's first."""
        if self.bank is None or not self.bank.questions:
            return None
        planned = self.plan_panel.today_question_ids()
        return planned[0] if planned else self.bank.questions[0].id

    @Slot()
    def _on_start(self) -> None:
        if self.bank is not None:
            self.start_loop_requested.emit()

    @Slot()
    def _on_practice(self) -> None:
        question_id = self.practice_question_id()
        if question_id is not None:
            self.practice_requested.emit(question_id)
