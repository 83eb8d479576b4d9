"""The candidate's exchanges with the interviewer in the store: appended as they happen, through reopen,
a full disk, a crash, snapshots and an older snapshot without them."""

from __future__ import annotations

import threading

import pytest

from mockloop.engine.core.exchanges import Exchange
from mockloop.engine.store import SessionNotFoundError, SessionStore, StoreDiskFullError
from mockloop.engine.store.patient_store import PatientStore

ASKED = Exchange("clarify", "How many posts a day are we talking about?", "About 500 million posts a day.",
                 asked_at=1.2, asked_end=3.9, reply_at=4.6, fact_id="post-volume", topic="scale", similarity=0.81,
                 confidence=0.97, reply_audio="/somewhere/else/turn-1-reply-1.wav")
THINK = Exchange("think", "Can I have a minute to think?", "Of course, take your time.", asked_at=20.0, asked_end=21.5,
                 reply_at=22.1)


@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


def _turn(store: SessionStore) -> tuple[str, int]:
    sid = store.create_session("practice", "twitter-x", "standard")
    turn = store.begin_turn(store.add_round(sid, "technical-loop"), "ds-trending-topics", interviewer_text="Trends?")
    return sid, turn.turn_id


def test_exchanges_append_in_order_keep_a_bare_audio_name_and_survive_a_reopen(private_data_dir):
    with SessionStore.open() as store:
        sid, turn_id = _turn(store)
        assert store.get_turn(turn_id).exchanges == []
        assert store.add_exchange(turn_id, ASKED) == 1
        assert store.add_exchange(turn_id, THINK.to_dict()) == 2
    with SessionStore.open() as store:
        kept = store.get_session(sid).turns[0].exchanges
        assert [e["intent"] for e in kept] == ["clarify", "think"]
        assert kept[0]["reply_audio"] == "turn-1-reply-1.wav"  # in the session's folder, wherever it moves
        assert Exchange.from_dict(kept[1]) == THINK and kept == store.exchanges(turn_id)


def test_bad_exchanges_are_refused_and_nothing_is_written(store):
    _, turn_id = _turn(store)
    for bad, words in [({**THINK.to_dict(), "intent": "chat"}, "intent"), ({**THINK.to_dict(), "asked": None}, "asked"),
                       ({**THINK.to_dict(), "asked_at": -1.0}, "asked_at"), ("hello", "JSON object")]:
        with pytest.raises(ValueError, match=words):
            store.add_exchange(turn_id, bad)
    with pytest.raises(SessionNotFoundError):
        store.add_exchange(turn_id + 99, THINK)
    assert store.exchanges(turn_id) == []


def test_a_full_disk_refuses_with_the_typed_error_and_a_patient_store_waits_it_out(store):
    _, turn_id = _turn(store)
    store.add_exchange(turn_id, THINK)
    conn = store._db.conn  # SQLite's page limit raises the very error code a full disk does
    big = Exchange("clarify", "x " * 200_000, "Make an assumption and state it.")
    with store._db.lock:
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(StoreDiskFullError):
        store.add_exchange(turn_id, big)
    assert len(store.exchanges(turn_id)) == 1
    full, freed, give_up = threading.Event(), threading.Event(), threading.Event()
    patient = PatientStore(store, on_full=lambda exc: full.set(), on_freed=freed.set, give_up=give_up, retry_seconds=0.02)
    writer = threading.Thread(target=patient.add_exchange, args=(turn_id, big))
    writer.start()
    try:
        assert full.wait(30) and writer.is_alive()
        with store._db.lock:
            conn.execute("PRAGMA max_page_count = 1073741823")
        writer.join(30)
    finally:
        give_up.set()
        writer.join(30)
    assert freed.is_set() and [e["intent"] for e in store.exchanges(turn_id)] == ["think", "clarify"]


def test_snapshots_carry_exchanges_and_one_made_before_them_still_goes_in(store):
    sid, turn_id = _turn(store)
    store.add_exchange(turn_id, ASKED)
    store.finish_turn(turn_id)
    store.finish_session(sid)
    snap = store.export_snapshot(sid)
    assert snap["rounds"][0]["turns"][0]["exchanges"] == store.exchanges(turn_id)
    store.delete_session(sid)
    assert store.import_snapshot(snap) == sid
    assert store.get_session(sid).turns[0].exchanges == snap["rounds"][0]["turns"][0]["exchanges"]

    older = store.export_snapshot(sid)
    del older["rounds"][0]["turns"][0]["exchanges"]  # schema 4 had no exchanges
    store.delete_session(sid)
    store.import_snapshot(older)
    assert store.get_session(sid).turns[0].exchanges == []

    bad = store.export_snapshot(sid)
    bad["rounds"][0]["turns"][0]["exchanges"] = [{"intent": "clarify", "asked": 3, "reply": ""}]
    store.delete_session(sid)
    with pytest.raises(ValueError, match="asked"):
        store.import_snapshot(bad)
