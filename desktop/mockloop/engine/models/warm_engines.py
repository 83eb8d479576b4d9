"""The app's models, loaded once in the background at launch and lent to one interview at a time.

Loading the models takes seconds; doing it while the candidate looks at Home means
"Start" begins at once. Only one interview holds the models at a time (one owning thread
per model), and a later interview reuses them instead of loading them again.
"""

from __future__ import annotations

import importlib
import threading
from typing import Callable

from mockloop.engine.models.engines import Engines
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.core.settings import Settings
from mockloop.engine.speech.tts_cache import Prefetch

# (role, state, detail): state is "loading", "ready" or "failed"; detail is the problem on failure.
Progress = Callable[[str, str, str], None]

ROLE_LOADERS = (("stt", "decoder"), ("tts", "cache"), ("llm", "llm"), ("text", "text"))
# What an interview imports when it starts (the runner pulls in listening, streaming recognition,
# follow-ups and scoring). Importing them during the warm-up means Start does not compile and run
# them while the window waits: an import holds Python's lock for tens of milliseconds at a time.
SESSION_MODULES = ("mockloop.engine.interview.runner", "mockloop.engine.interview.plan", "mockloop.engine.audio.output")


def models_key(settings: Settings) -> tuple:
    """What decides which models are loaded: interviews with other settings load their own."""
    return (settings.stt_model, settings.tts_voice, settings.llm_model, settings.llm_threads, settings.text_model)


class WarmEngines:
    def __init__(self, settings: Settings, on_progress: Progress | None = None, *,
                 speech: tuple[list[str], float] | None = None) -> None:
        """`speech`: (texts, rate) to synthesize into the voice cache once the models are loaded, so the
        first lines of the next interview are heard at once (its opening, today's planned questions)."""
        self.key = models_key(settings)
        self._speech = speech
        self._on_progress = on_progress or (lambda role, state, detail: None)
        self._lock = threading.Lock()
        self._engines = Engines(settings)
        self._warmed = threading.Event()
        self._lent = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.failures: dict[str, MockloopError] = {}
        self.prefetch: Prefetch | None = None  # the speech being cached ahead, once the models are loaded

    def start(self) -> None:
        """Begin loading on a background thread (returns at once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._warm, args=(self._engines,), name="mockloop-warm", daemon=True)
            self._thread.start()

    @property
    def ready(self) -> bool:
        """Loading has ended (some models may have failed: see `failures`)."""
        return self._warmed.is_set()

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Block until loading has ended (models that failed are in `failures`); False on timeout."""
        return self._warmed.wait(timeout)

    @property
    def lent(self) -> bool:
        """An interview holds the models now."""
        return self._lent

    def _warm(self, engines: Engines) -> None:
        try:
            for role, attribute in ROLE_LOADERS:
                if self._closed:
                    return
                self._on_progress(role, "loading", "")
                try:
                    getattr(engines, attribute)
                except MockloopError as exc:
                    self.failures[role] = exc
                    self._on_progress(role, "failed", exc.problem)
                except Exception as exc:  # noqa: BLE001 - reported; the interview retries and says why
                    self.failures[role] = MockloopError(f"The model could not be loaded: {exc}.", "Run `mockloop doctor` for details.")
                    self._on_progress(role, "failed", str(exc))
                else:
                    self._on_progress(role, "ready", "")
            if self._speech is not None and "tts" not in self.failures and not self._closed:
                texts, rate = self._speech
                self.prefetch = engines.cache.prefetch(texts, rate)  # its own thread; stopped when an interview borrows
            for name in SESSION_MODULES:
                if not self._closed:
                    importlib.import_module(name)
        finally:
            self._warmed.set()

    def acquire(self, cancelled: threading.Event, settings: Settings) -> Engines | None:
        """Wait for loading to end, then hand the models over, set to `settings`.

        None if `cancelled`, if they are lent already or if `settings` name other models.
        Models that failed to load are simply not loaded: the borrower's own use raises their error.
        """
        if models_key(settings) != self.key:
            return None
        while not self._warmed.wait(0.05):
            if cancelled.is_set() or self._thread is None:
                return None
        with self._lock:
            if self._lent or self._closed:
                return None
            self._lent = True
            self._engines.stop_prefetch()  # the interview's own speech has the voice now
            self._engines.settings = settings  # speaking rate, silence threshold: the interview's own
            return self._engines

    def release(self, engines: Engines) -> None:
        with self._lock:
            if engines is self._engines:
                self._lent = False

    def close(self, timeout: float = 5.0) -> None:
        """Free the models (after the borrowing interview has ended)."""
        with self._lock:
            self._closed = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._engines.stop_prefetch()
        self._engines.close()
