"""Answers reach the disk as they are captured: private files, SIGKILL and a full disk lose nothing written."""

from __future__ import annotations

import os
import signal
import stat
import struct
import subprocess
import sys
import threading
import wave

import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.core import paths
from mockloop.engine.audio.capture import WavFileIn
from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.audio.recorder import Recorder, RecordingError, recover

ANSWER = (
    "I would start by defining the metric, then look at the data we already log. "
    "For ranking, I care about engagement, but also about long term retention. "
    "So I would set up an offline evaluation, a small online test, and guardrail metrics. "
    "Finally I would watch for feedback loops, because the model shapes its own training data."
)
QUANTUM = 1 / 32768  # one step of 16-bit PCM


@pytest.fixture(scope="module")
def answer_audio(voice):
    return voice.synthesize(ANSWER), voice.sample_rate


@pytest.fixture
def answer_wav(answer_audio, tmp_path):
    audio, rate = answer_audio
    path = tmp_path / "answer-source.wav"
    sf.write(path, audio, rate, subtype="FLOAT")
    return path


def captured(path) -> np.ndarray:
    """What capture delivers for a file: the 16 kHz samples a Recorder is handed."""
    blocks = []
    source = WavFileIn(path, realtime=False)
    source.start(blocks.append)
    source.wait()
    return np.concatenate([b.samples for b in blocks])


@pytest.mark.models
def test_recording_is_private_and_holds_exactly_what_was_captured(answer_wav):
    target = paths.data_dir() / "sessions" / "s1" / "q1.wav"
    flushed = []
    recorder = Recorder(target, on_flush=flushed.append).start()
    source = WavFileIn(answer_wav, realtime=False)
    source.start(recorder.on_block)
    source.wait()
    result = recorder.close()
    assert result.error is None and result.path == target
    expected = captured(answer_wav)
    data, rate = sf.read(target, dtype="float32")
    assert rate == STT_RATE and data.ndim == 1
    assert len(data) == len(expected)
    assert np.max(np.abs(data - np.clip(expected, -1, 1))) <= QUANTUM
    assert result.seconds == pytest.approx(len(expected) / STT_RATE)
    assert flushed and flushed[-1] == pytest.approx(result.seconds)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    for folder in (target.parent, target.parent.parent, paths.data_dir()):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    with wave.open(str(target)) as w:  # a plain WAV reader agrees on the length
        assert w.getnframes() == len(expected)


CHILD = r"""
import sys, threading
from mockloop.engine.audio.capture import WavFileIn
from mockloop.engine.audio.recorder import Recorder

source_path, target = sys.argv[1], sys.argv[2]
lock = threading.Lock()

def say(line):  # two threads report; keep their lines whole
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

recorder = Recorder(target, on_flush=lambda s: say(f"flushed {s:.4f}")).start()

def on_block(block):
    recorder.write(block)
    say(f"captured {block.start + len(block.samples) / 16000:.4f}")

source = WavFileIn(source_path, realtime=True)  # paced like a microphone
source.start(on_block)
source.wait()
say("finished")
recorder.close()
"""


@pytest.mark.models
def test_sigkill_mid_answer_leaves_a_playable_file_missing_at_most_a_second(answer_wav, tmp_path):
    target = tmp_path / "killed" / "answer.wav"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(answer_wav), str(target)],
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    recorded = 0.0
    try:
        for line in child.stdout:  # wait for the file to grow: the child reports every flush
            kind, _, value = line.partition(" ")
            if kind == "captured":
                recorded = float(value)
            assert kind != "finished", "the answer ended before the kill"
            if kind == "flushed" and float(value) >= 3.0:
                break
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        for line in child.stdout:  # whatever it captured before dying
            kind, _, value = line.partition(" ")
            if kind == "captured":
                recorded = float(value)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert recorded >= 3.0
    info = sf.info(target)  # readable as it is, before any repair
    assert info.duration >= recorded - 1.0
    data, _ = sf.read(target, dtype="float32")
    expected = captured(answer_wav)[: len(data)]
    assert np.max(np.abs(data - np.clip(expected, -1, 1))) <= QUANTUM
    seconds = recover(target)
    assert seconds >= recorded - 1.0
    with wave.open(str(target)) as w:
        assert w.getnframes() == round(seconds * STT_RATE)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs (about two seconds of 16 kHz audio); needs root, which the test machine has."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)], check=True, capture_output=True)
    yield mount
    subprocess.run(["umount", str(mount)], check=True, capture_output=True)


