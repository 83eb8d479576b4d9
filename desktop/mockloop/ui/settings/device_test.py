"""Microphone and speaker tests for Settings, run on a worker thread with a live level."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from mockloop.engine.models import registry
from mockloop.engine.audio import device_check
from mockloop.engine.audio.base import STT_RATE, AudioIn, AudioOut
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.core.settings import Settings
from mockloop.ui.common import qt_fixes  # noqa: F401 (PySide6 reference-count bugs)

MICROPHONE, SPEAKER, VOICE = "microphone", "speaker", "voice"

InFactory = Callable[[str], AudioIn]
OutFactory = Callable[[str], AudioOut]


def open_microphone(device: str) -> AudioIn:
    from mockloop.engine.audio.capture import SoundDeviceIn

    return SoundDeviceIn(device or None)


def open_speaker(device: str) -> AudioOut:
    from mockloop.engine.audio.output import SoundDeviceOut

    return SoundDeviceOut(device or None)


_voice_lock = threading.Lock()
_voice_cache: dict[str, object] = {}  # one loaded voice: "Hear it" again should not reload it


def load_voice(settings: Settings):
    """The voice Settings names, loaded (the last one is kept for the next test)."""
    from mockloop.engine.speech.tts import Voice

    info = registry.resolve("tts", settings)
    key = f"{info.path}|{info.config_path}"
    with _voice_lock:
        voice = _voice_cache.get(key)
        if voice is None:
            _voice_cache.clear()
            voice = _voice_cache[key] = Voice(info)
        return voice


@dataclass
class DeviceTestResult:
    kind: str  # MICROPHONE, SPEAKER or VOICE
    ok: bool
    sentence: str
    report: object = None  # MicrophoneReport or SpeakerReport when the device worked


@dataclass
class _Job:
    kind: str
    input_device: str = ""
    output_device: str = ""
    seconds: float = 3.0
    playback: bool = True
    settings: Settings | None = None  # the voice to speak with
    rate: float = 1.0
    text: str = device_check.TEST_SENTENCE


def _close(device: object) -> None:
    close = getattr(device, "close", None)
    if close is not None:
        try:
            close()
        except MockloopError:
            pass  # the device is already gone; the test result says so


class DeviceTestWorker(QObject):
    """Runs one test job on the tester's thread; reports levels, status lines and the result."""

    level = Signal(float, float, float)  # rms, peak, fraction done
    status = Signal(str)
    finished = Signal(object)  # DeviceTestResult

    def __init__(self, job: _Job, make_in: InFactory, make_out: OutFactory, cancel: threading.Event) -> None:
        super().__init__()
        self._job = job
        self._make_in = make_in
        self._make_out = make_out
        self._cancel = cancel

    @Slot()
    def run(self) -> None:
        job = self._job
        try:
            result = self._microphone() if job.kind == MICROPHONE else self._speak()
        except MockloopError as exc:
            result = DeviceTestResult(job.kind, False, exc.user_message())
        except Exception as exc:  # noqa: BLE001 - a failed test must reach the user, not kill the thread
            result = DeviceTestResult(job.kind, False, f"The test could not run: {exc}")
        self.finished.emit(result)

    def _on_level(self, rms: float, peak: float, done: float) -> None:
        self.level.emit(rms, peak, done)

    def _microphone(self) -> DeviceTestResult:
        job = self._job
        self.status.emit("Opening the microphone…")
        mic = self._make_in(job.input_device)
        self.status.emit(f"Recording for {job.seconds:.0f} seconds: say something…")
        report = device_check.record_level(mic, job.seconds, on_level=self._on_level, cancel=self._cancel)
        if report.cancelled or not report.heard or not job.playback:
            return DeviceTestResult(MICROPHONE, report.heard and not report.cancelled, report.sentence(), report)
        self.status.emit("Playing back what you said…")
        try:
            out = self._make_out(job.output_device)
        except MockloopError as exc:
            return DeviceTestResult(MICROPHONE, True, f"{report.sentence()} It could not be played back: {exc.user_message()}", report)
        try:
            played = device_check.play_and_wait(out, report.audio, STT_RATE, cancel=self._cancel)
        except MockloopError as exc:
            return DeviceTestResult(MICROPHONE, True, f"{report.sentence()} It could not be played back: {exc.user_message()}", report)
        finally:
            _close(out)
        suffix = "" if played.cancelled else " You just heard it played back."
        return DeviceTestResult(MICROPHONE, True, report.sentence() + suffix, report)

    def _speak(self) -> DeviceTestResult:
        job = self._job
        self.status.emit("Loading the voice…")
        voice = load_voice(job.settings or Settings())
        if self._cancel.is_set():
            return DeviceTestResult(job.kind, False, "The speaker test was stopped.")
        self.status.emit("Opening the speaker…")
        out = self._make_out(job.output_device)
        try:
            self.status.emit("Speaking…")
            report = device_check.speak_test(voice, out, rate=job.rate, text=job.text, cancel=self._cancel)
        finally:
            _close(out)
        return DeviceTestResult(job.kind, not report.cancelled, report.sentence(), report)


