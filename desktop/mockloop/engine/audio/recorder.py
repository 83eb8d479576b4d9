"""Writes an answer to disk while it is captured, so a crash or a full disk never loses it.

The format is 16-bit WAV at 16 kHz mono, written by soundfile from a writer thread and
flushed (plus fsync) at least once a second. WAV rather than FLAC: a FLAC file whose
writer is killed says "unknown length" in its header and libsndfile cannot read it back,
while a killed WAV reads fine. After each flush the RIFF and data sizes in the header
are patched to what is on disk, so other players read an interrupted file too.
"""

from __future__ import annotations

import os
import queue
import shutil
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from mockloop.engine.audio.base import STT_RATE, AudioBlock
from mockloop.engine.core.errors import MockloopError

_FREE_SPACE_FIX = "What was recorded so far is saved, and what you say is still transcribed. Free some disk space, then start the next answer; until then you can type your answers."


class RecordingError(MockloopError):
    """The answer could not be written (disk full, folder not writable). What was written is kept."""

    REASONS = ("disk-full", "write-failed", "cannot-create", "unreadable")

    def __init__(self, reason: str, path: Path | str, problem: str, fix: str) -> None:
        assert reason in self.REASONS, reason
        self.reason = reason
        self.path = Path(path)
        super().__init__(problem, fix)


@dataclass
class RecordingResult:
    path: Path
    seconds: float
    error: RecordingError | None = None


def make_private_dir(folder: Path) -> None:
    """Create a folder (and missing parents) readable by the user only (0700)."""
    missing = []
    current = Path(folder)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for d in reversed(missing):
        d.mkdir(mode=0o700, exist_ok=True)
        os.chmod(d, 0o700)


def _wav_data_chunk(fd: int) -> tuple[int, int, int]:
    """(position of the data-size field, first data byte, bytes per frame) of a WAV file."""
    head = os.pread(fd, 4096, 0)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    frame_bytes = 2
    pos = 12
    while pos + 8 <= len(head):
        chunk_id, size = head[pos:pos + 4], struct.unpack("<I", head[pos + 4:pos + 8])[0]
        if chunk_id == b"fmt " and pos + 22 <= len(head):
            frame_bytes = max(1, struct.unpack("<H", head[pos + 20:pos + 22])[0])  # block align
        if chunk_id == b"data":
            return pos + 4, pos + 8, frame_bytes
        pos += 8 + size + (size & 1)
    raise ValueError("no data chunk in the first 4 KiB")


def _patch_wav_sizes(fd: int) -> int:
    """Make the RIFF and data sizes match the frames on disk; return the number of frames."""
    size_field, data_start, frame_bytes = _wav_data_chunk(fd)
    length = os.fstat(fd).st_size
    data_bytes = max(0, length - data_start) // frame_bytes * frame_bytes
    os.pwrite(fd, struct.pack("<I", data_start - 8 + data_bytes), 4)
    os.pwrite(fd, struct.pack("<I", data_bytes), size_field)
    return data_bytes // frame_bytes


def recover(path: Path | str) -> float:
    """Make an interrupted recording readable by any player; return its duration in seconds."""
    import soundfile as sf

    path = Path(path)
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError as exc:
        raise RecordingError("unreadable", path, f"The recording {path} cannot be opened ({exc.strerror}).", "Check that the file exists and is yours.") from None
    try:
        try:
            _wav_data_chunk(fd)
            is_wav = True
        except ValueError:
            is_wav = False
        if is_wav:
            _patch_wav_sizes(fd)
            os.fsync(fd)
    finally:
        os.close(fd)
    try:
        return float(sf.info(str(path)).duration)
    except (sf.LibsndfileError, RuntimeError):
        raise RecordingError("unreadable", path, f"The recording {path} is damaged beyond repair.", "Its transcript, if any, is still in the session.") from None


_CLOSE = object()


