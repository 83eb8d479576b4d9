"""SessionStore: the typed API over the session database and the recordings beside it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping, Sequence

from mockloop import __version__
from mockloop.engine.core import paths
from mockloop.engine.store import code_log, exchange_log, files, owner, queries, recovery, transfer
from mockloop.engine.store.codec import dump, new_session_id, now, plain, score_overall, time_text, word_dict
from mockloop.engine.store.db import Database, Migration, RecoveryNotice
from mockloop.engine.store.errors import SessionNotFoundError, SessionStateError, StoreError
from mockloop.engine.store.records import (
    Attempt, AxisScore, Nudge, RecoveredSession, Session, SessionMode, SessionStatus, SessionSummary, Turn, TurnKind,
    TurnStart, TurnStatus,
)

_NOT_GIVEN: Any = object()
# JSON columns a turn update may set, with the shape each must have.
_JSON_COLUMNS = {"metrics": dict, "rubric": list, "scores": dict, "feedback": dict, "followups": list, "nudges": list}


def default_path() -> Path:
    return paths.data_dir() / files.DB_NAME


class SessionStore(code_log.CodeMethods, exchange_log.ExchangeMethods):
    """Sessions -> rounds -> turns in SQLite, recordings under <data>/sessions/<id>/, code runs and exchanges.

    Every method is one short transaction, committed before it returns, so a killed
    process loses at most the call in flight. Safe to share between threads.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self.path = db.path
        self.root = db.path.parent  # recordings live beside the database
        self._me = owner.current()

    @classmethod
    def open(cls, path: Path | str | None = None, *, migrations: Sequence[Migration] | None = None) -> "SessionStore":
        """Open (creating and migrating) the database; a damaged one is moved aside, see `notice`."""
        return cls(Database.open(Path(path) if path is not None else default_path(), migrations))

    @property
    def notice(self) -> RecoveryNotice | None:
        """Set when the database was damaged and replaced; show `notice.message` to the user once."""
        return self._db.notice

    @property
    def recovered_from(self) -> Path | None:
        return self._db.notice.moved_to if self._db.notice else None

    @property
    def recordings_dir(self) -> Path:
        return files.sessions_root(self.root)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing a session -------------------------------------------------------------------

    def create_session(self, mode: SessionMode | str, bank_id: str, persona_id: str, *, models: Mapping[str, Any] | None = None,
                       app_version: str = __version__, notes: str = "") -> str:
        """Start a session owned by this process; returns its id."""
        mode = SessionMode(mode)
        _require_text(bank_id=bank_id, persona_id=persona_id)
        models_json = dump(models or {}, "models", dict)
        with self._db.write() as conn:
            session_id = new_session_id()
            while conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                session_id = new_session_id()
            conn.execute(
                """INSERT INTO sessions (id, mode, bank_id, persona_id, status, started_at, app_version, models, notes,
                   owner_pid, owner_started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (session_id, mode.value, bank_id, persona_id, SessionStatus.IN_PROGRESS.value, time_text(now()),
                 app_version, models_json, notes, self._me.pid, self._me.started),
            )
        return session_id

    def add_round(self, session_id: str, stage_id: str, *, time_budget_s: float | None = None,
                  persona_id: str | None = None) -> int:
        _require_text(stage_id=stage_id)
        with self._db.write() as conn:
            self._require_in_progress(conn, session_id)
            index = conn.execute("SELECT COALESCE(MAX(idx), 0) + 1 FROM rounds WHERE session_id = ?",
                                 (session_id,)).fetchone()[0]
            cursor = conn.execute(
                """INSERT INTO rounds (session_id, idx, stage_id, persona_id, started_at, time_budget_s)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (session_id, index, stage_id, persona_id, time_text(now()), time_budget_s),
            )
            return int(cursor.lastrowid)

    def finish_round(self, round_id: int) -> None:
        with self._db.write() as conn:
            if conn.execute("UPDATE rounds SET ended_at = COALESCE(ended_at, ?) WHERE id = ?",
                            (time_text(now()), round_id)).rowcount == 0:
                raise _not_found("round", round_id)

    def begin_turn(self, round_id: int, question_id: str | None = None, *, interviewer_text: str = "",
                   parent_turn_id: int | None = None, followup: Mapping[str, Any] | Any = None) -> TurnStart:
        """Start a turn in state `recording` and say where to record the answer.

        A question asked again in the same session gets the next attempt number. With
        `parent_turn_id` the turn is a follow-up to that question's turn: it shares its question
        and attempt, and the follow-up (text, time, `followup` planner details) is added to the
        parent's `followups`.
        """
        with self._db.write() as conn:
            round_row = conn.execute("SELECT * FROM rounds WHERE id = ?", (round_id,)).fetchone()
            if round_row is None:
                raise _not_found("round", round_id)
            session_id = round_row["session_id"]
            self._require_in_progress(conn, session_id)
            started = time_text(now())
            if parent_turn_id is not None:
                parent = queries.turn_row(conn, parent_turn_id)
                if parent["session_id"] != session_id or (question_id not in (None, parent["question_id"])):
                    raise ValueError("a follow-up belongs to its question's turn in the same session")
                kind, question_id, attempt = TurnKind.FOLLOWUP, parent["question_id"], parent["attempt"]
            else:
                _require_text(question_id=question_id)
                kind = TurnKind.QUESTION
                attempt = conn.execute(
                    """SELECT COALESCE(MAX(t.attempt), 0) + 1 FROM turns t JOIN rounds r ON t.round_id = r.id
                       WHERE r.session_id = ? AND t.question_id = ? AND t.kind = ?""",
                    (session_id, question_id, TurnKind.QUESTION.value),
                ).fetchone()[0]
            index = conn.execute("SELECT COALESCE(MAX(idx), 0) + 1 FROM turns WHERE round_id = ?",
                                 (round_id,)).fetchone()[0]
            folder = files.private_dir(files.session_dir(self.root, session_id))
            audio = folder / files.audio_name(round_row["idx"], index, question_id, "answer")
            cursor = conn.execute(
                """INSERT INTO turns (round_id, idx, question_id, attempt, kind, parent_turn_id, status,
                   interviewer_text, candidate_audio, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (round_id, index, question_id, attempt, kind.value, parent_turn_id, TurnStatus.RECORDING.value,
                 interviewer_text, files.to_stored(self.root, audio), started),
            )
            turn_id = int(cursor.lastrowid)
            if parent_turn_id is not None:
                asked = {**(plain(followup) or {}), "turn_id": turn_id, "text": interviewer_text, "asked_at": started}
                listed = queries.get_turn(conn, self.root, parent_turn_id).followups + [asked]
                conn.execute("UPDATE turns SET followups = ? WHERE id = ?",
                             (dump(listed, "followups", list), parent_turn_id))
        return TurnStart(turn_id, audio, folder / files.audio_name(round_row["idx"], index, question_id, "interviewer"),
                         attempt, index)

    def update_turn(self, turn_id: int, *, transcript: str | None = None, words: Sequence[Any] | None = None,
                    metrics: Any = None, rubric: Any = None, scores: Any = None, feedback: Any = None,
                    followups: Any = None, nudges: Any = None, interviewer_text: str | None = None,
                    interviewer_audio: Path | str | None = None, candidate_audio: Path | str | None = None,
                    audio_seconds: float | None = None) -> None:
        """Set the given fields of a turn (None leaves a field as it is); JSON is checked before writing."""
        values = self._turn_values(locals())
        with self._db.write() as conn:
            self._update_turn(conn, turn_id, values)

    def add_nudge(self, turn_id: int, text: str, *, offset_s: float | None = None) -> Nudge:
        """Record a nudge the interviewer gave during this turn's answer."""
        _require_text(text=text)
        at = now()
        with self._db.write() as conn:
            current = queries.get_turn(conn, self.root, turn_id).nudges
            listed = [{"text": n.text, "at": time_text(n.at), "offset_s": n.offset_s} for n in current]
            listed.append({"text": text, "at": time_text(at), "offset_s": offset_s})
            conn.execute("UPDATE turns SET nudges = ? WHERE id = ?", (dump(listed, "nudges", list), turn_id))
        return Nudge(text, at, offset_s)

    def finish_turn(self, turn_id: int, *, status: TurnStatus | str = TurnStatus.DONE,
                    axis_scores: Mapping[str, float] | None = None, **fields: Any) -> Turn:
        """End a turn (done, skipped or interrupted) with its final fields (as in update_turn).

        `axis_scores` ({radar axis id: 0-100}) become the radar history rows of this answer.
        The audio duration is read from the recording unless given.
        """
        status = TurnStatus(status)
        if status is TurnStatus.RECORDING:
            raise ValueError("finish_turn needs a final status")
        values = self._turn_values(fields)
        with self._db.write() as conn:
            row = queries.turn_row(conn, turn_id)
            audio = files.from_stored(self.root, values.get("candidate_audio", row["candidate_audio"]))
            if audio is not None and not audio.exists():
                values["candidate_audio"] = audio = None  # typed or skipped: no recording was ever made
            files.tighten(audio)
            if "audio_seconds" not in values:
                seconds = files.audio_seconds(audio)
                if seconds is not None:
                    values["audio_seconds"] = seconds
            values.update(status=status.value, ended_at=time_text(now()))
            self._update_turn(conn, turn_id, values)
            if axis_scores:
                self._insert_axis_scores(conn, turn_id, axis_scores)
            return queries.get_turn(conn, self.root, turn_id)

    def record_axis_scores(self, turn_id: int, scores: Mapping[str, float]) -> None:
        """(Re)write the radar rows of an answer, e.g. when the radar rebuilds history from a bank."""
        with self._db.write() as conn:
            queries.turn_row(conn, turn_id)
            self._insert_axis_scores(conn, turn_id, scores)

    def finish_session(self, session_id: str, *, notes: str | None = None, interrupted: bool = False) -> Session:
        """End this process's session now; turns still recording are kept as interrupted.

        `interrupted=True` (the app closed mid-interview) ends it as interrupted rather than finished.
        """
        ended = time_text(now())
        with self._db.write() as conn:
            self._require_in_progress(conn, session_id)
            if notes is not None:
                conn.execute("UPDATE sessions SET notes = ? WHERE id = ?", (notes, session_id))
            recovery.close(conn, session_id, ended)
            if interrupted:
                conn.execute(
                    """UPDATE sessions SET status = ?, interruptions = interruptions + 1, interrupted_at = ?
                       WHERE id = ?""",
                    (SessionStatus.INTERRUPTED.value, ended, session_id),
                )
            return queries.get_session(conn, self.root, session_id)

    def set_notes(self, session_id: str, notes: str) -> None:
        with self._db.write() as conn:
            if conn.execute("UPDATE sessions SET notes = ? WHERE id = ?", (notes, session_id)).rowcount == 0:
                raise _not_found("session", session_id)

    def delete_session(self, session_id: str) -> None:
        """Delete a session's rows, then its recordings folder. A session being recorded is refused."""
        with self._db.write() as conn:
            row = queries.session_row(conn, session_id)
            if row["status"] == SessionStatus.IN_PROGRESS.value and owner.is_alive(row["owner_pid"], row["owner_started"]):
                raise SessionStateError(session_id, "This session is still being recorded, so it cannot be deleted.",
                                        "Finish it first, then delete it.")
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        folder = files.session_dir(self.root, session_id)
        try:
            files.remove_session_dir(self.root, session_id)
        except OSError as exc:
            raise StoreError(f"The session was deleted, but some of its recordings in {folder} could not be removed "
                             f"({exc.strerror}).", "Delete that folder by hand.") from exc

    # -- crash recovery ------------------------------------------------------------------------

    def recover_interrupted(self, read_audio: recovery.AudioReader = files.audio_seconds) -> list[RecoveredSession]:
        """Call at startup: sessions left in progress by a process that is gone become interrupted.

        Their recording turns become interrupted, keep their audio path and get the audio's
        duration from `read_audio` (pass mockloop.engine.audio.recorder.recover to also repair the WAV header).
        """
        with self._db.write() as conn:
            return recovery.recover_all(conn, self.root, read_audio)

    def finalize(self, session_id: str, read_audio: recovery.AudioReader = files.audio_seconds) -> Session:
        """Keep an interrupted session as it is, marked finished at its last activity."""
        with self._db.write() as conn:
            recovery.finalize(conn, self.root, session_id, read_audio, self._me)
            return queries.get_session(conn, self.root, session_id)

    def resume_session(self, session_id: str, read_audio: recovery.AudioReader = files.audio_seconds) -> Session:
        """Reopen an interrupted session as in progress, owned by this process, to carry on answering."""
        with self._db.write() as conn:
            recovery.resume(conn, self.root, session_id, read_audio, self._me)
            return queries.get_session(conn, self.root, session_id)

    # -- reading -------------------------------------------------------------------------------

    def get_session(self, session_id: str) -> Session:
        with self._db.read() as conn:
            return queries.get_session(conn, self.root, session_id)

    def get_turn(self, turn_id: int) -> Turn:
        with self._db.read() as conn:
            return queries.get_turn(conn, self.root, turn_id)

    def list_sessions(self, limit: int | None = 50, offset: int = 0) -> list[SessionSummary]:
        """Newest first; `limit=None` lists every session."""
        with self._db.read() as conn:
            return queries.list_sessions(conn, limit, offset)

    def count_sessions(self) -> int:
        with self._db.read() as conn:
            return queries.count_sessions(conn)

    def attempts_for_question(self, question_id: str) -> list[Attempt]:
        """Every answer to a question across sessions, oldest first, for side-by-side comparison."""
        with self._db.read() as conn:
            return queries.attempts_for_question(conn, self.root, question_id)

    def answers_without_axis_scores(self, bank_id: str) -> list[tuple[int, str, float]]:
        """(turn id, question id, overall) of finished, scored answers with no radar rows (stored before schema 2)."""
        with self._db.read() as conn:
            return queries.answers_without_axis_scores(conn, bank_id)

    def axis_history(self, axis_id: str | None = None, *, bank_id: str | None = None) -> list[AxisScore]:
        with self._db.read() as conn:
            return queries.axis_history(conn, axis_id, bank_id)

    # -- whole sessions and preferences ---------------------------------------------------------

    def export_snapshot(self, session_id: str) -> dict:
        """Every row of a session as plain data (see store/transfer.py), e.g. to archive it."""
        with self._db.read() as conn:
            return transfer.snapshot(conn, self.root, session_id)

    def import_snapshot(self, snapshot: Mapping[str, Any], audio_from: Path | None = None) -> str:
        """Insert a snapshot as a session (a fresh id if its id is taken); `audio_from` becomes its recordings folder."""
        with self._db.write() as conn:
            return transfer.insert(conn, self.root, snapshot, audio_from)

    def get_preference(self, key: str, default: str | None = None) -> str | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT value FROM preferences WHERE key = ?", (key,)).fetchone()
        return default if row is None else row["value"]

    def set_preference(self, key: str, value: str | None) -> None:
        """Keep a small text preference with the practice history; None forgets it."""
        _require_text(key=key)
        with self._db.write() as conn:
            if value is None:
                conn.execute("DELETE FROM preferences WHERE key = ?", (key,))
            else:
                conn.execute("INSERT INTO preferences (key, value) VALUES (?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, str(value)))

    # -- helpers -------------------------------------------------------------------------------

    def _require_in_progress(self, conn: Any, session_id: str) -> None:
        row = queries.session_row(conn, session_id)
        if row["status"] != SessionStatus.IN_PROGRESS.value:
            raise SessionStateError(session_id, f"This session is {row['status'].replace('_', ' ')}, not in progress.",
                                    "Resume it first to carry on answering.")

    def _turn_values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Column values for the fields that were given, checked and converted before any write."""
        known = {"transcript", "words", "interviewer_text", "interviewer_audio", "candidate_audio", "audio_seconds",
                 *_JSON_COLUMNS}
        unknown = set(given) - known - {"self", "turn_id"}
        if unknown:
            raise TypeError(f"unknown turn fields: {sorted(unknown)}")
        values: dict[str, Any] = {}
        for name in known:
            value = given.get(name)
            if value is None:
                continue
            if name in _JSON_COLUMNS:
                values[name] = dump(value, name, _JSON_COLUMNS[name])
            elif name == "words":
                values[name] = dump([word_dict(w) for w in value], "words", list)
            elif name in ("interviewer_audio", "candidate_audio"):
                values[name] = files.to_stored(self.root, value)
            elif name == "audio_seconds":
                values[name] = float(value)
            else:
                values[name] = str(value)
        if "scores" in values:
            values["overall"] = score_overall(plain(given["scores"]))
        return values

    def _update_turn(self, conn: Any, turn_id: int, values: Mapping[str, Any]) -> None:
        if not values:
            queries.turn_row(conn, turn_id)
            return
        # Column names come from the fixed set in _turn_values, never from the caller.
        assignments = ", ".join(f"{name} = ?" for name in values)
        cursor = conn.execute(f"UPDATE turns SET {assignments} WHERE id = ?", (*values.values(), turn_id))
        if cursor.rowcount == 0:
            raise _not_found("turn", turn_id)

    def _insert_axis_scores(self, conn: Any, turn_id: int, scores: Mapping[str, float]) -> None:
        rows = []
        for axis_id, score in scores.items():
            _require_text(axis_id=axis_id)
            score = float(score)
            if not math.isfinite(score) or not 0.0 <= score <= 100.0:
                raise ValueError(f"axis score for {axis_id} must be within 0-100, got {score}")
            rows.append((turn_id, axis_id, score, turn_id))
        conn.execute("DELETE FROM axis_scores WHERE turn_id = ?", (turn_id,))
        conn.executemany(
            """INSERT INTO axis_scores (turn_id, axis_id, score, answered_at)
               SELECT ?, ?, ?, COALESCE(ended_at, started_at) FROM turns WHERE id = ?""",
            rows,
        )


def _require_text(**values: Any) -> None:
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")


def _not_found(what: str, key: object) -> StoreError:
    return SessionNotFoundError(what, key)
