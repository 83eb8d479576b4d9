"""The desktop's answer source (microphone, or typed when there is none) and a silent speaker.

Qt-free on purpose: these run on the interview's worker thread, inside the runner. The
window reaches them only through thread-safe methods (`submit_text`, `offer_command`,
`set_typing`, `close`).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import numpy as np

from mockloop.engine.interview.answers import Answer
from mockloop.engine.core.errors import AudioUnavailableError

# A command offered to a waiting typed answer that should end the session.
STOP = "stop"


class DeskAnswers:
    """Answers from the microphone, or typed ones while `typing` is on (always on without a microphone).

    A typed answer waits in `next()` until the candidate submits text or presses an action
    (skip, repeat...); `offer_command` hands that action to the waiting answer, so the
    runner sees it at once instead of after the next answer. A microphone that cannot be
    opened switches to typing and says why through `on_problem`.
    """

    def __init__(
        self,
        device: str | int | None,
        *,
        typing: bool,
        open_microphone: Callable[[str | int | None], object] | None = None,
        on_waiting: Callable[[bool], None] | None = None,
        on_problem: Callable[[AudioUnavailableError], None] | None = None,
    ) -> None:
        self.device = device
        self._open_microphone = open_microphone or _sound_device_in
        self._on_waiting = on_waiting or (lambda waiting: None)
        self._on_problem = on_problem or (lambda error: None)
        self._cond = threading.Condition()
        self._typing = typing
        self._text: str | None = None
        self._command: str | None = None
        self._waiting = False
        self._closed = False
        self._draft = ""
        self._close_command = STOP

    # ---- from the window (any thread) ------------------------------------------------------------

    @property
    def typing(self) -> bool:
        return self._typing

    @property
    def waiting(self) -> bool:
        """True while an answer is waiting for typed text."""
        return self._waiting

    def set_typing(self, typing: bool) -> None:
        """Type (True) or speak (False) from the next answer on; a waiting typed answer switches at once."""
        with self._cond:
            self._typing = typing
            self._cond.notify_all()

    def submit_text(self, text: str) -> bool:
        """Give the waiting answer its text; False (and nothing kept) when no answer is waiting."""
        with self._cond:
            if not self._waiting:
                return False
            self._text = text
            self._cond.notify_all()
            return True

    def offer_command(self, name: str) -> bool:
        """Hand an action (skip, repeat, reanswer, end-round) to a waiting typed answer; False if none waits."""
        with self._cond:
            if not self._waiting or self._command is not None:
                return False
            self._command = name
            self._cond.notify_all()
            return True

    def close(self, draft: str = "", command: str = STOP) -> None:
        """The session is ending: a waiting answer (and every later one) becomes `command` ("stop" or "end").

        A waiting typed answer with a `draft` (typed, not sent) returns that text with the command.
        """
        with self._cond:
            self._closed = True
            self._draft = draft.strip()
            self._close_command = command
            self._cond.notify_all()

    # ---- from the runner ---------------------------------------------------------------------

    def next(self, prompt: str) -> Answer | None:
        with self._cond:
            if self._closed:
                return Answer(command=self._close_command, label="closed")
            typing = self._typing
        if not typing:
            try:
                return Answer(audio=self._open_microphone(self.device), label="microphone")
            except AudioUnavailableError as exc:
                with self._cond:
                    self._typing = True
                self._on_problem(exc)
        return self._wait_for_typed()

    def _wait_for_typed(self) -> Answer:
        with self._cond:
            self._waiting, self._text, self._command = True, None, None
        self._on_waiting(True)
        try:
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._text is not None or self._command is not None or not self._typing)
                if self._closed:
                    return Answer(text=self._draft or None, command=self._close_command, label="closed")
                if self._command is not None:
                    return Answer(command=self._command, label="typed")
                if self._text is not None:
                    return Answer(text=self._text, label="typed")
        finally:
            with self._cond:
                self._waiting = False
            self._on_waiting(False)
        return self.next("")  # switched back to speaking while waiting


def _sound_device_in(device: str | int | None):
    from mockloop.engine.audio.capture import SoundDeviceIn

    return SoundDeviceIn(device)


class SilentOut:
    """An AudioOut for a computer without a speaker: nothing is heard, but speech takes its time.

    Keeping the pace means the question stays on screen as "being asked" as long as it would
    be heard, and the half-duplex microphone logic behaves as with a speaker.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._until = 0.0  # monotonic time the queued speech would end
        self._started = 0.0
        self._rate = 0

    @property
    def device_rate(self) -> int:
        return 0  # any rate is fine: nothing is resampled for silence

    @property
    def played_seconds(self) -> float:
        with self._cond:
            if not self._started:
                return 0.0
            return max(0.0, min(time.monotonic(), self._until) - self._started)

    def play(self, samples: np.ndarray, rate: int) -> None:
        seconds = len(np.asarray(samples).reshape(-1)) / max(1, int(rate))
        with self._cond:
            now = time.monotonic()
            if self._until <= now:
                self._until = now
                self._started = self._started or now
            self._until += seconds

    def stop(self) -> float:
        with self._cond:
            played = 0.0 if not self._started else max(0.0, min(time.monotonic(), self._until) - self._started)
            self._until = 0.0
            self._started = 0.0
            self._cond.notify_all()
        return played

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                if self._until <= now:
                    return True
                if deadline is not None and now >= deadline:
                    return False
                limit = self._until - now if deadline is None else min(self._until, deadline) - now
                self._cond.wait(limit)

    def close(self) -> None:
        self.stop()
