"""Code in the store: each Run and a turn's final code with its timeline, through reopen, deletion, crashes, snapshots."""

from __future__ import annotations

import math
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from contextlib import closing

import pytest

from mockloop.engine.coding.results import CaseResult, CodeRun, RunResult, RunStatus
from mockloop.engine.coding.session import CodeSession
from mockloop.engine.coding.timeline import EditTimeline
from mockloop.engine.store import SessionNotFoundError, SessionStatus, SessionStore, StoreDiskFullError, TurnStatus
from mockloop.engine.store.patient_store import PatientStore

STARTER = "def auc(scores, labels):\n    pass\n"
SOLUTION = "def auc(scores, labels):\n    return 0.5\n"


def _result(passed: int, total: int = 3) -> dict:
    cases = [CaseResult(f"case {i}", i < passed, f"auc([{i}], [1])", "1.0", "1.0" if i < passed else "0.5", seconds=0.01)
             for i in range(total)]
    status = RunStatus.PASSED if passed == total else RunStatus.FAILED
    return RunResult(status, f"{passed} of {total} tests passed.", cases, stdout="hi\n", seconds=0.2).to_dict()


def _code(final: str = SOLUTION) -> dict:
    timeline = EditTimeline(STARTER)
    timeline.add(12.5, len("def auc(scores, labels):\n    "), len("pass"), "return 0.5")
    assert timeline.final == final
    return {"question_id": "coding-auc", "timeline": timeline.to_dict(), "final": timeline.final}


@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


def _turn(store: SessionStore) -> tuple[str, int]:
    sid = store.create_session("practice", "twitter-x", "standard")
    turn = store.begin_turn(store.add_round(sid, "technical-loop"), "coding-auc", interviewer_text="Write ROC-AUC.")
    return sid, turn.turn_id


def _count(store: SessionStore, table: str) -> int:
    with closing(sqlite3.connect(store.path)) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_runs_and_code_round_trip_and_survive_a_reopen(store):
    sid, turn_id = _turn(store)
    spoken = store.begin_turn(store.get_turn(turn_id).round_id, "ml-sd-01").turn_id
    store.add_code_run(turn_id, 1, 20.0, STARTER, _result(0))
    store.add_code_run(turn_id, 2, 41.25, SOLUTION, _result(3))
    first = store.code_runs(turn_id)
    assert [(r["idx"], r["offset_s"], r["code"], r["result"]["passed"]) for r in first] == [
        (1, 20.0, STARTER, 0), (2, 41.25, SOLUTION, 3)]
    assert first[1]["result"] == _result(3) and first[0]["created_at"].endswith("+00:00")
    store.set_turn_code(turn_id, _code())
    store.finish_turn(turn_id, transcript="I'd sort by score first.")
    store.finish_turn(spoken, transcript="A spoken answer.")
    path = store.path
    store.close()
    with SessionStore.open(path) as again:
        turn, other = again.get_session(sid).turns
        assert turn.code == _code() and turn.code_runs == first
        assert again.get_turn(turn_id) == turn and again.code_runs(turn_id) == first
        assert EditTimeline.from_dict(turn.code["timeline"]).text_at(13.0) == SOLUTION
        assert EditTimeline.from_dict(turn.code["timeline"]).text_at(12.0) == STARTER
        assert RunResult.from_dict(turn.code_runs[-1]["result"]).status is RunStatus.PASSED
        assert (other.code, other.code_runs) == ({}, [])  # a spoken answer has no code


def test_saving_a_run_again_replaces_it_and_keeps_when_it_was_first_saved(store):
    _, turn_id = _turn(store)
    store.add_code_run(turn_id, 1, 5.0, STARTER, {"status": "unavailable", "summary": "Still running."})
    created = store.code_runs(turn_id)[0]["created_at"]
    store.add_code_run(turn_id, 1, 5.0, STARTER, _result(1))  # the end of the turn saves every run again
    store.add_code_run(turn_id, 1, 5.0, STARTER, _result(1))
    runs = store.code_runs(turn_id)
    assert len(runs) == 1 and runs[0]["result"] == _result(1) and runs[0]["created_at"] == created
    assert _count(store, "code_runs") == 1


