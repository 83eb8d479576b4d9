"""Streaming transcription with the bundled Whisper model on the project's speech set.

Clips are fed as fast as the decoder takes them, one live-sized step (0.5 s) per
decode, so each test sees the same hypotheses live capture would, without waiting
for real time. Speed is the benchmark's business (mockloop.engine.tools.speech_bench).
"""

from __future__ import annotations

import numpy as np
import psutil
import pytest

from mockloop.engine.tools.speech_bench import measure_streaming
from mockloop.engine.tools.speech_set import (
    blocks, count_fillers, load_set, looped_blocks, normalize, word_error_rate,
)
from mockloop.engine.speech.streaming import Caption, StreamingTranscriber
from mockloop.engine.speech.whisper_decoder import FILLER_PROMPT, WhisperDecoder, build_prompt, transcribe_batch

LIVE = dict(interval=0.5, max_step=0.5)


@pytest.fixture(scope="module")
def decoder(bundled):
    return WhisperDecoder(bundled["stt"])


@pytest.fixture(scope="module")
def clips():
    return load_set()


def stream(decoder, audio, start=0.0, **options):
    """Feed a clip; return (result, captions seen before finish(), all captions)."""
    captions: list[Caption] = []
    st = StreamingTranscriber(decoder, on_caption=captions.append, **{**LIVE, **options}).start()
    for block in blocks(audio, start=start):
        st.feed(block)
    assert st.wait_idle(timeout=300)
    before = list(captions)
    return st.finish(timeout=60), before, captions


def check_commitments(captions: list[Caption], words) -> None:
    """Committed text only grows, and what was committed is exactly the start of the final transcript."""
    committed = []
    for prev, cap in zip([Caption("", "", (), (), 0.0)] + captions, captions):
        assert cap.committed.startswith(prev.committed)
        assert cap.audio_end >= prev.audio_end
        committed.extend(cap.new_words)
    assert [(w.text, w.start) for w in committed] == [(w.text, w.start) for w in words]


def check_times(words, start: float, end: float) -> None:
    assert words
    for a, b in zip(words, words[1:]):
        assert a.start <= a.end <= b.start
    assert start <= words[0].start and words[-1].end <= end + 0.05


