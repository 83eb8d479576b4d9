"""Text to speech with a local Piper voice."""

from __future__ import annotations

import numpy as np

from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.model_info import ROLE_NAMES, ModelInfo
from mockloop.engine.core import paths


class Voice:
    """A loaded Piper voice. `rate` above 1.0 speaks faster (Piper's length scale is its inverse)."""

    def __init__(self, info: ModelInfo) -> None:
        from piper import PiperVoice

        self.info = info
        try:
            # download_dir is only consulted for languages that need extra data; keep it private.
            self._voice = PiperVoice.load(info.path, config_path=info.config_path, download_dir=paths.data_dir())
        except Exception as exc:  # onnxruntime raises its own non-standard exception types
            raise ModelError(
                ROLE_NAMES["tts"], info.path, "load-failed",
                f"could not be loaded ({type(exc).__name__}: {str(exc)[:160]}); the .onnx file may be truncated or damaged",
                "Copy the voice again, or clear the setting to use the bundled voice.",
            ) from None

    @property
    def sample_rate(self) -> int:
        return int(self._voice.config.sample_rate)

    def sentences(self, text: str, rate: float = 1.0):
        """Yield float32 audio one sentence at a time, so playback can start early."""
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / max(0.5, min(2.0, rate)))
        for chunk in self._voice.synthesize(text, syn_config=config):
            yield chunk.audio_float_array.astype(np.float32)

    def synthesize(self, text: str, rate: float = 1.0) -> np.ndarray:
        parts = list(self.sentences(text, rate))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
