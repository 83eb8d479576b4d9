"""The Whisper model (faster-whisper, CTranslate2 int8 on the CPU): one decode at a time, cancellable.

Used by the streaming transcriber for each buffer, and whole for the batch baseline,
`mockloop answer` and `mockloop doctor`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.model_info import ROLE_NAMES, ModelInfo
from mockloop.engine.speech.transcript import SAMPLE_RATE, Transcript, Word
from mockloop.engine.audio.resample import finite_audio

# Whisper drops fillers unless the text before the audio has them: this "previous text"
# makes it write what was said, disfluencies included (coaching counts them).
FILLER_PROMPT = "Um, so, uh, I think, like, the model... you know, hmm. Well, uh, I'd say, um, it depends."


def build_prompt(vocabulary: Sequence[str] = (), question: str = "", context: str = "") -> str:
    """Whisper's initial prompt: the question and its terms, the disfluent style, then recent committed text.

    faster-whisper keeps the last 223 prompt tokens, so the parts are capped to fit.
    """
    parts = []
    if question:
        parts.append(question.strip()[:240])
    if vocabulary:
        parts.append("Terms: " + ", ".join(v.strip() for v in vocabulary if v.strip())[:240] + ".")
    parts.append(FILLER_PROMPT)
    if context:
        parts.append(context[-300:])
    return " ".join(parts)


@dataclass
class Segment:
    """One Whisper segment: a stretch of speech it transcribed as a unit (often a sentence)."""

    start: float
    end: float
    words: list[Word]


class _TailSkipped(Exception):
    """Raised inside faster-whisper's generator to skip a window over a short tail."""


class DecodeCancelled(Exception):
    """A decode was abandoned between its model calls (the turn ended: only the final decode matters)."""


_MIN_TAIL_FRAMES = 100  # 1 s of mel frames


def _model_class():
    from faster_whisper import WhisperModel

    class _Whisper(WhisperModel):
        # With word timestamps, faster-whisper decodes the audio after the last word as
        # another window (another encoder pass, ~0.2 s here) even when that is a fraction of
        # a second: in a streaming buffer that is just the word being spoken. Skip such
        # windows; a longer rest (Whisper ended its first window early) is still decoded.
        skip_short_tail = False
        cancel: threading.Event | None = None
        _encodes = 0

        def _check(self) -> None:
            if self.cancel is not None and self.cancel.is_set():
                raise DecodeCancelled

        def generate_with_fallback(self, *args, **kwargs):
            self._check()
            return super().generate_with_fallback(*args, **kwargs)

        def add_word_timestamps(self, *args, **kwargs):
            self._check()
            return super().add_word_timestamps(*args, **kwargs)

        def encode(self, features):
            self._check()
            if self.skip_short_tail:
                self._encodes += 1
                # Windows are zero-padded mel frames: the non-zero columns are the audio left.
                if self._encodes > 1 and np.count_nonzero(np.any(np.asarray(features) != 0, axis=0)) < _MIN_TAIL_FRAMES:
                    raise _TailSkipped
            return super().encode(features)

    return _Whisper


class WhisperDecoder:
    """A faster-whisper model for streaming; decode() runs one buffer at a time (calls are serialized)."""

    def __init__(self, info: ModelInfo, cpu_threads: int = 0) -> None:
        self.info = info
        self._lock = threading.Lock()
        try:
            self._model = _model_class()(
                str(info.path), device="cpu", compute_type="int8",
                cpu_threads=cpu_threads or (os.cpu_count() or 2), local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(
                ROLE_NAMES["stt"], info.path, "load-failed",
                f"could not be loaded ({exc}); model.bin may be truncated or damaged",
                "Copy the model folder again, or clear the setting to use the bundled model.",
            ) from None

    def decode(self, audio: np.ndarray, prompt: str | None, *, skip_short_tail: bool = True, condition: bool = False,
               streaming: bool = True, cancel: threading.Event | None = None) -> list[Segment]:
        """Segments with word timestamps (seconds from the start of `audio`), greedy.

        streaming: re-decode at a higher temperature only when the text repeats itself
        (a decoding loop), not whenever confidence is low, which on noisy audio would
        double the cost of many steps. Otherwise faster-whisper's usual fallback.
        cancel: checked between the model's calls; raises DecodeCancelled once set.
        """
        audio = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        out: list[Segment] = []
        with self._lock:
            self._model.skip_short_tail = skip_short_tail
            self._model.cancel = cancel
            self._model._encodes = 0
            try:
                fallback = dict(temperature=(0.0, 0.5), log_prob_threshold=None) if streaming else {}
                segments, _info = self._model.transcribe(
                    audio, language="en", beam_size=1, word_timestamps=True, condition_on_previous_text=condition,
                    initial_prompt=prompt or None, vad_filter=False, **fallback,
                )
                for seg in segments:
                    words = [Word(w.word.strip(), float(w.start), float(w.end), float(w.probability)) for w in seg.words or []]
                    words = [w for w in words if w.text]
                    if words:
                        out.append(Segment(float(seg.start), float(seg.end), words))
            except _TailSkipped:
                pass
            finally:
                self._model.skip_short_tail = False
                self._model.cancel = None
        return out


def transcribe_batch(decoder: WhisperDecoder, audio: np.ndarray, vocabulary: Sequence[str] = (), question: str = "",
                     condition: bool = True) -> Transcript:
    """The baseline: one pass over the whole clip with the same prompt (what a non-streaming app does at turn end)."""
    audio = finite_audio(audio)
    segments = decoder.decode(audio, build_prompt(vocabulary, question), skip_short_tail=False, condition=condition, streaming=False)
    words = [w for seg in segments for w in seg.words]
    return Transcript(" ".join(w.text for w in words), words, len(audio) / STT_RATE)


class Transcriber:
    """One-pass transcription of a whole clip (doctor, tests); the model is a `WhisperDecoder`."""

    def __init__(self, info: ModelInfo, cpu_threads: int = 0) -> None:
        self.info = info
        self.decoder = WhisperDecoder(info, cpu_threads)

    def transcribe(self, audio: np.ndarray, initial_prompt: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 audio in one pass, with word timestamps."""
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        segments = self.decoder.decode(audio, initial_prompt, skip_short_tail=False, streaming=False)
        words = [w for seg in segments for w in seg.words]
        return Transcript(" ".join(w.text for w in words).strip(), words, len(audio) / SAMPLE_RATE)
