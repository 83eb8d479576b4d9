"""The code of coding turns in the store: each Run with its result, and the final code with its edit timeline.

The store sits below the `coding` wing, so everything here is plain data: a run's result is
the dict of `RunResult.to_dict()`, the code of a turn is `{"question_id", "timeline": {"starter",
"edits": [[t, pos, removed, inserted], ...]}, "final"}` (schema/004_code.sql).
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any, Iterable, Mapping

from mockloop.engine.store.codec import dump, load, now, plain, time_text
from mockloop.engine.store.db import Database
from mockloop.engine.store.errors import SessionNotFoundError


class CodeMethods:
    """The code methods of SessionStore (a base class of it, so sessions.py stays small)."""

    _db: Database

    def add_code_run(self, turn_id: int, idx: int, offset_s: float, code: str, result: Any) -> None:
        """Save run `idx` (1-based) of a turn: Run pressed `offset_s` seconds into the recording.

        Saving the same idx again replaces it (keeping when it was first saved), so the interview
        can save a run as soon as its result is in and again when the turn ends. `result` is a
        RunResult's dict (or anything with to_dict()).
        """
        values = run_values(idx, offset_s, code, result)
        with self._db.write() as conn:
            require_turn(conn, turn_id)
            conn.execute(
                """INSERT INTO code_runs (turn_id, idx, offset_s, code, result, created_at) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (turn_id, idx) DO UPDATE
                   SET offset_s = excluded.offset_s, code = excluded.code, result = excluded.result""",
                (turn_id, *values, time_text(now())),
            )

    def set_turn_code(self, turn_id: int, code: Mapping[str, Any]) -> None:
        """Keep a turn's final code and its edit timeline ({"question_id", "timeline", "final"})."""
        text = code_json(code)
        with self._db.write() as conn:
            if conn.execute("UPDATE turns SET code = ? WHERE id = ?", (text, turn_id)).rowcount == 0:
                raise SessionNotFoundError("turn", turn_id)

    def code_runs(self, turn_id: int) -> list[dict[str, Any]]:
        """The runs of a turn in order: [{idx, offset_s, code, result, created_at}] (created_at as UTC ISO text)."""
        with self._db.read() as conn:
            require_turn(conn, turn_id)
            return runs_by_turn(conn, [turn_id]).get(turn_id, [])


def require_turn(conn: sqlite3.Connection, turn_id: int) -> None:
    if conn.execute("SELECT 1 FROM turns WHERE id = ?", (turn_id,)).fetchone() is None:
        raise SessionNotFoundError("turn", turn_id)


def runs_by_turn(conn: sqlite3.Connection, turn_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The runs of the given turns, in order, keyed by turn id (turns without runs are left out)."""
    ids = list(turn_ids)
    found: dict[int, list[dict[str, Any]]] = {}
    # In slices: SQLite caps the number of bound parameters of one statement.
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        rows = conn.execute(
            f"""SELECT turn_id, idx, offset_s, code, result, created_at FROM code_runs
                WHERE turn_id IN ({", ".join("?" * len(part))}) ORDER BY turn_id, idx""",
            part,
        )
        for row in rows:
            found.setdefault(row["turn_id"], []).append(
                {"idx": row["idx"], "offset_s": row["offset_s"], "code": row["code"],
                 "result": load(row["result"], {}), "created_at": row["created_at"]})
    return found


def run_values(idx: Any, offset_s: Any, code: Any, result: Any) -> tuple[int, float, str, str]:
    """(idx, offset_s, code, result JSON) checked for the code_runs table; ValueError says what is wrong."""
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 1:
        raise ValueError(f"a run's idx must be an integer from 1, got {idx!r}")
    if isinstance(offset_s, bool) or not isinstance(offset_s, (int, float)) or not math.isfinite(offset_s) \
            or offset_s < 0:
        raise ValueError(f"a run's offset_s must be a number of seconds from 0, got {offset_s!r}")
    if not isinstance(code, str):
        raise ValueError(f"a run's code must be text, got {type(code).__name__}")
    data = plain(result)
    if not isinstance(data, dict):
        raise ValueError(f"a run's result must be a JSON object, got {type(data).__name__}")
    return idx, float(offset_s), code, dump(data, "result", dict)


def code_json(code: Any) -> str:
    """A turn's code checked for the turns.code column; ValueError says what is wrong."""
    data = plain(code)
    if not isinstance(data, dict):
        raise ValueError(f"a turn's code must be a JSON object, got {type(data).__name__}")
    for key in ("question_id", "final"):
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"a turn's code {key} must be text")
    timeline = data.get("timeline")
    if timeline is not None:
        if not isinstance(timeline, dict) or not isinstance(timeline.get("starter", ""), str) \
                or not isinstance(timeline.get("edits", []), list):
            raise ValueError("a turn's code timeline must be {\"starter\": text, \"edits\": [...]}")
        for edit in timeline.get("edits", []):
            if not _is_edit(edit):
                raise ValueError(f"an edit must be [seconds, position, removed, inserted], got {edit!r}"[:200])
    return dump(data, "code", dict)


def _is_edit(edit: Any) -> bool:
    if not isinstance(edit, list) or len(edit) != 4:
        return False
    t, position, removed, inserted = edit
    numbers = [(t, (int, float)), (position, int), (removed, int)]
    return all(not isinstance(v, bool) and isinstance(v, kind) for v, kind in numbers) and isinstance(inserted, str)
