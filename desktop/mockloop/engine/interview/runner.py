"""Run an interview: speak each question, listen, follow up, score, store, move on.

The runner is the interviewer's state machine (loop → round → question → phases →
follow-ups) on one thread that owns the models. The UI (or the headless `simulate`
command) gives it an answer source and an audio output, sends commands (`Command`: done,
repeat, skip, reanswer, end-round, stop...) from any thread, and receives events (`events`).
The clock is the audio's (seconds spoken plus seconds listened), so a headless run keeps
time exactly like a live one.
"""

from __future__ import annotations

import dataclasses
import itertools

from mockloop import __version__
from mockloop.engine.interview.answer_record import AnswerRecord, keep_answer
from mockloop.engine.interview.answers import Answer, AnswerSource
from mockloop.engine.interview.coding_turn import CodingTurn
from mockloop.engine.interview.asking import AskWatch
from mockloop.engine.interview.exchange_desk import ExchangeDesk, summary_fields
from mockloop.engine.interview.silence import listening_config
from mockloop.engine.interview.followup_loop import ask_followups
from mockloop.engine.interview.replies import likely_replies
from mockloop.engine.interview.run_summary import RunSummary, EndRound, EndSession, ignore_event
from mockloop.engine.interview.commands import Command, CommandInbox
from mockloop.engine.interview.events import (
    Captioned, CodingStarted, Emit, Listening, MicLevel, Nudged, PhaseStarted, Problem, QuestionAsked, Resolved,
    RoundStarted, Scored, SessionEnded, SessionStarted, Skipped, Speaking,
)
from mockloop.engine.audio.base import AudioOut
from mockloop.engine.bank.schema import Bank, Kind, Persona, Question
from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.speech.endpointer import EndpointerConfig
from mockloop.engine.models.engines import Engines
from mockloop.engine.interview.followups import FollowUpContext, FollowUpPlanner, SpeculativePlanner
from mockloop.engine.interview.plan import PlannedRound, design_phases
from mockloop.engine.interview.lines import AGAIN, END_ROUND, GOODBYE, OFFER, OPENINGS, OUT_OF_TIME
from mockloop.engine.interview.listener import ListenResult, TurnListener
from mockloop.engine.store.patient_store import PatientStore
from mockloop.engine.scoring import AnswerScore, score_answer
from mockloop.engine.scoring.llm_judge import judge_for
from mockloop.engine.speech.speaker import Speaker
from mockloop.engine.store import SessionMode, SessionStore, StoreDiskFullError
from mockloop.engine.scoring.text import transcript_from_text
from mockloop.engine.speech.transcript import Transcript
from mockloop.engine.interview.turn_text import GAP_SECONDS, combine, has_content, save_audio, spoken_feedback

WAIT_FOR_ROOM = ("Everything saved before is intact, and the interview waits with your answer until there is room: "
                 "free some disk space and it carries on by itself.")
ROOM_AGAIN = "There is room on the disk again; your answer is saved."
# The commands that move on from a question (an answer already given in part is kept and scored).
MOVES_ON = (Command.SKIP, Command.END_ROUND, Command.END, Command.STOP)


