"""Typed, read-only records of stored sessions, rounds, turns, summaries and attempts."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from mockloop.engine.store import files
from mockloop.engine.store.codec import load, parse_time


class SessionMode(str, Enum):
    """A whole loop, or one question practised: the store keeps it, the interview runs by it."""

    PRACTICE = "practice"
    LOOP = "loop"


class SessionStatus(str, Enum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"


class TurnStatus(str, Enum):
    RECORDING = "recording"
    DONE = "done"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"


class TurnKind(str, Enum):
    QUESTION = "question"
    FOLLOWUP = "followup"  # a probe after a question; its parent_turn_id is the question's turn


@dataclass(frozen=True)
class Word:
    text: str
    start: float | None
    end: float | None
    probability: float | None


@dataclass(frozen=True)
class Nudge:
    """A prompt the interviewer gave during a silence, and when."""

    text: str
    at: datetime
    offset_s: float | None  # seconds into the answer, when known


@dataclass(frozen=True)
class TurnStart:
    """What begin_turn hands back: where to record the candidate's answer."""

    turn_id: int
    audio_path: Path
    interviewer_audio_path: Path  # where to save the spoken question, if it is kept
    attempt: int
    index: int


@dataclass(frozen=True)
class Turn:
    id: int
    round_id: int
    index: int
    question_id: str
    attempt: int
    kind: TurnKind
    parent_turn_id: int | None
    status: TurnStatus
    interviewer_text: str
    interviewer_audio: Path | None
    candidate_audio: Path | None
    audio_seconds: float | None
    transcript: str
    words: list[Word]
    metrics: dict[str, Any]
    rubric: list[dict[str, Any]]
    scores: dict[str, Any]
    overall: float | None
    feedback: dict[str, Any]
    followups: list[dict[str, Any]]  # each: {turn_id, text, asked_at, ...planner details}
    nudges: list[Nudge]
    started_at: datetime
    ended_at: datetime | None
    code: dict[str, Any] = field(default_factory=dict)  # a coding turn's {question_id, timeline, final}; {} when none
    code_runs: list[dict[str, Any]] = field(default_factory=list)  # each: {idx, offset_s, code, result, created_at}
    # What the candidate asked the interviewer mid-answer, with the replies: Exchange dicts (core/exchanges.py)
    exchanges: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Round:
    id: int
    session_id: str
    index: int
    stage_id: str
    persona_id: str | None
    started_at: datetime
    ended_at: datetime | None
    time_budget_s: float | None
    turns: tuple[Turn, ...] = ()


@dataclass(frozen=True)
class Session:
    id: str
    mode: SessionMode
    bank_id: str
    persona_id: str
    status: SessionStatus
    started_at: datetime
    ended_at: datetime | None
    app_version: str
    models: dict[str, Any]
    notes: str
    interruptions: int
    interrupted_at: datetime | None
    owner_pid: int | None
    rounds: tuple[Round, ...] = ()

    @property
    def turns(self) -> list[Turn]:
        return [t for r in self.rounds for t in r.turns]


@dataclass(frozen=True)
class SessionSummary:
    """One line of the session list."""

    id: str
    started_at: datetime
    ended_at: datetime | None
    mode: SessionMode
    bank_id: str
    persona_id: str
    status: SessionStatus
    overall_average: float | None  # over scored question turns
    turn_count: int  # question turns (follow-ups not counted)
    scored_count: int
    interruptions: int

    @property
    def interrupted(self) -> bool:
        return self.status is SessionStatus.INTERRUPTED


@dataclass(frozen=True)
class Attempt:
    """One answer to a question, for side-by-side comparison across sessions."""

    session_id: str
    session_mode: SessionMode
    persona_id: str
    turn_id: int
    attempt: int
    status: TurnStatus
    started_at: datetime
    overall: float | None
    dimensions: dict[str, Any]
    metrics: dict[str, Any]
    rubric_status: dict[str, str]  # rubric point id -> covered | partial | missing
    transcript: str
    candidate_audio: Path | None


