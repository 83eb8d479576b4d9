"""Reading a recording from disk as 16 kHz mono float32, with a sentence when it is not audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.audio.capture import AudioFileError
from mockloop.engine.audio.resample import finite_audio, resample, to_mono


def load_audio(path: Path | str) -> np.ndarray:
    """Any soundfile-readable file as 16 kHz mono float32; AudioFileError when it is not audio."""
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise AudioFileError(path, "does not exist")
    if path.stat().st_size == 0:
        raise AudioFileError(path, "is empty (0 bytes)")
    try:
        samples, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError):
        raise AudioFileError(path, "is not a recording mockloop can read (not WAV, FLAC or Ogg audio, or damaged)") from None
    audio = resample(to_mono(samples), int(rate), STT_RATE)
    return finite_audio(audio)
