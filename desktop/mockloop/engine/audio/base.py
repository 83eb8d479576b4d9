"""The small typed interfaces between the speech stages (GLaDOS-style protocols)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, runtime_checkable

import numpy as np

# Everything after capture works on 16 kHz mono float32 in [-1, 1].
STT_RATE = 16_000
# Capture delivers blocks of this length (after resampling to STT_RATE): 32 ms,
# which is also the window Silero VAD works on (512 samples at 16 kHz).
BLOCK_SAMPLES = 512


@dataclass(frozen=True)
class AudioBlock:
    """One block of captured audio, already at STT_RATE."""

    samples: np.ndarray  # float32, mono, BLOCK_SAMPLES long (the last block may be shorter)
    start: float  # seconds since capture started
    rms: float
    peak: float


@runtime_checkable
class AudioIn(Protocol):
    """A source of captured audio: a microphone, or a WAV replayed for tests."""

    def start(self, on_block: Callable[[AudioBlock], None]) -> None: ...

    def stop(self) -> None: ...

    @property
    def device_rate(self) -> int: ...


@runtime_checkable
class AudioOut(Protocol):
    """A sink for speech: a speaker, or a WAV file for headless runs."""

    def play(self, samples: np.ndarray, rate: int) -> None:
        """Queue audio (float32 mono) for playback; returns at once."""

    def stop(self) -> float:
        """Stop within 50 ms; return the seconds of audio actually played since the last start."""

    def wait(self, timeout: float | None = None) -> bool:
        """Block until queued audio has played; False on timeout."""

    @property
    def played_seconds(self) -> float: ...
