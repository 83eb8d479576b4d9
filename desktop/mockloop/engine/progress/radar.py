"""The difficulty radar: per axis, the candidate's recency-weighted performance over the bank's difficulty."""

# Performance on an axis is a recency-weighted mean of the axis scores (0-100) of every answer
# that counts towards it: each answer weighs 2^(-age / half-life), with the age in days measured
# from `as_of` (now, or the end of the session for a one-session radar) and a half-life of
# 14 days. An answer from today counts 1, from two weeks ago 0.5, from a month ago about 0.23:
# recent practice dominates, but one bad day does not erase a month of history. Answers dated
# after `as_of` (clock changes) count as today. Axes without answers have no performance (None),
# never a zero.
#
# Difficulty is the bank's mean question difficulty on the axis (1 easy .. 3 hard,
# `Bank.axis_difficulty()`), also mapped linearly to 0..100 ((d - 1) / 2 * 100) so both
# polygons share one scale.

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from mockloop.engine.bank.schema import Bank
from mockloop.engine.store import AxisScore, SessionStore

HALF_LIFE_DAYS = 14.0


@dataclass(frozen=True)
class AxisPoint:
    """One answer's score on an axis."""

    date: datetime
    score: float
    session_id: str
    question_id: str
    turn_id: int

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(timespec="seconds"), "score": round(self.score, 1),
                "session_id": self.session_id, "question_id": self.question_id, "turn_id": self.turn_id}


@dataclass(frozen=True)
class AxisValue:
    id: str
    name: str
    performance: float | None  # recency-weighted mean 0-100; None without answers
    answers: int  # answers behind `performance`
    weight: float  # sum of the recency weights: "how many fresh answers" the value rests on
    difficulty: float | None  # mean question difficulty on the axis, 1..3; None when the bank has none
    difficulty_pct: float | None  # the same on 0..100
    questions: int  # bank questions behind `difficulty`
    last_practised: datetime | None
    history: tuple[AxisPoint, ...] = ()

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name,
            "performance": _round(self.performance), "answers": self.answers, "weight": round(self.weight, 3),
            "difficulty": _round(self.difficulty, 2), "difficulty_pct": _round(self.difficulty_pct),
            "questions": self.questions,
            "last_practised": self.last_practised.isoformat(timespec="seconds") if self.last_practised else None,
            "history": [p.to_dict() for p in self.history],
        }


@dataclass(frozen=True)
class Radar:
    bank_id: str
    bank_name: str
    scope: str  # "all" | "session"
    session_id: str | None
    as_of: datetime
    half_life_days: float
    axes: tuple[AxisValue, ...] = field(default_factory=tuple)

    @property
    def answers(self) -> int:
        """Answers behind the radar (an answer on two axes counts once)."""
        return len({p.turn_id for a in self.axes for p in a.history})

    def axis(self, axis_id: str) -> AxisValue:
        for a in self.axes:
            if a.id == axis_id:
                return a
        raise KeyError(axis_id)

    def to_dict(self) -> dict:
        return {
            "bank_id": self.bank_id, "bank_name": self.bank_name, "scope": self.scope, "session_id": self.session_id,
            "as_of": self.as_of.isoformat(timespec="seconds"), "half_life_days": self.half_life_days,
            "answers": self.answers, "axes": [a.to_dict() for a in self.axes],
        }


def recency_weight(answered_at: datetime, as_of: datetime, half_life_days: float = HALF_LIFE_DAYS) -> float:
    age_days = max(0.0, (as_of - answered_at).total_seconds() / 86_400)
    return 0.5 ** (age_days / half_life_days)


def weighted_mean(points: list[tuple[datetime, float]], as_of: datetime,
                  half_life_days: float = HALF_LIFE_DAYS) -> tuple[float | None, float]:
    """(recency-weighted mean, sum of weights) of (date, score) points; (None, 0) without points."""
    if not points:
        return None, 0.0
    weights = [recency_weight(d, as_of, half_life_days) for d, _ in points]
    total = sum(weights)
    return sum(w * s for w, (_, s) in zip(weights, points)) / total, total


