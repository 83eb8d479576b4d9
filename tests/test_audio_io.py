"""Capture and playback on real audio: files, and PulseAudio's virtual microphone and speaker."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import jiwer
import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.audio.capture import (
    AudioDeviceLost, AudioFileError, NoInputDeviceError, NoOutputDeviceError, SoundDeviceIn, WavFileIn,
)
from mockloop.engine.audio.output import SoundDeviceOut, WavFileOut
from mockloop.engine.audio.base import BLOCK_SAMPLES, STT_RATE, AudioIn, AudioOut
from mockloop.engine.core.errors import AudioUnavailableError
from mockloop.engine.audio.resample import resample

SENTENCE = "The quick brown fox jumps over the lazy dog near the river bank."
LONG_TEXT = (
    "Tell me about a model you shipped to production. "
    "What metric did you optimize, and how did you know it moved the business? "
    "If you had another month, what would you have changed first?"
)


def wer(reference: str, hypothesis: str) -> float:
    norm = lambda s: " ".join(re.sub(r"[^a-z0-9' ]+", " ", s.lower()).split())  # noqa: E731
    return jiwer.wer(norm(reference), norm(hypothesis))


@pytest.fixture
def speech_wav(voice, tmp_path):
    """A Piper sentence at the voice's own rate (22,050 Hz), as a WAV file."""
    path = tmp_path / "sentence.wav"
    sf.write(path, voice.synthesize(SENTENCE), voice.sample_rate)
    return path


class BlockSink:
    """Collects AudioBlocks and lets a test wait for a number of them."""

    def __init__(self) -> None:
        self.blocks = []
        self._cond = threading.Condition()

    def __call__(self, block) -> None:
        with self._cond:
            self.blocks.append(block)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.blocks) >= count, timeout)

    def audio(self) -> np.ndarray:
        return np.concatenate([b.samples for b in self.blocks]) if self.blocks else np.zeros(0, np.float32)


