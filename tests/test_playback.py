"""The Qt-free player: real speech clips through a paced WAV output (and the virtual speaker)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.audio.capture import rescan_devices
from mockloop.engine.audio.output import SoundDeviceOut, WavFileOut
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.audio.playback import Clip, PlaybackError, Player, load_clip

SPEECH = Path(__file__).resolve().parent / "data" / "speech"
CLIP = SPEECH / "piper_short.flac"
WAIT_S = 60  # generous: the machine is shared; a pass never waits this long
PCM16_STEP = 2.0 / 32768  # what the 16-bit WAV output may round each sample by


def clip_samples() -> tuple[np.ndarray, int]:
    data, rate = sf.read(str(CLIP), dtype="float32")
    return data, rate


def written(path: Path) -> np.ndarray:
    data, _ = sf.read(str(path), dtype="float32")
    return data


def assert_same_audio(got: np.ndarray, expected: np.ndarray) -> None:
    assert len(got) == len(expected)
    assert np.max(np.abs(got - expected)) <= PCM16_STEP


@pytest.fixture
def out(tmp_path):
    sink = WavFileOut(tmp_path / "played.wav", realtime=True)
    yield sink
    sink.close()


def test_the_clip_matches_its_reference():
    reference = json.loads((SPEECH / "references.json").read_text(encoding="utf-8"))["clips"]["piper_short"]
    clip = load_clip(CLIP)
    assert clip.rate == 16_000
    assert clip.duration == pytest.approx(reference["duration"], abs=0.01)


def test_plays_from_an_offset_to_the_end_and_notices_the_end(out):
    samples, rate = clip_samples()
    player = Player(out)
    clip = player.load(CLIP)
    assert player.duration == pytest.approx(len(samples) / rate)
    start_s = player.duration - 1.0
    player.play(start_s)
    assert player.is_playing()
    assert out.wait(WAIT_S)
    assert player.position() == pytest.approx(player.duration)
    assert player.finished() and not player.is_playing()
    out.close()
    assert_same_audio(written(out.path), clip.samples[round(start_s * rate):])


def test_pause_keeps_the_place_and_resume_plays_on_without_a_gap(out):
    samples, rate = clip_samples()
    player = Player(out)
    player.load(CLIP)
    start = len(samples) - int(1.5 * rate)
    player.play(start / rate)
    assert out.sounding.wait(WAIT_S)
    paused_at = player.pause()
    frames = out.frames_written
    assert not player.is_playing()
    assert paused_at == pytest.approx((start + frames) / rate, abs=1 / rate)
    assert player.position() == paused_at  # it stays put while paused
    assert start / rate < paused_at < player.duration
    player.resume()
    assert out.wait(WAIT_S)
    assert player.finished()
    out.close()
    # What was written before the pause and after the resume is the clip from `start`, once.
    assert_same_audio(written(out.path), samples[start:])


def test_seek_while_playing_jumps_and_while_paused_only_moves(out):
    samples, rate = clip_samples()
    player = Player(out)
    player.load(CLIP)
    first = len(samples) - 2 * rate
    later = len(samples) - int(0.8 * rate)
    player.play(first / rate)
    assert out.sounding.wait(WAIT_S)
    assert player.seek(later / rate) == pytest.approx(later / rate)
    assert player.is_playing()
    assert player.position() >= later / rate
    assert out.wait(WAIT_S)
    out.close()
    got = written(out.path)
    before = len(got) - (len(samples) - later)
    assert 0 < before < later - first
    assert_same_audio(got, np.concatenate([samples[first:first + before], samples[later:]]))

    paused = Player(WavFileOut(out.path.with_name("paused.wav"), realtime=True))
    paused.load(CLIP)
    assert paused.seek(3.25) == pytest.approx(3.25)
    assert paused.position() == pytest.approx(3.25) and not paused.is_playing()
    assert paused.out.played_seconds == 0.0  # nothing sounded
    paused.seek(-4)
    assert paused.position() == 0.0
    paused.seek(10_000)
    assert paused.position() == pytest.approx(paused.duration)
    paused.close()


def test_stop_goes_back_to_the_start_and_resume_after_the_end_restarts(out):
    player = Player(out)
    player.load(CLIP)
    player.play(player.duration - 0.3)
    assert out.wait(WAIT_S)
    assert player.finished()
    player.resume()  # played out: from the start again
    assert player.is_playing() and player.position() < 1.0
    player.stop()
    assert not player.is_playing() and player.position() == 0.0 and not player.finished()
    assert out.played_seconds == 0.0


def test_toggle_switches_between_playing_and_paused(out):
    player = Player(out)
    player.load(CLIP)
    assert player.toggle() is True and player.is_playing()
    assert out.sounding.wait(WAIT_S)
    assert player.toggle() is False and not player.is_playing()
    assert player.position() > 0


def test_resamples_to_the_output_rate(tmp_path):
    sink = WavFileOut(tmp_path / "48k.wav", 48_000, realtime=True)
    player = Player(sink)
    clip = player.load(CLIP)
    assert clip.rate == 48_000
    assert clip.duration == pytest.approx(load_clip(CLIP).duration, abs=0.001)
    player.play(clip.duration - 0.5)
    assert sink.wait(WAIT_S)
    assert player.position() == pytest.approx(clip.duration)
    player.close()
    info = sf.info(str(sink.path))
    assert info.samplerate == 48_000
    assert info.duration == pytest.approx(0.5, abs=0.001)


def test_a_missing_or_broken_file_is_a_sentence_not_a_crash(tmp_path, out):
    player = Player(out)
    missing = tmp_path / "gone" / "answer.wav"
    with pytest.raises(PlaybackError) as caught:
        player.load(missing, what="answer recording")
    assert isinstance(caught.value, MockloopError)
    assert "answer.wav was not found" in str(caught.value) and str(missing.parent) in str(caught.value)
    with pytest.raises(PlaybackError, match="no answer recording"):
        player.load(None, what="answer recording")
    with pytest.raises(PlaybackError, match="could not be read"):
        player.load(SPEECH / "bad_not_audio.wav")
    with pytest.raises(PlaybackError):
        player.load(SPEECH / "bad_empty.wav")
    assert player.clip is None
    with pytest.raises(PlaybackError, match="Nothing is loaded"):
        player.play()
    assert player.position() == 0.0 and player.duration == 0.0


def test_stereo_is_mixed_to_mono(tmp_path):
    samples, rate = clip_samples()
    path = tmp_path / "stereo.wav"
    sf.write(str(path), np.stack([samples, np.zeros_like(samples)], axis=1), rate, subtype="FLOAT")
    clip = load_clip(path)
    assert isinstance(clip, Clip) and clip.samples.ndim == 1
    assert np.allclose(clip.samples, samples / 2, atol=1e-6)


@pytest.mark.audio
def test_plays_through_the_virtual_speaker(pulse_audio, monkeypatch):
    rescan_devices()
    monkeypatch.setenv("PULSE_SINK", "virt_speaker")
    speaker = SoundDeviceOut("pulse")
    player = Player(speaker)
    try:
        clip = player.load(CLIP)
        assert clip.rate == speaker.device_rate  # resampled once, when loaded
        start = clip.duration - 1.5
        player.play(start)
        assert speaker.sounding.wait(WAIT_S)
        assert speaker.output_latency >= 0.05  # a buffer that survives a busy machine
        lit = player.position()  # what is heard lags what was handed over by the buffer
        handed = start + speaker.played_seconds
        assert lit <= max(start, handed - speaker.output_latency) + 0.001
        paused_at = player.pause()
        assert start < paused_at < clip.duration
        assert paused_at == pytest.approx(start + speaker.frames_written / speaker.device_rate, abs=0.001)
        player.resume()
        assert speaker.wait(WAIT_S)
        assert player.position() == pytest.approx(clip.duration)
        assert player.finished() and player.error() is None
    finally:
        player.close()
    assert speaker.frames_written == pytest.approx(round(1.5 * speaker.device_rate), abs=2)
