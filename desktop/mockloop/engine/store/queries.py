"""Read queries of the store: one session in full, the session list, attempts and radar history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from mockloop.engine.store.code_log import runs_by_turn
from mockloop.engine.store.codec import parse_time
from mockloop.engine.store.errors import SessionNotFoundError
from mockloop.engine.store.records import (
    Attempt, AxisScore, Session, SessionSummary, Turn, attempt_from_row, round_from_row, session_from_row,
    summary_from_row, turn_from_row,
)

# The latest moment anything happened in a round / a session; times are fixed-format UTC text,
# so MAX on text is MAX on time. Used to close rounds and sessions that were cut off.
ROUND_LAST_ACTIVITY = """MAX(rounds.started_at, COALESCE(
    (SELECT MAX(COALESCE(t.ended_at, t.started_at)) FROM turns t WHERE t.round_id = rounds.id), rounds.started_at))"""
SESSION_LAST_ACTIVITY = """MAX(sessions.started_at,
    COALESCE((SELECT MAX(COALESCE(r.ended_at, r.started_at)) FROM rounds r WHERE r.session_id = sessions.id), sessions.started_at),
    COALESCE((SELECT MAX(COALESCE(t.ended_at, t.started_at)) FROM turns t JOIN rounds r ON t.round_id = r.id
              WHERE r.session_id = sessions.id), sessions.started_at))"""


def session_row(conn: sqlite3.Connection, session_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is None:
        raise SessionNotFoundError("session", session_id)
    return row


def turn_row(conn: sqlite3.Connection, turn_id: int) -> sqlite3.Row:
    row = conn.execute(
        "SELECT t.*, r.session_id, r.idx AS round_idx FROM turns t JOIN rounds r ON t.round_id = r.id WHERE t.id = ?",
        (turn_id,),
    ).fetchone()
    if row is None:
        raise SessionNotFoundError("turn", turn_id)
    return row


def get_session(conn: sqlite3.Connection, root: Path, session_id: str) -> Session:
    row = session_row(conn, session_id)
    turns: dict[int, list[Turn]] = {}
    rows = conn.execute(
        "SELECT t.* FROM turns t JOIN rounds r ON t.round_id = r.id WHERE r.session_id = ? ORDER BY t.round_id, t.idx",
        (session_id,),
    ).fetchall()
    runs = runs_by_turn(conn, [t["id"] for t in rows])
    for t in rows:
        turns.setdefault(t["round_id"], []).append(turn_from_row(t, root, runs.get(t["id"])))
    rounds = tuple(
        round_from_row(r, tuple(turns.get(r["id"], ())))
        for r in conn.execute("SELECT * FROM rounds WHERE session_id = ? ORDER BY idx", (session_id,))
    )
    return session_from_row(row, rounds)


def get_turn(conn: sqlite3.Connection, root: Path, turn_id: int) -> Turn:
    return turn_from_row(turn_row(conn, turn_id), root, runs_by_turn(conn, [turn_id]).get(turn_id))


_SUMMARY = """
SELECT s.id, s.started_at, s.ended_at, s.mode, s.bank_id, s.persona_id, s.status, s.interruptions,
       AVG(t.overall) AS overall_average, COUNT(t.id) AS turn_count, COUNT(t.overall) AS scored_count
FROM sessions s
LEFT JOIN rounds r ON r.session_id = s.id
LEFT JOIN turns t ON t.round_id = r.id AND t.kind = 'question'
GROUP BY s.id
ORDER BY s.started_at DESC, s.id DESC
LIMIT ? OFFSET ?
"""


def list_sessions(conn: sqlite3.Connection, limit: int | None, offset: int) -> list[SessionSummary]:
    """Newest first; `limit=None` lists them all."""
    if (limit is not None and limit < 0) or offset < 0:
        raise ValueError("limit and offset must not be negative")
    return [summary_from_row(row) for row in conn.execute(_SUMMARY, (-1 if limit is None else limit, offset))]


def count_sessions(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])


def attempts_for_question(conn: sqlite3.Connection, root: Path, question_id: str) -> list[Attempt]:
    """Every answer to a question (follow-up answers excluded), oldest first."""
    rows = conn.execute(
        """SELECT t.*, r.session_id, s.mode, s.persona_id FROM turns t
           JOIN rounds r ON t.round_id = r.id JOIN sessions s ON r.session_id = s.id
           WHERE t.question_id = ? AND t.kind = 'question'
           ORDER BY t.started_at, t.id""",
        (question_id,),
    )
    return [attempt_from_row(row, root) for row in rows]


def answers_without_axis_scores(conn: sqlite3.Connection, bank_id: str) -> list[tuple[int, str, float]]:
    """(turn id, question id, overall) of finished, scored answers of a bank that have no radar rows."""
    rows = conn.execute(
        """SELECT t.id, t.question_id, t.overall FROM turns t
           JOIN rounds r ON t.round_id = r.id JOIN sessions s ON r.session_id = s.id
           WHERE s.bank_id = ? AND t.kind = 'question' AND t.status = 'done'
             AND t.overall IS NOT NULL AND t.overall BETWEEN 0 AND 100
             AND NOT EXISTS (SELECT 1 FROM axis_scores a WHERE a.turn_id = t.id)
           ORDER BY t.id""",
        (bank_id,),
    )
    return [(row["id"], row["question_id"], row["overall"]) for row in rows]


def axis_history(conn: sqlite3.Connection, axis_id: str | None, bank_id: str | None) -> list[AxisScore]:
    """Per-axis scores of answers, oldest first, optionally for one axis and/or one bank."""
    rows = conn.execute(
        """SELECT a.turn_id, a.axis_id, a.score, a.answered_at, r.session_id, t.question_id FROM axis_scores a
           JOIN turns t ON a.turn_id = t.id JOIN rounds r ON t.round_id = r.id JOIN sessions s ON r.session_id = s.id
           WHERE (:axis IS NULL OR a.axis_id = :axis) AND (:bank IS NULL OR s.bank_id = :bank)
           ORDER BY a.answered_at, a.turn_id, a.axis_id""",
        {"axis": axis_id, "bank": bank_id},
    )
    return [
        AxisScore(row["turn_id"], row["session_id"], row["question_id"], row["axis_id"], row["score"],
                  parse_time(row["answered_at"]))
        for row in rows
    ]
