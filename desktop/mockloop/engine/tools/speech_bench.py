"""Speech benchmark: caption lag, turn end → final transcript latency, WER and RTF, streaming vs batch.

Benchmarks report speed; tests assert correctness. `measure_streaming` feeds one short
clip paced like a microphone (for caption lag) and the others as fast as the decoder
takes them, on the same decode schedule as live capture.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Sequence

import numpy as np

from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.tools.speech_set import Clip, blocks, word_error_rate
from mockloop.engine.speech.local_agreement import word_key
from mockloop.engine.speech.streaming import Caption, StreamingTranscriber
from mockloop.engine.speech.whisper_decoder import WhisperDecoder, transcribe_batch


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _paced(stream: StreamingTranscriber, audio: np.ndarray, start: float, t0: float) -> None:
    """Feed blocks no faster than a microphone would deliver them (t0 = wall time of audio time `start`)."""
    for block in blocks(audio, start=start):
        due = t0 + (block.start - start) + len(block.samples) / STT_RATE
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)  # pacing the fake microphone, not waiting for a result
        stream.feed(block)


def _caption_lags(seen: list[tuple[float, Caption]], words, t0: float) -> list[float]:
    """Per final word: wall time it first showed in a caption minus the wall time its audio ended."""
    lags = []
    for w in words:
        for wall, cap in seen:
            if any(word_key(c.text) == word_key(w.text) and abs(c.end - w.end) < 0.6 for c in cap.new_words + cap.tentative_words):
                lags.append(wall - (t0 + w.end))
                break
    return lags


def _peak_rss_mb() -> float:
    try:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux
    except ImportError:  # Windows: the current RSS is the best available
        import psutil

        return round(psutil.Process().memory_info().rss / 2**20, 1)


def measure_clip(decoder: WhisperDecoder, clip: Clip, realtime: bool, **stream_options) -> dict:
    seen: list[tuple[float, Caption]] = []
    if not realtime:  # live capture hands the worker ~one interval of audio per decode: do the same
        stream_options = {"max_step": stream_options.get("interval", 0.5), **stream_options}
    stream = StreamingTranscriber(decoder, vocabulary=clip.vocabulary,
                                  on_caption=lambda c: seen.append((time.perf_counter(), c)), **stream_options)
    stream.start()
    tail = min(len(clip.audio), 2 * STT_RATE)
    if realtime:
        t0 = time.perf_counter()
        _paced(stream, clip.audio, 0.0, t0)
    else:
        # As fast as the decoder takes it, one live-sized step per decode; then the last
        # two seconds at real pace, so the turn ends with the worker in its live rhythm.
        head = clip.audio[: len(clip.audio) - tail]
        for block in blocks(head):
            stream.feed(block)
        stream.wait_idle()
        t0 = time.perf_counter() - len(head) / STT_RATE
        _paced(stream, clip.audio[len(head):], len(head) / STT_RATE, t0)
    result = stream.finish()
    lags = _caption_lags(seen, result.transcript.words, t0) if realtime else []

    t = time.perf_counter()
    batch = transcribe_batch(decoder, clip.audio, clip.vocabulary)
    batch_seconds = time.perf_counter() - t
    return {
        "clip": clip.name,
        "duration_s": round(clip.duration, 2),
        "fed": "realtime" if realtime else "fast",
        "caption_lag_median_s": _median(lags),
        "caption_lag_p90_s": round(float(np.percentile(lags, 90)), 3) if lags else None,
        "final_latency_stream_s": round(result.finish_seconds, 3),
        "final_latency_batch_s": round(batch_seconds, 3),
        "final_tail_decoded": result.final_decoded,
        "final_decode_s": round(result.final_decode_seconds, 3),
        "wer_stream": round(word_error_rate(clip.text, result.transcript.text), 4),
        "wer_batch": round(word_error_rate(clip.text, batch.text), 4),
        "wer_stream_vs_batch": round(word_error_rate(batch.text, result.transcript.text), 4),
        "rtf_stream": round(result.decode_seconds / clip.duration, 3),
        "rtf_batch": round(batch_seconds / clip.duration, 3),
        "decodes": result.decodes,
        "max_buffer_s": round(result.max_buffer_seconds, 2),
    }


def measure_streaming(clips: Sequence[Clip], decoder: WhisperDecoder | None = None, realtime: str | None = None, **stream_options) -> dict:
    """Measure every clip; the one named `realtime` (default: the first of 20-40 s) is paced like a microphone."""
    if decoder is None:
        from mockloop.engine.models import registry
        from mockloop.engine.core.settings import Settings

        decoder = WhisperDecoder(registry.resolve("stt", Settings()))
    if realtime is None:
        realtime = next((c.name for c in clips if 20 <= c.duration <= 40), None)
    rows = [measure_clip(decoder, c, c.name == realtime, **stream_options) for c in clips]

    def col(key: str) -> list[float]:
        return [r[key] for r in rows if r[key] is not None]

    stream_latency, batch_latency = _median(col("final_latency_stream_s")), _median(col("final_latency_batch_s"))
    return {
        "clips": rows,
        "median": {
            "caption_lag_s": _median(col("caption_lag_median_s")),
            "final_latency_stream_s": stream_latency,
            "final_latency_batch_s": batch_latency,
            "latency_ratio_stream_to_batch": round(stream_latency / batch_latency, 3) if stream_latency is not None and batch_latency else None,
            "wer_stream": _median(col("wer_stream")),
            "wer_batch": _median(col("wer_batch")),
            "rtf_stream": _median(col("rtf_stream")),
            "rtf_batch": _median(col("rtf_batch")),
        },
        "peak_rss_mb": _peak_rss_mb(),
        "cpu_count": os.cpu_count(),
    }


def default_clips(long_seconds: float = 120.0) -> list[Clip]:
    """The benchmark's clips: a ~30 s answer (paced), a noisy espeak-ng answer and a 2-minute answer."""
    from mockloop.engine.tools.speech_set import load_set, long_answer

    clips = load_set()
    return [clips["piper_medium"], clips["espeak_medium_pink15"], long_answer(clips, long_seconds)]


if __name__ == "__main__":
    import json

    print(json.dumps(measure_streaming(default_clips()), indent=1))
