"""The loaded models of one interview, created lazily from Settings and owned by one thread."""

from __future__ import annotations

import time

from mockloop.engine.models import registry
from mockloop.engine.core.settings import Settings


class Engines:
    """STT decoder, Piper voice (with its disk cache), the LLM and the text model, each loaded on first use.

    Loading is explicit and timed (`load_seconds`), so `warm()` can run on a worker thread
    while the window is already visible. A model that cannot load raises ModelError.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.load()
        self.load_seconds: dict[str, float] = {}
        self._decoder = None
        self._voice = None
        self._cache = None
        self._llm = None
        self._text = None

    def _timed(self, role: str, make):
        started = time.perf_counter()
        value = make()
        self.load_seconds[role] = round(time.perf_counter() - started, 3)
        return value

    @property
    def decoder(self):
        if self._decoder is None:
            from mockloop.engine.speech.whisper_decoder import WhisperDecoder

            info = registry.resolve("stt", self.settings)
            self._decoder = self._timed("stt", lambda: WhisperDecoder(info))
        return self._decoder

    @property
    def voice(self):
        if self._voice is None:
            from mockloop.engine.speech.tts import Voice

            info = registry.resolve("tts", self.settings)
            self._voice = self._timed("tts", lambda: Voice(info))
        return self._voice

    @property
    def cache(self):
        if self._cache is None:
            from mockloop.engine.speech.tts_cache import TtsCache

            self._cache = TtsCache(self.voice)
        return self._cache

    @property
    def llm(self):
        if self._llm is None:
            from mockloop.engine.models.llm import LocalLLM

            info = registry.resolve("llm", self.settings)
            self._llm = self._timed("llm", lambda: LocalLLM(info, n_threads=self.settings.llm_threads))
        return self._llm

    @property
    def text(self):
        """The text model that judges answers by meaning (one per process for the same files)."""
        if self._text is None:
            from mockloop.engine.models.text_model import shared_encoder

            self._text = self._timed("text", lambda: shared_encoder(self.settings))
        return self._text

    def stop_prefetch(self) -> None:
        """Stop caching speech ahead (if the voice is loaded at all)."""
        if self._cache is not None:
            self._cache.stop_prefetch()

    def warm(self) -> None:
        """Load everything now (on the calling thread)."""
        _ = self.decoder, self.voice, self.llm, self.text

    def model_names(self) -> dict[str, str]:
        names = {}
        for role in registry.ROLES:
            try:
                info = registry.resolve(role, self.settings)
                names[role] = f"{info.name} ({info.source})"
            except Exception:  # a broken model is reported where it is used, not here
                names[role] = "unavailable"
        return names

    def close(self) -> None:
        self.stop_prefetch()  # a synthesis thread still running when the process exits aborts it
        if self._llm is not None:
            self._llm.close()
            self._llm = None