class Recorder:
    """Answer audio to a private WAV file, written and flushed by its own thread.

    `write()` (or `on_block`, to hand straight to an AudioIn) only queues; it is safe to
    call from a capture thread. A write failure is reported once (on_error, `error`);
    later audio is dropped, and what is on disk stays readable.

    With `append=True` an existing recording is continued after `gap_seconds` of silence
    (the next phase of a design answer goes into the same file as the first).
    """

    def __init__(self, path: Path | str, *, rate: int = STT_RATE, flush_seconds: float = 1.0,
                 on_error: Callable[[RecordingError], None] | None = None,
                 on_flush: Callable[[float], None] | None = None,
                 append: bool = False, gap_seconds: float = 0.0) -> None:
        self.path = Path(path)
        self.append = append
        self.gap_seconds = gap_seconds
        self.rate = rate
        self.flush_seconds = flush_seconds
        self._on_error = on_error
        self._on_flush = on_flush
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._file = None
        self._fd = -1
        self._frames = 0
        self._flushed_frames = 0
        self.error: RecordingError | None = None

    @property
    def seconds_written(self) -> float:
        return self._frames / self.rate

    @property
    def seconds_flushed(self) -> float:
        return self._flushed_frames / self.rate

    def start(self) -> "Recorder":
        import soundfile as sf

        if self._thread is not None or self._file is not None:
            raise RuntimeError("Recorder.start called twice")
        try:
            make_private_dir(self.path.parent)
            if self.append and self._continue_existing():
                self.write(np.zeros(round(self.gap_seconds * self.rate), dtype=np.float32))
            else:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
                os.chmod(self.path, 0o600)  # the file may have existed with other permissions
                self._file = sf.SoundFile(str(self.path), "w", samplerate=self.rate, channels=1, format="WAV", subtype="PCM_16")
            self._fd = os.open(self.path, os.O_RDWR)
        except (OSError, sf.LibsndfileError) as exc:
            reason, problem, fix = self._describe(exc, "could not be created", creating=True)
            raise RecordingError(reason, self.path, problem, fix) from None
        self._thread = threading.Thread(target=self._run, name="mockloop-recorder", daemon=True)
        self._thread.start()
        return self

    def _continue_existing(self) -> bool:
        """Open an earlier recording of ours for appending; False when there is none to continue."""
        import soundfile as sf

        if not self.path.is_file() or self.path.stat().st_size == 0:
            return False
        try:
            recover(self.path)  # a recording cut off by a crash gets its header fixed first
            info = sf.info(str(self.path))
        except (RecordingError, sf.LibsndfileError, RuntimeError):
            return False
        if info.samplerate != self.rate or info.channels != 1 or info.format != "WAV":
            return False
        self._file = sf.SoundFile(str(self.path), "r+")
        self._file.seek(0, sf.SEEK_END)
        self._frames = self._flushed_frames = info.frames
        return True

    def __enter__(self) -> "Recorder":
        return self.start() if self._thread is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, audio: AudioBlock | np.ndarray) -> None:
        samples = audio.samples if isinstance(audio, AudioBlock) else audio
        self._queue.put(np.asarray(samples, dtype=np.float32).reshape(-1))

    on_block = write

    def _describe(self, exc: Exception, what: str, creating: bool = False) -> tuple[str, str, str]:
        errno = getattr(exc, "errno", None)
        try:
            free = shutil.disk_usage(self.path.parent).free
        except OSError:
            free = None
        # libsndfile hides errno; a nearly empty disk tells ENOSPC apart from other failures.
        if errno == 28 or (free is not None and free < 64 * 1024):
            if creating:
                return ("disk-full", "The disk is full, so this answer cannot be recorded.", _FREE_SPACE_FIX.split(". ", 1)[1])
            return ("disk-full", f"The disk is full, so the recording of this answer stopped after {self._saved_seconds():.0f} seconds.", _FREE_SPACE_FIX)
        reason = "cannot-create" if creating else "write-failed"
        return (reason, f"The recording {self.path} {what} ({exc}).", "Check that the data folder is writable; you can keep answering by typing.")

    def _saved_seconds(self) -> float:
        """Seconds of audio on disk now (the header is patched to match, so the file reads as it is)."""
        if self._fd < 0:
            return 0.0
        try:
            return _patch_wav_sizes(self._fd) / self.rate
        except (OSError, ValueError):
            return self._flushed_frames / self.rate

    def _fail(self, exc: Exception) -> None:
        reason, problem, fix = self._describe(exc, "could not be written")
        self.error = RecordingError(reason, self.path, problem, fix)
        if self._on_error is not None:
            self._on_error(self.error)

    def _flush(self) -> None:
        if self.error is None:
            try:
                self._file.flush()
                self._flushed_frames = _patch_wav_sizes(self._fd)
                os.fsync(self._fd)
            except Exception as exc:  # libsndfile raises LibsndfileError; the OS raises OSError
                self._fail(exc)
                return
            if self._on_flush is not None:
                self._on_flush(self._flushed_frames / self.rate)

    def _run(self) -> None:
        next_flush = time.monotonic() + self.flush_seconds
        closing = False
        while not closing:
            try:
                items = [self._queue.get(timeout=max(0.0, next_flush - time.monotonic()))]
            except queue.Empty:
                items = []
            while True:  # batch whatever else is waiting into one write
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            closing = any(item is _CLOSE for item in items)
            chunks = [item for item in items if item is not _CLOSE]
            if chunks and self.error is None:
                data = np.concatenate(chunks)
                try:
                    self._file.write(data)
                    self._frames += len(data)
                except Exception as exc:  # LibsndfileError (short write) or OSError
                    self._fail(exc)
            if closing or time.monotonic() >= next_flush:
                self._flush()
                next_flush = time.monotonic() + self.flush_seconds

    def close(self) -> RecordingResult:
        """Write what is queued, finish the file and return where it is and how long it is."""
        if self._thread is not None:
            self._queue.put(_CLOSE)
            self._thread.join()
            self._thread = None
        if self._file is not None:
            try:
                self._file.close()
            except Exception:  # a full disk can fail the final header write; patched below
                pass
            self._file = None
        if self._fd >= 0:
            try:
                _patch_wav_sizes(self._fd)
                os.fsync(self._fd)
            except (OSError, ValueError):
                pass
            os.close(self._fd)
            self._fd = -1
        seconds = self._frames / self.rate
        if self.error is not None:
            try:
                seconds = recover(self.path)
            except RecordingError:
                pass
        return RecordingResult(self.path, seconds, self.error)
