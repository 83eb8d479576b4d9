"""The app's preloaded models: loaded once in the background, lent to one interview at a time."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.settings import Settings
from mockloop.engine.models.warm_engines import WarmEngines

pytestmark = pytest.mark.models


def test_models_load_in_the_background_and_are_lent_once_at_a_time():
    seen: list[tuple[str, str]] = []
    warm = WarmEngines(Settings(), on_progress=lambda role, state, detail: seen.append((role, state)))
    warm.start()
    try:
        engines = warm.acquire(threading.Event(), Settings(speaking_rate=1.2))
        assert engines is not None and warm.ready and warm.lent and not warm.failures
        assert seen == [("stt", "loading"), ("stt", "ready"), ("tts", "loading"), ("tts", "ready"),
                        ("llm", "loading"), ("llm", "ready"), ("text", "loading"), ("text", "ready")]
        assert set(engines.load_seconds) == {"stt", "tts", "llm", "text"}
        assert engines.settings.speaking_rate == 1.2  # the borrower's settings, not the launch-time ones
        assert engines.llm.chat([{"role": "user", "content": "Say hi."}], max_tokens=4).strip()
        assert warm.acquire(threading.Event(), Settings()) is None  # already lent
        warm.release(engines)
        again = warm.acquire(threading.Event(), Settings())
        assert again is engines and again.load_seconds == engines.load_seconds  # nothing loaded twice
        warm.release(again)
        assert warm.acquire(threading.Event(), Settings(llm_model="/elsewhere/other.gguf")) is None  # other models
    finally:
        warm.close()


def test_a_missing_model_is_reported_and_the_others_still_load(tmp_path):
    settings = Settings(llm_model=str(tmp_path / "missing.gguf"))
    states: dict[str, str] = {}
    warm = WarmEngines(settings, on_progress=lambda role, state, detail: states.__setitem__(role, state))
    warm.start()
    try:
        engines = warm.acquire(threading.Event(), settings)
        assert engines is not None
        assert states == {"stt": "ready", "tts": "ready", "llm": "failed", "text": "ready"}
        assert isinstance(warm.failures["llm"], ModelError) and "missing.gguf" in warm.failures["llm"].problem
        with pytest.raises(ModelError):
            engines.llm  # the interview that borrows them hears the same problem
    finally:
        warm.close()


def test_nothing_is_lent_before_loading_starts_or_after_a_cancel():
    warm = WarmEngines(Settings())
    cancelled = threading.Event()
    assert warm.acquire(cancelled, Settings()) is None and not warm.lent  # never started: nothing to wait for
    cancelled.set()
    warm.start()
    try:
        got = warm.acquire(cancelled, Settings())
        # Cancelled before loading ended gives nothing; after, the models (the wait is skipped either way).
        assert (got is None and not warm.lent) or (got is warm._engines and warm.ready and warm.lent)
    finally:
        warm.close()


def test_the_interviewers_stock_lines_are_cached_once_the_models_are_loaded():
    from mockloop.engine.interview.lines import OPENINGS, stock_lines

    warm = WarmEngines(Settings(), speech=(stock_lines(), 1.1))
    warm.start()
    try:
        assert warm.wait_loaded(120)
        assert warm.prefetch is not None and warm.prefetch.wait(120) and warm.prefetch.error is None
        engines = warm.acquire(threading.Event(), Settings())
        cached = engines.cache.get(OPENINGS["practice"], 1.1)
        assert cached is not None and len(cached) / engines.cache.sample_rate > 2  # a few seconds of speech, ready
        assert all(engines.cache.get(line, 1.1) is not None for line in stock_lines())
        assert engines.cache.get(OPENINGS["practice"], 1.0) is None  # another pace is another recording
    finally:
        warm.close()


def test_the_warm_up_also_imports_what_an_interview_starts_with():
    # A fresh interpreter: in this one the test suite has imported everything already.
    probe = textwrap.dedent("""
        import sys
        from mockloop.engine.core.settings import Settings
        from mockloop.engine.models.warm_engines import SESSION_MODULES, WarmEngines
        assert not any(name in sys.modules for name in SESSION_MODULES), "imported before the warm-up"
        warm = WarmEngines(Settings())
        warm.start()
        assert warm.wait_loaded(600)
        print(sorted(name for name in SESSION_MODULES if name in sys.modules))
        warm.close()
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    from mockloop.engine.models.warm_engines import SESSION_MODULES

    assert done.stdout.strip().splitlines()[-1] == str(sorted(SESSION_MODULES))
