"""Resampling in code (soxr) and cutting captured audio into fixed 16 kHz blocks."""

from __future__ import annotations

import numpy as np
import soxr

from mockloop.engine.audio.base import BLOCK_SAMPLES, STT_RATE, AudioBlock


def to_mono(frames: np.ndarray) -> np.ndarray:
    """Float32 mono from (frames,) or (frames, channels) audio; channels are averaged."""
    frames = np.asarray(frames)
    if frames.ndim == 2:
        frames = frames[:, 0] if frames.shape[1] == 1 else frames.mean(axis=1)
    return np.ascontiguousarray(frames, dtype=np.float32)


def resample(samples: np.ndarray, in_rate: int, out_rate: int) -> np.ndarray:
    """One-shot resampling of a whole clip (float32 mono)."""
    samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    if int(in_rate) == int(out_rate) or samples.size == 0:
        return samples
    return soxr.resample(samples, in_rate, out_rate, quality="HQ").astype(np.float32, copy=False)


def levels(samples: np.ndarray) -> tuple[float, float]:
    """(rms, peak) of a block, for a level meter."""
    if samples.size == 0:
        return 0.0, 0.0
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))), float(np.max(np.abs(samples)))


class BlockAssembler:
    """Any-rate chunks in; contiguous 512-sample AudioBlocks at 16 kHz out.

    Uses soxr's streaming resampler, so chunk boundaries leave no clicks and the
    output stays sample-aligned with the input over hours of audio.
    """

    def __init__(self, in_rate: int, out_rate: int = STT_RATE, block: int = BLOCK_SAMPLES) -> None:
        self.in_rate = int(in_rate)
        self.out_rate = int(out_rate)
        self.block = block
        self._stream = None if self.in_rate == self.out_rate else soxr.ResampleStream(self.in_rate, self.out_rate, 1, dtype="float32", quality="HQ")
        self._pending = np.zeros(0, dtype=np.float32)
        self._emitted = 0  # samples already handed out as blocks
        self._finished = False

    @property
    def emitted_seconds(self) -> float:
        return self._emitted / self.out_rate

    def push(self, chunk: np.ndarray) -> list[AudioBlock]:
        """Resample a chunk of mono float32 audio; return the whole blocks now available."""
        if self._finished:
            raise RuntimeError("BlockAssembler.push after finish")
        chunk = np.ascontiguousarray(chunk, dtype=np.float32).reshape(-1)
        out = chunk if self._stream is None else self._stream.resample_chunk(chunk)
        return self._cut(out, final=False)

    def finish(self) -> list[AudioBlock]:
        """Flush the resampler; the last block may be shorter than `block`."""
        if self._finished:
            return []
        self._finished = True
        out = np.zeros(0, dtype=np.float32) if self._stream is None else self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        return self._cut(out, final=True)

    def _cut(self, out: np.ndarray, final: bool) -> list[AudioBlock]:
        if out.size:
            self._pending = np.concatenate([self._pending, out.astype(np.float32, copy=False)])
        blocks = []
        n_whole = len(self._pending) // self.block
        for i in range(n_whole):
            blocks.append(self._make(self._pending[i * self.block:(i + 1) * self.block]))
        self._pending = self._pending[n_whole * self.block:]
        if final and self._pending.size:
            blocks.append(self._make(self._pending))
            self._pending = np.zeros(0, dtype=np.float32)
        return blocks

    def _make(self, samples: np.ndarray) -> AudioBlock:
        samples = samples.copy()
        rms, peak = levels(samples)
        block = AudioBlock(samples=samples, start=self._emitted / self.out_rate, rms=rms, peak=peak)
        self._emitted += len(samples)
        return block


def finite_audio(audio: np.ndarray) -> np.ndarray:
    """Float32 mono in [-1, 1]: NaN becomes silence and infinities full scale (a broken driver buffer must not crash)."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if not np.isfinite(audio).all() or (audio.size and np.abs(audio).max() > 1.0):
        audio = np.clip(np.nan_to_num(audio, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    return audio