def test_streaming_a_30s_answer_matches_the_batch_pass(decoder, clips):
    clip = clips["piper_medium"]
    batch = transcribe_batch(decoder, clip.audio)
    result, before, captions = stream(decoder, clip.audio, start=100.0)

    assert len(before) > 20  # captions kept coming while audio was fed
    assert len(before[len(before) // 2].text) < len(before[-1].text)  # ...and grew
    assert before[len(before) // 2].committed  # stable text was committed along the way
    check_commitments(captions, result.transcript.words)
    check_times(result.transcript.words, 100.0, 100.0 + clip.duration)

    wer_stream, wer_batch = word_error_rate(clip.text, result.transcript.text), word_error_rate(clip.text, batch.text)
    assert wer_stream <= 0.10
    assert wer_stream <= wer_batch * 1.1 + 0.02
    assert not result.no_speech and result.speech_seconds > 15
    assert result.max_buffer_seconds < 16  # trimmed at committed segment ends
    assert result.audio_seconds == pytest.approx(clip.duration, abs=1e-3)


def test_thinking_pauses_stay_empty_and_time_stays_absolute(decoder, clips):
    clip = clips["piper_thinking"]
    batch = transcribe_batch(decoder, clip.audio)
    result, before, captions = stream(decoder, clip.audio, start=600.0)
    words = result.transcript.words
    check_commitments(captions, words)
    check_times(words, 600.0, 600.0 + clip.duration)
    for start, seconds in clip.pauses:
        lo, hi = 600.0 + start + 0.3, 600.0 + start + seconds - 0.3
        assert not [w for w in words if lo < (w.start + w.end) / 2 < hi], "no words inside a thinking pause"
        assert any(w.end <= lo for w in words) and any(w.start >= hi for w in words)
    assert word_error_rate(clip.text, result.transcript.text) <= word_error_rate(clip.text, batch.text) * 1.1 + 0.02
    assert result.decodes < 2 * (clip.duration - sum(s for _, s in clip.pauses)) + 6  # silence is not decoded


@pytest.mark.parametrize("name", ["piper_fillers", "espeak_fillers"])
def test_fillers_stay_in_the_transcript(decoder, clips, name):
    clip = clips[name]
    result, _, _ = stream(decoder, clip.audio, interval=1.0, max_step=1.0)
    said, heard = count_fillers(clip.text), count_fillers(result.transcript.text)
    assert heard["um"] >= 2 and heard["um"] + heard["uh"] >= (said["um"] + said["uh"]) // 2
    assert heard["like"] >= 1 and heard["you know"] >= 1
    assert "um" in normalize(FILLER_PROMPT).split() and FILLER_PROMPT in build_prompt(("Ranking",), "Why?", "so far")


def test_the_questions_vocabulary_is_offered_to_whisper(decoder, clips):
    clip = clips["piper_vocab"]
    assert clip.vocabulary == ("GraphSAGE", "node2vec", "Link Prediction")
    plain = normalize(transcribe_batch(decoder, clip.audio).text)
    assert "graphsage" not in plain and "node2vec" not in plain
    with_terms = normalize(transcribe_batch(decoder, clip.audio, clip.vocabulary).text)
    assert "graphsage" in with_terms and "node2vec" in with_terms
    result, _, _ = stream(decoder, clip.audio, vocabulary=clip.vocabulary, question="How would you recommend accounts to follow?")
    assert "graphsage" in normalize(result.transcript.text)


def test_silence_gives_an_empty_transcript_and_a_no_speech_flag(decoder, clips):
    audio = np.concatenate([clips["bad_silence"].audio, np.zeros(10 * 16000, dtype=np.float32)])
    result, before, _ = stream(decoder, audio)
    assert result.no_speech and result.transcript.text == "" and result.transcript.words == []
    assert result.decodes == 0 and result.speech_seconds == 0  # Whisper never ran on silence (no hallucinations)
    assert result.max_buffer_seconds < 2.0 and result.audio_seconds == pytest.approx(16.0, abs=0.01)
    empty = StreamingTranscriber(decoder).start().finish()  # a turn with no audio at all
    assert empty.no_speech and empty.transcript.text == "" and empty.audio_seconds == 0


def test_close_stops_the_worker_without_a_result(decoder, clips):
    captions = []
    st = StreamingTranscriber(decoder, on_caption=captions.append, **LIVE)
    for block in blocks(clips["piper_short"].audio[: 3 * 16000]):
        st.feed(block)  # starts the worker on its own
    assert st.running
    st.close()
    assert not st.running
    st.feed(next(blocks(clips["piper_short"].audio)))  # ignored: does not block or restart anything
    assert not st.running


def test_clipped_and_corrupt_samples_still_transcribe(decoder, clips):
    clip = clips["bad_clipped"]
    audio = clip.audio.copy()
    audio[16000:16000 + 512] = np.nan  # a broken driver buffer
    audio[32000:32000 + 512] = np.inf
    result, _, _ = stream(decoder, audio, interval=1.0, max_step=1.0)
    assert not result.no_speech
    assert word_error_rate(clip.text, result.transcript.text) < 0.3


def test_gaps_in_the_input_keep_word_times_absolute(decoder, clips):
    clip = clips["piper_short"]
    half = (len(clip.audio) // 2 // 512) * 512
    st = StreamingTranscriber(decoder, interval=1.0, max_step=1.0).start()
    for block in blocks(clip.audio[:half], start=10.0):
        st.feed(block)
    for block in blocks(clip.audio[half:], start=10.0 + half / 16000 + 30.0):  # 30 s not heard (the app spoke)
        st.feed(block)
    words = st.finish().transcript.words
    assert word_error_rate(clip.text, " ".join(w.text for w in words)) < 0.2
    assert words[0].start >= 10.0 and words[-1].end > 40.0 + clip.duration - 1.5
    assert all(not (10.0 + half / 16000 + 0.5 < w.start < 40.0 + half / 16000 - 0.5) for w in words)


def test_thirty_minutes_of_speech_keep_memory_bounded(decoder, clips):
    """A 30-minute answer (a 29 s answer every minute, thinking in between), fed as fast as
    possible on a coarse decode schedule (20 s steps) so the test stays short."""
    clip = clips["piper_medium"]
    seconds, gap = 30 * 60, 30.0
    proc = psutil.Process()
    rss: list[tuple[float, int]] = []  # (audio seconds decoded, RSS)
    stream(decoder, clip.audio, interval=20.0, max_step=20.0)  # the model's own buffers, at this size
    baseline = proc.memory_info().rss

    def on_caption(caption: Caption) -> None:
        rss.append((caption.audio_end, proc.memory_info().rss))

    st = StreamingTranscriber(decoder, on_caption=on_caption, interval=20.0, max_step=20.0,
                              trim_seconds=6.0, max_buffer_seconds=27.0).start()
    for block in looped_blocks(clip, seconds, gap=gap):
        st.feed(block)
    result = st.finish(timeout=900)
    rss.append((seconds, proc.memory_info().rss))

    # Holding the audio would add 16 kHz float32 = 3.7 MB a minute (110 MB in 30 minutes). The
    # first minutes grow by a few tens of MB (a fresh worker thread's allocator arenas), then it is flat.
    settled = max(r for t, r in rss if t <= 300)
    late_growth = (max(r for _, r in rss) - settled) / 2**20
    total_growth = (max(r for _, r in rss) - baseline) / 2**20
    assert late_growth < 25, f"RSS grew {late_growth:.0f} MB after the first 5 minutes"
    assert total_growth < 120, f"RSS grew {total_growth:.0f} MB"
    assert result.audio_seconds == pytest.approx(seconds, abs=0.1)
    assert result.max_buffer_seconds <= 27.0
    words = result.transcript.words
    expected = len(normalize(clip.text).split()) * seconds / (clip.duration + gap)
    assert 0.85 * expected < len(words) < 1.1 * expected
    check_times(words, 0.0, seconds)
    assert words[-1].end > seconds - 30.0


def test_measure_streaming_reports_the_benchmark_numbers(decoder, clips):
    report = measure_streaming([clips["piper_vocab"]], decoder, realtime="piper_vocab")
    row = report["clips"][0]
    assert row["fed"] == "realtime" and row["caption_lag_median_s"] is not None
    assert row["wer_stream"] <= 0.5 and row["decodes"] > 0
    assert set(report["median"]) >= {"caption_lag_s", "final_latency_stream_s", "final_latency_batch_s",
                                     "latency_ratio_stream_to_batch", "wer_stream", "wer_batch", "rtf_stream", "rtf_batch"}
