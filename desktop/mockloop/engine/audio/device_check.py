"""Microphone and speaker checks for Settings: record a few seconds and measure it; speak a test sentence."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from mockloop.engine.audio.base import STT_RATE, AudioBlock, AudioIn, AudioOut
from mockloop.engine.core.errors import AudioUnavailableError, MockloopError

TEST_SENTENCE = "Hello! This is your interviewer. If you can hear me clearly, your speaker is working."
# The loudest 32 ms block must rise above this for the check to count as "heard":
# a quiet room sits near -60 dBFS, speech into a laptop microphone near -30 dBFS.
SILENCE_FLOOR_DB = -50.0
# Extra time a device may take to start delivering before the check gives up.
START_GRACE_SECONDS = 5.0
TAIL_SECONDS = 0.2

LevelCallback = Callable[[float, float, float], None]  # rms, peak, fraction of the recording done


class DeviceCheckError(AudioUnavailableError):
    """A device that opened but did not record or play as it should."""


def to_db(value: float) -> float:
    """dBFS of a linear level; -inf for silence."""
    return 20.0 * math.log10(value) if value > 0 else -math.inf


@dataclass
class MicrophoneReport:
    """What a microphone check heard."""

    device_name: str
    seconds: float
    rms: float  # over the whole recording
    peak: float
    loudest_block_rms: float
    audio: np.ndarray  # 16 kHz mono float32, for playing it back
    cancelled: bool = False

    @property
    def peak_db(self) -> float:
        return to_db(self.peak)

    @property
    def loudest_db(self) -> float:
        return to_db(self.loudest_block_rms)

    @property
    def heard(self) -> bool:
        return self.loudest_db > SILENCE_FLOOR_DB

    def sentence(self) -> str:
        """The result in words a user can act on."""
        name = f" ({self.device_name})" if self.device_name else ""
        if self.cancelled:
            return "The microphone test was stopped."
        if self.heard:
            return f"The microphone{name} works: your loudest moment reached {self.loudest_db:.0f} dB (speech is usually above -35 dB)."
        level = "complete silence" if self.peak == 0 else f"only {self.loudest_db:.0f} dB"
        return (f"Heard nothing: the microphone{name} sent {level} for {self.seconds:.0f} seconds. "
                "Check that it is not muted, that its input volume is up, and that it is the one you speak into.")


@dataclass
class SpeakerReport:
    device_name: str
    seconds: float  # of audio handed to the device
    cancelled: bool = False

    def sentence(self) -> str:
        name = f" ({self.device_name})" if self.device_name else ""
        if self.cancelled:
            return "The speaker test was stopped."
        return f"Played {self.seconds:.1f} seconds of speech on the speaker{name}. If you heard nothing, check its volume and that it is the one you listen on."


def _device_name(device: object) -> str:
    return str(getattr(device, "device_name", "") or "")


def record_level(audio_in: AudioIn, seconds: float = 3.0, *, on_level: LevelCallback | None = None,
                 cancel: threading.Event | None = None) -> MicrophoneReport:
    """Capture `seconds` of audio from an AudioIn and measure it; the input is stopped before returning.

    Raises the input's own typed error if it fails, and DeviceCheckError if no audio arrives.
    """
    cancel = cancel or threading.Event()
    wanted = max(1, round(seconds * STT_RATE))
    blocks: list[np.ndarray] = []
    got = [0]
    enough = threading.Event()

    def on_block(block: AudioBlock) -> None:
        if enough.is_set():
            return
        blocks.append(block.samples)
        got[0] += len(block.samples)
        if on_level is not None:
            on_level(block.rms, block.peak, min(1.0, got[0] / wanted))
        if got[0] >= wanted:
            enough.set()

    audio_in.start(on_block)
    deadline = time.monotonic() + seconds + START_GRACE_SECONDS
    try:
        while not enough.wait(0.02):
            error = getattr(audio_in, "error", None)
            if error is not None:
                raise error
            finished = getattr(audio_in, "finished", None)  # a replayed file shorter than `seconds`
            if cancel.is_set() or (finished is not None and finished.is_set()):
                break
            if time.monotonic() > deadline:
                raise DeviceCheckError(
                    f"The microphone{_paren(audio_in)} sent no sound for {seconds + START_GRACE_SECONDS:.0f} seconds.",
                    "Check that it is plugged in and not in use by another program, or choose another one.")
    finally:
        audio_in.stop()
    error = getattr(audio_in, "error", None)
    if error is not None and not enough.is_set() and not cancel.is_set():
        raise error
    audio = np.concatenate(blocks)[:wanted] if blocks else np.zeros(0, np.float32)
    loudest = 0.0
    for start in range(0, len(audio), 512):
        part = audio[start:start + 512]
        loudest = max(loudest, float(np.sqrt(np.mean(np.square(part, dtype=np.float64)))))
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    return MicrophoneReport(_device_name(audio_in), len(audio) / STT_RATE, rms, peak, loudest, audio,
                            cancelled=cancel.is_set() and not enough.is_set())


def _paren(device: object) -> str:
    name = _device_name(device)
    return f" ({name})" if name else ""


def play_and_wait(out: AudioOut, samples: np.ndarray, rate: int, *, cancel: threading.Event | None = None) -> SpeakerReport:
    """Play a clip to the end (or until cancelled) and report how much was played."""
    cancel = cancel or threading.Event()
    seconds = len(samples) / rate if rate else 0.0
    out.stop()  # resets the played-seconds count
    # A little silence after the clip, so closing the device right after does not clip its end.
    tail = np.zeros(round(rate * TAIL_SECONDS), dtype=np.float32)
    out.play(np.concatenate([np.asarray(samples, dtype=np.float32).reshape(-1), tail]), rate)
    deadline = time.monotonic() + seconds + START_GRACE_SECONDS
    while not out.wait(0.05):
        if cancel.is_set():
            out.stop()
            return SpeakerReport(_device_name(out), 0.0, cancelled=True)
        if time.monotonic() > deadline:
            out.stop()
            raise DeviceCheckError(f"The speaker{_paren(out)} stopped asking for sound.",
                                   "Check that it is plugged in and not in use by another program, or choose another one.")
    error = getattr(out, "error", None)
    if isinstance(error, MockloopError):
        raise error
    return SpeakerReport(_device_name(out), seconds, cancelled=cancel.is_set())


def speak_test(voice, out: AudioOut, *, rate: float = 1.0, text: str = TEST_SENTENCE,
               cancel: threading.Event | None = None) -> SpeakerReport:
    """Synthesize a sentence with a tts.Voice and play it on an AudioOut to the end."""
    audio = voice.synthesize(text, rate)
    return play_and_wait(out, audio, voice.sample_rate, cancel=cancel)