@pytest.mark.models
def test_full_disk_is_a_typed_error_and_keeps_what_was_written(answer_wav, tiny_disk):
    target = tiny_disk / "session" / "answer.wav"
    errors = []
    failed = threading.Event()

    def on_error(exc):
        errors.append(exc)
        failed.set()

    recorder = Recorder(target, on_error=on_error).start()
    source = WavFileIn(answer_wav, realtime=False)
    source.start(recorder.write)
    source.wait()
    assert failed.wait(30)
    result = recorder.close()
    assert len(errors) == 1 and result.error is errors[0]
    error = errors[0]
    assert isinstance(error, RecordingError) and error.reason == "disk-full"
    assert str(error).startswith("The disk is full, so the recording of this answer stopped after")
    assert "What was recorded so far is saved, and what you say is still transcribed." in str(error)
    data, rate = sf.read(target, dtype="float32")
    assert 1.0 < len(data) / rate < 2.1
    assert result.seconds == pytest.approx(len(data) / rate)
    expected = captured(answer_wav)[: len(data)]
    assert np.max(np.abs(data - np.clip(expected, -1, 1))) <= QUANTUM


@pytest.mark.models
def test_recover_repairs_a_header_that_says_zero_length(answer_wav, tmp_path):
    target = tmp_path / "answer.wav"
    with Recorder(target) as recorder:
        source = WavFileIn(answer_wav, realtime=False)
        source.start(recorder.write)
        source.wait()
    frames = sf.info(target).frames
    with open(target, "r+b") as fh:  # what libsndfile leaves when killed before any header update
        fh.seek(4)
        fh.write(struct.pack("<I", 36))
        fh.seek(40)
        fh.write(struct.pack("<I", 0))
    with wave.open(str(target)) as w:
        assert w.getnframes() == 0
    assert recover(target) == pytest.approx(frames / STT_RATE)
    with wave.open(str(target)) as w:
        assert w.getnframes() == frames


def test_recover_and_create_errors_are_typed(tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio" * 100)
    with pytest.raises(RecordingError) as err:
        recover(junk)
    assert err.value.reason == "unreadable" and "damaged beyond repair" in str(err.value)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(RecordingError) as err:
        Recorder(blocker / "answer.wav").start()
    assert err.value.reason == "cannot-create"
    assert "could not be created" in str(err.value)


@pytest.mark.models
def test_append_continues_an_earlier_recording_after_a_gap(answer_wav, tmp_path):
    target = tmp_path / "turn.wav"
    first = np.clip(captured(answer_wav), -1, 1)  # what 16-bit PCM can hold
    with Recorder(target) as recorder:
        recorder.write(first)
    second = first[: STT_RATE // 2] * 0.5
    with Recorder(target, append=True, gap_seconds=0.25) as recorder:
        recorder.write(second)
    result = recorder.close()
    stored, rate = sf.read(target, dtype="float32")
    gap = round(0.25 * STT_RATE)
    assert rate == STT_RATE and len(stored) == len(first) + gap + len(second)
    assert result.seconds == pytest.approx(len(stored) / STT_RATE)
    assert np.abs(stored[: len(first)] - first).max() <= QUANTUM  # the first phase is untouched
    assert np.abs(stored[len(first): len(first) + gap]).max() == 0.0
    assert np.abs(stored[len(first) + gap:] - second).max() <= QUANTUM
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_append_without_an_earlier_recording_starts_a_new_one(tmp_path):
    target = tmp_path / "new.wav"
    tone = np.sin(np.arange(STT_RATE) / STT_RATE * 2 * np.pi * 440).astype(np.float32) * 0.3
    with Recorder(target, append=True, gap_seconds=0.5) as recorder:
        recorder.write(tone)
    stored, _ = sf.read(target, dtype="float32")
    assert len(stored) == len(tone)  # no leading gap before the first audio
