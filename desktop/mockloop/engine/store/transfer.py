"""Whole-session snapshots: every row of one session as plain data, and inserting such a snapshot back."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Mapping

from mockloop.engine.store import code_log, exchange_log, files, queries
from mockloop.engine.store.codec import new_session_id, parse_time, time_text
from mockloop.engine.store.records import SessionMode, SessionStatus, TurnKind, TurnStatus

SNAPSHOT_FORMAT = 1
_SESSION_COLUMNS = ("mode", "bank_id", "persona_id", "status", "started_at", "ended_at", "app_version", "models",
                    "notes", "interruptions", "interrupted_at")
_ROUND_COLUMNS = ("idx", "stage_id", "persona_id", "started_at", "ended_at", "time_budget_s")
_TURN_COLUMNS = ("idx", "question_id", "attempt", "kind", "parent_turn_id", "status", "interviewer_text",
                 "interviewer_audio", "candidate_audio", "audio_seconds", "transcript", "words", "metrics", "rubric",
                 "scores", "overall", "feedback", "followups", "nudges", "started_at", "ended_at", "code", "exchanges")
_JSON = {"models": dict, "words": list, "metrics": dict, "rubric": list, "scores": dict, "feedback": dict,
         "followups": list, "nudges": list, "code": dict, "exchanges": list}
_TIMES = {"started_at", "ended_at", "interrupted_at", "answered_at", "created_at"}
AUDIO_COLUMNS = ("interviewer_audio", "candidate_audio")


def snapshot(conn: sqlite3.Connection, root: Path, session_id: str) -> dict:
    """One session's rows as JSON-ready data. Audio paths become absolute paths (None when unset).

    A turn's `code` and `code_runs` (the coding round, schema 4) are {} and [] for other turns, and its
    `exchanges` (schema 5) [] when nothing was asked; a snapshot made before them, without those keys,
    inserts as such a turn.
    """
    row = queries.session_row(conn, session_id)
    session = {"id": session_id, **{c: _out(c, row[c]) for c in _SESSION_COLUMNS}}
    rounds = []
    for r in conn.execute("SELECT * FROM rounds WHERE session_id = ? ORDER BY idx", (session_id,)).fetchall():
        turns = []
        for t in conn.execute("SELECT * FROM turns WHERE round_id = ? ORDER BY idx", (r["id"],)).fetchall():
            turn = {"id": t["id"], **{c: _out(c, t[c]) for c in _TURN_COLUMNS}}
            for column in AUDIO_COLUMNS:
                path = files.from_stored(root, t[column])
                turn[column] = None if path is None else str(path)
            turn["axis_scores"] = [
                {"axis_id": a["axis_id"], "score": a["score"], "answered_at": a["answered_at"]}
                for a in conn.execute("SELECT * FROM axis_scores WHERE turn_id = ? ORDER BY axis_id", (t["id"],))
            ]
            turn["code_runs"] = code_log.runs_by_turn(conn, [t["id"]]).get(t["id"], [])
            turns.append(turn)
        rounds.append({**{c: r[c] for c in _ROUND_COLUMNS}, "turns": turns})
    return {"snapshot_format": SNAPSHOT_FORMAT, "session": session, "rounds": rounds}


def _out(column: str, value: Any) -> Any:
    return json.loads(value) if column in _JSON and value is not None else value


def insert(conn: sqlite3.Connection, root: Path, data: Mapping[str, Any], audio_from: Path | None) -> str:
    """Insert a snapshot as a new session (a fresh id when its own is taken); return the id used.

    In a snapshot to insert, audio paths are bare file names inside `audio_from`, a folder that
    becomes the session's recordings folder (moved, so it must be on the same disk as the store).
    The caller's transaction makes the rows all-or-nothing; the folder moves last.
    Raises ValueError on data that does not fit the schema.
    """
    if not isinstance(data, Mapping) or data.get("snapshot_format") != SNAPSHOT_FORMAT:
        raise ValueError("not a session snapshot of a known format")
    session = _mapping(data.get("session"), "session")
    wanted = session.get("id")
    try:
        files.check_session_id(wanted)
        free = not conn.execute("SELECT 1 FROM sessions WHERE id = ?", (wanted,)).fetchone() and \
            not os.path.lexists(files.session_dir(root, wanted))
    except ValueError:
        free = False
    session_id = wanted if free else _fresh_id(conn, root)
    values = {c: _in(c, session.get(c)) for c in _SESSION_COLUMNS}
    SessionMode(values["mode"])
    if SessionStatus(values["status"]) is SessionStatus.IN_PROGRESS:
        values["status"] = SessionStatus.INTERRUPTED.value  # nobody is recording it here
    try:
        conn.execute(f"INSERT INTO sessions (id, {', '.join(values)}) VALUES (?{', ?' * len(values)})",
                     (session_id, *values.values()))
        new_ids: dict[int, int] = {}
        pending: list[tuple[int, dict]] = []
        for r in _list(data.get("rounds"), "rounds"):
            r = _mapping(r, "round")
            rvalues = {c: _in(c, r.get(c)) for c in _ROUND_COLUMNS}
            cursor = conn.execute(
                f"INSERT INTO rounds (session_id, {', '.join(rvalues)}) VALUES (?{', ?' * len(rvalues)})",
                (session_id, *rvalues.values()))
            pending += [(int(cursor.lastrowid), _mapping(t, "turn")) for t in _list(r.get("turns"), "turns")]
        # Parents first, whatever round they are in: a follow-up always starts after its question.
        for round_id, turn in sorted(pending, key=lambda item: _int(item[1].get("id"), "turn id")):
            new_ids[_int(turn["id"], "turn id")] = _insert_turn(conn, session_id, round_id, turn, new_ids)
        for new in new_ids.values():
            _relink_followups(conn, new, new_ids)
    except sqlite3.IntegrityError as exc:
        raise ValueError(f"the session data does not fit the store ({exc})") from exc
    if audio_from is not None:
        os.rename(audio_from, files.private_dir(files.sessions_root(root)) / session_id)
    return session_id


def _insert_turn(conn: sqlite3.Connection, session_id: str, round_id: int, turn: Mapping, new_ids: dict[int, int]) -> int:
    values = {c: _in(c, turn.get(c)) for c in _TURN_COLUMNS}
    values["code"] = code_log.code_json({} if turn.get("code") is None else turn["code"])
    values["exchanges"] = json.dumps([exchange_log.exchange_values(e) for e in _list(turn.get("exchanges") or [], "exchanges")],
                                     ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    TurnKind(values["kind"])
    TurnStatus(values["status"])
    if values["status"] == TurnStatus.RECORDING.value:
        values["status"] = TurnStatus.INTERRUPTED.value
    if values["parent_turn_id"] is not None:
        parent = new_ids.get(_int(values["parent_turn_id"], "parent turn id"))
        if parent is None:
            raise ValueError("a follow-up refers to a question that is not in the session")
        values["parent_turn_id"] = parent
    for column in AUDIO_COLUMNS:
        name = values[column]
        if name is not None:
            if not isinstance(name, str) or "/" in name or "\\" in name:
                raise ValueError(f"{column} must be a bare file name, got {name!r}")
            files.check_session_id(name)  # the same rule: a safe single path component
            values[column] = f"{files.SESSIONS_DIR}/{session_id}/{name}"
    cursor = conn.execute(f"INSERT INTO turns (round_id, {', '.join(values)}) VALUES (?{', ?' * len(values)})",
                          (round_id, *values.values()))
    turn_id = int(cursor.lastrowid)
    for a in _list(turn.get("axis_scores", []), "axis_scores"):
        a = _mapping(a, "axis score")
        conn.execute("INSERT INTO axis_scores (turn_id, axis_id, score, answered_at) VALUES (?, ?, ?, ?)",
                     (turn_id, _text(a.get("axis_id"), "axis_id"), _number(a.get("score"), "score"),
                      _in("answered_at", a.get("answered_at"))))
    for run in _list([] if turn.get("code_runs") is None else turn["code_runs"], "code_runs"):
        run = _mapping(run, "code run")
        checked = code_log.run_values(run.get("idx"), run.get("offset_s"), run.get("code"), run.get("result"))
        conn.execute("INSERT INTO code_runs (turn_id, idx, offset_s, code, result, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (turn_id, *checked, _in("created_at", run.get("created_at")) or values["started_at"]))
    return turn_id


def _relink_followups(conn: sqlite3.Connection, turn_id: int, new_ids: dict[int, int]) -> None:
    """A question's follow-up entries name their turns by id: point them at the new ids."""
    listed = json.loads(conn.execute("SELECT followups FROM turns WHERE id = ?", (turn_id,)).fetchone()[0])
    changed = False
    for entry in listed:
        if isinstance(entry, dict) and isinstance(entry.get("turn_id"), int) and entry["turn_id"] in new_ids:
            entry["turn_id"] = new_ids[entry["turn_id"]]
            changed = True
    if changed:
        conn.execute("UPDATE turns SET followups = ? WHERE id = ?",
                     (json.dumps(listed, ensure_ascii=False, allow_nan=False, separators=(",", ":")), turn_id))


def _fresh_id(conn: sqlite3.Connection, root: Path) -> str:
    while True:
        candidate = new_session_id()
        if not conn.execute("SELECT 1 FROM sessions WHERE id = ?", (candidate,)).fetchone() \
                and not os.path.lexists(files.session_dir(root, candidate)):
            return candidate


def _in(column: str, value: Any) -> Any:
    """A snapshot value checked and turned back into its column's stored form."""
    if column in _JSON:
        if value is None:
            value = _JSON[column]()
        if not isinstance(value, _JSON[column]):
            raise ValueError(f"{column} must be a JSON {_JSON[column].__name__}")
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if column in _TIMES:
        if value is None:
            return None
        try:
            moment = parse_time(_text(value, column))
            return time_text(moment)
        except ValueError as exc:
            raise ValueError(f"{column} is not a time with a timezone: {value!r}") from exc
    return value


def _mapping(value: Any, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be an object")
    return value


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list")
    return value


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an integer")
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what} must be a number")
    return float(value)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be text")
    return value
