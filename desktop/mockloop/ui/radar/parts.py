"""Pieces of the radar view: its background job and the words for sessions, axes and the recency rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mockloop.engine.bank import Bank
from mockloop.engine.bank.schema import Kind
from mockloop.engine.export.asking import asked_count, clarifying_of
from mockloop.engine.progress.radar import AxisValue, Radar, backfill_axis_scores, build_radar
from mockloop.engine.store import SessionMode, SessionNotFoundError, SessionStore, SessionSummary

MODE_LABELS = {SessionMode.PRACTICE: "Practice", SessionMode.LOOP: "Full loop"}


@dataclass(frozen=True)
class RadarData:
    """What one background load hands the view."""

    requested: str | None  # the session asked for (None: all time)
    radar: Radar
    sessions: list[SessionSummary]  # of this bank, with scored answers, newest first
    asked: dict[int, tuple[int, int]] = field(default_factory=dict)  # turn id -> (key facts asked, key facts)


def load_radar(path: Path, bank: Bank, session_id: str | None) -> RadarData:
    """Runs on the thread pool: the radar of `bank` (one session or all time) and its sessions."""
    with SessionStore.open(path) as store:
        backfill_axis_scores(store, bank)  # answers stored before the radar kept rows, as `mockloop radar` does
        everything = store.list_sessions(None)
        sessions = [s for s in everything if s.bank_id == bank.company.id and s.scored_count > 0]
        wanted = session_id if any(s.id == session_id for s in sessions) else None  # e.g. deleted meanwhile
        radar = build_radar(store, bank, session_id=wanted)
        asked = _asked(store, bank, radar)
    return RadarData(session_id, radar, sessions, asked)


# Questions whose scenario the candidate can ask about before designing.
_ASKING_KINDS = {Kind.SYSTEM_DESIGN, Kind.TECHNICAL}


def _asked(store: SessionStore, bank: Bank, radar: Radar) -> dict[int, tuple[int, int]]:
    """How many key facts each answer on the radar asked for (system design and technical answers that were scored on it)."""
    kinds = {q.id: q.kind for q in bank.questions}
    wanted = {p.turn_id for a in radar.axes for p in a.history if kinds.get(p.question_id) in _ASKING_KINDS}
    asked = {}
    for turn_id in sorted(wanted):
        try:
            counts = asked_count(clarifying_of(store.get_turn(turn_id).feedback))
        except SessionNotFoundError:
            continue  # deleted meanwhile
        if counts is not None:
            asked[turn_id] = counts
    return asked


def asked_text(counts: tuple[int, int]) -> str:
    """'asked 2 of 3 key facts'."""
    asked, important = counts
    return f"asked {asked} of {important} key fact{'s' if important != 1 else ''}"


def local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%d %b %Y, %H:%M")


def session_label(summary: SessionSummary) -> str:
    """'24 Nov 2026, 09:15 · Practice · 72' for the scope picker."""
    parts = [local_time(summary.started_at), MODE_LABELS.get(summary.mode, summary.mode.value)]
    if summary.overall_average is not None:
        parts.append(f"{summary.overall_average:.0f}")
    if summary.interrupted:
        parts.append("interrupted")
    return " · ".join(parts)


def axis_summary(axis: AxisValue) -> str:
    """One line about an axis (the axis list and the chart's tooltip): score or "no data", answers, difficulty."""
    if axis.performance is None:
        you = "no data"
    else:
        you = f"{axis.performance:.0f} from {axis.answers} answer{'s' if axis.answers != 1 else ''}"
    hard = "difficulty unknown" if axis.difficulty is None else f"difficulty {axis.difficulty:.1f}/3"
    return f"{axis.name} — {you} · {hard}"


def recency_text(half_life_days: float) -> str:
    return (f"Recent answers count more: an answer's weight halves every {half_life_days:g} days "
            f"(an answer from {half_life_days:g} days ago counts half).")
