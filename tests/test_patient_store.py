"""A full disk during an interview: the store's writes wait for room instead of losing the answer."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockloop.engine.store.patient_store import PatientStore
from mockloop.engine.store import SessionStore, StoreDiskFullError

from conftest import fill_disk

WAIT_S = 60  # generous: the machine is shared; a pass never waits this long


class Told:
    def __init__(self) -> None:
        self.full: list[StoreDiskFullError] = []
        self.freed = 0
        self.full_event = threading.Event()

    def on_full(self, error: StoreDiskFullError) -> None:
        self.full.append(error)
        self.full_event.set()

    def on_freed(self) -> None:
        self.freed += 1


@dataclass
class Setup:
    store: SessionStore
    patient: PatientStore
    disk: Path
    told: Told
    give_up: threading.Event
    turn_id: int


@pytest.fixture
def setup(small_disk, monkeypatch):
    """A store on a 256 KiB disk, wrapped, with one turn begun."""
    monkeypatch.setenv("MOCKLOOP_DATA_DIR", str(small_disk / "data"))
    with SessionStore.open() as store:
        told, give_up = Told(), threading.Event()
        patient = PatientStore(store, on_full=told.on_full, on_freed=told.on_freed, give_up=give_up, retry_seconds=0.05)
        sid = patient.create_session("practice", "twitter-x", "standard")
        turn = patient.begin_turn(patient.add_round(sid, "technical-loop"), "ml-sd-01")
        yield Setup(store, patient, small_disk, told, give_up, turn.turn_id)


def test_a_write_waits_for_room_then_lands(setup):
    store, patient, told = setup.store, setup.patient, setup.told
    assert patient.root == store.root  # everything else is the store's own
    disk = setup.disk
    filler = fill_disk(disk)
    answer = "what the candidate said while the disk was full " * 300
    done = []
    writer = threading.Thread(target=lambda: done.append(patient.finish_turn(setup.turn_id, transcript=answer)))
    writer.start()
    assert told.full_event.wait(WAIT_S)
    assert len(told.full) == 1 and "is full" in told.full[0].problem  # said once, not on every retry
    assert writer.is_alive() and not done  # waiting, with the answer in hand
    filler.unlink()  # the candidate frees some space
    writer.join(WAIT_S)
    assert not writer.is_alive() and told.freed == 1 and patient.waited_seconds > 0
    assert store.get_turn(setup.turn_id).transcript == answer


def test_closing_gives_up_the_wait_with_the_disk_error(setup):
    store, patient, told, give_up = setup.store, setup.patient, setup.told, setup.give_up
    patient.update_turn(setup.turn_id, transcript="saved before the disk filled")
    fill_disk(setup.disk)
    errors = []

    def write() -> None:
        try:
            patient.finish_turn(setup.turn_id, transcript="a long answer " * 20_000)
        except StoreDiskFullError as exc:
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert told.full_event.wait(WAIT_S)
    give_up.set()  # the app is closing
    writer.join(WAIT_S)
    assert not writer.is_alive() and len(errors) == 1 and told.freed == 0
    assert store.get_turn(setup.turn_id).transcript == "saved before the disk filled"
