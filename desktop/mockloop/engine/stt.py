"""Transcripts and their timed words, and one-pass transcription of a whole clip."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mockloop.engine.registry import ModelInfo

SAMPLE_RATE = 16_000


@dataclass
class Word:
    text: str
    start: float
    end: float
    probability: float


@dataclass
class Transcript:
    text: str
    words: list[Word]
    duration: float


class Transcriber:
    """One-pass transcription of a whole clip (doctor, tests); the model is a `WhisperDecoder`."""

    def __init__(self, info: ModelInfo, cpu_threads: int = 0) -> None:
        from mockloop.engine.whisper_decoder import WhisperDecoder  # it imports this module's types

        self.info = info
        self.decoder = WhisperDecoder(info, cpu_threads)

    def transcribe(self, audio: np.ndarray, initial_prompt: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 audio in one pass, with word timestamps."""
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        segments = self.decoder.decode(audio, initial_prompt, skip_short_tail=False, streaming=False)
        words = [w for seg in segments for w in seg.words]
        return Transcript(" ".join(w.text for w in words).strip(), words, len(audio) / SAMPLE_RATE)
