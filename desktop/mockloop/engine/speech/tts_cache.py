"""A disk cache of synthesized speech, filled ahead of time so bank questions start at once."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from mockloop.engine.core import paths
from mockloop.engine.audio.recorder import make_private_dir


def normalize_text(text: str) -> str:
    return " ".join(text.split())


class Prefetch:
    """A background (daemon) synthesis run over a list of texts; stoppable between sentences."""

    def __init__(self, cache: "TtsCache", texts: list[str], rate: float,
                 on_item: Callable[[str], None] | None, yield_to: threading.Event | None) -> None:
        self._cache = cache
        self.texts = texts
        self.rate = rate
        self._on_item = on_item
        self._yield_to = yield_to
        self._stop = threading.Event()
        self.done = threading.Event()
        self.synthesized: list[str] = []  # texts this run had to synthesize (others were cached already)
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="mockloop-tts-prefetch", daemon=True)
        self._thread.start()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _pause_for_live_speech(self) -> bool:
        """Wait while live speech is being synthesized (it has priority); False when stopped."""
        while self._yield_to is not None and self._yield_to.is_set():
            if self._stop.wait(0.02):
                return False
        return not self._stop.is_set()

    def _run(self) -> None:
        try:
            for text in self.texts:
                if self._stop.is_set():
                    break
                if self._cache.get(text, self.rate, touch=False) is None:
                    audio = self._cache._synthesize(text, self.rate, self._pause_for_live_speech)
                    if audio is None:
                        break
                    self._cache.put(text, self.rate, audio)
                    self.synthesized.append(text)
                if self._on_item is not None:
                    self._on_item(text)
        except Exception as exc:  # a failed prefetch only costs latency later; keep the reason
            self.error = exc
        finally:
            self.done.set()

    def stop(self, join: bool = True) -> None:
        """Stop after the sentence being synthesized; with join, return once the thread has ended."""
        self._stop.set()
        if join and self._thread is not threading.current_thread():
            self._thread.join()

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


class TtsCache:
    """Synthesized audio (float32 .npy at the voice's rate) keyed by voice file, rate and text."""

    def __init__(self, voice, folder: Path | None = None, *, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.voice = voice
        self.folder = Path(folder) if folder else paths.data_dir() / "tts-cache"
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self._write_lock = threading.Lock()
        self._prefetch: Prefetch | None = None

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    def key(self, text: str, rate: float) -> str:
        info = self.voice.info
        ident = [Path(info.path).name, int(info.size_bytes), round(float(rate), 3), normalize_text(text)]
        return hashlib.sha256(json.dumps(ident).encode("utf-8")).hexdigest()

    def path_for(self, text: str, rate: float) -> Path:
        return self.folder / f"{self.key(text, rate)}.npy"

    def get(self, text: str, rate: float = 1.0, *, touch: bool = True) -> np.ndarray | None:
        """The cached audio, or None (a damaged entry is removed)."""
        path = self.path_for(text, rate)
        try:
            audio = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            self.misses += touch
            return None
        except (OSError, ValueError, EOFError):
            path.unlink(missing_ok=True)
            self.misses += touch
            return None
        if touch:
            self.hits += 1
            try:
                os.utime(path)  # least recently used entries are pruned first
            except OSError:
                pass
        return audio.astype(np.float32, copy=False)

    def put(self, text: str, rate: float, audio: np.ndarray) -> Path:
        path = self.path_for(text, rate)
        with self._write_lock:
            make_private_dir(self.folder)
            tmp = path.with_name(f".{path.stem}.{threading.get_ident()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, np.asarray(audio, dtype=np.float32))
            os.replace(tmp, path)  # readers never see a half-written entry
            self._prune()
        return path

    def _prune(self) -> None:
        entries = []
        for p in self.folder.glob("*.npy"):
            try:
                st = p.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, p))
        total = sum(size for _, size, _ in entries)
        for _, size, p in sorted(entries):
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size

    def _synthesize(self, text: str, rate: float, keep_going: Callable[[], bool] = lambda: True) -> np.ndarray | None:
        parts = []
        for part in self.voice.sentences(normalize_text(text), rate):
            parts.append(part)
            if not keep_going():
                return None
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, dtype=np.float32)

    def get_or_synthesize(self, text: str, rate: float = 1.0) -> np.ndarray:
        audio = self.get(text, rate)
        if audio is None:
            audio = self._synthesize(text, rate)
            self.put(text, rate, audio)
        return audio

    def prefetch(self, texts: Iterable[str], rate: float = 1.0, *, on_item: Callable[[str], None] | None = None,
                 yield_to: threading.Event | None = None) -> Prefetch:
        """Synthesize what is not cached yet in a daemon thread; any previous run is stopped first.

        yield_to: while this event is set (e.g. Speaker.synthesizing) prefetching pauses between sentences.
        """
        self.stop_prefetch()
        self._prefetch = Prefetch(self, [t for t in texts if normalize_text(t)], rate, on_item, yield_to)
        return self._prefetch

    def stop_prefetch(self) -> None:
        if self._prefetch is not None:
            self._prefetch.stop()
            self._prefetch = None