def test_a_code_session_snapshot_goes_in_as_it_is(store):
    """What the coding wing hands over at the end of a turn: runs as CodeRun, the code as its timeline's dict."""
    _, turn_id = _turn(store)
    clock = iter([100.0, 103.0, 104.5]).__next__
    session = CodeSession("coding-auc", STARTER, clock=clock)
    session.start_clock()
    session.edit(len(STARTER) - len("pass\n"), 4, "return 0.5")
    session.add_run(CodeRun(4.5, session.text(), RunResult.from_dict(_result(3))))
    snap = session.snapshot()
    for idx, run in enumerate(snap.runs, 1):
        store.add_code_run(turn_id, idx, run.offset_s, run.code, run.result)  # a RunResult, stored as its dict
    store.set_turn_code(turn_id, {"question_id": snap.question_id, "timeline": snap.timeline.to_dict(), "final": snap.final})
    turn = store.get_turn(turn_id)
    assert [CodeRun.from_dict(r) for r in turn.code_runs] == snap.runs
    assert EditTimeline.from_dict(turn.code["timeline"]).to_dict() == snap.timeline.to_dict()
    assert turn.code["final"] == SOLUTION and EditTimeline.from_dict(turn.code["timeline"]).first_code_time() == 3.0


def test_bad_values_are_refused_and_nothing_is_written(store):
    _, turn_id = _turn(store)
    for idx, offset, code, result in ((0, 1.0, "x", {}), (True, 1.0, "x", {}), (1.5, 1.0, "x", {}), (1, -1.0, "x", {}),
                                      (1, math.nan, "x", {}), (1, 1.0, None, {}), (1, 1.0, "x", [1]), (1, "1", "x", {})):
        with pytest.raises(ValueError):
            store.add_code_run(turn_id, idx, offset, code, result)
    for code in ([], {"final": 3}, {"timeline": {"starter": "", "edits": [[1, 2, 3]]}},
                 {"timeline": {"starter": "", "edits": [["t", 0, 0, "x"]]}}, {"timeline": "no"}):
        with pytest.raises(ValueError):
            store.set_turn_code(turn_id, code)
    assert _count(store, "code_runs") == 0 and store.get_turn(turn_id).code == {}
    for call in (lambda: store.add_code_run(9999, 1, 0.0, "x", {}), lambda: store.set_turn_code(9999, _code()),
                 lambda: store.code_runs(9999)):
        with pytest.raises(SessionNotFoundError, match="no turn '9999'"):
            call()


def test_deleting_a_session_deletes_its_runs(store):
    sid, turn_id = _turn(store)
    keep_sid, keep_turn = _turn(store)
    for t in (turn_id, keep_turn):
        store.add_code_run(t, 1, 1.0, STARTER, _result(0))
        store.set_turn_code(t, _code())
    store.finish_session(sid)
    store.delete_session(sid)
    assert _count(store, "code_runs") == 1 and len(store.code_runs(keep_turn)) == 1
    with pytest.raises(SessionNotFoundError):
        store.code_runs(turn_id)


def test_a_full_database_is_the_typed_error_and_keeps_what_was_saved(store):
    _, turn_id = _turn(store)
    store.add_code_run(turn_id, 1, 1.0, STARTER, _result(0))
    conn = store._db.conn  # SQLite's page limit raises the very error code a full disk does
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    big = "# a long comment\n" * 20_000
    with pytest.raises(StoreDiskFullError):
        store.add_code_run(turn_id, 2, 2.0, big, _result(1))
    with pytest.raises(StoreDiskFullError):
        store.set_turn_code(turn_id, {**_code(), "final": big})
    assert [r["idx"] for r in store.code_runs(turn_id)] == [1] and store.get_turn(turn_id).code == {}
    conn.execute("PRAGMA max_page_count = 1073741823")
    store.add_code_run(turn_id, 2, 2.0, big, _result(1))
    assert [r["code"] for r in store.code_runs(turn_id)] == [STARTER, big]


def test_the_code_methods_wait_out_a_full_database_through_patient_store(store):
    _, turn_id = _turn(store)
    full, freed, give_up = threading.Event(), threading.Event(), threading.Event()
    patient = PatientStore(store, on_full=lambda exc: full.set(), on_freed=freed.set, give_up=give_up, retry_seconds=0.02)
    patient.add_code_run(turn_id, 1, 1.0, STARTER, _result(0))
    patient.set_turn_code(turn_id, _code())
    assert patient.code_runs(turn_id)[0]["code"] == STARTER and patient.get_turn(turn_id).code == _code()
    conn = store._db.conn
    with store._db.lock:
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    big = "x = 1\n" * 50_000
    writer = threading.Thread(target=patient.add_code_run, args=(turn_id, 2, 30.0, big, _result(3)))
    writer.start()
    try:
        assert full.wait(30)
        assert writer.is_alive()  # waiting with the run in hand
        with store._db.lock:
            conn.execute("PRAGMA max_page_count = 1073741823")
        writer.join(30)
    finally:
        give_up.set()  # only to end a writer that is still waiting when an assertion failed
        writer.join(30)
    assert not writer.is_alive() and freed.is_set()
    assert [r["code"] for r in store.code_runs(turn_id)] == [STARTER, big]


