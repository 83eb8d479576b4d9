"""One scored answer as a typed record, and keeping it in the store: the same for a live answer and a stored one.

`keep_answer` is how every answer is stored (the desktop and headless interviews, and the
headless `answer` command); it returns the `AnswerRecord` the Feedback view shows.
`AnswerRecord.from_turn` makes the same record from a stored turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.bank.schema import Bank, Question
from mockloop.engine.export.asking import asking_view
from mockloop.engine.interview.turn_text import save_audio
from mockloop.engine.speech.transcript import Transcript, Word
from mockloop.engine.store import SessionStore, Turn, TurnStart, TurnStatus

if TYPE_CHECKING:  # the window reads records: scoring is not loaded for that
    from mockloop.engine.scoring import AnswerScore


class AnswerInput(str, Enum):
    SPOKEN = "spoken"  # words with timings (spoken, or begun aloud and finished typed)
    TYPED = "typed"  # no timings: the think-out-loud timings are unavailable


@dataclass(frozen=True)
class AnswerRecord:
    """A scored answer: the question, what was said, its score, rubric, metrics, insights and feedback.

    Plain data only (no methods to call), so the window can read it on the GUI thread.
    """

    question_id: str
    question: str  # the question's text
    kind: str  # the question's kind (Kind value); "" when not known (a stored turn)
    attempt: int
    turn_id: int | None
    transcript: str
    words: list[Word]
    input: AnswerInput
    scored: bool  # False for no speech or a non-English answer: `overall` is None, not zero
    overall: float | None
    score: dict[str, Any]  # Score.to_dict(): overall, dimensions, weights, ...
    rubric: list[dict[str, Any]]  # per point, with its evidence in the transcript
    metrics: dict[str, Any]  # think-out-loud metrics
    insights: dict[str, Any]  # word insights
    feedback: dict[str, Any]  # strengths, gaps, coaching, outline
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sentences about the score (why it is missing, ...)
    followups: list[str] = field(default_factory=list)  # the follow-up questions asked, in order
    interrupted: bool = False  # cut short by the app closing: kept, but off the radar
    coding: dict[str, Any] | None = None  # a coding answer: code, tests, think-aloud before code, complexity
    clarifying: dict[str, Any] | None = None  # exchanges with the interviewer, facts asked and never asked for
    asking: dict[str, Any] | None = None  # the same in sentences for the Feedback view (export/asking.asking_view)

    @classmethod
    def from_score(cls, question: Question, score: AnswerScore, answer: Transcript, *, attempt: int,
                   turn_id: int | None, followups: Sequence[str] = (), interrupted: bool = False) -> AnswerRecord:
        data = score.to_dict()
        return cls(
            question_id=question.id, question=question.text, kind=question.kind.value, attempt=attempt, turn_id=turn_id,
            transcript=answer.text, words=list(answer.words), input=_input(data["metrics"]), scored=data["scored"],
            overall=data["score"]["overall"], score=data["score"], rubric=data["rubric"], metrics=data["metrics"],
            insights=data["insights"], feedback=data["feedback"], flags=data["flags"], notes=data["notes"],
            followups=list(followups), interrupted=interrupted, coding=data.get("coding"),
            clarifying=data.get("clarifying"), asking=asking_view(data.get("clarifying"), data["rubric"]),
        )

    @classmethod
    def from_turn(cls, turn: Turn, question_text: str = "", kind: str = "") -> AnswerRecord:
        """The record of a stored question turn (its feedback holds the insights, flags and notes too)."""
        feedback = dict(turn.feedback or {})
        insights, flags, notes = feedback.pop("insights", {}), feedback.pop("flags", []), feedback.pop("notes", [])
        coding = feedback.pop("coding", None)
        clarifying = feedback.pop("clarifying", None)
        return cls(
            question_id=turn.question_id, question=question_text or turn.interviewer_text, kind=kind, attempt=turn.attempt,
            turn_id=turn.id, transcript=turn.transcript, words=[Word(w.text, w.start, w.end, w.probability) for w in turn.words],
            input=_input(turn.metrics), scored=turn.overall is not None, overall=turn.overall, score=turn.scores,
            rubric=turn.rubric, metrics=turn.metrics, insights=insights, feedback=feedback, flags=list(flags),
            notes=list(notes), followups=[f.get("text", "") for f in turn.followups if isinstance(f, dict)],
            interrupted=turn.status is TurnStatus.INTERRUPTED, coding=coding, clarifying=clarifying,
            asking=asking_view(clarifying, turn.rubric),
        )


def _input(metrics: dict) -> AnswerInput:
    metrics = metrics or {}
    # An attempt with nothing in it is untimed too, but nothing was typed: it is not a typed answer.
    typed = metrics.get("timed") is False and metrics.get("unavailable_reason") != "no speech"
    return AnswerInput.TYPED if typed else AnswerInput.SPOKEN


def keep_answer(store: SessionStore, bank: Bank, question: Question, turn: TurnStart, answer: Transcript,
                score: AnswerScore, *, interrupted: bool = False, followups: Sequence[str] = (),
                planned: list[dict] | None = None, audio: np.ndarray | None = None) -> AnswerRecord:
    """Store a scored answer on its turn, and on the radar unless it is interrupted or not scored.

    `followups`: the follow-up questions asked (their own turns hold them in the store).
    `planned`: follow-ups planned but not asked, kept on the turn (the headless `answer`).
    `audio`: the answer's samples at STT_RATE, saved as the turn's recording (a live answer's is on disk already).
    """
    record = AnswerRecord.from_score(question, score, answer, attempt=turn.attempt, turn_id=turn.turn_id,
                                     followups=followups, interrupted=interrupted)
    counts = record.scored and not interrupted
    axes = {axis: record.overall for axis in bank.axes_for(question)} if counts else None
    feedback = {**record.feedback, "insights": record.insights, "flags": record.flags, "notes": record.notes}
    if record.coding is not None:
        feedback["coding"] = record.coding
    if record.clarifying is not None:
        feedback["clarifying"] = record.clarifying
    extra: dict[str, Any] = {}
    if audio is not None:
        save_audio(turn.audio_path, audio, STT_RATE)
        extra["candidate_audio"] = str(turn.audio_path)
    if planned is not None:
        extra["followups"] = planned
    store.finish_turn(
        turn.turn_id, status=TurnStatus.INTERRUPTED if interrupted else TurnStatus.DONE, transcript=answer.text,
        words=[vars(w) for w in answer.words], metrics=record.metrics, rubric=record.rubric, scores=record.score,
        feedback=feedback, axis_scores=axes, **extra,
    )
    return record
