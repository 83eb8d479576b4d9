"""The interviewer's voice: clause streaming, barge-in, half-duplex flag and the synthesis cache."""

from __future__ import annotations

import re
import stat
import threading

import jiwer
import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.core import paths
from mockloop.engine.audio.capture import rescan_devices
from mockloop.engine.audio.output import SoundDeviceOut, WavFileOut
from mockloop.engine.audio.resample import resample
from mockloop.engine.speech.speaker import Speaker, split_clauses
from mockloop.engine.speech.tts_cache import TtsCache

pytestmark = pytest.mark.models  # every test here speaks with the real Piper voice

QUESTION = (
    "Walk me through how you would design a feature store for real-time ranking, "
    "including how you keep training and serving features consistent. "
    "Then tell me what you would monitor after launch."
)
QUESTIONS = [
    "How would you detect bots among new accounts?",
    "Explain the bias variance trade-off to a product manager.",
    "How would you measure the success of a new timeline ranking model?",
]


def wer(reference: str, hypothesis: str) -> float:
    norm = lambda s: " ".join(re.sub(r"[^a-z0-9' ]+", " ", s.lower().replace("-", " ")).split())  # noqa: E731
    return jiwer.wer(norm(reference), norm(hypothesis))


class CountingVoice:
    """The real Piper voice, with every synthesis call counted and logged."""

    def __init__(self, voice, log: list | None = None) -> None:
        self._voice = voice
        self.calls: list[str] = []
        self.log = log if log is not None else []

    @property
    def info(self):
        return self._voice.info

    @property
    def sample_rate(self) -> int:
        return self._voice.sample_rate

    def sentences(self, text: str, rate: float = 1.0):
        self.calls.append(text)
        yield from self._voice.sentences(text, rate)
        self.log.append(("synthesized", text))

    def synthesize(self, text: str, rate: float = 1.0):
        self.calls.append(text)
        return self._voice.synthesize(text, rate)


class LoggingOut(WavFileOut):
    """A WAV-file output that logs each clip it is handed, in the same log as the voice."""

    def __init__(self, path, log: list, **kwargs) -> None:
        super().__init__(path, **kwargs)
        self.log = log

    def play(self, samples, rate) -> None:
        self.log.append(("play", len(samples)))
        super().play(samples, rate)


def test_split_clauses():
    assert split_clauses("Hello there. How are you today?") == ["Hello there.", "How are you today?"]
    assert split_clauses(QUESTION) == [
        "Walk me through how you would design a feature store for real-time ranking,",
        "including how you keep training and serving features consistent.",
        "Then tell me what you would monitor after launch.",
    ]
    long = "First, we define the metric; then we collect the logged data, clean it, and split it by time \u2014 never at random."
    assert split_clauses(long, max_words=8) == [
        "First, we define the metric;",  # "First," alone is too short to be a clause
        "then we collect the logged data,",
        "clean it, and split it by time, never at random.",  # a dash is spoken as a pause; a short tail joins
    ]
    assert split_clauses("Dr. Lee asked e.g. this. Next!") == ["Dr. Lee asked e.g. this.", "Next!"]
    assert split_clauses("   ") == []


def test_speaker_streams_clause_by_clause(voice, transcriber, tmp_path):
    log: list = []
    counting = CountingVoice(voice, log)
    out = LoggingOut(tmp_path / "spoken.wav", log)
    speaker = Speaker(counting, out)
    try:
        speaker.say(QUESTION)
        report = speaker.wait(120)
    finally:
        speaker.close()
        out.close()
    clauses = split_clauses(QUESTION)
    assert counting.calls == clauses  # one synthesis per clause, in order
    first_play = log.index(next(e for e in log if e[0] == "play"))
    assert first_play < log.index(("synthesized", clauses[-1]))  # audio was queued before the last clause existed
    assert [kind for kind, _ in report.timeline].count("queued") >= len(clauses)
    assert not report.interrupted and report.words_spoken == report.words_total == len(QUESTION.split())
    assert report.first_audio_seconds is not None and report.first_audio_seconds > 0
    audio, rate = sf.read(tmp_path / "spoken.wav", dtype="float32")
    assert report.seconds_spoken == pytest.approx(report.seconds_total) == pytest.approx(len(audio) / rate, abs=0.01)
    assert not speaker.speaking.is_set()
    text = transcriber.transcribe(resample(audio, rate, 16_000)).text
    assert wer(QUESTION, text) <= 0.2, text