def test_recovery_keeps_the_runs_of_a_turn_cut_off_by_a_crash(private_data_dir):
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, signal
        from mockloop.engine.store import SessionStore
        store = SessionStore.open()
        sid = store.create_session("practice", "twitter-x", "standard")
        turn = store.begin_turn(store.add_round(sid, "technical-loop"), "coding-auc")
        store.add_code_run(turn.turn_id, 1, 20.0, {STARTER!r}, {{"status": "failed", "summary": "0 of 3 tests passed."}})
        store.add_code_run(turn.turn_id, 2, 41.0, {SOLUTION!r}, {{"status": "passed", "summary": "3 of 3 tests passed."}})
        print(sid, turn.turn_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # before the turn ends: the final code is never saved
    """)], capture_output=True, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    sid, turn_id = child.stdout.split()
    with SessionStore.open() as store:
        assert [r.session_id for r in store.recover_interrupted()] == [sid]
        turn = store.get_turn(int(turn_id))
        assert turn.status is TurnStatus.INTERRUPTED and turn.code == {}
        assert [(r["idx"], r["code"], r["result"]["status"]) for r in turn.code_runs] == [
            (1, STARTER, "failed"), (2, SOLUTION, "passed")]
        assert store.finalize(sid).status is SessionStatus.FINISHED
        assert store.code_runs(int(turn_id)) == turn.code_runs
        assert store.get_session(sid).turns[0].code_runs == turn.code_runs


def test_snapshots_carry_code_and_runs_and_one_without_them_still_goes_in(store):
    sid, turn_id = _turn(store)
    store.add_code_run(turn_id, 1, 20.0, STARTER, _result(0))
    store.add_code_run(turn_id, 2, 41.0, SOLUTION, _result(3))
    store.set_turn_code(turn_id, _code())
    store.finish_turn(turn_id)
    store.finish_session(sid)
    snap = store.export_snapshot(sid)
    [turn] = snap["rounds"][0]["turns"]
    assert turn["code"] == _code() and turn["code_runs"] == store.code_runs(turn_id)
    store.delete_session(sid)
    assert store.import_snapshot(snap) == sid
    copy = store.get_session(sid).turns[0]
    assert copy.code == _code() and copy.code_runs == turn["code_runs"]

    # A snapshot made before schema 4 has neither key.
    older = store.export_snapshot(sid)
    for t in older["rounds"][0]["turns"]:
        del t["code"], t["code_runs"]
    store.delete_session(sid)
    store.import_snapshot(older)
    assert (store.get_session(sid).turns[0].code, store.get_session(sid).turns[0].code_runs) == ({}, [])


def test_a_snapshot_with_bad_code_is_refused_whole(store):
    sid, turn_id = _turn(store)
    store.add_code_run(turn_id, 1, 20.0, STARTER, _result(0))
    store.finish_turn(turn_id)
    store.finish_session(sid)
    good = store.export_snapshot(sid)
    count = store.count_sessions()

    def changed(change):
        snap = store.export_snapshot(sid)
        change(snap["rounds"][0]["turns"][0])
        return snap

    for change in (lambda t: t["code_runs"][0].update(idx=0), lambda t: t["code_runs"][0].update(result="x"),
                   lambda t: t["code_runs"].append(dict(t["code_runs"][0])),  # the same idx twice
                   lambda t: t.update(code_runs={"idx": 1}), lambda t: t.update(code=[1]),
                   lambda t: t.update(code={"timeline": {"edits": [["x"]]}}),
                   lambda t: t["code_runs"][0].update(created_at="yesterday")):
        with pytest.raises(ValueError):
            store.import_snapshot(changed(change))
        assert store.count_sessions() == count  # all or nothing
    assert store.import_snapshot(good) != sid  # the id is taken: a copy under a new one
