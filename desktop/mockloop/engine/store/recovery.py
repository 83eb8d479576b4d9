"""Sessions cut off by a crash: found at startup, marked interrupted, then finalized or resumed."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Callable

from mockloop.engine.store import files, owner
from mockloop.engine.store.codec import now, parse_time, time_text
from mockloop.engine.store.errors import SessionStateError
from mockloop.engine.store.queries import ROUND_LAST_ACTIVITY, SESSION_LAST_ACTIVITY, session_row
from mockloop.engine.store.records import RecoveredSession, SessionStatus, TurnStatus

# Reads (and may repair) a recording, returning its duration; e.g. mockloop.engine.audio.recorder.recover.
AudioReader = Callable[[Path], "float | None"]

_BUSY_FIX = "Finish it in that window, or close that window first."


def _duration(read_audio: AudioReader, path: Path | None) -> float | None:
    if path is None or not path.is_file():
        return None
    try:
        seconds = read_audio(path)
    except Exception:  # a damaged recording must not stop the session from being recovered
        return None
    return None if seconds is None else float(seconds)


def orphan(conn: sqlite3.Connection, root: Path, session_id: str, read_audio: AudioReader) -> RecoveredSession:
    """Mark a session whose owner is gone as interrupted, and its turns that were recording."""
    recording = conn.execute(
        """SELECT t.id, t.started_at, t.candidate_audio FROM turns t JOIN rounds r ON t.round_id = r.id
           WHERE r.session_id = ? AND t.status = ? ORDER BY t.id""",
        (session_id, TurnStatus.RECORDING.value),
    ).fetchall()
    for turn in recording:
        path = files.from_stored(root, turn["candidate_audio"])
        files.tighten(path)
        seconds = _duration(read_audio, path)
        # The answer ended when its audio did; without readable audio the end stays unknown.
        ended = None if seconds is None else time_text(parse_time(turn["started_at"]) + timedelta(seconds=seconds))
        conn.execute(
            """UPDATE turns SET status = ?, audio_seconds = COALESCE(?, audio_seconds),
               ended_at = COALESCE(ended_at, ?) WHERE id = ?""",
            (TurnStatus.INTERRUPTED.value, seconds, ended, turn["id"]),
        )
    conn.execute(
        f"""UPDATE sessions SET status = ?, owner_pid = NULL, owner_started = NULL,
            interruptions = interruptions + 1, interrupted_at = {SESSION_LAST_ACTIVITY} WHERE id = ?""",
        (SessionStatus.INTERRUPTED.value, session_id),
    )
    return RecoveredSession(session_id, [t["id"] for t in recording])


def recover_all(conn: sqlite3.Connection, root: Path, read_audio: AudioReader) -> list[RecoveredSession]:
    """Every in-progress session whose owning process is gone (a live owner, this one included, keeps its session)."""
    rows = conn.execute(
        "SELECT id, owner_pid, owner_started FROM sessions WHERE status = ? ORDER BY id",
        (SessionStatus.IN_PROGRESS.value,),
    ).fetchall()
    return [orphan(conn, root, row["id"], read_audio) for row in rows
            if not owner.is_alive(row["owner_pid"], row["owner_started"])]


def _release_if_orphaned(conn: sqlite3.Connection, root: Path, row: sqlite3.Row, read_audio: AudioReader,
                         me: owner.Owner) -> bool:
    """For an in-progress session: True if it is ours; orphan it if its owner is gone; refuse a live owner."""
    if row["owner_pid"] == me.pid and owner.is_alive(row["owner_pid"], row["owner_started"]):
        return True
    if owner.is_alive(row["owner_pid"], row["owner_started"]):
        raise SessionStateError(row["id"], "This session is still being recorded by another running mockloop.", _BUSY_FIX)
    orphan(conn, root, row["id"], read_audio)
    return False


def close(conn: sqlite3.Connection, session_id: str, ended_at: str | None) -> None:
    """Finish a session: open rounds end, turns still recording become interrupted (their audio kept).

    `ended_at` None means "at the last activity": a session finalized days after a crash
    must not look days long.
    """
    conn.execute(
        """UPDATE turns SET status = ?, ended_at = COALESCE(ended_at, ?)
           WHERE status = ? AND round_id IN (SELECT id FROM rounds WHERE session_id = ?)""",
        (TurnStatus.INTERRUPTED.value, ended_at, TurnStatus.RECORDING.value, session_id),
    )
    round_end = "?" if ended_at is not None else ROUND_LAST_ACTIVITY
    session_end = "?" if ended_at is not None else SESSION_LAST_ACTIVITY
    given = (ended_at,) if ended_at is not None else ()
    conn.execute(f"UPDATE rounds SET ended_at = {round_end} WHERE session_id = ? AND ended_at IS NULL",
                 (*given, session_id))
    conn.execute(
        f"""UPDATE sessions SET status = ?, ended_at = {session_end}, owner_pid = NULL, owner_started = NULL
            WHERE id = ?""",
        (SessionStatus.FINISHED.value, *given, session_id),
    )


def finalize(conn: sqlite3.Connection, root: Path, session_id: str, read_audio: AudioReader, me: owner.Owner) -> None:
    """Close an interrupted session as it is (this process's own session in progress ends now)."""
    row = session_row(conn, session_id)
    if row["status"] == SessionStatus.FINISHED.value:
        return
    ours = row["status"] == SessionStatus.IN_PROGRESS.value and _release_if_orphaned(conn, root, row, read_audio, me)
    close(conn, session_id, time_text(now()) if ours else None)


def resume(conn: sqlite3.Connection, root: Path, session_id: str, read_audio: AudioReader, me: owner.Owner) -> None:
    """Reopen an interrupted session as in progress, owned by this process."""
    row = session_row(conn, session_id)
    if row["status"] == SessionStatus.FINISHED.value:
        raise SessionStateError(session_id, "This session is finished, so it cannot be resumed.",
                                "Start a new session to practise again; this one stays in your history.")
    if row["status"] == SessionStatus.IN_PROGRESS.value and _release_if_orphaned(conn, root, row, read_audio, me):
        return
    conn.execute(
        "UPDATE sessions SET status = ?, ended_at = NULL, owner_pid = ?, owner_started = ? WHERE id = ?",
        (SessionStatus.IN_PROGRESS.value, me.pid, me.started, session_id),
    )