class MonitorRecorder:
    """parec on the virtual speaker's monitor: what the speaker actually played, at 16 kHz."""

    def __init__(self, env: dict) -> None:
        self._proc = subprocess.Popen(
            ["parec", "--device=virt_speaker.monitor", "--raw", "--format=float32le", "--channels=1", f"--rate={STT_RATE}", "--latency-msec=20"],
            stdout=subprocess.PIPE, env=env,
        )
        self._chunks: list[bytes] = []
        self._cond = threading.Condition()
        self._bytes = 0
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            data = self._proc.stdout.read1(4096)
            if not data:
                break
            with self._cond:
                self._chunks.append(data)
                self._bytes += len(data)
                self._cond.notify_all()

    @property
    def samples(self) -> int:
        return self._bytes // 4

    def wait_for(self, samples: int, timeout: float = 30) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._bytes // 4 >= samples, timeout)

    def audio(self) -> np.ndarray:
        with self._cond:
            data = b"".join(self._chunks)
        return np.frombuffer(data[: len(data) // 4 * 4], dtype=np.float32)

    def close(self) -> None:
        self._proc.send_signal(signal.SIGTERM)
        self._proc.wait(timeout=10)
        self._thread.join()
        self._proc.stdout.close()


# --- WavFileIn -------------------------------------------------------------------------------


def test_wav_file_in_gives_16k_blocks_with_timestamps_and_levels(tmp_path):
    rate, seconds = 22_050, 2.0
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    path = tmp_path / "tone.wav"
    sf.write(path, np.stack([tone, tone], axis=1), rate, subtype="FLOAT")  # stereo: downmixed
    source = WavFileIn(path, realtime=False)
    assert isinstance(source, AudioIn)
    assert source.device_rate == rate
    sink = BlockSink()
    source.start(sink)
    assert source.wait(30)
    blocks = sink.blocks
    assert all(len(b.samples) == BLOCK_SAMPLES for b in blocks[:-1])
    assert 0 < len(blocks[-1].samples) <= BLOCK_SAMPLES
    assert [b.start for b in blocks] == [i * BLOCK_SAMPLES / STT_RATE for i in range(len(blocks))]
    assert abs(sum(len(b.samples) for b in blocks) - seconds * STT_RATE) <= 2
    assert all(b.samples.dtype == np.float32 for b in blocks)
    middle = blocks[5:-5]
    assert all(abs(b.rms - 0.5 / np.sqrt(2)) < 0.01 for b in middle)
    assert all(0.48 < b.peak <= 0.51 for b in middle)


@pytest.mark.models
def test_wav_file_in_reads_flac_and_the_speech_survives_resampling(voice, transcriber, tmp_path):
    path = tmp_path / "sentence.flac"
    sf.write(path, voice.synthesize(SENTENCE), voice.sample_rate, format="FLAC")
    sink = BlockSink()
    source = WavFileIn(path, realtime=False)
    source.start(sink)
    assert source.wait(30)
    assert wer(SENTENCE, transcriber.transcribe(sink.audio()).text) <= 0.1


@pytest.mark.models
def test_wav_file_in_paced_stops_cleanly_and_matches_the_fast_replay(speech_wav):
    fast = BlockSink()
    source = WavFileIn(speech_wav, realtime=False)
    source.start(fast)
    source.wait(30)

    paced = BlockSink()
    source = WavFileIn(speech_wav, realtime=True)
    source.start(paced)
    assert paced.wait_for(3)
    source.stop()
    assert source.finished.is_set()
    count = len(paced.blocks)
    assert 3 <= count < len(fast.blocks)
    for a, b in zip(paced.blocks, fast.blocks):
        assert a.start == b.start and np.array_equal(a.samples, b.samples)
    source.stop()  # a second stop is harmless, and nothing arrives after stop
    assert len(paced.blocks) == count


@pytest.mark.parametrize("content, problem", [
    (b"", "is empty"),
    (b"hello, this is not audio at all\n" * 10, "not a recording"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", "not a recording"),
])
def test_wav_file_in_rejects_bad_files_with_a_sentence(tmp_path, content, problem):
    path = tmp_path / "answer.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFileError) as err:
        WavFileIn(path)
    assert problem in str(err.value)
    assert "Choose a WAV or FLAC recording." in str(err.value)


def test_wav_file_in_missing_file(tmp_path):
    with pytest.raises(AudioFileError, match="does not exist"):
        WavFileIn(tmp_path / "nope.wav")


# --- SoundDeviceIn on the virtual microphone ---------------------------------------------------


@pytest.mark.models
@pytest.mark.audio
def test_sound_device_in_captures_what_the_virtual_microphone_hears(sound_card, speech_wav, transcriber):
    errors = []
    mic = SoundDeviceIn("pulse", on_error=errors.append)
    assert isinstance(mic, AudioIn)
    assert mic.device_rate != STT_RATE  # captured at the device's rate, resampled in code
    sink = BlockSink()
    mic.start(sink)
    try:
        assert sink.wait_for(1), "the virtual microphone delivered nothing"
        subprocess.run(["paplay", "--device=virt_mic_src", str(speech_wav)], env=sound_card, check=True, timeout=60)
        assert sink.wait_for(len(sink.blocks) + 16)  # half a second more, for the tail
    finally:
        mic.stop()
    assert errors == [] and mic.error is None
    blocks = sink.blocks
    assert all(len(b.samples) == BLOCK_SAMPLES for b in blocks[:-1])
    assert [b.start for b in blocks] == [i * BLOCK_SAMPLES / STT_RATE for i in range(len(blocks))]
    assert max(b.peak for b in blocks) > 0.1  # the level meter sees speech
    text = transcriber.transcribe(sink.audio()).text
    assert wer(SENTENCE, text) <= 0.3, text


@pytest.mark.audio
def test_no_such_microphone_or_speaker_is_a_typed_error(sound_card):
    with pytest.raises(NoInputDeviceError) as err:
        SoundDeviceIn("no-such-microphone-xyz")
    assert isinstance(err.value, AudioUnavailableError)
    assert "No microphone named 'no-such-microphone-xyz' was found." in str(err.value)
    assert "type your answers" in str(err.value)
    with pytest.raises(NoOutputDeviceError, match="No speaker named"):
        SoundDeviceOut("no-such-speaker-xyz")


def test_missing_portaudio_is_a_typed_error(monkeypatch):
    from mockloop.engine.audio import capture

    def no_portaudio():
        raise AudioUnavailableError("The PortAudio sound library is not installed, so there is no microphone or speaker.", "Install it.")

    monkeypatch.setattr(capture, "import_sounddevice", no_portaudio)  # stands in for a machine without libportaudio2
    with pytest.raises(NoInputDeviceError) as err:
        SoundDeviceIn()
    assert str(err.value).startswith("No microphone was found: the PortAudio sound library is not installed")
    assert "type your answers" in str(err.value)


@pytest.fixture
def doomed_pulse(tmp_path):
    """A second PulseAudio daemon that the test kills, the way a USB microphone disappears."""
    runtime = tmp_path / "p"
    runtime.mkdir()
    env = dict(os.environ, PULSE_RUNTIME_PATH=str(runtime), HOME=str(runtime))
    subprocess.run(
        ["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
         "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=doomed"],
        env=env, check=True, capture_output=True, timeout=30,
    )
    pid = int((runtime / "pid").read_text().strip())
    for _ in range(100):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.05)  # waiting for a daemon to come up, not for app behaviour
    yield runtime, pid
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.mark.audio
def test_microphone_lost_mid_capture_is_reported_and_capture_stops(sound_card, doomed_pulse, monkeypatch):
    runtime, pid = doomed_pulse
    monkeypatch.setenv("PULSE_RUNTIME_PATH", str(runtime))  # the stream connects to the doomed daemon
    monkeypatch.delenv("PULSE_SOURCE")
    lost = threading.Event()
    errors = []

    def on_error(exc):
        errors.append(exc)
        lost.set()

    mic = SoundDeviceIn("pulse", on_error=on_error)
    sink = BlockSink()
    mic.start(sink)
    try:
        assert sink.wait_for(4), "the doomed microphone delivered nothing"
        os.kill(pid, signal.SIGKILL)
        assert lost.wait(30)
    finally:
        mic.stop()
    assert len(errors) == 1 and isinstance(errors[0], AudioDeviceLost)
    assert isinstance(errors[0], AudioUnavailableError)
    assert "stopped sending sound during your answer" in str(errors[0])
    assert "What you said so far is saved" in str(errors[0])
    assert mic.error is errors[0] and not mic.running
    assert len(sink.blocks) >= 4  # what was captured before is kept
    count = len(sink.blocks)
    mic.stop()
    assert len(sink.blocks) == count


@pytest.mark.models
@pytest.mark.audio
def test_speaker_lost_mid_playback_is_reported(sound_card, doomed_pulse, voice, monkeypatch):
    runtime, pid = doomed_pulse
    monkeypatch.setenv("PULSE_RUNTIME_PATH", str(runtime))
    monkeypatch.delenv("PULSE_SINK")
    errors = []
    out = SoundDeviceOut("pulse", on_error=errors.append)
    try:
        out.play(voice.synthesize(LONG_TEXT), voice.sample_rate)
        assert out.sounding.wait(30)
        os.kill(pid, signal.SIGKILL)
        assert out.wait(60)  # returns instead of hanging on a device that is gone
    finally:
        out.close()
    assert len(errors) == 1 and isinstance(errors[0], AudioDeviceLost)
    assert str(errors[0]).startswith("The speaker (pulse) stopped playing")


@pytest.mark.models
def test_a_failing_consumer_stops_the_replay_and_is_reported(speech_wav):
    errors = []

    def on_block(block):
        raise ValueError("consumer bug")

    source = WavFileIn(speech_wav, realtime=False, on_error=errors.append)
    source.start(on_block)
    assert source.wait(30)
    assert len(errors) == 1 and isinstance(errors[0], ValueError) and source.error is errors[0]


# --- playback ----------------------------------------------------------------------------------


@pytest.mark.models
@pytest.mark.audio
def test_sound_device_out_plays_speech_that_the_speaker_monitor_hears(sound_card, voice, transcriber):
    audio = voice.synthesize(SENTENCE)
    seconds = len(audio) / voice.sample_rate
    out = SoundDeviceOut("pulse")
    assert isinstance(out, AudioOut)
    monitor = MonitorRecorder(sound_card)
    try:
        out.open()  # silence flows, so the monitor is already running when speech starts
        assert monitor.wait_for(1)
        start = monitor.samples
        out.play(audio, voice.sample_rate)
        assert out.wait(60)
        assert monitor.wait_for(start + int((seconds + 0.5) * STT_RATE))
    finally:
        monitor.close()
        out.close()
    assert out.device_rate != voice.sample_rate  # resampled in code to the device's rate
    heard = monitor.audio()[start:]
    text = transcriber.transcribe(heard).text
    assert wer(SENTENCE, text) <= 0.3, text
    assert out.frames_written / out.device_rate == pytest.approx(seconds, abs=0.01)


@pytest.fixture
def busy_cores():
    """Three processes spinning on two cores: the load under which a 20 ms speaker buffer fell silent."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    yield
    for proc in spinners:
        proc.kill()
        proc.wait()


@pytest.mark.audio
@pytest.mark.parametrize("attempt", range(2))
def test_sound_device_out_plays_a_whole_clip_on_a_busy_machine(sound_card, busy_cores, attempt):
    rate, seconds = STT_RATE, 2.0
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    monitor = MonitorRecorder(sound_card)
    out = SoundDeviceOut("pulse")
    try:
        assert monitor.wait_for(1)
        start = monitor.samples
        out.play(tone, rate)  # opens the stream and plays at once, as the device test does
        assert out.wait(60)
        assert monitor.wait_for(start + int((seconds + 0.5) * STT_RATE))
    finally:
        monitor.close()
        out.close()
    heard = monitor.audio()[start:]
    audible = np.count_nonzero(np.abs(heard) > 0.05) / STT_RATE
    loud_in_tone = np.count_nonzero(np.abs(tone) > 0.05) / rate
    assert audible >= 0.9 * loud_in_tone, f"heard {audible:.2f} s of {loud_in_tone:.2f} s, {out.underflows} underruns"


@pytest.mark.models
@pytest.mark.audio
def test_sound_device_out_stop_reports_what_was_played_and_goes_silent(sound_card, voice):
    audio = voice.synthesize(LONG_TEXT)
    total = len(audio) / voice.sample_rate
    out = SoundDeviceOut("pulse")
    monitor = MonitorRecorder(sound_card)
    try:
        out.open()
        assert monitor.wait_for(1)
        out.play(audio, voice.sample_rate)
        assert out.sounding.wait(30)
        played = out.stop()
        written = out.frames_written
        assert out.wait_callbacks(50, timeout=30)  # half a second of blocks after stop()
        assert out.frames_written == written  # no further samples were produced
        after = monitor.samples
        assert monitor.wait_for(after + STT_RATE // 4)
        tail = monitor.audio()[after:]
    finally:
        monitor.close()
        out.close()
    assert 0 < played < total
    assert played == pytest.approx(written / out.device_rate)
    assert out.played_seconds == 0.0
    assert np.max(np.abs(tail)) < 1e-3  # the virtual speaker really went silent


@pytest.mark.models
def test_wav_file_out_appends_at_its_rate(tmp_path, voice):
    a = voice.synthesize("First part.")
    b = resample(voice.synthesize("Second part."), voice.sample_rate, 16_000)
    out = WavFileOut(tmp_path / "out.wav")
    assert isinstance(out, AudioOut)
    out.play(a, voice.sample_rate)
    out.play(b, 16_000)
    assert out.wait(1)
    expected = len(a) / voice.sample_rate + len(b) / 16_000
    assert out.played_seconds == pytest.approx(expected, abs=0.001)
    assert out.stop() == pytest.approx(expected, abs=0.001)
    assert out.played_seconds == 0.0
    out.close()
    info = sf.info(tmp_path / "out.wav")
    assert info.samplerate == voice.sample_rate
    assert info.duration == pytest.approx(expected, abs=0.001)


@pytest.mark.models
def test_wav_file_out_realtime_stop_cuts_speech_short(tmp_path, voice):
    audio = voice.synthesize(LONG_TEXT)
    out = WavFileOut(tmp_path / "out.wav", realtime=True)
    out.play(audio, voice.sample_rate)
    assert out.sounding.wait(30)
    played = out.stop()
    written = out.frames_written
    out.close()
    assert 0 < played < len(audio) / voice.sample_rate
    assert sf.info(tmp_path / "out.wav").frames == written
