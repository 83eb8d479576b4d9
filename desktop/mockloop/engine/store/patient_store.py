"""A session store for a running interview: a full disk pauses the interview instead of ending it.

The runner keeps the answer being saved in memory. When the disk is full, `PatientStore`
says so once (`on_full`), then tries the same write again every `retry_seconds` until the
candidate has freed some space (`on_freed`), so nothing said is lost. Only when the app is
closing (`give_up` is set) does the write fail as it would have.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from mockloop.engine.store import SessionStore, StoreDiskFullError

RETRY_SECONDS = 1.0


class PatientStore:
    """Wraps a SessionStore; every method is the store's own, writes wait out a full disk."""

    def __init__(self, store: SessionStore, *, on_full: Callable[[StoreDiskFullError], None],
                 on_freed: Callable[[], None], give_up: threading.Event, retry_seconds: float = RETRY_SECONDS) -> None:
        self.store = store
        self._on_full = on_full
        self._on_freed = on_freed
        self._give_up = give_up
        self._retry = retry_seconds
        self.waited_seconds = 0.0  # in all, for a full disk

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.store, name)
        if not callable(value):
            return value

        def patiently(*args, **kwargs):
            told = False
            while True:
                try:
                    result = value(*args, **kwargs)
                except StoreDiskFullError as exc:
                    if self._give_up.is_set():
                        raise
                    if not told:
                        self._on_full(exc)
                        told = True
                    if self._give_up.wait(self._retry):
                        raise
                    self.waited_seconds += self._retry
                    continue
                if told:
                    self._on_freed()
                return result

        return patiently