class DeviceTester(QObject):
    """Owns one test at a time on its own QThread; cancel() and the thread ends without blocking."""

    level = Signal(float, float, float)
    status = Signal(str)
    started = Signal(str)  # kind
    finished = Signal(object)  # DeviceTestResult
    stopped = Signal()  # the thread has ended

    def __init__(self, parent: QObject | None = None, *, make_in: InFactory = open_microphone,
                 make_out: OutFactory = open_speaker) -> None:
        super().__init__(parent)
        self._make_in = make_in
        self._make_out = make_out
        self._thread: QThread | None = None
        self._worker: DeviceTestWorker | None = None
        self._cancel = threading.Event()
        self.kind = ""

    def is_running(self) -> bool:
        """True from the start of a test until `stopped` is emitted."""
        return self._thread is not None

    def test_microphone(self, input_device: str, output_device: str, seconds: float = 3.0, *, playback: bool = True) -> bool:
        return self._start(_Job(MICROPHONE, input_device, output_device, seconds, playback))

    def test_speaker(self, output_device: str, settings: Settings, rate: float, *, kind: str = SPEAKER,
                     text: str = device_check.TEST_SENTENCE) -> bool:
        # A copy: the worker must not see the GUI thread editing settings.
        return self._start(_Job(kind, output_device=output_device, settings=dataclasses.replace(settings), rate=rate, text=text))

    def _start(self, job: _Job) -> bool:
        """False when a test is already running."""
        if self._thread is not None:
            return False
        self.kind = job.kind
        self._cancel = threading.Event()
        self._thread = QThread(self)
        self._thread.setObjectName(f"mockloop-{job.kind}-test")
        self._worker = DeviceTestWorker(job, self._make_in, self._make_out, self._cancel)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.level.connect(self._on_level)
        self._worker.status.connect(self._on_status)
        self._worker.finished.connect(self._on_finished)
        self._worker.finished.connect(self._thread.quit)
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()
        self.started.emit(job.kind)
        return True

    def cancel(self) -> bool:
        """Ask the running test to stop; True if nothing is running (else `stopped` follows)."""
        if self._thread is None:
            return True
        self._cancel.set()
        return False

    def wait(self, msecs: int) -> bool:
        """Join the thread (shutdown paths that cannot wait for `stopped`)."""
        return self._thread is None or self._thread.wait(msecs)

    @Slot(float, float, float)
    def _on_level(self, rms: float, peak: float, done: float) -> None:
        self.level.emit(rms, peak, done)

    @Slot(str)
    def _on_status(self, text: str) -> None:
        self.status.emit(text)

    @Slot(object)
    def _on_finished(self, result: object) -> None:
        self.finished.emit(result)

    @Slot()
    def _on_thread_finished(self) -> None:
        # The worker has no parent: dropping it here deletes it on the GUI thread after its thread ended.
        self._worker = None
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.deleteLater()
        self.kind = ""
        self.stopped.emit()
