"""Session store schema: numbered migrations from the first schema, with data, applied all-or-nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from importlib import resources

import pytest

from mockloop.engine.store import Migration, SessionStatus, SessionStore, StoreError, TurnStatus
from mockloop.engine.store.db import bundled_migrations, split_statements, user_version

FIRST_SCHEMA = resources.files("mockloop.engine.store").joinpath("schema", "001_initial.sql").read_text(encoding="utf-8")


def _tables(path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _version(path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return user_version(conn)


def _schema_1_database(path) -> None:
    """A database exactly as the first release wrote it: schema 001 by raw SQL, then one session of data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(FIRST_SCHEMA)
        conn.executescript("""
            PRAGMA user_version = 1;
            INSERT INTO sessions (id, mode, bank_id, persona_id, status, started_at, ended_at, app_version, models, notes)
            VALUES ('20260301-090000-0a0b', 'loop', 'twitter-x', 'bar-raiser', 'finished',
                    '2026-03-01T09:00:00.000+00:00', '2026-03-01T09:40:00.000+00:00', '0.1.0',
                    '{"stt": {"name": "tiny.en"}}', 'old notes');
            INSERT INTO rounds (id, session_id, idx, stage_id, started_at, ended_at, time_budget_s)
            VALUES (1, '20260301-090000-0a0b', 1, 'technical-loop', '2026-03-01T09:00:01.000+00:00',
                    '2026-03-01T09:40:00.000+00:00', 2700);
            INSERT INTO turns (id, round_id, idx, question_id, attempt, kind, status, interviewer_text, candidate_audio,
                               audio_seconds, transcript, words, metrics, rubric, scores, overall, nudges, started_at, ended_at)
            VALUES (1, 1, 1, 'ml-sd-01', 1, 'question', 'done', 'Design a feed ranker.',
                    'sessions/20260301-090000-0a0b/r01-t001-ml-sd-01-answer.wav', 93.5, 'I would start with the goal',
                    '[{"text": "I", "start": 0.1, "end": 0.2, "probability": 0.95}]', '{"wpm": 131.0}',
                    '[{"id": "objective", "status": "covered"}]', '{"overall": 68.0, "dimensions": {"modeling": 70.0}}',
                    68.0, '[{"text": "Take your time.", "at": "2026-03-01T09:05:00.000+00:00", "offset_s": 8.0}]',
                    '2026-03-01T09:03:00.000+00:00', '2026-03-01T09:04:40.000+00:00');
            INSERT INTO turns (id, round_id, idx, question_id, attempt, kind, parent_turn_id, status, interviewer_text,
                               started_at)
            VALUES (2, 1, 2, 'ml-sd-01', 1, 'followup', 1, 'interrupted', 'How would you evaluate it offline?',
                    '2026-03-01T09:04:41.000+00:00');
        """)


def _schema_3_database(path) -> None:
    """The schema 1 database taken to schema 3 by the bundled SQL (as release 3 left it), with a row of radar history."""
    _schema_1_database(path)
    with closing(sqlite3.connect(path)) as conn:
        for migration in bundled_migrations()[1:3]:
            conn.executescript(migration.sql)
        conn.executescript("""
            INSERT INTO axis_scores (turn_id, axis_id, score, answered_at)
            VALUES (1, 'ml-system-design', 68.0, '2026-03-01T09:04:40.000+00:00');
            INSERT INTO preferences (key, value) VALUES ('interview_date', '2026-04-01');
            PRAGMA user_version = 3;
        """)


def test_bundled_migrations_are_numbered_without_gaps():
    migrations = bundled_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert len(migrations) >= 2 and migrations[0].sql == FIRST_SCHEMA


def test_statements_split_like_sqlite_parses_them():
    script = """
        -- a comment; with a semicolon
        CREATE TABLE a (x TEXT DEFAULT 'semi;colon');
        CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 'y;'; DELETE FROM a WHERE x = ''; END;
        /* block; comment */ CREATE INDEX ai ON a (x); -- trailing
    """
    statements = split_statements(script)
    assert len(statements) == 3 and statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(ValueError):
        split_statements("CREATE TABLE b (x)")


def test_a_new_database_is_at_the_latest_schema(private_data_dir):
    with SessionStore.open() as store:
        path = store.path
    assert _version(path) == len(bundled_migrations())
    assert {"sessions", "rounds", "turns", "axis_scores"} <= _tables(path)


