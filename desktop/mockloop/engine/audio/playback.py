"""Replaying a stored recording through an AudioOut: play, pause, seek, and where playback is now.

The player never blocks: the AudioOut plays on its own thread (PortAudio's callback, or the
paced writer of WavFileOut), and `position()` is worked out from where playback started plus
`out.played_seconds`, which both outputs reset to zero on `stop()`. A UI polls `position()`
with a timer. Loading (decode + resample to the device rate) is a separate function, so a
UI can run it off its main thread and hand the `Clip` over.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mockloop.engine.audio.base import AudioOut
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.audio.resample import resample

# A clip resampled by the output may come out a frame shorter; within this of the end it has played out.
END_TOLERANCE_S = 0.002


class PlaybackError(MockloopError):
    """A recording that cannot be played: missing, unreadable or empty."""


@dataclass(frozen=True)
class Clip:
    """Decoded mono float32 audio and where it came from."""

    path: Path
    samples: np.ndarray
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def load_clip(path: Path | str | None, rate: int | None = None, *, what: str = "recording") -> Clip:
    """Read a WAV/FLAC as mono float32, resampled to `rate` when given (the output's own rate).

    Raises PlaybackError with a sentence for the user when the file is missing or unreadable.
    """
    import soundfile as sf

    if path is None:
        raise PlaybackError(f"There is no {what} for this turn.", "Typed answers and skipped questions have no audio.")
    path = Path(path)
    if not path.is_file():
        raise PlaybackError(f"The {what} {path.name} was not found in {path.parent}.",
                            "It may have been moved or deleted; the transcript is still here.")
    try:
        data, file_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise PlaybackError(f"The {what} {path.name} could not be read ({exc}).",
                            "The file may be damaged; the transcript is still here.") from None
    samples = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if samples.size == 0:
        raise PlaybackError(f"The {what} {path.name} holds no audio.", "Nothing was recorded for this turn.")
    if rate and int(rate) != int(file_rate):
        samples, file_rate = resample(samples, int(file_rate), int(rate)), int(rate)
    return Clip(path, np.ascontiguousarray(samples, dtype=np.float32), int(file_rate))


class Player:
    """One clip at a time through one AudioOut. Call it from one thread (the UI's)."""

    def __init__(self, out: AudioOut) -> None:
        self.out = out
        self.clip: Clip | None = None
        self._offset = 0.0  # seconds into the clip where the current (or paused) stretch starts
        self._base = 0.0  # out.played_seconds when the current stretch was queued
        self._playing = False
        self._finished = False

    # -- loading ---------------------------------------------------------------------------------

    def load(self, path: Path | str | None, *, what: str = "recording") -> Clip:
        """Read a file (on the calling thread) and make it the current clip."""
        rate = getattr(self.out, "device_rate", 0) or None
        clip = load_clip(path, rate, what=what)
        self.set_clip(clip)
        return clip

    def set_clip(self, clip: Clip | None) -> None:
        """Make `clip` current (stopping what plays); None unloads."""
        self.stop()
        self.clip = clip

    @property
    def duration(self) -> float:
        return self.clip.duration if self.clip is not None else 0.0

    # -- transport -------------------------------------------------------------------------------

    def play(self, from_s: float = 0.0) -> None:
        """Play the clip from `from_s` seconds (clamped to the clip); returns at once."""
        if self.clip is None:
            raise PlaybackError("Nothing is loaded to play.")
        self.out.stop()  # resets played_seconds: this stretch is counted from zero
        start = self._frame(from_s)
        self._offset = start / self.clip.rate
        self._finished = False
        if start >= len(self.clip.samples):
            self._playing = False
            self._finished = True
            return
        self._base = self.out.played_seconds
        self.out.play(self.clip.samples[start:], self.clip.rate)
        self._playing = True

    def resume(self) -> None:
        """Play on from where it was paused (from the start when it had played out)."""
        self.play(0.0 if self._finished else self._offset)

    def pause(self) -> float:
        """Stop the sound and keep the place; returns the position."""
        if self._playing:
            played = self.out.stop()
            self._offset = min(self.duration, self._offset + max(0.0, played - self._base))
            self._playing = False
            if self.duration - self._offset <= END_TOLERANCE_S:
                self._finished = True
        return self._offset

    def toggle(self) -> bool:
        """Pause when playing, otherwise resume; returns whether it now plays."""
        if self.is_playing():
            self.pause()
            return False
        self.resume()
        return True

    def stop(self) -> None:
        """Stop the sound and go back to the start."""
        if self._playing:
            self.out.stop()
        self._playing = False
        self._finished = False
        self._offset = 0.0

    def seek(self, seconds: float) -> float:
        """Move to `seconds` (clamped); playback carries on from there if it was playing. Returns the place."""
        if self.clip is None:
            return 0.0
        if self.is_playing():
            self.play(seconds)
        else:
            self._offset = self._frame(seconds) / self.clip.rate
            self._finished = False
        return self._offset

    # -- where it is -----------------------------------------------------------------------------

    def position(self) -> float:
        """Seconds into the clip that are being heard.

        While the output still has audio queued, what it holds in its buffer has not been
        heard yet, so its latency is taken off; once it has taken the whole clip the
        position runs to the end.
        """
        if not self._playing:
            return self.duration if self._finished else self._offset
        sounding = getattr(self.out, "sounding", None)
        lag = getattr(self.out, "output_latency", 0.0) if sounding is not None and sounding.is_set() else 0.0
        played = max(0.0, self.out.played_seconds - self._base - lag)
        position = min(self.duration, self._offset + played)
        if self.duration - position <= END_TOLERANCE_S:
            # Played out: the output is idle again, so the stretch is over.
            self._playing = False
            self._finished = True
            self._offset = self.duration
        return position

    def is_playing(self) -> bool:
        if self._playing:
            self.position()  # notices the end
        return self._playing

    def finished(self) -> bool:
        """True once the clip has played to its end (until the next play or seek)."""
        self.is_playing()
        return self._finished

    def error(self) -> MockloopError | None:
        """A device problem the output reported while playing (a lost speaker), if any."""
        problem = getattr(self.out, "error", None)
        return problem if isinstance(problem, MockloopError) else None

    def close(self) -> None:
        """Stop and release the output (a speaker stream, or a WAV file's header is finished)."""
        self.stop()
        close = getattr(self.out, "close", None)
        if close is not None:
            close()

    def _frame(self, seconds: float) -> int:
        assert self.clip is not None
        return max(0, min(len(self.clip.samples), round(float(seconds) * self.clip.rate)))
