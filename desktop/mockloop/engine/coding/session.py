"""The code of one coding turn while it is written: the editor's edits and the runs, shared between threads.

The window records edits and runs on the GUI thread (`edit`, `add_run`); the interview's thread
sets the clock's origin when the recording starts (`start_clock`) and takes the whole state when
the turn ends (`snapshot`). Times are seconds into the turn's recording.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from mockloop.engine.coding.results import CodeRun
from mockloop.engine.coding.timeline import EditTimeline


@dataclass(frozen=True)
class CodeSnapshot:
    """The code of a turn at its end: the timeline (starter, edits), every run, and the final code."""

    question_id: str
    timeline: EditTimeline
    runs: list[CodeRun] = field(default_factory=list)

    @property
    def final(self) -> str:
        return self.timeline.final

    @property
    def last_run(self) -> CodeRun | None:
        return self.runs[-1] if self.runs else None


class CodeSession:
    """Thread-safe: edits and runs of one coding question, with times on the recording's clock."""

    def __init__(self, question_id: str, starter: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.question_id = question_id
        self._clock = clock
        self._lock = threading.Lock()
        self._origin: float | None = None
        self._timeline = EditTimeline(starter)
        self._runs: list[CodeRun] = []
        self._on_run: list[Callable[[CodeRun], None]] = []

    def start_clock(self, at: float | None = None) -> None:
        """The recording started now (or at `at`, on this session's clock); the first call counts."""
        with self._lock:
            if self._origin is None:
                self._origin = self._clock() if at is None else at

    def now(self) -> float:
        """Seconds into the recording (0 before it starts)."""
        with self._lock:
            return self._offset(self._clock())

    def _offset(self, moment: float) -> float:
        return 0.0 if self._origin is None else max(0.0, moment - self._origin)

    def edit(self, position: int, removed: int, inserted: str) -> None:
        with self._lock:
            self._timeline.add(self._offset(self._clock()), position, removed, inserted)

    def text(self) -> str:
        with self._lock:
            return self._timeline.final

    def add_run(self, run: CodeRun) -> None:
        with self._lock:
            self._runs.append(run)
            listeners = list(self._on_run)
        for listener in listeners:
            listener(run)

    def on_run(self, listener: Callable[[CodeRun], None]) -> None:
        """Call `listener` (on the caller's thread of `add_run`) for every run from now on."""
        with self._lock:
            self._on_run.append(listener)

    def snapshot(self) -> CodeSnapshot:
        with self._lock:
            timeline = EditTimeline.from_dict(self._timeline.to_dict())
            return CodeSnapshot(self.question_id, timeline, list(self._runs))