class InterviewRunner:
    def __init__(
        self,
        engines: Engines,
        bank: Bank,
        persona: Persona,
        rounds: list[PlannedRound],
        store: SessionStore,
        answers: AnswerSource,
        out: AudioOut,
        *,
        mode: SessionMode = SessionMode.PRACTICE,
        endpointing: EndpointerConfig | None = None,
        emit: Emit | None = None,
        followup_budget: float = 0.3,
        wait_for_room: bool = False,
    ) -> None:
        """`wait_for_room`: on a full disk, hold the answer and retry until there is room (the desktop
        app, where someone can free space) instead of stopping with the error (headless runs)."""
        self.engines = engines
        self.bank = bank
        self.persona = persona
        self.rounds = rounds
        self._inbox = CommandInbox(stop_speaking=lambda: self.speaker.stop())
        self._raw_store = store  # code runs are stored from the thread that ran them: never waiting on a full disk
        self.store = (PatientStore(store, on_full=self._disk_full, give_up=self._inbox.closing,
                                   on_freed=lambda: self.emit(Resolved(ROOM_AGAIN)))
                      if wait_for_room else store)
        self.answers = answers
        self.mode = SessionMode(mode)
        self.endpointing = endpointing or EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=engines.settings.silence_seconds)
        self.emit: Emit = emit or ignore_event
        self.followup_budget = followup_budget
        self.rate = persona.speaking_rate * engines.settings.speaking_rate
        self.speaker = Speaker(engines.voice, out, cache=engines.cache)
        self.planner = SpeculativePlanner(FollowUpPlanner(engines.llm))
        self.elapsed = 0.0  # audio clock: seconds spoken + seconds listened
        self._nudges = itertools.cycle(persona.nudges)
        self._asked: list[str] = []
        self._last_was_typed = False
        self._reanswer = False
        self._coding: CodingTurn | None = None  # the code side of the coding question being answered
        self._desk: ExchangeDesk | None = None  # the candidate's questions to the interviewer, and the replies
        self._offset = 0.0  # where the listening begins in the turn's recording (design phases append)
        self._repeat_text = ""  # what "can you repeat that" repeats: the question or the follow-up just asked
        self._round = (0.0, float("inf"))  # (audio clock when the round began, its budget in seconds)
        self.session_id: str | None = None

    # ---- commands from other threads ------------------------------------------------------------

    def command(self, name: Command | str) -> None:
        """done / press / release act on the current answer; the others end it and are then obeyed.

        `end` (the candidate ends the interview) and `stop` (the app is closing) keep the answer
        being given: it is finished and transcribed, not thrown away.
        """
        self._inbox.send(name)

    def _disk_full(self, error: StoreDiskFullError) -> None:
        self.emit(Problem(error.problem, WAIT_FOR_ROOM))

    # ---- the interview -----------------------------------------------------------------------

    def run(self) -> RunSummary:
        models = self.engines.model_names()
        self.session_id = self.store.create_session(self.mode, self.bank.company.id, self.persona.id, models=models, app_version=__version__)
        summary = self.summary = RunSummary(self.session_id)
        self.emit(SessionStarted(self.session_id, self.persona.id, [r.title for r in self.rounds]))
        try:
            self._say(OPENINGS[self.mode], None)
            for planned in self.rounds:
                round_id = self.store.add_round(self.session_id, planned.stage, time_budget_s=planned.budget_seconds, persona_id=self.persona.id)
                self.emit(RoundStarted(planned.title, planned.budget_seconds, planned.questions))
                started = self.elapsed
                self._round = (started, float(planned.budget_seconds))
                try:
                    for qid in planned.questions:
                        if self.elapsed - started >= planned.budget_seconds:
                            self._say(OUT_OF_TIME, None)
                            break
                        question = next(q for q in self.bank.questions if q.id == qid)
                        self._ask(round_id, question, planned)
                except EndRound:
                    self._say(END_ROUND, None)
                self.store.finish_round(round_id)
            self._say(GOODBYE, None)
        except EndSession as end:
            summary.ended = str(end) or "stopped"
        finally:
            self.engines.stop_prefetch()  # the replies readied for the last question are not needed now
            self.planner.close()
            self.speaker.close()
        self.store.finish_session(self.session_id, interrupted=summary.ended == "stopped")
        self.emit(SessionEnded(summary.session_id, summary.ended, summary.questions))
        return summary

    def _say(self, text: str, keep_for: tuple[int, object] | None, kind: str = "transition", wait: bool = True) -> None:
        """Speak; with keep_for=(turn_id, path) the audio is also kept with that turn for review."""
        audio = self.engines.cache.get_or_synthesize(text, self.rate)
        if keep_for is not None:
            turn_id, path = keep_for
            save_audio(path, audio, self.engines.voice.sample_rate)
            self.store.update_turn(turn_id, interviewer_audio=str(path))
        self.emit(Speaking(text, kind))
        self.speaker.say(text, self.rate)
        self.elapsed += len(audio) / self.engines.voice.sample_rate
        if wait:
            self.speaker.wait()

    def _say_reply(self, text: str, kind: str) -> None:
        """Speak a mid-answer reply at once (cached, or clause by clause), not after synthesizing it whole."""
        self.emit(Speaking(text, kind))
        self.speaker.say(text, self.rate)
        self.elapsed += len(text.split()) / 2.5  # about 150 words a minute; the exact length is not needed here

    def _ask(self, round_id: int, question: Question, planned: PlannedRound) -> None:
        """Ask a question (again if the candidate re-answers); each attempt goes into the summary."""
        while True:
            turn = self.store.begin_turn(round_id, question.id, interviewer_text=question.text)
            self.emit(QuestionAsked(question.id, question.text, question.kind.value, turn.attempt, turn.turn_id))
            self._say(question.text, (turn.turn_id, turn.interviewer_audio_path), kind="question", wait=False)
            outcome = self._answer_question(round_id, turn, question, planned)
            if outcome.get("next") != Command.REANSWER:
                return
            self._say(AGAIN, None)

    def _answer_question(self, round_id: int, turn, question: Question, planned: PlannedRound) -> dict:
        phases = design_phases(planned.seconds_per_question()) if question.kind is Kind.SYSTEM_DESIGN else [None]
        parts: list[Transcript] = []
        self._asked = [question.text]
        self._repeat_text = question.text
        nudges = 0
        self._desk = ExchangeDesk(question, self.persona, self.engines.text, store=self._raw_store, emit=self.emit,
                                  say=self._say_reply,
                                  synthesize=self._synthesize)
        if question.scenario:  # while the question is read out, the voice readies the answers to likely questions
            self.engines.cache.prefetch(likely_replies(question, self.persona), self.rate, yield_to=self.speaker.synthesizing)
        self._coding = CodingTurn(question, self._raw_store, turn.turn_id) if question.kind is Kind.CODING else None
        if self._coding is not None:
            self.emit(CodingStarted(question.id, self._coding.task, self._coding.session))
        for index, phase in enumerate(phases):
            if phase is not None:
                self.emit(PhaseStarted(phase.id, phase.prompt, phase.seconds))
                if index > 0:
                    self._say(phase.prompt, None, kind="phase", wait=False)
            # Every phase goes into the turn's one recording, after a short gap (as in the joined transcript).
            self._offset = combine(parts).duration + GAP_SECONDS if parts else 0.0
            result, command = self._listen_once(turn.turn_id, question, turn.audio_path, phase, append=index > 0)
            if command is Command.REPEAT:
                self._say(question.text, None, kind="question", wait=False)
                result, command = self._listen_once(turn.turn_id, question, turn.audio_path, phase, append=bool(parts))
            if command is not None and command.keeps_answer and result is not None and not result.no_speech:
                parts.append(result.transcript)
                nudges += len(result.nudges)
            if command is None and result is not None and result.reason == "moved-on":
                # The candidate asked to move on: what they said is kept and scored; the other phases are not asked.
                if has_content(result.transcript, self._desk.exchanges):
                    parts.append(result.transcript)
                    nudges += len(result.nudges)
                if parts:
                    break
                command = Command.SKIP
            if command in MOVES_ON:
                if parts:  # an earlier phase, or the answer in progress when the session ends: kept and scored
                    interrupted = command is Command.STOP
                    _, kept = self._keep_answer(turn, question, parts, nudges, interrupted=interrupted)
                    self.summary.questions.append({
                        "id": question.id, "attempt": turn.attempt, "status": "interrupted" if interrupted else "answered",
                        "overall": kept.overall, "flags": kept.flags, "followups": [], **summary_fields(kept)})
                else:
                    self.store.finish_turn(turn.turn_id, status="skipped")
                    self._desk.flush(self.store)
                    self.summary.questions.append({"id": question.id, "attempt": turn.attempt, "status": "skipped",
                                                   "exchanges": [e.to_dict() for e in self._desk.exchanges]})
                    self.emit(Skipped(question.id))
                if command is Command.END_ROUND:
                    raise EndRound
                if command.keeps_answer:
                    raise EndSession(command.ending)
                return self.summary.questions[-1]
            if command is Command.OUT_OF_ANSWERS:
                self.store.finish_turn(turn.turn_id, status="skipped")
                raise EndSession(command.ending)
            if result is not None:
                parts.append(result.transcript)
                nudges += len(result.nudges)
            if command is Command.REANSWER:
                break
        score = self._score(question, combine(parts), nudges)
        answered = len(parts)
        self._reanswer = command is Command.REANSWER
        followups: list[dict] = []
        outcome = {"id": question.id, "attempt": turn.attempt, "status": "answered", "followups": followups}
        self.summary.questions.append(outcome)
        try:
            if not self._reanswer and score.scored:
                ask_followups(self, round_id, turn, question, score, parts, followups)
        finally:
            # Whatever happens during the follow-ups (even the end of the session), the answer is scored and kept;
            # scored again only when replies to follow-ups joined it.
            score, kept = self._keep_answer(turn, question, parts, nudges, score=score if len(parts) == answered else None,
                                            followups=[f["text"] for f in followups])
            if score.coding:
                outcome["code"] = {k: score.coding[k] for k in ("passed", "total")} | {
                    "status": (score.coding["tests"] or {}).get("status")}
            outcome.update(overall=kept.overall, flags=kept.flags,
                           rubric=[{"id": p.id, "status": p.status, "judged_by": p.judged_by} for p in score.rubric],
                           misconceptions=[{"id": m.id, "how": m.how, "quote": m.quote} for m in score.misconceptions])
            outcome.update(summary_fields(kept))
        if self._reanswer:
            command = Command.REANSWER
        outcome["next"] = command.value if command is not None else None
        if command is not Command.REANSWER:
            self._say(spoken_feedback(score), None, kind="feedback")
        return outcome

    def _keep_answer(self, turn, question: Question, parts: list[Transcript], nudges: int, *, score: AnswerScore | None = None,
                     interrupted: bool = False, followups: list[str] | None = None) -> tuple[AnswerScore, AnswerRecord]:
        """Score (unless `score` is of these parts already) and store the answer; an interrupted one stays off the radar."""
        answer = combine(parts)
        score = score or self._score(question, answer, nudges)
        kept = keep_answer(self.store, self.bank, question, turn, answer, score, interrupted=interrupted, followups=followups or ())
        if self._desk is not None:
            self._desk.flush(self.store)
        if self._coding is not None:
            self._coding.keep(self.store)
        self.emit(Scored(kept))
        return score, kept

    def _listen_once(self, turn_id: int, question: Question, record_to, phase,
                     append: bool = False) -> tuple[ListenResult | None, Command | None]:
        """One answer (spoken, typed, or begun aloud and finished typed); returns (result, command)."""
        result, command = self._take_answer(turn_id, question, record_to, phase, append)
        if command is not Command.TYPE:
            return result, command
        typed, command = self._take_answer(turn_id, question, None, phase, False)  # the answer source now types
        parts = [r.transcript for r in (result, typed) if r is not None and not r.no_speech]
        joined = combine(parts)
        self._last_was_typed = False  # part of it has timings
        if result is None:
            return typed, command
        return dataclasses.replace(result, transcript=joined, no_speech=not joined.text.strip(), reason="typed"), command

    def _take_answer(self, turn_id: int, question: Question, record_to, phase,
                     append: bool) -> tuple[ListenResult | None, Command | None]:
        """One answer from the answer source; returns (result, command)."""
        pending = self._inbox.take()
        if pending is not None:  # e.g. "skip" pressed while the interviewer was still speaking
            self.speaker.stop()
            return None, pending
        answer = self.answers.next(question.text)
        if answer is not None and answer.code is not None and self._coding is not None:
            self._coding.given = answer.code
        if answer is None:
            self.speaker.wait()
            return None, Command.OUT_OF_ANSWERS
        command = Command(answer.command) if answer.command else None
        if command and answer.text:  # e.g. the app closed with a typed answer not yet sent
            self.speaker.stop()
            self._last_was_typed = True
            return ListenResult(transcript_from_text(answer.text), False, "typed", None, 0.0, 0.0, None), command
        if command:
            self.speaker.wait()
            return None, command
        if answer.text is not None:
            self.speaker.wait()
            self._last_was_typed = True
            if self._desk is not None:
                self._desk.keep_typed(turn_id, answer.text)
            typed = transcript_from_text(answer.text)  # no timings: metrics say so
            return ListenResult(typed, not answer.text.strip(), "typed", None, 0.0, 0.0, None), None
        self._last_was_typed = False
        return self._listen_audio(answer, turn_id, question, record_to, phase, append)

    def _listen_audio(self, answer: Answer, turn_id: int, question: Question, record_to, phase, append: bool):
        started, budget = self._round
        recorded = getattr(answer.audio, "finished", None) is not None
        config = listening_config(self.endpointing, patience=self.persona.silence_patience_s,
                                  round_left=budget - (self.elapsed - started),
                                  phase_seconds=phase.seconds if phase is not None else None)
        if self._coding is not None:
            config = self._coding.endpointing(config)
        if recorded:
            # A recorded answer starts when the question has been heard, as a candidate would (the microphone
            # itself opens at once), and ends when its file does.
            config = dataclasses.replace(config, mode=EndOfTurn.MANUAL)
            self.speaker.wait()
        vocabulary = tuple(question.tags) + tuple(s for p in question.rubric for s in p.signals[:2])
        listener = TurnListener(
            answer.audio, self.engines.decoder, record_to, config=config, speaking=self.speaker.speaking,
            question=question.text, vocabulary=vocabulary[:40], patience_seconds=self.persona.silence_patience_s,
            nudge=lambda seconds: self._nudge(turn_id, seconds),
            on_caption=lambda c: self.emit(Captioned(c.committed, c.tentative)),
            on_event=lambda e: self.emit(Listening(type(e).__name__, e)),
            on_level=lambda rms, peak: self.emit(MicLevel(rms, peak)),
            on_pause=lambda seconds: self._draft(question, listener),
            on_problem=lambda error: self.emit(Problem(error.problem, error.fix)),
            append_gap=GAP_SECONDS if append else None,
            asking=AskWatch(self.engines.text) if self.engines.text is not None else None,
            on_addressed=self._desk.for_turn(turn_id, record_to, self._offset, self._repeat_text) if self._desk else None,
            on_barge_in=self.speaker.stop,
        )
        with self._inbox.hearing(listener):
            self.emit(Listening("Started"))
            if self._coding is not None:
                self._coding.session.start_clock()
            result = listener.run()
        self.elapsed += result.audio_seconds
        if result.recording is not None:
            self.store.update_turn(turn_id, candidate_audio=str(result.recording.path))
        if result.error is not None and result.error is not listener.reported:
            self.emit(Problem(result.error.problem, result.error.fix))
        return result, self._inbox.take()

    def _nudge(self, turn_id: int, seconds: float) -> str:
        if seconds >= 2 * self.persona.silence_patience_s:
            text = OFFER  # a nudge came first; now the candidate chooses
        else:
            text = (self._coding.nudge_text(seconds) if self._coding is not None else None) or next(self._nudges)
        self.store.add_nudge(turn_id, text, offset_s=seconds)
        self.emit(Nudged(text, seconds))
        self._say(text, None, kind="nudge", wait=False)
        return text

    def _score(self, question: Question, answer: Transcript, nudges: int = 0, judged: bool = True) -> AnswerScore:
        """Scored with the text model; a model of 1B parameters or more also judges a finished answer."""
        judge = judge_for(self.engines.llm) if judged else None
        exchanges = tuple(self._desk.exchanges) if self._desk is not None else ()
        if self._coding is not None and question.kind is Kind.CODING:  # `judged`: the final score, run on the final code
            return self._coding.score(self.bank, answer, nudges=nudges, typed=self._last_was_typed, final=judged,
                                      judge=judge, encoder=self.engines.text, exchanges=exchanges)
        return score_answer(question, self.bank, answer, nudges=nudges, encoder=self.engines.text, judge=judge, exchanges=exchanges)

    def _synthesize(self, text: str):
        return self.engines.cache.get_or_synthesize(text, self.rate), self.engines.voice.sample_rate

    def _context(self, question: Question, transcript: Transcript, asked: list[str]) -> FollowUpContext:
        score = self._score(question, transcript, judged=False)
        return FollowUpContext.for_answer(question, self.bank, self.persona, transcript.text, score, asked)

    def _draft(self, question: Question, listener: TurnListener) -> None:
        """A pause: plan the follow-up now from what is committed, in case this is the end."""
        words = list(listener.stt.committed)
        if len(words) >= 8:
            self.planner.update(self._context(question, Transcript(" ".join(w.text for w in words), words, 0.0), list(self._asked)))