@dataclass(frozen=True)
class AxisScore:
    turn_id: int
    session_id: str
    question_id: str
    axis_id: str
    score: float
    answered_at: datetime


@dataclass(frozen=True)
class RecoveredSession:
    """A session found orphaned at startup and marked interrupted."""

    session_id: str
    interrupted_turns: list[int] = field(default_factory=list)


def rubric_status(rubric: list) -> dict[str, str]:
    return {p["id"]: p.get("status", "") for p in rubric if isinstance(p, dict) and "id" in p}


def turn_from_row(row: sqlite3.Row, root: Path, code_runs: list[dict[str, Any]] | None = None) -> Turn:
    return Turn(
        id=row["id"], round_id=row["round_id"], index=row["idx"], question_id=row["question_id"],
        attempt=row["attempt"], kind=TurnKind(row["kind"]), parent_turn_id=row["parent_turn_id"],
        status=TurnStatus(row["status"]), interviewer_text=row["interviewer_text"],
        interviewer_audio=files.from_stored(root, row["interviewer_audio"]),
        candidate_audio=files.from_stored(root, row["candidate_audio"]), audio_seconds=row["audio_seconds"],
        transcript=row["transcript"], words=[Word(**w) for w in load(row["words"], [])],
        metrics=load(row["metrics"], {}), rubric=load(row["rubric"], []), scores=load(row["scores"], {}),
        overall=row["overall"], feedback=load(row["feedback"], {}), followups=load(row["followups"], []),
        nudges=[Nudge(n["text"], parse_time(n["at"]), n.get("offset_s")) for n in load(row["nudges"], [])],
        started_at=parse_time(row["started_at"]), ended_at=parse_time(row["ended_at"]),
        code=load(row["code"], {}), code_runs=list(code_runs or []), exchanges=load(row["exchanges"], []),
    )


def round_from_row(row: sqlite3.Row, turns: tuple[Turn, ...] = ()) -> Round:
    return Round(
        id=row["id"], session_id=row["session_id"], index=row["idx"], stage_id=row["stage_id"],
        persona_id=row["persona_id"], started_at=parse_time(row["started_at"]), ended_at=parse_time(row["ended_at"]),
        time_budget_s=row["time_budget_s"], turns=turns,
    )


def session_from_row(row: sqlite3.Row, rounds: tuple[Round, ...] = ()) -> Session:
    return Session(
        id=row["id"], mode=SessionMode(row["mode"]), bank_id=row["bank_id"], persona_id=row["persona_id"],
        status=SessionStatus(row["status"]), started_at=parse_time(row["started_at"]),
        ended_at=parse_time(row["ended_at"]), app_version=row["app_version"], models=load(row["models"], {}),
        notes=row["notes"], interruptions=row["interruptions"], interrupted_at=parse_time(row["interrupted_at"]),
        owner_pid=row["owner_pid"], rounds=rounds,
    )


def summary_from_row(row: sqlite3.Row) -> SessionSummary:
    return SessionSummary(
        id=row["id"], started_at=parse_time(row["started_at"]), ended_at=parse_time(row["ended_at"]),
        mode=SessionMode(row["mode"]), bank_id=row["bank_id"], persona_id=row["persona_id"],
        status=SessionStatus(row["status"]), overall_average=row["overall_average"],
        turn_count=row["turn_count"], scored_count=row["scored_count"], interruptions=row["interruptions"],
    )


def attempt_from_row(row: sqlite3.Row, root: Path) -> Attempt:
    scores = load(row["scores"], {})
    return Attempt(
        session_id=row["session_id"], session_mode=SessionMode(row["mode"]), persona_id=row["persona_id"],
        turn_id=row["id"], attempt=row["attempt"], status=TurnStatus(row["status"]),
        started_at=parse_time(row["started_at"]), overall=row["overall"],
        dimensions=scores.get("dimensions", {}) if isinstance(scores, dict) else {},
        metrics=load(row["metrics"], {}), rubric_status=rubric_status(load(row["rubric"], [])),
        transcript=row["transcript"], candidate_audio=files.from_stored(root, row["candidate_audio"]),
    )