def test_speaking_flag_is_set_only_while_audio_plays(voice, tmp_path):
    out = WavFileOut(tmp_path / "spoken.wav", realtime=True)
    speaker = Speaker(voice, out)
    try:
        assert not speaker.speaking.is_set()
        speaker.say("Let us begin with a warm-up question.")
        assert speaker.speaking.wait(60)
        assert out.sounding.wait(60)
        report = speaker.wait(60)
        assert not speaker.speaking.is_set()
        assert not report.interrupted
    finally:
        speaker.close()
        out.close()


@pytest.mark.audio
def test_barge_in_stops_the_speaker_and_reports_what_was_said(voice, pulse_audio, monkeypatch):
    rescan_devices()
    monkeypatch.setenv("PULSE_SINK", "virt_speaker")
    out = SoundDeviceOut("pulse")
    speaker = Speaker(voice, out)
    try:
        speaker.say(QUESTION)
        assert speaker.speaking.wait(60)
        assert out.sounding.wait(60)
        report = speaker.stop()
        written = out.frames_written
        assert not speaker.speaking.is_set()
        assert out.wait_callbacks(30, timeout=30)
        assert out.frames_written == written  # nothing more reached the speaker
        assert speaker.wait(1) is report and speaker.stop() is report
    finally:
        speaker.close()
        out.close()
    assert report.interrupted
    assert 0 < report.seconds_spoken
    if report.seconds_total is not None:
        assert report.seconds_spoken < report.seconds_total
    assert report.words_spoken < report.words_total == len(QUESTION.split())


def test_cache_hit_returns_identical_audio_without_synthesis(voice):
    counting = CountingVoice(voice)
    cache = TtsCache(counting)
    first = cache.get_or_synthesize(QUESTIONS[0], 1.0)
    assert len(counting.calls) == 1
    again = cache.get_or_synthesize(QUESTIONS[0], 1.0)
    assert len(counting.calls) == 1 and np.array_equal(first, again) and again.dtype == np.float32
    reopened = TtsCache(counting)  # a new app run reads the same entry from disk
    assert np.array_equal(reopened.get_or_synthesize(QUESTIONS[0], 1.0), first)
    assert len(counting.calls) == 1
    faster = cache.get_or_synthesize(QUESTIONS[0], 1.5)  # rate is part of the key (Piper length scale)
    assert len(counting.calls) == 2 and len(faster) < len(first)
    folder = paths.data_dir() / "tts-cache"
    assert cache.path_for(QUESTIONS[0], 1.0).parent == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())


def test_damaged_cache_entry_is_synthesized_again(voice):
    counting = CountingVoice(voice)
    cache = TtsCache(counting)
    cache.get_or_synthesize(QUESTIONS[1])
    cache.path_for(QUESTIONS[1], 1.0).write_bytes(b"not numpy")
    assert cache.get(QUESTIONS[1]) is None
    assert len(cache.get_or_synthesize(QUESTIONS[1])) > 0 and len(counting.calls) == 2


def test_prefetch_fills_the_cache_and_the_speaker_plays_from_it(voice, tmp_path):
    counting = CountingVoice(voice)
    cache = TtsCache(counting)
    done = []
    job = cache.prefetch(QUESTIONS, 1.0, on_item=done.append)
    assert job.wait(120) and job.error is None
    assert done == QUESTIONS and job.synthesized == QUESTIONS
    calls = len(counting.calls)
    assert all(cache.get(q) is not None for q in QUESTIONS)
    assert cache.prefetch(QUESTIONS).wait(60) and len(counting.calls) == calls  # nothing left to do

    out = WavFileOut(tmp_path / "spoken.wav")
    speaker = Speaker(counting, out, cache=cache)
    try:
        speaker.say(QUESTIONS[2])
        report = speaker.wait(60)
    finally:
        speaker.close()
        out.close()
    assert len(counting.calls) == calls  # played without synthesizing
    assert report.from_cache and not report.interrupted
    played, _ = sf.read(tmp_path / "spoken.wav", dtype="float32")
    cached = cache.get(QUESTIONS[2])
    assert len(played) == len(cached) and np.max(np.abs(played - cached)) <= 2 / 32768


def test_prefetch_can_be_stopped(voice):
    counting = CountingVoice(voice)
    cache = TtsCache(counting)
    reached, proceed = threading.Event(), threading.Event()

    def on_item(text):
        reached.set()
        proceed.wait(60)

    job = cache.prefetch(QUESTIONS, on_item=on_item)
    assert reached.wait(60)
    job.stop(join=False)
    proceed.set()
    assert job.wait(60) and job.stopped
    assert job.synthesized == QUESTIONS[:1]
    assert cache.get(QUESTIONS[1]) is None and cache.get(QUESTIONS[2]) is None
