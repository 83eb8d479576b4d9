"""Audio capture: a microphone through sounddevice, or an audio file replayed, as 16 kHz blocks.

Playback (SoundDeviceOut, WavFileOut) lives in output.py.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable

import numpy as np

from mockloop.engine.audio.devices import PORTAUDIO_FIX, import_sounddevice, rescan
from mockloop.engine.audio.base import AudioBlock
from mockloop.engine.core.errors import AudioUnavailableError, MockloopError
from mockloop.engine.audio.resample import BlockAssembler, to_mono

ErrorCallback = Callable[[Exception], None]  # typed MockloopErrors; anything on_block raised
_TYPE_INSTEAD = "Until then you can type your answers instead."


class NoInputDeviceError(AudioUnavailableError):
    """No PortAudio, no microphone at all, or not the one that was asked for."""


class NoOutputDeviceError(AudioUnavailableError):
    """No PortAudio, no speaker at all, or not the one that was asked for."""


class AudioDeviceLost(AudioUnavailableError):
    """A device that was working went away (unplugged, turned off, sound server gone)."""

    def __init__(self, kind: str, device_name: str, detail: str = "") -> None:
        self.kind = kind
        self.device_name = device_name
        self.detail = detail
        if kind == "input":
            super().__init__(
                f"The microphone ({device_name}) stopped sending sound during your answer; it may have been unplugged or turned off.",
                "What you said so far is saved. Plug it back in and choose it in Settings, or type the rest of your answer.",
            )
        else:
            super().__init__(
                f"The speaker ({device_name}) stopped playing; it may have been unplugged or turned off.",
                "Plug it back in and choose it in Settings; the question is also shown as text.",
            )


class AudioFileError(MockloopError):
    """An audio file that is missing, empty or not audio."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        super().__init__(f"The audio file {self.path} {problem}.", "Choose a WAV or FLAC recording.")


def _sounddevice(kind: str):
    """sounddevice, or a typed error that says what the user can do instead."""
    try:
        return import_sounddevice()
    except AudioUnavailableError as exc:
        if kind == "input":
            raise NoInputDeviceError(f"No microphone was found: {exc.problem[0].lower()}{exc.problem[1:]}", f"{PORTAUDIO_FIX} {_TYPE_INSTEAD}") from None
        raise NoOutputDeviceError(f"No speaker was found: {exc.problem[0].lower()}{exc.problem[1:]}", f"{PORTAUDIO_FIX} Questions are shown as text meanwhile.") from None


def select_device(device: str | int | None, kind: str) -> tuple[int, dict]:
    """(index, PortAudio info) of an input or output device: by index, by name (exact, then substring), or the default."""
    sd = _sounddevice(kind)
    channels_key = "max_input_channels" if kind == "input" else "max_output_channels"
    error = NoInputDeviceError if kind == "input" else NoOutputDeviceError
    what = "microphone" if kind == "input" else "speaker"
    fix = f"Plug one in, or choose another in Settings. {_TYPE_INSTEAD}" if kind == "input" else "Plug one in, or choose another in Settings; questions are shown as text meanwhile."
    try:
        devices = list(sd.query_devices())
        if device is None or device == "":
            index = sd.default.device[0 if kind == "input" else 1]
            index = int(index) if index is not None else -1
            if index < 0:
                usable = [i for i, d in enumerate(devices) if d[channels_key] > 0]
                if not usable:
                    raise error(f"No {what} was found.", fix)
                index = usable[0]
        elif isinstance(device, int) or (isinstance(device, str) and device.isdigit()):
            index = int(device)
            if not 0 <= index < len(devices) or devices[index][channels_key] <= 0:
                raise error(f"No {what} was found at device number {index}.", fix)
        else:
            named = [i for i, d in enumerate(devices) if d[channels_key] > 0 and d["name"] == device]
            named = named or [i for i, d in enumerate(devices) if d[channels_key] > 0 and device.lower() in d["name"].lower()]
            if not named:
                raise error(f"No {what} named '{device}' was found.", fix)
            index = named[0]
        return index, dict(devices[index])
    except sd.PortAudioError as exc:
        raise error(f"No {what} could be used: PortAudio reported {exc}.", fix) from None


