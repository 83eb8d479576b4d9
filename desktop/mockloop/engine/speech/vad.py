"""Streaming voice activity detection: Silero VAD (bundled with faster-whisper), one 512-sample window at a time."""

from __future__ import annotations

import threading

import numpy as np

from mockloop.engine.audio.resample import finite_audio
from mockloop.engine.audio.base import BLOCK_SAMPLES, STT_RATE
from mockloop.engine.core.errors import ModelError

WINDOW = BLOCK_SAMPLES  # Silero v5/v6 at 16 kHz works on 512-sample windows...
_CONTEXT = 64  # ...each preceded by the last 64 samples of the window before it.
WINDOW_SECONDS = WINDOW / STT_RATE
_ROLE = "voice activity (Silero VAD)"

_session_lock = threading.Lock()
_session = None


def _vad_session():
    """The shared ONNX session (stateless: each StreamingVad keeps its own LSTM state)."""
    global _session
    with _session_lock:
        if _session is None:
            try:
                from faster_whisper.vad import get_vad_model

                _session = get_vad_model().session
            except (ImportError, RuntimeError, OSError) as exc:
                raise ModelError(
                    _ROLE, None, "load-failed",
                    f"could not be loaded ({exc})",
                    "Reinstall the app's packages (run the README's setup command again).",
                ) from None
        return _session


class StreamingVad:
    """Speech probability per 32 ms window, keeping Silero's state between calls.

    Feeding windows one by one gives exactly the probabilities faster-whisper's
    whole-file VAD computes. About 0.1 ms per window on one core.
    """

    def __init__(self) -> None:
        self._session = _vad_session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)

    def probability(self, window: np.ndarray) -> float:
        """Speech probability of one window (a short last block is padded with silence)."""
        return float(self.probabilities(window)[0])

    def probabilities(self, audio: np.ndarray) -> np.ndarray:
        """One probability per 512-sample window of `audio`; the last partial window is padded.

        State carries over to the next call, so consecutive calls behave as one stream
        as long as every call but the last holds a whole number of windows.
        """
        audio = finite_audio(audio)
        if audio.size == 0:
            return np.zeros(0, dtype=np.float32)
        if audio.size % WINDOW:
            audio = np.pad(audio, (0, WINDOW - audio.size % WINDOW))
        windows = audio.reshape(-1, WINDOW)
        contexts = np.empty((len(windows), _CONTEXT), dtype=np.float32)
        contexts[0] = self._context
        contexts[1:] = windows[:-1, -_CONTEXT:]
        batch = np.ascontiguousarray(np.concatenate([contexts, windows], axis=1))
        probs, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -_CONTEXT:].copy()
        return np.asarray(probs, dtype=np.float32).reshape(-1)


def speech_fraction(audio: np.ndarray, threshold: float = 0.5) -> float:
    """Share of 32 ms windows in a whole clip that hold speech (a fresh VAD state)."""
    probs = StreamingVad().probabilities(audio)
    return float((probs >= threshold).mean()) if probs.size else 0.0
