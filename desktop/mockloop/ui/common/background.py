"""Run short Qt-free jobs (store reads, exports, device scans) off the GUI thread.

A view calls `run_in_background(fn, self.on_loaded, self.on_failed)`; `fn` runs on Qt's global
thread pool and its result (or a user-facing error sentence) comes back to the given bound
methods on the GUI thread. A job opens its own `SessionStore`: an SQLite connection belongs
to the thread that made it.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from mockloop.engine.core.errors import MockloopError

Callback = Callable[[Any], None]


class _Dispatcher(QObject):
    """One object on the GUI thread: pool threads emit to it, it calls the waiting view."""

    finished = Signal(int, object, str)  # job id, result, error sentence ("" on success)

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[weakref.WeakMethod | None, weakref.WeakMethod | None]] = {}
        self.finished.connect(self._deliver)

    def submit(self, fn: Callable[[], Any], on_done: Callback | None, on_failed: Callback | None) -> int:
        job_id = next(self._ids)
        self._waiting[job_id] = (_weak(on_done), _weak(on_failed))
        QThreadPool.globalInstance().start(_Job(job_id, fn, self))
        return job_id

    def pending(self) -> int:
        return len(self._waiting)

    @Slot(int, object, str)
    def _deliver(self, job_id: int, result: Any, error: str) -> None:
        done, failed = self._waiting.pop(job_id, (None, None))
        target = failed if error else done
        method = target() if target is not None else None
        # A view closed while its job ran: nothing to tell.
        if method is None or not shiboken6.isValid(method.__self__):
            return
        method(error if error else result)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], dispatcher: _Dispatcher) -> None:
        super().__init__()
        self._id = job_id
        self._fn = fn
        self._dispatcher = dispatcher

    def run(self) -> None:
        result: Any = None
        error = ""
        try:
            result = self._fn()
        except MockloopError as exc:
            error = str(exc)
        except OSError as exc:
            error = f"Could not read your data: {exc.strerror or exc}."
        except Exception as exc:  # noqa: BLE001 - a failed job must reach the user, not vanish on a pool thread
            error = f"Something went wrong: {exc}"
        self._dispatcher.finished.emit(self._id, result, error)


def _weak(method: Callback | None) -> weakref.WeakMethod | None:
    if method is None:
        return None
    if not hasattr(method, "__self__"):
        raise TypeError("pass a bound method of a QObject, so a closed view is not called")
    return weakref.WeakMethod(method)


_dispatcher: _Dispatcher | None = None


def run_in_background(fn: Callable[[], Any], on_done: Callback | None, on_failed: Callback | None = None) -> int:
    """Run `fn()` on the thread pool; `on_done(result)` or `on_failed(sentence)` later on the GUI thread.

    Call from the GUI thread. Returns a job id (increasing), so a view can ignore stale answers.
    """
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = _Dispatcher()
    return _dispatcher.submit(fn, on_done, on_failed)


def wait_for_background(msecs: int = 30_000) -> bool:
    """Block until every queued job has run (shutdown and tests); results still need the event loop."""
    return QThreadPool.globalInstance().waitForDone(msecs)