def rescan_devices() -> None:
    """Make PortAudio list devices again (they may have come or gone). Closes every open stream."""
    rescan(_sounddevice("input"))


class SoundDeviceIn:
    """A microphone, captured at its own rate and resampled to 16 kHz in code.

    The PortAudio callback only appends a copy to a bounded deque; a consumer thread
    downmixes, resamples and hands out 512-sample AudioBlocks. A device that goes
    away is reported once through on_error as AudioDeviceLost, and capture stops.
    """

    def __init__(self, device: str | int | None = None, *, on_error: ErrorCallback | None = None,
                 buffer_seconds: float = 5.0, stall_seconds: float = 5.0) -> None:
        self._sd = _sounddevice("input")
        self.device_index, info = select_device(device, "input")
        self.device_name = str(info["name"])
        self._rate = int(info["default_samplerate"])
        self._max_channels = int(info["max_input_channels"])
        self._on_error = on_error
        self._stall_seconds = stall_seconds
        # 20 ms of device audio per callback; the deque holds buffer_seconds of them.
        self._buffer: deque[np.ndarray] = deque(maxlen=max(8, round(buffer_seconds / 0.02)))
        self._overflows = 0  # PortAudio input overflows plus chunks dropped because the deque was full
        self._stream = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._pa_finished = False
        self._stopping = False
        self._lock = threading.Lock()
        self.error: Exception | None = None

    @property
    def device_rate(self) -> int:
        return self._rate

    @property
    def overflows(self) -> int:
        return self._overflows

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _callback(self, indata, frames, time_info, status) -> None:
        # Runs on PortAudio's thread: copy and count, nothing else.
        if status.input_overflow or len(self._buffer) == self._buffer.maxlen:
            self._overflows += 1
        self._buffer.append(indata.copy())

    def _finished(self) -> None:
        self._pa_finished = True

    def _open(self):
        sd = self._sd
        last: Exception | None = None
        channel_options = sorted({1, min(2, self._max_channels)})  # some hardware refuses mono: downmix stereo
        for rate in dict.fromkeys((self._rate, 48_000, 44_100)):
            for channels in channel_options:
                try:
                    stream = sd.InputStream(device=self.device_index, samplerate=rate, channels=channels, dtype="float32",
                                            blocksize=max(1, round(rate * 0.02)), callback=self._callback,
                                            finished_callback=self._finished)
                    stream.start()
                except sd.PortAudioError as exc:
                    last = exc
                    continue
                self._rate = rate
                return stream
        raise NoInputDeviceError(f"The microphone ({self.device_name}) could not be opened: {last}.",
                                 f"Choose another microphone in Settings. {_TYPE_INSTEAD}")

    def start(self, on_block: Callable[[AudioBlock], None]) -> None:
        if self.running:
            raise RuntimeError("SoundDeviceIn is already capturing")
        self._stop.clear()
        self._stopping = False
        self._pa_finished = False
        self._buffer.clear()
        self.error = None
        self._stream = self._open()
        self._thread = threading.Thread(target=self._run, args=(on_block,), name="mockloop-capture", daemon=True)
        self._thread.start()

    def _drain(self) -> list[np.ndarray]:
        chunks = []
        while True:
            try:
                chunks.append(self._buffer.popleft())
            except IndexError:
                return chunks

    def _deliver(self, assembler: BlockAssembler, chunks: list[np.ndarray], on_block) -> None:
        for block in assembler.push(to_mono(np.concatenate(chunks))):
            on_block(block)

    def _run(self, on_block) -> None:
        try:
            self._capture(on_block)
        except Exception as exc:  # on_block failed: stop capturing and say why
            self._close_stream(abort=True)
            self.error = exc
            if self._on_error is None:
                raise
            self._on_error(exc)

    def _capture(self, on_block) -> None:
        assembler = BlockAssembler(self._rate)
        last_data = time.monotonic()
        got_data = False
        lost = ""
        while True:
            chunks = self._drain()
            now = time.monotonic()
            if chunks:
                got_data, last_data = True, now
                self._deliver(assembler, chunks, on_block)
                continue
            if self._stop.is_set():
                break
            stream = self._stream
            if self._stopping:
                pass  # stop() is closing the stream; the stop event follows
            elif self._pa_finished or stream is None or not stream.active:
                lost = "the audio stream ended"
            elif now - last_data > (self._stall_seconds if got_data else 2 * self._stall_seconds):
                lost = f"no sound arrived for {now - last_data:.1f} s"
            if lost:
                break
            self._stop.wait(0.01)
        if lost:
            self._close_stream(abort=True)
        chunks = self._drain()
        if chunks:
            self._deliver(assembler, chunks, on_block)
        for block in assembler.finish():  # keep the tail: what was captured is never dropped
            on_block(block)
        if lost and not self._stop.is_set():
            self.error = AudioDeviceLost("input", self.device_name, lost)
            if self._on_error is not None:
                self._on_error(self.error)

    def _close_stream(self, abort: bool = False) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort() if abort else stream.stop()
        except self._sd.PortAudioError:
            pass  # the device is already gone
        try:
            stream.close()
        except self._sd.PortAudioError:
            pass

    def stop(self) -> None:
        """Stop capturing; blocks already captured (and the resampler's tail) are delivered first."""
        self._stopping = True
        self._close_stream()
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None


