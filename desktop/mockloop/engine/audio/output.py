"""Speech playback: a speaker through sounddevice, a WAV file for headless runs, or silence without a speaker."""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

import numpy as np

from mockloop.engine.audio.capture import AudioDeviceLost, ErrorCallback, NoOutputDeviceError, _sounddevice, select_device
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.audio.resample import resample


DEFAULT_LATENCY_S = 0.1


class SoundDeviceOut:
    """A speaker, fed at its own rate (voices are resampled in code: PortAudio's resampling crackles).

    The stream stays open once opened and plays silence when idle, so a new clause
    starts without reopening the device. The callback only copies queued samples out;
    a stop request is honoured by the next callback (10 ms blocks), which outputs zeros,
    and what the device already holds (about `latency`) plays out.

    The default latency is 0.1 s rather than PortAudio's "low" (20 ms on ALSA's pulse
    device): on a busy machine a 20 ms buffer underruns, and each underrun makes ALSA's
    pulse plugin re-create its stream, which can drop the whole clip (measured on
    PulseAudio's virtual speaker with the cores busy: 320 underruns and not a sound).
    """

    def __init__(self, device: str | int | None = None, *, on_error: ErrorCallback | None = None,
                 block_seconds: float = 0.01, latency: float | str = DEFAULT_LATENCY_S) -> None:
        self._sd = _sounddevice("output")
        self.device_index, info = select_device(device, "output")
        self.device_name = str(info["name"])
        self._rate = int(info["default_samplerate"])
        self._blocksize = max(1, round(self._rate * block_seconds))
        self._latency = latency
        self._on_error = on_error
        self._queue: deque[np.ndarray] = deque()
        self._current: np.ndarray | None = None
        self._pos = 0
        self._played = 0  # frames of real audio written since the last stop()
        self._stop_requested = False
        self._ack = threading.Event()
        self._drained = threading.Event()
        self._drained.set()
        self._tick = threading.Event()
        self._pa_finished = False
        self._stream = None
        self._open_lock = threading.Lock()
        self.sounding = threading.Event()  # set while real (queued) audio is being written
        self.frames_written = 0  # every frame of real audio ever written (never reset)
        self.callbacks = 0
        self.underflows = 0
        self.error: MockloopError | None = None

    @property
    def device_rate(self) -> int:
        return self._rate

    @property
    def played_seconds(self) -> float:
        """Seconds of audio handed to the device since the last stop(); it is heard `output_latency` later."""
        return self._played / self._rate

    @property
    def output_latency(self) -> float:
        """Seconds between handing audio to the device and hearing it (0 before the stream opens)."""
        stream = self._stream
        return float(stream.latency) if stream is not None else 0.0

    def _callback(self, outdata, frames, time_info, status) -> None:
        # Runs on PortAudio's thread: copy queued samples out, nothing else.
        self.callbacks += 1
        if status.output_underflow:
            self.underflows += 1
        if self._stop_requested:
            self._current = None
            self._stop_requested = False
            outdata.fill(0)
            self._ack.set()
            self._tick.set()
            return
        n = 0
        while n < frames:
            cur = self._current
            if cur is None:
                try:
                    cur = self._current = self._queue.popleft()
                except IndexError:  # empty (stop() may clear it at any moment)
                    break
                self._pos = 0
            take = min(frames - n, len(cur) - self._pos)
            outdata[n:n + take, 0] = cur[self._pos:self._pos + take]
            self._pos += take
            n += take
            if self._pos >= len(cur):
                self._current = None
        if n < frames:
            outdata[n:].fill(0)
        if n:
            self._played += n
            self.frames_written += n
            self.sounding.set()
        if self._current is None and not self._queue:
            self.sounding.clear()
            self._drained.set()
        self._tick.set()

    def _finished(self) -> None:
        self._pa_finished = True

    @property
    def is_open(self) -> bool:
        return self._stream is not None

    def open(self) -> None:
        """Open and start the output stream (play() does this on first use)."""
        with self._open_lock:
            if self._stream is not None:
                return
            sd = self._sd
            self._pa_finished = False
            try:
                stream = sd.OutputStream(device=self.device_index, samplerate=self._rate, channels=1, dtype="float32",
                                         blocksize=self._blocksize, latency=self._latency,
                                         callback=self._callback, finished_callback=self._finished)
                stream.start()
            except sd.PortAudioError as exc:
                raise NoOutputDeviceError(f"The speaker ({self.device_name}) could not be opened: {exc}.",
                                          "Choose another speaker in Settings; questions are shown as text meanwhile.") from None
            self._stream = stream

    def _alive(self) -> bool:
        stream = self._stream
        return stream is not None and not self._pa_finished and stream.active

    def play(self, samples: np.ndarray, rate: int) -> None:
        """Queue float32 mono audio; returns at once (resampling happens here, on the caller's thread)."""
        data = resample(np.asarray(samples, dtype=np.float32).reshape(-1), rate, self._rate)
        if data.size == 0:
            return
        self.open()
        self._queue.append(data)
        self._drained.clear()  # after the append, so a racing callback cannot mark the new audio as played
        self._check_lost()

    def _check_lost(self) -> bool:
        if self._stream is None or self._alive():
            return False
        if self.error is None:
            self.error = AudioDeviceLost("output", self.device_name, "the audio stream ended")
            self._queue.clear()
            self._current = None
            self._drained.set()
            if self._on_error is not None:
                self._on_error(self.error)
        return True

    def stop(self) -> float:
        """Silence within one block (~10 ms) plus the device's buffer; return seconds played since the last stop."""
        self._queue.clear()
        busy = self._current is not None or self.sounding.is_set()  # the callback clears `sounding` last
        if busy and self._alive():  # when idle there is nothing to cut, so no need to wait for a callback
            self._ack.clear()
            self._stop_requested = True
            if not self._ack.wait(0.2):  # the device stopped asking for audio; do not cut the next clip
                self._stop_requested = False
                self._current = None
        else:
            self._current = None
        self.sounding.clear()
        played, self._played = self._played / self._rate, 0
        self._drained.set()
        return played

    def wait(self, timeout: float | None = None) -> bool:
        """Block until everything queued has been handed to the device; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._drained.wait(0.05):
            if self._check_lost():
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
        return True

    def wait_callbacks(self, count: int, timeout: float | None = None) -> bool:
        """Block until the device has asked for `count` more blocks (tests use it to see silence after stop)."""
        target = self.callbacks + count
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.callbacks < target:
            self._tick.clear()
            if self.callbacks >= target:
                break
            if not self._tick.wait(0.05) and (self._check_lost() or (deadline is not None and time.monotonic() >= deadline)):
                return False
        return True

    def close(self) -> None:
        self.stop()
        with self._open_lock:
            stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except self._sd.PortAudioError:
                pass  # the device is already gone


class WavFileOut:
    """Appends what is played to a WAV file (16-bit) at one rate; for headless runs and tests.

    realtime=False writes each clip at once; realtime=True writes in 10 ms slices at
    the pace a speaker would play them, so stop() cuts speech short like a real device.
    """

    def __init__(self, path: Path | str, rate: int | None = None, *, realtime: bool = False) -> None:
        self.path = Path(path)
        self.realtime = realtime
        self._rate = int(rate) if rate else None
        self._file = None
        self._played = 0
        self._queue: deque[np.ndarray] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()  # new audio queued
        self._interrupt = threading.Event()  # stop() or close(): cut the pacing wait short
        self._drained = threading.Event()
        self._drained.set()
        self._stop_requested = False
        self._ack = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self.sounding = threading.Event()  # set while queued audio is being written (realtime mode)
        self.frames_written = 0

    @property
    def device_rate(self) -> int:
        return self._rate or 0

    @property
    def played_seconds(self) -> float:
        return self._played / self._rate if self._rate else 0.0

    def _ensure_open(self, rate: int) -> None:
        import soundfile as sf

        if self._file is not None:
            return
        self._rate = self._rate or int(rate)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = sf.SoundFile(str(self.path), "w", samplerate=self._rate, channels=1, format="WAV", subtype="PCM_16")
        if self.realtime:
            self._thread = threading.Thread(target=self._pace, name="mockloop-file-out", daemon=True)
            self._thread.start()

    def _write(self, data: np.ndarray) -> None:
        with self._lock:
            self._file.write(data)
            self._played += len(data)
            self.frames_written += len(data)

    def play(self, samples: np.ndarray, rate: int) -> None:
        self._ensure_open(rate)
        data = resample(np.asarray(samples, dtype=np.float32).reshape(-1), rate, self._rate)
        if data.size == 0:
            return
        if not self.realtime:
            self._write(data)
            return
        self._queue.append(data)
        self._drained.clear()
        self._wake.set()

    def _pace(self) -> None:
        step = max(1, self._rate // 100)
        while not self._closed.is_set():
            if self._stop_requested:
                self._stop_requested = False
                self._ack.set()
            try:
                chunk = self._queue.popleft()
            except IndexError:
                self.sounding.clear()
                self._drained.set()
                self._wake.wait(0.05)
                self._wake.clear()
                continue
            t0, pos = time.monotonic(), 0
            while pos < len(chunk) and not self._stop_requested and not self._closed.is_set():
                self._write(chunk[pos:pos + step])
                self.sounding.set()
                pos += step
                self._interrupt.wait(max(0.0, t0 + pos / self._rate - time.monotonic()))
        self._drained.set()

    def stop(self) -> float:
        self._queue.clear()
        if self._thread is not None and self._thread.is_alive():
            self._ack.clear()
            self._stop_requested = True
            self._interrupt.set()
            self._wake.set()
            self._ack.wait(0.2)
            self._interrupt.clear()
        self.sounding.clear()
        with self._lock:
            played, self._played = self.played_seconds, 0
        self._drained.set()
        return played

    def wait(self, timeout: float | None = None) -> bool:
        return self._drained.wait(timeout)

    def close(self) -> None:
        """Finish the file (its header gets the final length)."""
        self.stop()
        self._closed.set()
        self._interrupt.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        if self._file is not None:
            with self._lock:
                self._file.close()


class SilentOut:
    """An AudioOut for a computer without a speaker: nothing is heard, but speech takes its time.

    Keeping the pace means the question stays on screen as "being asked" as long as it would
    be heard, and the half-duplex microphone logic behaves as with a speaker.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._until = 0.0  # monotonic time the queued speech would end
        self._started = 0.0
        self._rate = 0

    @property
    def device_rate(self) -> int:
        return 0  # any rate is fine: nothing is resampled for silence

    @property
    def played_seconds(self) -> float:
        with self._cond:
            if not self._started:
                return 0.0
            return max(0.0, min(time.monotonic(), self._until) - self._started)

    def play(self, samples: np.ndarray, rate: int) -> None:
        seconds = len(np.asarray(samples).reshape(-1)) / max(1, int(rate))
        with self._cond:
            now = time.monotonic()
            if self._until <= now:
                self._until = now
                self._started = self._started or now
            self._until += seconds

    def stop(self) -> float:
        with self._cond:
            played = 0.0 if not self._started else max(0.0, min(time.monotonic(), self._until) - self._started)
            self._until = 0.0
            self._started = 0.0
            self._cond.notify_all()
        return played

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                if self._until <= now:
                    return True
                if deadline is not None and now >= deadline:
                    return False
                limit = self._until - now if deadline is None else min(self._until, deadline) - now
                self._cond.wait(limit)

    def close(self) -> None:
        self.stop()