def test_a_schema_1_database_migrates_with_its_data(private_data_dir):
    path = private_data_dir / "mockloop.db"
    _schema_1_database(path)
    assert "axis_scores" not in _tables(path)
    with SessionStore.open() as store:
        assert store.notice is None
        session = store.get_session("20260301-090000-0a0b")
        assert session.status is SessionStatus.FINISHED and session.notes == "old notes"
        assert session.models == {"stt": {"name": "tiny.en"}} and session.rounds[0].time_budget_s == 2700
        answer, probe = session.turns
        assert answer.transcript == "I would start with the goal" and answer.words[0].probability == 0.95
        assert answer.overall == 68.0 and answer.scores["dimensions"] == {"modeling": 70.0}
        assert answer.candidate_audio == private_data_dir / "sessions/20260301-090000-0a0b/r01-t001-ml-sd-01-answer.wav"
        assert answer.nudges[0].offset_s == 8.0 and answer.audio_seconds == 93.5
        assert probe.parent_turn_id == answer.id and probe.status is TurnStatus.INTERRUPTED
        assert [a.rubric_status for a in store.attempts_for_question("ml-sd-01")] == [{"objective": "covered"}]
        assert store.list_sessions()[0].overall_average == 68.0
        # Schema 2's radar history: empty for old answers until rebuilt, then usable on them.
        assert store.axis_history() == []
        store.record_axis_scores(answer.id, {"ml-system-design": 68.0, "modeling": 70.0})
        history = store.axis_history("ml-system-design", bank_id="twitter-x")
        assert [(h.turn_id, h.session_id, h.score) for h in history] == [(1, session.id, 68.0)]
        assert history[0].answered_at == answer.ended_at
        with pytest.raises(ValueError):
            store.record_axis_scores(answer.id, {"modeling": 101.0})
        # New sessions work next to the old one, and deleting the old one takes its radar rows along.
        sid = store.create_session("practice", "twitter-x", "standard")
        turn = store.begin_turn(store.add_round(sid, "technical-loop"), "ml-sd-01")
        assert turn.attempt == 1
        store.finish_turn(turn.turn_id, scores={"overall": 75.0}, axis_scores={"ml-system-design": 75.0})
        assert [h.score for h in store.axis_history("ml-system-design")] == [68.0, 75.0]
        store.delete_session(session.id)
        assert [h.score for h in store.axis_history()] == [75.0]
    assert _version(path) == len(bundled_migrations())


def test_a_failing_migration_changes_nothing(private_data_dir):
    path = private_data_dir / "mockloop.db"
    _schema_1_database(path)
    latest = len(bundled_migrations())
    broken = Migration(latest + 1, "broken", "CREATE TABLE half_done (x TEXT);\nINSERT INTO no_such_table VALUES (1);\n")
    with pytest.raises(StoreError):
        SessionStore.open(migrations=[*bundled_migrations(), broken])
    # Every bundled migration applied and committed in its own transaction; the broken one rolled back entirely.
    assert _version(path) == latest and "half_done" not in _tables(path) and "axis_scores" in _tables(path)
    with SessionStore.open() as store:
        assert store.get_session("20260301-090000-0a0b").turns[0].overall == 68.0


def test_a_schema_3_database_gains_code_and_its_old_turns_read_as_before(private_data_dir):
    path = private_data_dir / "mockloop.db"
    _schema_3_database(path)
    assert "code_runs" not in _tables(path)
    with SessionStore.open() as store:
        session = store.get_session("20260301-090000-0a0b")
        answer, probe = session.turns
        assert answer.transcript == "I would start with the goal" and answer.overall == 68.0
        assert [(t.code, t.code_runs) for t in (answer, probe)] == [({}, []), ({}, [])]
        assert store.code_runs(answer.id) == [] and store.get_preference("interview_date") == "2026-04-01"
        assert [h.score for h in store.axis_history()] == [68.0]
        snap = store.export_snapshot(session.id)
        assert [(t["code"], t["code_runs"]) for t in snap["rounds"][0]["turns"]] == [({}, []), ({}, [])]
        # The old turns take code like new ones, and deleting the old session takes it along.
        store.add_code_run(answer.id, 1, 3.0, "print(1)", {"status": "passed", "summary": "No tests."})
        store.set_turn_code(answer.id, {"question_id": "ml-sd-01", "final": "print(1)"})
        assert store.get_turn(answer.id).code_runs[0]["code"] == "print(1)"
        with closing(sqlite3.connect(path)) as conn, pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE turns SET code = 'not json'")  # the column itself refuses what is not JSON
        store.delete_session(session.id)
    assert _version(path) == len(bundled_migrations()) and "code_runs" in _tables(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM code_runs").fetchone()[0] == 0
