"""Microphone and speaker checks: real speech into a file source and the virtual microphone, speech out to files and the virtual speaker."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.audio import device_check
from mockloop.engine.audio.capture import SoundDeviceIn, WavFileIn
from mockloop.engine.audio.output import SoundDeviceOut, WavFileOut
from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.audio.device_check import SILENCE_FLOOR_DB, play_and_wait, record_level, speak_test

from test_audio_io import MonitorRecorder

SPEECH = Path(__file__).resolve().parent / "data" / "speech"


def test_speech_from_a_file_is_heard_and_measured():
    levels = []
    report = record_level(WavFileIn(SPEECH / "piper_vocab.flac", realtime=False), 3.0,
                          on_level=lambda rms, peak, done: levels.append((rms, peak, done)))
    assert report.heard and not report.cancelled
    assert report.loudest_db > SILENCE_FLOOR_DB + 20
    assert report.seconds == pytest.approx(3.0, abs=0.001)
    assert len(report.audio) == 3 * STT_RATE and report.audio.dtype == np.float32
    assert 0 < report.rms <= report.loudest_block_rms <= report.peak <= 1.0
    assert levels and levels[-1][2] == 1.0  # the live level reached the end of the recording
    assert max(peak for _, peak, _ in levels) == pytest.approx(report.peak, abs=0.02)
    assert report.sentence().startswith("The microphone works: your loudest moment reached")


def test_silence_is_reported_as_heard_nothing(tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(STT_RATE * 4, dtype=np.float32), STT_RATE)
    report = record_level(WavFileIn(path, realtime=False), 3.0)
    assert not report.heard and report.peak == 0.0
    sentence = report.sentence()
    assert sentence.startswith("Heard nothing: the microphone sent complete silence for 3 seconds.")
    assert "not muted" in sentence


def test_a_recording_shorter_than_asked_ends_with_what_there_was(tmp_path):
    path = tmp_path / "short.wav"
    audio, rate = sf.read(SPEECH / "piper_vocab.flac", dtype="float32")
    sf.write(path, audio[: rate], rate)  # one second
    report = record_level(WavFileIn(path, realtime=False), 3.0)
    assert report.seconds == pytest.approx(1.0, abs=0.05)
    assert report.heard


def test_a_cancelled_recording_says_so():
    cancel = threading.Event()

    def on_level(rms, peak, done):
        cancel.set()

    report = record_level(WavFileIn(SPEECH / "piper_vocab.flac", realtime=True), 3.0, on_level=on_level, cancel=cancel)
    assert report.cancelled
    assert report.seconds < 3.0
    assert report.sentence() == "The microphone test was stopped."


@pytest.mark.models
def test_speak_test_writes_the_sentence_at_the_chosen_rate(voice, transcriber, tmp_path):
    normal, fast = tmp_path / "normal.wav", tmp_path / "fast.wav"
    for path, rate in ((normal, 1.0), (fast, 1.6)):
        out = WavFileOut(path)
        report = speak_test(voice, out, rate=rate)
        out.close()
        assert not report.cancelled and report.seconds > 1.0
        assert sf.info(path).duration == pytest.approx(report.seconds + device_check.TAIL_SECONDS, abs=0.01)
    assert sf.info(fast).duration < 0.8 * sf.info(normal).duration
    audio, rate = sf.read(normal, dtype="float32")
    text = transcriber.transcribe(audio if rate == STT_RATE else _to_16k(audio, rate)).text.lower()
    assert "interviewer" in text and "speaker" in text


def _to_16k(audio, rate):
    from mockloop.engine.audio.resample import resample

    return resample(audio, rate, STT_RATE)


@pytest.mark.models
def test_cancelled_playback_stops_early(voice, tmp_path):
    out = WavFileOut(tmp_path / "out.wav", realtime=True)
    cancel = threading.Event()
    cancel.set()
    report = play_and_wait(out, voice.synthesize(device_check.TEST_SENTENCE), voice.sample_rate, cancel=cancel)
    out.close()
    assert report.cancelled and report.sentence() == "The speaker test was stopped."
    assert sf.info(tmp_path / "out.wav").duration < 1.0


@pytest.mark.audio
def test_the_virtual_microphone_hears_a_real_speech_clip(sound_card):
    mic = SoundDeviceIn("pulse")
    first_level = threading.Event()
    result = {}

    def record():
        result["report"] = record_level(mic, 3.0, on_level=lambda rms, peak, done: first_level.set())

    worker = threading.Thread(target=record)
    worker.start()
    try:
        assert first_level.wait(30), "the virtual microphone delivered nothing"
        subprocess.run(["paplay", "--device=virt_mic_src", str(SPEECH / "piper_vocab.flac")], env=sound_card, check=True, timeout=60)
    finally:
        worker.join()
    report = result["report"]
    assert not mic.running
    assert report.heard, report.sentence()
    assert report.loudest_db > SILENCE_FLOOR_DB + 20
    assert report.device_name == "pulse"
    assert "The microphone (pulse) works" in report.sentence()


@pytest.mark.audio
def test_the_virtual_microphone_in_a_silent_room_hears_nothing(sound_card):
    report = record_level(SoundDeviceIn("pulse"), 1.0)
    assert not report.heard
    assert report.sentence().startswith("Heard nothing: the microphone (pulse) sent")


@pytest.mark.models
@pytest.mark.audio
def test_the_speaker_test_reaches_the_virtual_speaker(sound_card, voice):
    out = SoundDeviceOut("pulse")
    monitor = MonitorRecorder(sound_card)
    try:
        out.open()  # silence flows, so the monitor is already running when speech starts
        assert monitor.wait_for(1)
        start = monitor.samples
        report = speak_test(voice, out)
        assert monitor.wait_for(start + int(report.seconds * STT_RATE))
    finally:
        monitor.close()
        out.close()
    heard = monitor.audio()[start:]
    assert np.max(np.abs(heard)) > 0.1
    assert "Played" in report.sentence() and "(pulse)" in report.sentence()
