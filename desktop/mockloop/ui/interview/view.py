"""The interview: who is asking, the question, what the app is doing, live captions and the candidate's actions.

The view only shows what an `InterviewSession` reports (its worker's lifecycle signals, and
the engine's events through `EventDispatch`) and sends it the candidate's actions; it never
touches an engine. Keys: Space (hold to talk), R repeat, S skip, D or Enter I'm done,
Ctrl+Enter sends a typed answer.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.interview.commands import Command
from mockloop.ui.common.cards import Banner, Severity
from mockloop.ui.interview.cards import CaptionsCard, QuestionCard
from mockloop.ui.interview.coding_area import CodingArea
from mockloop.ui.interview.controls import ActionBar, PushToTalk, StatusRow, TypedAnswerBox
from mockloop.ui.interview.dispatch import EventDispatch
from mockloop.ui.interview.parts import SidePanel, State
from mockloop.ui.interview.session import InterviewSession

if TYPE_CHECKING:
    from mockloop.engine.interview.answer_record import AnswerRecord
    from mockloop.engine.interview.events import QuestionAsked

SPEAKING_POLL_MS = 100
SPEECH_START_GRACE_MS = 1500  # after "speaking", how long to trust it before the speaker confirms


class InterviewView(EventDispatch, QWidget):
    """Shows one running interview; `attach` a session, and it follows it until the session ends."""

    title = "Interview"
    feedback_ready = Signal(object, bool)  # a scored answer (AnswerRecord); True when the candidate is answering it again
    feedback_requested = Signal()
    session_finished = Signal(object)  # the run summary (engine.interview.events.SessionEnded)

    def __init__(self, end_of_turn: EndOfTurn = EndOfTurn.HANDS_FREE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Interview")
        self.session: InterviewSession | None = None
        self.state = State.PREPARING
        self.input_mode = ""
        self.question: QuestionAsked | None = None  # the question (or attempt) being answered
        self.followups: list[str] = []
        self.answers: list[AnswerRecord] = []  # this session's scored answers
        self.counted: list[AnswerRecord] = []  # the same, less those the candidate chose to answer again
        self._listening = False
        self._awaiting_text = False
        self._reanswer_asked = False
        self._speech_claimed = QElapsedTimer()
        em = self.fontMetrics().height()

        page = QVBoxLayout(self)
        page.setContentsMargins(em * 3 // 2, em, em * 3 // 2, em)
        page.setSpacing(em * 2 // 3)
        self.input_banner = Banner(Severity.WARNING, self)
        self.input_banner.setAccessibleName("Microphone problem")
        self.output_banner = Banner(Severity.INFO, self)
        self.output_banner.setAccessibleName("Speaker problem")
        self.problem_banner = Banner(Severity.WARNING, self)
        self.problem_banner.setAccessibleName("Interview problem")
        for banner in (self.input_banner, self.output_banner, self.problem_banner):
            page.addWidget(banner)

        columns = QHBoxLayout()
        columns.setSpacing(em)
        side = SidePanel(self)
        self.persona_card, self.clock, self.result_card = side.persona_card, side.clock, side.result_card
        self.result_card.feedback_button.clicked.connect(self.feedback_requested)
        columns.addWidget(side)

        main = QVBoxLayout()
        main.setSpacing(em * 2 // 3)
        self.question_card = QuestionCard(self)
        self.question_label = self.question_card.text_label
        main.addWidget(self.question_card)
        self.status_row = StatusRow(self)
        row = self.status_row
        self.state_pill, self.end_of_turn, self.type_toggle = row.pill, row.end_of_turn, row.type_toggle
        self.said_label, self.meter_row, self.meter = row.said_label, row.meter_row, row.meter
        self.end_of_turn.currentIndexChanged.connect(self._on_end_of_turn)
        self.type_toggle.toggled.connect(self._on_type_toggled)
        main.addWidget(row)
        self.captions_card = CaptionsCard(self)
        self.captions = self.captions_card.browser
        self.coding = CodingArea(self.captions_card, self)
        self.code_pad = self.coding.pad
        main.addWidget(self.coding, 1)
        self.nudge_banner = Banner(Severity.INFO, self)
        self.nudge_banner.setAccessibleName("Nudge")
        main.addWidget(self.nudge_banner)
        self.typing_box = TypedAnswerBox(self)
        self.typing_box.send_requested.connect(self._on_send)
        self.typing_box.hide()
        self.answer_box, self.send_button = self.typing_box.editor, self.typing_box.send_button
        main.addWidget(self.typing_box)
        self._main = main
        self.actions = ActionBar(self)
        self.actions.command.connect(self._on_action)
        self.actions.done_requested.connect(self._on_done)
        self.actions.end_requested.connect(self.end_interview)
        self.actions.add_shortcuts(self, self._on_done)
        a = self.actions
        self.repeat_button, self.skip_button, self.reanswer_button = a.repeat_button, a.skip_button, a.reanswer_button
        self.end_round_button, self.end_button, self.done_button = a.end_round_button, a.end_button, a.done_button
        main.addWidget(self.actions)
        columns.addLayout(main, 1)
        page.addLayout(columns, 1)

        self._speaking_timer = QTimer(self)
        self._speaking_timer.setInterval(SPEAKING_POLL_MS)
        self._speaking_timer.timeout.connect(self._poll_speaking)
        self.talk_key = PushToTalk(self, self._session_running)
        self.talk_key.pressed.connect(self._on_talk_pressed)
        self.talk_key.released.connect(self._on_talk_released)
        row.set_policy(end_of_turn)
        self._set_controls(False)

    # ---- the session --------------------------------------------------------------------------------

    def attach(self, session: InterviewSession) -> None:
        """Follow a new session (before it starts)."""
        self.session = session
        self.state = State.PREPARING
        self.question, self.followups, self.answers, self.counted = None, [], [], []
        self._listening = self._awaiting_text = self._reanswer_asked = False
        self.captions_card.clear()
        self.coding.stop()
        self.question_card.reset()
        self._note("")
        for banner in (self.input_banner, self.output_banner, self.problem_banner, self.nudge_banner):
            banner.clear()
        self.result_card.hide()
        self.status_row.set_typing(False)
        self.type_toggle.setEnabled(True)
        self._apply_typing(False)
        self.meter.set_active(False)
        w = session.worker
        w.status.connect(self._on_status)
        w.persona_ready.connect(self.persona_card.show_persona)
        w.input_mode.connect(self._on_input_mode)
        w.output_problem.connect(self._on_output_problem)
        w.awaiting_text.connect(self._on_awaiting_text)
        w.failed.connect(self._on_failed)
        w.engine_event.connect(self._on_engine_event)
        session.stopped.connect(self._on_stopped)
        session.set_end_of_turn(self.end_of_turn.currentData())
        self._set_state(State.PREPARING, "Getting ready…")
        self._set_controls(True)
        self._speaking_timer.start()

    @Slot()
    def end_interview(self) -> None:
        if self.session is not None and self.session.is_running():
            self._set_state(State.THINKING, "Ending the interview and saving your answers…")
            self.session.end(self.draft_text())

    def set_default_end_of_turn(self, end_of_turn: EndOfTurn) -> None:
        """The policy chosen in Settings, for the next interview (a running one keeps its own)."""
        if not self._session_running():
            self.status_row.set_policy(end_of_turn)

    def draft_text(self) -> str:
        """Text typed in the answer box and not sent yet (kept if the interview ends now)."""
        return self.answer_box.toPlainText().strip() if self.typing_box.isVisible() else ""

    def _command(self, command: Command) -> None:
        if self.session is not None:
            self.session.command(command)

    def _session_running(self) -> bool:
        return self.session is not None and self.session.is_running()

    def _set_controls(self, running: bool) -> None:
        self.actions.set_running(running)
        if not running:
            self.type_toggle.setEnabled(False)
        self.send_button.setEnabled(running and self._awaiting_text)

    def _set_state(self, state: State, text: str | None = None) -> None:
        self.state = state
        self.state_pill.set_state(state, text)

    def _after_speech_state(self) -> None:
        """Once the interviewer stops talking: whose turn is it?"""
        if self._awaiting_text:
            self._set_state(State.TYPING)
        elif self._listening:
            self._set_state(State.LISTENING, self._listening_prompt())
        elif self.state is State.SPEAKING:
            self._set_state(State.THINKING)

    def _note(self, text: str) -> None:
        """The line under the state: what the interviewer just said, or a hint; hidden when empty."""
        self.status_row.note(text)

    def _push_to_talk(self) -> bool:
        return self.end_of_turn.currentData() == EndOfTurn.PUSH_TO_TALK.value

    def _listening_prompt(self) -> str:
        if self._push_to_talk():
            return f"Your turn — hold {self.talk_key.key_name} while you speak"
        return "Your turn — talk as you code" if self.coding.active else State.LISTENING.value

    # ---- the worker's signals (queued to the GUI thread) -----------------------------------------------

    @Slot(object)
    def _on_engine_event(self, event: object) -> None:
        self.dispatch(event)

    @Slot(str)
    def _on_status(self, text: str) -> None:
        if text:
            self._set_state(State.PREPARING, text)

    @Slot(str, str, str)
    def _on_input_mode(self, mode: str, problem: str, fix: str) -> None:
        self.input_mode = mode
        if problem:
            self.input_banner.show_message(f"<b>{html.escape(problem)}</b><br>{html.escape(fix)}", f"{problem} {fix}")
        forced = mode == "typed"  # no microphone: typing is the only way
        self.type_toggle.setVisible(mode == "voice")  # without a microphone the banner says why typing is on
        self.type_toggle.setEnabled(not forced)
        self.status_row.set_typing(forced)
        self._apply_typing(forced)

    @Slot(bool)
    def _on_type_toggled(self, typing: bool) -> None:
        if self.session is not None:
            self.session.set_typing(typing)
        self._apply_typing(typing)
        if typing and self._listening:
            self._note("What you said is kept: go on typing this answer, then send it.")

    def _apply_typing(self, typed: bool) -> None:
        """Typing: the editor takes the room the captions had; what was sent stays above it."""
        self.typing_box.setVisible(typed)
        self.meter_row.setVisible(not typed)
        self.end_of_turn.setVisible(not typed)
        self.captions_card.set_typing(typed)
        self._main.setStretchFactor(self.coding, 0 if typed and not self.coding.active else 1)
        self._main.setStretchFactor(self.typing_box, 1 if typed else 0)
        self.typing_box.set_tall(typed)
        self.actions.set_typing(typed)

    @Slot(str, str)
    def _on_output_problem(self, problem: str, fix: str) -> None:
        self.output_banner.show_message(f"{html.escape(problem)} {html.escape(fix)}", f"{problem} {fix}")

    @Slot(bool)
    def _on_awaiting_text(self, waiting: bool) -> None:
        self._awaiting_text = waiting
        self.send_button.setEnabled(waiting and self.session is not None)
        if waiting:
            if self.state is not State.SPEAKING:
                self._set_state(State.TYPING)
            if self.isVisible():
                self.answer_box.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.state is State.TYPING:
            self._set_state(State.THINKING)

    @Slot()
    def _poll_speaking(self) -> None:
        if self.session is None:
            return
        if self.session.interviewer_speaking():
            self._speech_claimed.invalidate()
            if self.state is not State.SPEAKING:
                self._set_state(State.SPEAKING)
        elif self.state is State.SPEAKING:
            # The speaker may not have started yet: trust the event for a moment.
            if self._speech_claimed.isValid() and self._speech_claimed.elapsed() < SPEECH_START_GRACE_MS:
                return
            self._after_speech_state()

    def _show_problem(self, problem: str, fix: str) -> None:
        self.problem_banner.show_message(f"<b>{html.escape(problem)}</b><br>{html.escape(fix)}", f"{problem} {fix}")

    @Slot(str, str)
    def _on_failed(self, problem: str, fix: str) -> None:
        self._show_problem(problem, fix)
        self._set_state(State.FAILED, "The interview could not go on")

    @Slot()
    def _on_stopped(self) -> None:
        self._speaking_timer.stop()
        self.clock.stop()
        self.meter.set_active(False)
        self._listening = self._awaiting_text = False
        if self.state not in (State.ENDED, State.FAILED):
            self._set_state(State.ENDED, "Interview ended — your answers are saved")
        self._set_controls(False)

    # ---- the candidate's actions ----------------------------------------------------------------------

    @Slot(str)
    def _on_action(self, name: str) -> None:
        command = Command(name)
        if command is Command.REANSWER:
            self._reanswer_asked = True
        self._command(command)

    @Slot()
    def _on_done(self) -> None:
        if not self.done_button.isEnabled():
            return
        if not self.typing_box.isHidden() and self._awaiting_text:
            self._on_send()
        else:
            self._command(Command.DONE)

    @Slot()
    def _on_send(self) -> None:
        text = self.answer_box.toPlainText().strip()
        if not text or self.session is None:
            return
        if self.session.submit_text(text):
            self.answer_box.clear()
            self.captions_card.show_sent(text)
            self._set_state(State.THINKING)
        else:
            self._note("Wait for the interviewer's question, then send your answer.")

    @Slot(int)
    def _on_end_of_turn(self, _index: int) -> None:
        if self.session is not None:
            self.session.set_end_of_turn(self.end_of_turn.currentData())
        self.coding.set_push_to_talk(self._push_to_talk())
        if self._listening:
            self._set_state(self.state, self._listening_prompt() if self.state is State.LISTENING else None)

    # ---- push-to-talk: Space held anywhere in the view except text fields ---------------------------------

    @Slot()
    def _on_talk_pressed(self) -> None:
        self._command(Command.PRESS)
        if self._listening:
            self._set_state(State.HEARING, f"Talking — release {self.talk_key.key_name} when you're done")

    @Slot()
    def _on_talk_released(self) -> None:
        self._command(Command.RELEASE)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.talk_key.install()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.talk_key.remove()
        super().hideEvent(event)
