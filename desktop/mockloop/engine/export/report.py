"""What an exported session shows: its questions, answers cut into highlighted segments, code, follow-ups and radar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from mockloop.engine.bank import BankSet
from mockloop.engine.bank.schema import Bank
from mockloop.engine.export.asking import AskingReport, asking_report
from mockloop.engine.export.code_report import CodeReport, code_report
from mockloop.engine.export.spans import Segment, evidence_spans, segments, split_answer
from mockloop.engine.progress.radar import Radar, build_radar
from mockloop.engine.store import Session, SessionStore, Turn, TurnKind


@dataclass(frozen=True)
class FollowUpReport:
    text: str
    source: str | None  # how the planner chose it (rubric-gap, llm, ...)
    asked: bool  # False: planned after a one-off answer but never asked
    status: str | None  # the follow-up turn's status when asked
    answer: tuple[Segment, ...]
    code: CodeReport | None = None  # when the candidate changed or ran code while answering it


@dataclass(frozen=True)
class QuestionReport:
    turn: Turn
    stage_id: str
    question_text: str
    kind: str | None
    difficulty: str | None
    axes: tuple[str, ...]  # radar axis names
    answer: tuple[Segment, ...]  # the answer itself (follow-up answers cut off when they could be)
    followups: tuple[FollowUpReport, ...]
    combined: bool  # True when `answer` still includes the follow-up answers
    code: CodeReport | None = None  # a coding question's final code and last run
    asking: AskingReport | None = None  # what the candidate asked the interviewer, and the key facts never asked for


@dataclass(frozen=True)
class SessionReport:
    session: Session
    bank_name: str
    persona_name: str
    questions: tuple[QuestionReport, ...]
    radar: Radar | None
    generated_at: datetime

    @property
    def overall(self) -> float | None:
        scores = [q.turn.overall for q in self.questions if q.turn.overall is not None]
        return sum(scores) / len(scores) if scores else None


def build_report(store: SessionStore, session_id: str, banks: BankSet | None = None,
                 generated_at: datetime | None = None) -> SessionReport:
    session = store.get_session(session_id)
    bank = _bank(banks, session.bank_id)
    questions = []
    for rnd in session.rounds:
        for turn in rnd.turns:
            if turn.kind is TurnKind.QUESTION:
                children = [t for r in session.rounds for t in r.turns if t.parent_turn_id == turn.id]
                questions.append(_question(turn, rnd.stage_id, children, bank))
    persona = session.persona_id
    if bank is not None:
        persona = next((f"{p.name} ({p.title})" for p in bank.personas if p.id == session.persona_id), persona)
    radar = build_radar(store, bank, bank_id=session.bank_id, session_id=session_id)
    return SessionReport(session, bank.company.name if bank else session.bank_id, persona, tuple(questions),
                         radar if radar.axes else None, generated_at or datetime.now(timezone.utc))


def _bank(banks: BankSet | None, bank_id: str) -> Bank | None:
    if banks is None:
        return None
    try:
        return banks.bank(bank_id)
    except KeyError:
        return None


def _question(turn: Turn, stage_id: str, children: list[Turn], bank: Bank | None) -> QuestionReport:
    question = next((q for q in bank.questions if q.id == turn.question_id), None) if bank else None
    text = turn.transcript
    spans = evidence_spans(text, turn.rubric)
    asked = {c.id: c for c in children}
    answered = [c for c in children if c.kind is TurnKind.FOLLOWUP]
    ranges = split_answer(text, [c.transcript for c in answered]) if answered else [(0, len(text))]
    follow_answers: dict[int, tuple[Segment, ...]] = {}
    if ranges is not None:
        main = segments(text, spans, *ranges[0])
        follow_answers = {c.id: segments(text, spans, *r) for c, r in zip(answered, ranges[1:])}
    else:
        main = segments(text, spans)
    followups = []
    listed_ids = set()
    for entry in turn.followups:
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            continue
        child = asked.get(entry.get("turn_id")) if isinstance(entry.get("turn_id"), int) else None
        if child is not None:
            listed_ids.add(child.id)
        followups.append(_followup(entry.get("text"), entry.get("source"), child, follow_answers, ranges is None))
    for child in answered:  # follow-up turns whose entry is missing from the question's list
        if child.id not in listed_ids:
            followups.append(_followup(child.interviewer_text, None, child, follow_answers, ranges is None))
    return QuestionReport(
        turn=turn, stage_id=stage_id, question_text=turn.interviewer_text or (question.text if question else turn.question_id),
        kind=question.kind.value if question else None, difficulty=question.difficulty.value if question else None,
        axes=tuple(a.name for a in bank.radar_axes if a.id in bank.axes_for(question)) if question else (),
        answer=main, followups=tuple(followups), combined=ranges is None and bool(answered), code=code_report(turn),
        asking=asking_report(turn.feedback, turn.rubric, [*turn.exchanges, *(x for c in answered for x in c.exchanges)]),
    )


def _followup(text: str, source, child: Turn | None, answers: dict[int, tuple[Segment, ...]], combined: bool) -> FollowUpReport:
    if child is None:
        return FollowUpReport(text, source if isinstance(source, str) else None, False, None, ())
    answer = answers.get(child.id)
    if answer is None:
        answer = (Segment(child.transcript),) if child.transcript and combined else ()
    return FollowUpReport(text, source if isinstance(source, str) else None, True, child.status.value, answer,
                          code_report(child))
