"""What the interview view shows for each engine event: one handler per event type, found by a table.

`EventDispatch` is mixed into `InterviewView`; its `dispatch` is called on the GUI thread
with every event the worker forwards (engine.interview.events). The handlers read the
events' fields and nothing else of the engine.
"""

from __future__ import annotations

import html
from typing import Callable

from mockloop.engine.interview.events import (
    Captioned, CodingStarted, FollowUpAsked, Listening, MicLevel, Nudged, PhaseStarted, Problem, QuestionAsked, Replied, Resolved, RoundStarted,
    Scored, SessionEnded, Skipped, Speaking,
)
from mockloop.ui.interview.coding_area import CODING_KEYS
from mockloop.ui.interview.parts import State

KIND_LABELS = {"followup": "Follow-up", "nudge": "Nudge", "phase": "Next phase", "feedback": "Feedback", "transition": "",
               "reply": "Interviewer"}


class EventDispatch:
    """The engine-event half of `InterviewView` (which owns the widgets and the state these handlers change)."""

    def dispatch(self, event: object) -> None:
        """Show one engine event; events this view has nothing to show for (session-started) are ignored."""
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _on_round_started(self, event: RoundStarted) -> None:
        self.clock.start_round(event.title, float(event.budget_seconds), len(event.questions))

    def _on_question(self, event: QuestionAsked) -> None:
        before = self.question
        new_question = before is None or event.id != before.id or event.attempt != before.attempt
        self.question = event
        self.followups = []
        self._reanswer_asked = False
        self.clock.question_asked(new_question and event.attempt == 1)
        self.question_card.show_question(event.text, event.question_kind, event.attempt)
        self.nudge_banner.clear()
        self.captions_card.clear()
        if event.question_kind != "Coding":
            self._leave_coding()

    def _on_coding(self, event: CodingStarted) -> None:
        self.coding.start(event, self._push_to_talk())
        self.talk_key.set_coding(True)
        self.actions.keys_hint.setText(CODING_KEYS)
        self.end_of_turn.hide()  # a coding answer ends with "I'm done", whatever the policy says

    def _leave_coding(self) -> None:
        if self.coding.active:
            self.coding.stop()
            self.talk_key.set_coding(False)
            self.actions.set_typing(not self.typing_box.isHidden())
            self.end_of_turn.setVisible(self.typing_box.isHidden())

    def _on_phase(self, event: PhaseStarted) -> None:
        self.question_card.show_phase(event.id, event.prompt, event.seconds)

    def _on_speaking(self, event: Speaking) -> None:
        self._speech_claimed.start()
        self._set_state(State.SPEAKING)
        label = KIND_LABELS.get(event.line, "")
        shown_above = event.line in ("question", "followup")  # the question card already shows these
        self._note("" if shown_above else (f"{label}: “{event.text}”" if label else f"“{event.text}”"))

    def _on_listening(self, event: Listening) -> None:
        what = event.what
        if what == "Started":
            self._listening = True
            self.meter.set_active(True)
            if self.state is not State.SPEAKING:
                self._set_state(State.LISTENING, self._listening_prompt())
        elif what in ("SpeechStarted", "SpeechResumed"):
            self.nudge_banner.clear()
            self._set_state(State.HEARING)
        elif what == "Pause":
            if self.state is not State.SPEAKING:
                self._set_state(State.PAUSED)
        elif what == "NoSpeech":
            self._set_state(State.THINKING, "I didn't hear anything")
        elif what == "TurnEnded":
            self._listening = False
            self.meter.set_active(False)
            self._set_state(State.THINKING)

    def _on_caption(self, event: Captioned) -> None:
        self.captions_card.show_caption(event.committed, event.tentative)
        if self.state in (State.LISTENING, State.PAUSED):
            self._set_state(State.HEARING)

    def _on_level(self, event: MicLevel) -> None:
        self.meter.set_level(event.rms, event.peak)

    def _on_nudge(self, event: Nudged) -> None:
        self.nudge_banner.show_message(f"<b>Interviewer:</b> {html.escape(event.text)}", f"Interviewer: {event.text}")

    def _on_reply(self, event: Replied) -> None:
        self.nudge_banner.clear()
        self.captions_card.add_reply(event.text, event.asked)

    def _on_followup(self, event: FollowUpAsked) -> None:
        text = event.followup.text
        self.followups.append(text)
        self.question_card.show_followup(len(self.followups), text, self.question.text if self.question else "")
        self.nudge_banner.clear()
        self.captions_card.clear()

    def _on_skipped(self, event: Skipped) -> None:
        self._note("Skipped.")

    def _on_scored(self, event: Scored) -> None:
        answer = event.answer
        self.answers.append(answer)
        if not self._reanswer_asked:
            self.counted.append(answer)
        self.result_card.show_score(answer)
        self.feedback_ready.emit(answer, self._reanswer_asked)

    def _on_problem(self, event: Problem) -> None:
        self._show_problem(event.problem, event.fix)

    def _on_resolved(self, event: Resolved) -> None:
        self.problem_banner.clear()
        self._note(event.text)

    def _on_session_ended(self, event: SessionEnded) -> None:
        self._leave_coding()
        self._set_state(State.ENDED, "Interview finished — your answers are saved")
        # Counted here, not from the summary: an answer cut short by the end of the session is scored too.
        answered = self.counted
        scores = [a.overall for a in answered if a.overall is not None]
        detail = f"{len(answered)} answer{'s' if len(answered) != 1 else ''} scored"
        if scores:
            detail += f", {sum(scores) / len(scores):.0f} / 100 on average"
        self.question_card.show_end("That's the end of the interview.", f"{detail}. The feedback view has the details.")
        self.session_finished.emit(event)


# Per class, not per view: bound methods kept on the view would make it a reference cycle, so a closed
# window would be freed by the cycle collector at some later moment instead of when its last reference goes.
_HANDLERS: dict[type, Callable[[EventDispatch, object], None]] = {
    RoundStarted: EventDispatch._on_round_started, QuestionAsked: EventDispatch._on_question,
    CodingStarted: EventDispatch._on_coding,
    PhaseStarted: EventDispatch._on_phase, Speaking: EventDispatch._on_speaking, Listening: EventDispatch._on_listening,
    Captioned: EventDispatch._on_caption, MicLevel: EventDispatch._on_level, Nudged: EventDispatch._on_nudge,
    Replied: EventDispatch._on_reply, FollowUpAsked: EventDispatch._on_followup, Skipped: EventDispatch._on_skipped, Scored: EventDispatch._on_scored,
    Problem: EventDispatch._on_problem, Resolved: EventDispatch._on_resolved, SessionEnded: EventDispatch._on_session_ended,
}
