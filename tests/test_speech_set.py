"""The project's speech set: stored clips match their references, bad files fail clearly, long inputs are built lazily."""

from __future__ import annotations

import json

import jiwer
import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.audio.capture import AudioFileError
from mockloop.engine.audio.base import BLOCK_SAMPLES, STT_RATE
from mockloop.engine.tools.speech_set import (
    SPECS, blocks, count_fillers, load_audio, load_set, long_answer, looped_blocks, normalize, references, speech_dir,
    word_error_rate,
)
from mockloop.engine.speech.vad import StreamingVad


@pytest.fixture(scope="module")
def clips():
    return load_set()


def test_the_set_is_small_and_complete(clips):
    directory = speech_dir()
    refs = references()["clips"]
    stored = {p.name for p in directory.iterdir()} - {"references.json"}
    assert stored == {r["file"] for r in refs.values()}
    assert sum((directory / f).stat().st_size for f in stored) < 4_000_000
    assert {s.name for s in SPECS} == set(clips)
    assert {c.voice for c in clips.values()} == {"piper", "espeak-ng", "none"}
    assert any(c.noise == "white" and c.snr_db == 20 for c in clips.values())
    assert any(c.noise == "pink" and c.snr_db == 15 for c in clips.values())
    for name, clip in clips.items():
        info = sf.info(str(directory / refs[name]["file"]))
        assert (info.samplerate, info.channels, info.format) == (STT_RATE, 1, "FLAC")
        assert clip.audio.dtype == np.float32 and clip.duration == pytest.approx(refs[name]["duration"], abs=1e-3)
        assert np.isfinite(clip.audio).all() and np.abs(clip.audio).max() <= 1.0


def test_thinking_pauses_are_where_the_references_say(clips):
    clip = clips["piper_thinking"]
    assert [round(d, 1) for _, d in clip.pauses] == [2.5, 5.5]
    probs = StreamingVad().probabilities(clip.audio)
    for start, seconds in clip.pauses:
        inside = probs[int(start * STT_RATE) // BLOCK_SAMPLES + 2:int((start + seconds) * STT_RATE) // BLOCK_SAMPLES - 2]
        assert inside.size and inside.max() < 0.5
    assert (probs >= 0.5).mean() > 0.5


def test_noisy_clips_have_the_stated_snr(clips):
    for clean, noisy in (("piper_short", "piper_short_white20"),):
        a, b = clips[clean].audio, clips[noisy].audio
        # Piper is not bit-exact between runs, so estimate the noise from the quietest windows instead.
        frames = b[: len(b) // BLOCK_SAMPLES * BLOCK_SAMPLES].reshape(-1, BLOCK_SAMPLES)
        noise = np.sqrt(np.mean(np.sort(np.mean(frames ** 2, axis=1))[:10]))
        speech = np.sqrt(np.mean(a[np.abs(a) > 1e-4] ** 2))
        assert 14 < 20 * np.log10(speech / noise) < 26


def test_bad_files_fail_with_a_sentence(clips):
    refs = references()["clips"]
    with pytest.raises(AudioFileError, match="empty"):
        load_audio(speech_dir() / refs["bad_empty"]["file"])
    with pytest.raises(AudioFileError, match="not a recording") as err:
        load_audio(speech_dir() / refs["bad_not_audio"]["file"])
    assert err.value.fix
    with pytest.raises(AudioFileError, match="does not exist"):
        load_audio(speech_dir() / "no-such-file.flac")
    assert "bad_empty" not in clips and "bad_silence" in clips and "bad_clipped" in clips
    assert np.mean(np.abs(clips["bad_clipped"].audio) >= 0.999) > 0.02  # flat-topped peaks


def test_other_rates_and_channels_are_converted(tmp_path, clips):
    mono = clips["piper_short"].audio
    t = np.arange(int(len(mono) * 44_100 / STT_RATE)) / 44_100
    stereo = np.stack([np.interp(t, np.arange(len(mono)) / STT_RATE, mono)] * 2, axis=1)
    path = tmp_path / "stereo-44k.wav"
    sf.write(str(path), stereo, 44_100, subtype="PCM_24")
    audio = load_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == pytest.approx(len(mono), abs=20)
    assert np.corrcoef(audio[:len(mono)][: len(audio)], mono[: len(audio)])[0, 1] > 0.99


def test_long_inputs_are_built_at_run_time(clips):
    long = long_answer(clips, 120)
    assert long.duration >= 120 and "noisy" not in long.tags
    assert long.text.startswith(clips["piper_thinking"].text)  # the longest clean answer first
    assert len(long.pauses) >= 2 and all(0 < s < long.duration for s, _ in long.pauses)

    n, last, gen = 0, None, looped_blocks(clips["piper_short"], 90.0)
    assert iter(gen) is gen  # a generator: thirty minutes are never in memory at once
    for block in gen:
        assert last is None or block.start == pytest.approx(last + BLOCK_SAMPLES / STT_RATE)
        last, n = block.start, n + len(block.samples)
    assert n == 90 * STT_RATE
    assert sum(len(b.samples) for b in blocks(clips["piper_vocab"].audio)) == len(clips["piper_vocab"].audio)


@pytest.mark.parametrize("reference, hypothesis", [
    ("Um, so I would start with a baseline.", "um so i would start with the baseline"),
    ("the cold-start problem, you know", "The cold start problem. You know?"),
    ("one two three", "one three four five"),
    ("uh the label", "Uhh, the labels."),
])
def test_word_error_rate_matches_jiwer(reference, hypothesis):
    assert word_error_rate(reference, hypothesis) == pytest.approx(jiwer.wer(normalize(reference), normalize(hypothesis)))


def test_normalize_and_fillers():
    assert normalize("Um, it's the A-B test... Hmm!") == "um it's the a b test hmm"
    counts = count_fillers("Um, so, uh, like, you know, umm... I think, like, you know.")
    assert counts == {"um": 2, "uh": 1, "hmm": 0, "like": 2, "you know": 2}
    assert json.loads(json.dumps(references()))["rate"] == STT_RATE
