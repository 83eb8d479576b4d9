"""The audio a stream has not committed yet: whole VAD windows, their speech probabilities, and
the anchors that map buffer samples to absolute times across gaps between blocks."""

from __future__ import annotations

import numpy as np

from mockloop.engine.audio.base import STT_RATE, AudioBlock
from mockloop.engine.audio.resample import finite_audio
from mockloop.engine.speech.vad import WINDOW, StreamingVad

SPEECH = 0.5  # Silero probability above which a window is speech


class SpeechBuffer:
    """Uncommitted audio in whole 512-sample windows, with (buffer sample, absolute time) anchors
    so gaps between blocks keep times exact. One per stream; used on the stream's worker thread."""

    def __init__(self, vad: StreamingVad) -> None:
        self.vad = vad
        self.audio = np.zeros(0, dtype=np.float32)
        self.probs = np.zeros(0, dtype=np.float32)
        self.anchors: list[tuple[int, float]] = []
        self._next_time: float | None = None
        self.audio_seconds = 0.0  # everything ever appended
        self.speech_windows = 0
        self.max_seconds = 0.0  # the longest the buffer has been

    def __len__(self) -> int:
        return len(self.audio)

    def append(self, blocks: list[AudioBlock]) -> None:
        if not blocks:
            return
        offset = len(self.audio)
        for block in blocks:
            if self._next_time is None or abs(block.start - self._next_time) > 0.01:
                self.anchors.append((offset, block.start))  # a gap (or the first block)
            self._next_time = block.start + len(block.samples) / STT_RATE
            offset += len(block.samples)
            self.audio_seconds += len(block.samples) / STT_RATE
        audio = np.concatenate([np.asarray(b.samples, dtype=np.float32).reshape(-1) for b in blocks])
        audio = finite_audio(audio)
        if len(audio) % WINDOW:  # normally only the very last block is short: pad it with silence
            audio = np.pad(audio, (0, WINDOW - len(audio) % WINDOW))
            self._next_time = None  # the padding shifts what follows: anchor the next block afresh
        probs = self.vad.probabilities(audio)
        self.speech_windows += int((probs >= SPEECH).sum())
        self.audio = np.concatenate([self.audio, audio])
        self.probs = np.concatenate([self.probs, probs])
        self.max_seconds = max(self.max_seconds, len(self.audio) / STT_RATE)

    def time(self, sample: float) -> float:
        """Absolute time of a (fractional) buffer sample index."""
        idx, t = self.anchors[0]
        for a_idx, a_t in self.anchors:
            if a_idx > sample:
                break
            idx, t = a_idx, a_t
        return t + (sample - idx) / STT_RATE

    def sample(self, t: float) -> int:
        """Buffer sample index of an absolute time (clamped to the buffer)."""
        idx, at = self.anchors[0]
        for a_idx, a_t in self.anchors:
            if a_t > t:
                break
            idx, at = a_idx, a_t
        return int(min(len(self.audio), max(0, idx + (t - at) * STT_RATE)))

    def last_speech_sample(self) -> int:
        speech = np.flatnonzero(self.probs >= SPEECH)
        return int(speech[-1] + 1) * WINDOW if speech.size else 0

    def cut(self, sample: int) -> tuple[int, float] | None:
        """Drop the audio before `sample` (rounded down to a window); the samples dropped and the
        absolute time of the new start, or None when nothing was dropped."""
        sample = (sample // WINDOW) * WINDOW
        if sample <= 0:
            return None
        t = self.time(sample)
        self.audio = self.audio[sample:].copy()
        self.probs = self.probs[sample // WINDOW:].copy()
        anchors = [(i - sample, at) for i, at in self.anchors if i > sample]
        self.anchors = [(0, t)] + anchors
        return sample, t
