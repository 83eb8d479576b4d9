"""Speech to text with faster-whisper, loaded from a local CTranslate2 folder only."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from mockloop.engine.errors import ModelError
from mockloop.engine.registry import ROLE_NAMES, ModelInfo

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
    """A Whisper model on the CPU (int8). One instance per owning thread."""

    def __init__(self, info: ModelInfo, cpu_threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        self.info = info
        try:
            self._model = WhisperModel(
                str(info.path),
                device="cpu",
                compute_type="int8",
                cpu_threads=cpu_threads or (os.cpu_count() or 2),
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(
                ROLE_NAMES["stt"], info.path, "load-failed",
                f"could not be loaded ({exc}); model.bin may be truncated or damaged",
                "Copy the model folder again, or clear the setting to use the bundled model.",
            ) from None

    def transcribe(self, audio: np.ndarray, initial_prompt: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono float32 audio in one pass, with word timestamps."""
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        segments, _info = self._model.transcribe(
            audio,
            language="en",
            beam_size=1,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=initial_prompt,
            vad_filter=False,
        )
        words: list[Word] = []
        for seg in segments:
            for w in seg.words or []:
                words.append(Word(w.word.strip(), float(w.start), float(w.end), float(w.probability)))
        text = " ".join(w.text for w in words).strip()
        return Transcript(text, words, len(audio) / SAMPLE_RATE)
