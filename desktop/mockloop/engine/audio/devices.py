"""What audio hardware there is, or a sentence saying why there is none."""

from __future__ import annotations

import threading

from dataclasses import dataclass, field


@dataclass
class AudioDevice:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "name": self.name,
            "host_api": self.host_api,
            "inputs": self.max_input_channels,
            "outputs": self.max_output_channels,
            "default_samplerate": self.default_samplerate,
        }


@dataclass
class AudioReport:
    portaudio: bool
    reason: str = ""
    inputs: list[AudioDevice] = field(default_factory=list)
    outputs: list[AudioDevice] = field(default_factory=list)
    default_input: str = ""
    default_output: str = ""

    @property
    def can_record(self) -> bool:
        return bool(self.inputs)

    @property
    def can_play(self) -> bool:
        return bool(self.outputs)

    def as_dict(self) -> dict:
        return {
            "portaudio": self.portaudio,
            "reason": self.reason,
            "can_record": self.can_record,
            "can_play": self.can_play,
            "default_input": self.default_input,
            "default_output": self.default_output,
            "inputs": [d.as_dict() for d in self.inputs],
            "outputs": [d.as_dict() for d in self.outputs],
        }


PORTAUDIO_FIX = "Install PortAudio: sudo apt-get install libportaudio2 (Debian/Ubuntu), then restart mockloop."


# PortAudio's terminate and initialize are not thread-safe: two device scans at once (Home's and
# Settings' at launch) crashed the process inside Pa_Initialize. Every rescan takes this lock.
PORTAUDIO_LOCK = threading.RLock()


def rescan(sd) -> None:
    """Make PortAudio list devices again (they may have come or gone); one thread at a time."""
    with PORTAUDIO_LOCK:
        sd._terminate()
        sd._initialize()


def import_sounddevice():
    """Import sounddevice, or raise AudioUnavailableError when PortAudio is missing."""
    from mockloop.engine.core.errors import AudioUnavailableError

    try:
        import sounddevice
    except OSError:
        raise AudioUnavailableError("The PortAudio sound library is not installed, so there is no microphone or speaker.", PORTAUDIO_FIX) from None
    return sounddevice


def audio_report() -> AudioReport:
    """List input and output devices; never raises."""
    from mockloop.engine.core.errors import AudioUnavailableError

    try:
        sd = import_sounddevice()
    except AudioUnavailableError as exc:
        return AudioReport(portaudio=False, reason=exc.user_message())
    try:
        with PORTAUDIO_LOCK:
            rescan(sd)  # devices may have come or gone since import
            devices = sd.query_devices()
            apis = sd.query_hostapis()
    except Exception as exc:  # PortAudio reports failures as PortAudioError
        return AudioReport(portaudio=True, reason=f"PortAudio could not list devices: {exc}")
    report = AudioReport(portaudio=True)
    for index, d in enumerate(devices):
        dev = AudioDevice(index, d["name"], apis[d["hostapi"]]["name"], d["max_input_channels"], d["max_output_channels"], float(d["default_samplerate"]))
        if dev.max_input_channels > 0:
            report.inputs.append(dev)
        if dev.max_output_channels > 0:
            report.outputs.append(dev)
    try:
        default_in, default_out = sd.default.device
        report.default_input = devices[default_in]["name"] if default_in is not None and default_in >= 0 else ""
        report.default_output = devices[default_out]["name"] if default_out is not None and default_out >= 0 else ""
    except Exception:
        pass
    if not report.inputs and not report.outputs:
        report.reason = "No microphone or speaker was found. Plug one in (or check the system sound settings); you can still type answers."
    elif not report.inputs:
        report.reason = "No microphone was found. Plug one in; until then you can type your answers."
    elif not report.outputs:
        report.reason = "No speaker was found; questions will be shown as text only."
    return report