def difficulty_pct(level: float | None) -> float | None:
    return None if level is None else max(0.0, min(100.0, (level - 1.0) / 2.0 * 100.0))


def build_radar(store: SessionStore, bank: Bank | None, *, bank_id: str | None = None, session_id: str | None = None,
                as_of: datetime | None = None, half_life_days: float = HALF_LIFE_DAYS) -> Radar:
    """The radar of one bank over all sessions, or of one session (`session_id`).

    Without the bank (not installed), the axes are those found in the history, without difficulty.
    """
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    bank_id = bank.company.id if bank is not None else bank_id
    if bank_id is None:
        raise ValueError("a radar needs a bank or a bank id")
    history = store.axis_history(bank_id=bank_id)
    if session_id is not None:
        session = store.get_session(session_id)
        history = [h for h in history if h.session_id == session_id]
        as_of = as_of or session.ended_at or max((h.answered_at for h in history), default=session.started_at)
    as_of = as_of or datetime.now(timezone.utc)
    return radar_from_history(history, bank, bank_id=bank_id, session_id=session_id, as_of=as_of,
                              half_life_days=half_life_days)


def radar_from_history(history: list[AxisScore], bank: Bank | None, *, bank_id: str, session_id: str | None,
                       as_of: datetime, half_life_days: float = HALF_LIFE_DAYS) -> Radar:
    if bank is not None:
        names = {a.id: a.name for a in bank.radar_axes}
        levels = bank.axis_difficulty()
        counts = {a: 0 for a in names}
        for q in bank.questions:
            for a in bank.axes_for(q):
                counts[a] += 1
    else:
        names = {h.axis_id: h.axis_id for h in history}
        levels, counts = {}, {}
    by_axis: dict[str, list[AxisScore]] = {a: [] for a in names}
    for h in history:
        if h.axis_id in by_axis:  # an axis since removed from the bank has no place on its radar
            by_axis[h.axis_id].append(h)
    axes = []
    for axis_id, name in names.items():
        rows = by_axis[axis_id]
        performance, weight = weighted_mean([(h.answered_at, h.score) for h in rows], as_of, half_life_days)
        performance = None if performance is None else round(performance, 6)  # float noise must not show as 39.99999
        level = levels.get(axis_id) or None  # 0.0 means "no questions on this axis"
        axes.append(AxisValue(
            id=axis_id, name=name, performance=performance, answers=len(rows), weight=weight,
            difficulty=level, difficulty_pct=difficulty_pct(level), questions=counts.get(axis_id, 0),
            last_practised=max((h.answered_at for h in rows), default=None),
            history=tuple(AxisPoint(h.answered_at, h.score, h.session_id, h.question_id, h.turn_id) for h in rows),
        ))
    return Radar(bank_id, bank.company.name if bank is not None else bank_id, "session" if session_id else "all",
                 session_id, as_of, half_life_days, tuple(axes))


def backfill_axis_scores(store: SessionStore, bank: Bank) -> int:
    """Give scored, finished answers that have no radar rows (stored before schema 2) rows from the bank's axes.

    Returns how many answers were filled in. Uses the answer's overall score on each of its axes,
    as the interview runner does. One query finds them, so calling it before every radar is cheap.
    An interrupted answer (the app closed mid-answer) is kept but never counts on the radar.
    """
    questions = {q.id: q for q in bank.questions}
    filled = 0
    for turn_id, question_id, overall in store.answers_without_axis_scores(bank.company.id):
        question = questions.get(question_id)
        axes = bank.axes_for(question) if question is not None else []
        if axes:
            store.record_axis_scores(turn_id, {a: overall for a in axes})
            filled += 1
    return filled


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
