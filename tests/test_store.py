"""Session store: round trips, attempts, crash recovery with killed processes, damaged databases, full disks, permissions."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.store import (
    SessionMode, SessionNotFoundError, SessionStateError, SessionStatus, SessionStore, StoreDiskFullError, StoreTooNewError,
    TurnKind, TurnStatus,
)
from mockloop.engine.speech.transcript import Word as SttWord

from conftest import fill_disk


@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


def _write_wav(path: Path, seconds: float, rate: int = 16_000) -> None:
    t = np.arange(int(seconds * rate)) / rate
    sf.write(str(path), (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate, subtype="PCM_16")


def _scored_session(store: SessionStore, question: str, overall: float, status: str = "covered") -> str:
    sid = store.create_session(SessionMode.PRACTICE, "twitter-x", "standard")
    rid = store.add_round(sid, "technical-loop")
    turn = store.begin_turn(rid, question, interviewer_text="Design a ranking system.")
    store.finish_turn(turn.turn_id, transcript="an answer", scores={"overall": overall, "dimensions": {"modeling": overall}},
                      rubric=[{"id": "metrics", "status": status}], metrics={"wpm": 140.0})
    store.finish_session(sid)
    return sid


# -- round trip ---------------------------------------------------------------------------------

def test_a_full_session_round_trips_with_typed_records(store, private_data_dir):
    models = {"stt": {"name": "tiny.en", "version": "ct2-int8"}, "tts": {"name": "joe-medium"}, "llm": {"name": "SmolLM2-135M"}}
    sid = store.create_session("loop", "twitter-x", "bar-raiser", models=models, notes="first try")
    assert sid[:8].isdigit() and sid[8] == "-"
    screen = store.add_round(sid, "recruiter-screen", time_budget_s=900)
    turn = store.begin_turn(screen, "rs-why-x", interviewer_text="Why X?")
    assert turn.audio_path.parent == private_data_dir / "sessions" / sid
    assert turn.audio_path.name == "r01-t001-rs-why-x-answer.wav" and (turn.attempt, turn.index) == (1, 1)
    store.update_turn(turn.turn_id, transcript="I like the scale",
                      words=[SttWord("I", 0.0, 0.2, 0.9), {"text": "like", "start": 0.2, "end": 0.4, "probability": 0.8},
                             SimpleNamespace(word="scale", start=0.5, end=0.9, probability=0.7)])
    nudge = store.add_nudge(turn.turn_id, "Take your time, think out loud.", offset_s=6.5)
    probe = store.begin_turn(screen, parent_turn_id=turn.turn_id, interviewer_text="What scale?",
                             followup={"source": "rubric-gap", "target": "motivation", "candidates": ["What scale?"]})
    store.finish_turn(probe.turn_id, transcript="Billions of posts")
    turn.audio_path.write_bytes(b"")  # the recorder made the file (its content does not matter here)
    store.finish_turn(turn.turn_id, scores={"overall": 64.0, "dimensions": {"communication": 70.0}},
                      feedback={"gaps": ["Name a product"]}, interviewer_audio=turn.interviewer_audio_path)
    store.finish_round(screen)
    tech = store.add_round(sid, "technical-loop", persona_id="standard")
    skipped = store.begin_turn(tech, "ml-sd-01", interviewer_text="Design a feed ranker.")
    store.finish_turn(skipped.turn_id, status=TurnStatus.SKIPPED)
    finished = store.finish_session(sid)

    assert finished.status is SessionStatus.FINISHED and finished.ended_at >= finished.started_at
    again = store.get_session(sid)
    assert again == finished
    assert again.mode is SessionMode.LOOP and again.models == models and again.notes == "first try" and again.owner_pid is None
    assert [(r.index, r.stage_id, r.persona_id) for r in again.rounds] == [(1, "recruiter-screen", None), (2, "technical-loop", "standard")]
    assert again.rounds[0].time_budget_s == 900 and all(r.ended_at is not None for r in again.rounds)
    question, followup = again.rounds[0].turns
    assert question.kind is TurnKind.QUESTION and question.status is TurnStatus.DONE and question.overall == 64.0
    assert [w.text for w in question.words] == ["I", "like", "scale"] and question.words[2].end == 0.9
    assert question.nudges == [nudge] and nudge.offset_s == 6.5
    assert question.interviewer_audio == turn.interviewer_audio_path and question.feedback == {"gaps": ["Name a product"]}
    assert question.followups[0]["turn_id"] == probe.turn_id and question.followups[0]["text"] == "What scale?"
    assert question.followups[0]["source"] == "rubric-gap"
    assert (followup.kind, followup.parent_turn_id, followup.question_id) == (TurnKind.FOLLOWUP, turn.turn_id, "rs-why-x")
    assert followup.transcript == "Billions of posts" and followup.index == 2
    assert again.rounds[1].turns[0].status is TurnStatus.SKIPPED
    # Paths inside the data folder are stored relative, so the folder can move.
    with closing(sqlite3.connect(store.path)) as raw:
        stored = raw.execute("SELECT candidate_audio FROM turns WHERE id = ?", (turn.turn_id,)).fetchone()[0]
    assert stored == f"sessions/{sid}/r01-t001-rs-why-x-answer.wav"


def test_json_fields_are_checked_before_anything_is_written(store):
    sid = store.create_session("practice", "twitter-x", "standard")
    turn = store.begin_turn(store.add_round(sid, "technical-loop"), "ml-sd-01")
    store.update_turn(turn.turn_id, transcript="kept", metrics={"wpm": 120.0})
    with pytest.raises(TypeError):
        store.update_turn(turn.turn_id, transcript="lost", metrics=[1, 2])
    with pytest.raises(TypeError):
        store.update_turn(turn.turn_id, transcript="lost", feedback={"x": object()})
    with pytest.raises(TypeError):
        store.update_turn(turn.turn_id, words=[{"start": 1.0}])
    with pytest.raises(ValueError):
        store.create_session("interview", "twitter-x", "standard")
    assert store.get_turn(turn.turn_id).transcript == "kept"
    # JSON has no NaN: an undefined number is kept as null instead of failing the save.
    store.update_turn(turn.turn_id, scores={"overall": float("nan"), "dimensions": {"depth": np.float64(55.5)}},
                      metrics={"pause_ratio": float("inf"), "fillers": np.int64(3)})
    saved = store.get_turn(turn.turn_id)
    assert saved.overall is None and saved.scores == {"overall": None, "dimensions": {"depth": 55.5}}
    assert saved.metrics == {"pause_ratio": None, "fillers": 3}


def test_summaries_list_newest_first_with_averages_and_pages(store):
    ids = [_scored_session(store, "ml-sd-01", score) for score in (40.0, 60.0, 80.0)]
    busy = store.create_session("loop", "twitter-x", "bar-raiser")
    rid = store.add_round(busy, "technical-loop")
    for q, score in (("a", 50.0), ("b", None)):
        t = store.begin_turn(rid, q)
        store.finish_turn(t.turn_id, scores={"overall": score} if score is not None else {})
    store.begin_turn(rid, parent_turn_id=t.turn_id)  # follow-ups are not counted as turns
    summaries = store.list_sessions(limit=10)
    assert [s.started_at for s in summaries] == sorted((s.started_at for s in summaries), reverse=True)
    by_id = {s.id: s for s in summaries}
    assert [by_id[i].overall_average for i in ids] == [40.0, 60.0, 80.0]
    assert (by_id[busy].turn_count, by_id[busy].scored_count, by_id[busy].overall_average) == (2, 1, 50.0)
    assert by_id[busy].status is SessionStatus.IN_PROGRESS and not by_id[busy].interrupted
    pages = store.list_sessions(limit=3) + store.list_sessions(limit=3, offset=3)
    assert sorted(s.id for s in pages) == sorted([*ids, busy]) and store.count_sessions() == 4


def test_attempts_are_numbered_and_compared_across_sessions(store):
    first = _scored_session(store, "ml-sd-01", 45.0, status="missing")
    sid = store.create_session("practice", "twitter-x", "standard")
    rid = store.add_round(sid, "technical-loop")
    one = store.begin_turn(rid, "ml-sd-01")
    store.finish_turn(one.turn_id, scores={"overall": 55.0}, rubric=[{"id": "metrics", "status": "partial"}])
    store.begin_turn(rid, parent_turn_id=one.turn_id, interviewer_text="And offline?")
    other = store.begin_turn(rid, "ml-sd-02")
    two = store.begin_turn(rid, "ml-sd-01")  # the candidate asked to answer again
    store.finish_turn(two.turn_id, scores={"overall": 72.0, "dimensions": {"modeling": 80.0}},
                      rubric=[{"id": "metrics", "status": "covered", "evidence": [{"match": "precision"}]}])
    assert (one.attempt, other.attempt, two.attempt) == (1, 1, 2)
    attempts = store.attempts_for_question("ml-sd-01")
    assert [(a.session_id, a.attempt, a.overall) for a in attempts] == [(first, 1, 45.0), (sid, 1, 55.0), (sid, 2, 72.0)]
    assert [a.rubric_status["metrics"] for a in attempts] == ["missing", "partial", "covered"]
    assert attempts[0].metrics == {"wpm": 140.0} and attempts[2].dimensions == {"modeling": 80.0}
    assert store.attempts_for_question("nope") == []


def test_delete_removes_rows_and_recordings_but_refuses_a_live_session(store, private_data_dir):
    keep = _scored_session(store, "ml-sd-01", 50.0)
    sid = store.create_session("practice", "twitter-x", "standard")
    turn = store.begin_turn(store.add_round(sid, "technical-loop"), "ml-sd-01")
    _write_wav(turn.audio_path, 0.5)
    with pytest.raises(SessionStateError):
        store.delete_session(sid)
    store.finish_turn(turn.turn_id, axis_scores={"ml-system-design": 50.0})
    store.finish_session(sid)
    store.delete_session(sid)
    assert not turn.audio_path.parent.exists() and (private_data_dir / "sessions").is_dir()
    with pytest.raises(SessionNotFoundError):
        store.get_session(sid)
    with pytest.raises(SessionNotFoundError):
        store.delete_session("../../etc")
    assert [s.id for s in store.list_sessions()] == [keep]
    assert store.axis_history() == [] and len(store.attempts_for_question("ml-sd-01")) == 1


# -- crash safety with real processes -----------------------------------------------------------

def _python(code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], text=True, **kwargs)


def test_a_process_killed_mid_answer_leaves_an_interrupted_session_with_its_turn(private_data_dir):
    child = _python("""
        import os, signal
        import numpy as np, soundfile as sf
        from mockloop.engine.store import SessionStore
        store = SessionStore.open()
        sid = store.create_session("loop", "twitter-x", "standard", models={"stt": {"name": "tiny.en"}})
        rid = store.add_round(sid, "technical-loop", time_budget_s=2700)
        done = store.begin_turn(rid, "ml-sd-01", interviewer_text="Design a feed ranker.")
        store.finish_turn(done.turn_id, transcript="finished answer", scores={"overall": 61.0})
        turn = store.begin_turn(rid, "ml-sd-02", interviewer_text="How would you detect spam?")
        sf.write(str(turn.audio_path), np.zeros(24000, dtype=np.float32), 16000, subtype="PCM_16")
        store.update_turn(turn.turn_id, transcript="I would start with the labels", words=[{"text": "I", "start": 0.1, "end": 0.2, "probability": 0.9}])
        store.add_nudge(turn.turn_id, "Keep thinking out loud.", offset_s=1.2)
        print(sid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """, stdout=subprocess.PIPE)
    out, _ = child.communicate()
    assert child.returncode == -signal.SIGKILL
    sid = out.strip()
    with SessionStore.open() as store:
        assert store.notice is None
        assert store.get_session(sid).status is SessionStatus.IN_PROGRESS  # until recovery runs
        recovered = store.recover_interrupted()
        session = store.get_session(sid)
        assert [r.session_id for r in recovered] == [sid]
        assert session.status is SessionStatus.INTERRUPTED and session.interruptions == 1 and session.owner_pid is None
        assert store.list_sessions()[0].interrupted
        done, cut = session.turns
        assert done.status is TurnStatus.DONE and done.overall == 61.0
        assert recovered[0].interrupted_turns == [cut.id]
        assert cut.status is TurnStatus.INTERRUPTED and cut.transcript == "I would start with the labels"
        assert cut.words[0].text == "I" and cut.nudges[0].text == "Keep thinking out loud."
        assert cut.candidate_audio.is_file() and cut.audio_seconds == pytest.approx(1.5)
        assert cut.ended_at == cut.started_at + timedelta(seconds=1.5)
        assert session.interrupted_at == cut.ended_at
        assert store.recover_interrupted() == []  # only once

        kept = store.finalize(sid)
        assert kept.status is SessionStatus.FINISHED and kept.ended_at == cut.ended_at  # last activity, not now
        assert all(r.ended_at is not None for r in kept.rounds) and kept.turns[1].status is TurnStatus.INTERRUPTED


def test_a_sigkill_at_any_moment_leaves_a_consistent_database(private_data_dir):
    writer = """
        from mockloop.engine.store import SessionStore
        store = SessionStore.open()
        sid = store.create_session("practice", "twitter-x", "standard")
        rid = store.add_round(sid, "technical-loop")
        print(sid, flush=True)
        i = 0
        while True:
            turn = store.begin_turn(rid, f"q{i % 3}", interviewer_text="question " * i)
            store.update_turn(turn.turn_id, transcript="word " * i, words=[{"text": "word", "start": 0.0, "end": 0.3, "probability": 0.5}] * (i % 7))
            store.add_nudge(turn.turn_id, "Still there?", offset_s=float(i))
            store.finish_turn(turn.turn_id, scores={"overall": float(i % 100)}, axis_scores={"ml": float(i % 100)})
            i += 1
            print(i, flush=True)
    """
    for lines in (1, 7, 40):
        child = _python(writer, stdout=subprocess.PIPE)
        sid = child.stdout.readline().strip()
        for _ in range(lines):
            child.stdout.readline()
        child.send_signal(signal.SIGKILL)  # lands wherever the writer happens to be
        child.communicate()
        with SessionStore.open() as store:
            assert store.notice is None
            assert store._db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert [r.session_id for r in store.recover_interrupted()] == [sid]
            turns = store.get_session(sid).turns
            assert len(turns) >= lines
            for turn in turns:
                assert turn.status in (TurnStatus.DONE, TurnStatus.INTERRUPTED)
                if turn.status is TurnStatus.DONE:
                    assert turn.overall is not None and len(turn.nudges) == 1
            assert [t.status for t in turns[:-1]] == [TurnStatus.DONE] * (len(turns) - 1)


def test_a_live_owner_keeps_its_session_and_a_reused_pid_does_not(private_data_dir):
    child = _python("""
        import sys
        from mockloop.engine.store import SessionStore
        store = SessionStore.open()
        sid = store.create_session("practice", "twitter-x", "standard")
        store.begin_turn(store.add_round(sid, "technical-loop"), "ml-sd-01")
        print(sid, flush=True)
        sys.stdin.readline()  # stays alive until the test says so
    """, stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    try:
        other = child.stdout.readline().strip()
        with SessionStore.open() as store:
            mine = store.create_session("practice", "twitter-x", "standard")
            assert store.recover_interrupted() == []  # both owners are alive
            with pytest.raises(SessionStateError):
                store.resume_session(other)
            with pytest.raises(SessionStateError):
                store.finalize(other)
            # Same PID as a live process but another start time: the PID was reused, the owner is gone.
            store._db.conn.execute("UPDATE sessions SET owner_started = owner_started - 3600 WHERE id = ?", (mine,))
            assert [r.session_id for r in store.recover_interrupted()] == [mine]
            child.send_signal(signal.SIGKILL)
            child.communicate()
            recovered = store.recover_interrupted()
            assert [r.session_id for r in recovered] == [other] and len(recovered[0].interrupted_turns) == 1
            assert store.get_session(other).turns[0].audio_seconds is None  # nothing was recorded
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()


def test_an_interrupted_session_can_be_resumed_and_finished(store):
    sid = store.create_session("practice", "twitter-x", "standard")
    rid = store.add_round(sid, "technical-loop")
    first = store.begin_turn(rid, "ml-sd-01")
    store._db.conn.execute("UPDATE sessions SET owner_pid = NULL WHERE id = ?", (sid,))  # as if the owner died
    assert [r.session_id for r in store.recover_interrupted()] == [sid]
    with pytest.raises(SessionStateError):
        store.begin_turn(rid, "ml-sd-01")
    resumed = store.resume_session(sid)
    assert resumed.status is SessionStatus.IN_PROGRESS and resumed.owner_pid == os.getpid()
    assert store.recover_interrupted() == []  # now owned by this live process
    again = store.begin_turn(rid, "ml-sd-01")
    assert again.attempt == 2 and store.get_turn(first.turn_id).status is TurnStatus.INTERRUPTED
    store.finish_turn(again.turn_id, scores={"overall": 70.0})
    done = store.finish_session(sid)
    assert done.status is SessionStatus.FINISHED and done.interruptions == 1
    with pytest.raises(SessionStateError):
        store.resume_session(sid)
    assert store.finalize(sid) == done


# -- damaged databases --------------------------------------------------------------------------

def _assert_replaced(private_data_dir: Path, original: bytes) -> None:
    recording = private_data_dir / "sessions" / "20260101-000000-abcd" / "r01-t001-q-answer.wav"
    with SessionStore.open() as store:
        assert store.notice is not None and store.recovered_from == store.notice.moved_to
        moved = store.notice.moved_to
        assert moved.parent == private_data_dir and moved.name.startswith("mockloop.db.corrupt-")
        assert moved.read_bytes() == original  # moved aside, never deleted
        assert str(moved) in store.notice.message and str(private_data_dir / "sessions") in store.notice.message
        assert store.notice.message.startswith("Your session database was damaged")
        assert recording.read_bytes() == b"audio"
        assert store.list_sessions() == []
        store.create_session("practice", "twitter-x", "standard")
    with SessionStore.open() as store:
        assert store.notice is None and store.count_sessions() == 1


def _plant_recording(private_data_dir: Path) -> None:
    folder = private_data_dir / "sessions" / "20260101-000000-abcd"
    folder.mkdir(parents=True)
    (folder / "r01-t001-q-answer.wav").write_bytes(b"audio")


def test_a_file_of_garbage_is_moved_aside_with_its_wal(private_data_dir):
    _plant_recording(private_data_dir)
    garbage = os.urandom(3000) + b"not sqlite at all" * 100
    (private_data_dir / "mockloop.db").write_bytes(garbage)
    (private_data_dir / "mockloop.db-wal").write_bytes(b"stale wal")
    _assert_replaced(private_data_dir, garbage)
    moved = next(private_data_dir.glob("mockloop.db.corrupt-*-wal"))
    assert moved.read_bytes() == b"stale wal"


def test_a_truncated_database_is_moved_aside(private_data_dir):
    with SessionStore.open() as store:
        for _ in range(120):
            _scored_session(store, "ml-sd-01", 50.0)
    db = private_data_dir / "mockloop.db"
    assert not db.with_name("mockloop.db-wal").exists()  # checkpointed on close: all pages are in the file
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    _plant_recording(private_data_dir)
    _assert_replaced(private_data_dir, data[: len(data) // 2])


def test_an_empty_file_is_a_new_database_not_a_damaged_one(private_data_dir):
    private_data_dir.mkdir()
    (private_data_dir / "mockloop.db").write_bytes(b"")  # a crash during the very first start
    with SessionStore.open() as store:
        assert store.notice is None and store.count_sessions() == 0


def test_a_database_from_a_newer_version_is_left_untouched(private_data_dir):
    with SessionStore.open() as store:
        _scored_session(store, "ml-sd-01", 50.0)
        store._db.conn.execute("PRAGMA user_version = 99")
    before = (private_data_dir / "mockloop.db").read_bytes()
    with pytest.raises(StoreTooNewError) as info:
        SessionStore.open()
    assert "newer version of mockloop" in info.value.user_message()
    assert (private_data_dir / "mockloop.db").read_bytes() == before
    assert list(private_data_dir.glob("*.corrupt-*")) == []


# -- full disk ----------------------------------------------------------------------------------

def test_a_full_disk_is_reported_and_loses_nothing_stored(small_disk, monkeypatch):
    monkeypatch.setenv("MOCKLOOP_DATA_DIR", str(small_disk / "data"))
    store = SessionStore.open()
    try:
        sid = store.create_session("practice", "twitter-x", "standard")
        rid = store.add_round(sid, "technical-loop")
        turn = store.begin_turn(rid, "ml-sd-01")
        store.update_turn(turn.turn_id, transcript="what was said before the disk filled")
        filler = fill_disk(small_disk)
        with pytest.raises(StoreDiskFullError) as info:
            store.update_turn(turn.turn_id, transcript="a long answer " * 20_000)
        assert "is full" in info.value.problem and "Everything saved before is intact" in info.value.fix
        with pytest.raises(StoreDiskFullError):
            store.begin_turn(rid, "ml-sd-02")
        assert store.get_turn(turn.turn_id).transcript == "what was said before the disk filled"
        filler.unlink()
        store.finish_turn(turn.turn_id, transcript="finished after freeing space")
    finally:
        store.close()
    with SessionStore.open() as store:
        assert store.notice is None
        assert [t.transcript for t in store.get_session(sid).turns] == ["finished after freeing space"]


def test_a_full_database_limit_is_the_same_typed_error(store):
    sid = store.create_session("practice", "twitter-x", "standard")
    turn = store.begin_turn(store.add_round(sid, "technical-loop"), "ml-sd-01")
    store.update_turn(turn.turn_id, transcript="kept")
    conn = store._db.conn  # SQLite's page limit raises the very error code a full disk does
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreDiskFullError):
        store.update_turn(turn.turn_id, transcript="x" * 100_000)
    assert store.get_turn(turn.turn_id).transcript == "kept"
    conn.execute("PRAGMA max_page_count = 1073741823")
    store.update_turn(turn.turn_id, transcript="x" * 100_000)


# -- permissions --------------------------------------------------------------------------------

def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_folders_are_0700_and_files_0600_whatever_the_umask(private_data_dir):
    private_data_dir.mkdir(mode=0o755)
    os.chmod(private_data_dir, 0o755)
    previous = os.umask(0)
    try:
        with SessionStore.open() as store:
            sid = store.create_session("practice", "twitter-x", "standard")
            turn = store.begin_turn(store.add_round(sid, "technical-loop"), "ml-sd-01")
            _write_wav(turn.audio_path, 0.25)  # written by another component under a loose umask
            assert _mode(turn.audio_path) == 0o666
            store.finish_turn(turn.turn_id, transcript="an answer " * 200)
            db = private_data_dir / "mockloop.db"
            companions = [db.with_name("mockloop.db-wal"), db.with_name("mockloop.db-shm")]
            assert all(p.exists() for p in companions)
            for path in (db, *companions, turn.audio_path):
                assert _mode(path) == 0o600, path
            for folder in (private_data_dir, private_data_dir / "sessions", turn.audio_path.parent):
                assert _mode(folder) == 0o700, folder
            assert store.get_turn(turn.turn_id).audio_seconds == pytest.approx(0.25)
    finally:
        os.umask(previous)


def test_a_second_process_reads_while_the_first_writes(store):
    sid = _scored_session(store, "ml-sd-01", 50.0)
    live = store.create_session("loop", "twitter-x", "standard")
    store.add_round(live, "technical-loop")
    reader = _python("""
        from mockloop.engine.store import SessionStore
        with SessionStore.open() as store:
            print(" ".join(sorted(s.id for s in store.list_sessions())))
    """, stdout=subprocess.PIPE)
    out, _ = reader.communicate()
    assert reader.returncode == 0 and out.split() == sorted([sid, live])


def test_a_typed_answer_keeps_no_recording_path(store):
    sid = store.create_session(SessionMode.PRACTICE, "twitter-x", "standard")
    rid = store.add_round(sid, "technical-loop")
    turn = store.begin_turn(rid, "mle-spam-class-imbalance", interviewer_text="How would you handle it?")
    assert not turn.audio_path.exists()
    finished = store.finish_turn(turn.turn_id, transcript="typed: precision and recall")
    assert finished.candidate_audio is None and store.get_turn(turn.turn_id).candidate_audio is None
    spoken = store.begin_turn(rid, "mle-spam-class-imbalance", interviewer_text="Again, out loud.")
    spoken.audio_path.parent.mkdir(parents=True, exist_ok=True)
    spoken.audio_path.write_bytes(b"")  # a recording was started
    assert store.finish_turn(spoken.turn_id, transcript="spoken").candidate_audio == spoken.audio_path