class WavFileIn:
    """An audio file (WAV, FLAC, anything soundfile reads) replayed as 16 kHz blocks.

    realtime=True paces blocks like a microphone (each block is handed out once its
    last sample would have been spoken); realtime=False goes as fast as possible.
    """

    def __init__(self, path: Path | str, *, realtime: bool = True, on_error: ErrorCallback | None = None) -> None:
        import soundfile as sf

        self.path = Path(path)
        self.realtime = realtime
        self._on_error = on_error
        if not self.path.is_file():
            raise AudioFileError(self.path, "does not exist")
        if self.path.stat().st_size == 0:
            raise AudioFileError(self.path, "is empty (0 bytes)")
        try:
            info = sf.info(str(self.path))
        except (sf.LibsndfileError, RuntimeError, TypeError):
            raise AudioFileError(self.path, "is not a recording mockloop can read (not WAV, FLAC or Ogg audio, or damaged)") from None
        self._rate = int(info.samplerate)
        self.duration = float(info.duration)
        self._stop = threading.Event()
        self.finished = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: Exception | None = None

    @property
    def device_rate(self) -> int:
        return self._rate

    def start(self, on_block: Callable[[AudioBlock], None]) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("WavFileIn is already playing")
        self._stop.clear()
        self.finished.clear()
        self._thread = threading.Thread(target=self._run, args=(on_block,), name="mockloop-file-in", daemon=True)
        self._thread.start()

    def _run(self, on_block) -> None:
        import soundfile as sf

        assembler = BlockAssembler(self._rate)
        t0 = time.monotonic()

        def emit(blocks: list[AudioBlock]) -> bool:
            for block in blocks:
                if self.realtime:
                    due = t0 + block.start + len(block.samples) / assembler.out_rate
                    if self._stop.wait(max(0.0, due - time.monotonic())):
                        return False
                elif self._stop.is_set():
                    return False
                on_block(block)
            return True

        try:
            with sf.SoundFile(str(self.path)) as f:
                for chunk in f.blocks(blocksize=4096, dtype="float32", always_2d=True):
                    if not emit(assembler.push(np.nan_to_num(to_mono(chunk), copy=False))):  # NaN would spread through the resampler
                        break
                else:
                    emit(assembler.finish())
        except (sf.LibsndfileError, RuntimeError) as exc:
            self._report(AudioFileError(self.path, f"could not be read to the end ({exc})"))
        except Exception as exc:  # on_block failed
            self._report(exc)
        finally:
            self.finished.set()

    def _report(self, exc: Exception) -> None:
        self.error = exc
        if self._on_error is not None:
            self._on_error(exc)
        elif not isinstance(exc, MockloopError):
            raise exc  # a bug in on_block should not vanish

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the whole file was delivered (or stop() was called); False on timeout."""
        return self.finished.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None
