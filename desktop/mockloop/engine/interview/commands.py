"""What a running interview can be told (the candidate's actions and the app's), and the inbox that takes them."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from mockloop.engine.interview.listener import TurnListener


class Command(str, Enum):
    """A command to `InterviewRunner.command` (from any thread) or an answer that is an action.

    The values are the names the headless answers (`[skip]` files) and the JSON summary use.
    """

    # On the answer being given; it goes on (or ends normally, for done and release).
    DONE = "done"
    PRESS = "press"  # push-to-talk: the key is down
    RELEASE = "release"
    # These end the answer being given (thrown away, except for end and stop), then are obeyed.
    REPEAT = "repeat"
    SKIP = "skip"
    REANSWER = "reanswer"
    END_ROUND = "end-round"
    END = "end"  # the candidate ends the interview: the answer in progress is kept and scored
    STOP = "stop"  # the app is closing: the answer in progress is kept, the session is interrupted
    TYPE = "type"  # switched to typing mid-answer: the spoken part is kept, the answer goes on typed
    OUT_OF_ANSWERS = "out-of-answers"  # sent by nobody: the answer source has run dry

    @property
    def on_the_answer(self) -> bool:
        """Acts on the answer being given without ending the question (done, press, release)."""
        return self in (Command.DONE, Command.PRESS, Command.RELEASE)

    @property
    def keeps_answer(self) -> bool:
        """Ends the session but keeps the answer in progress (end, stop)."""
        return self in (Command.END, Command.STOP)

    @property
    def ending(self) -> str:
        """How the session ends on this command: finished | stopped | answers-ran-out (RunSummary.ended)."""
        return _ENDINGS[self]


_ENDINGS = {Command.END: "finished", Command.STOP: "stopped", Command.OUT_OF_ANSWERS: "answers-ran-out"}


class CommandInbox:
    """Commands from any thread to one running interview.

    done / press / release go straight to the answer being heard. The others wait for the
    runner (`take`) and end the answer being heard: `end` and `stop` keep it (it is finished
    and transcribed), the rest throw it away; `type` keeps it and goes on typed.
    """

    def __init__(self, stop_speaking: Callable[[], None]) -> None:
        self.closing = threading.Event()  # `stop`: the app is closing, so a full disk is not waited out
        self._stop_speaking = stop_speaking
        self._pending: list[Command] = []
        self._lock = threading.Lock()
        self._listener: TurnListener | None = None

    def send(self, name: Command | str) -> None:
        command = Command(name)
        with self._lock:
            listener = self._listener
            if command.on_the_answer:
                if listener is not None:
                    getattr(listener, command.value)()
                return
            if command is Command.TYPE:
                if listener is None:
                    return  # not speaking an answer now: typing simply applies to the next one
                self._pending.append(command)
                listener.done()  # what was said so far is kept; the answer goes on in the text box
                return
            self._pending.append(command)
            if command is Command.STOP:
                self.closing.set()
        self._stop_speaking()
        if listener is not None:
            if command.keeps_answer:
                listener.done()
            else:
                listener.cancel()

    def take(self) -> Command | None:
        """The oldest command not yet obeyed, if any."""
        with self._lock:
            return self._pending.pop(0) if self._pending else None

    @contextmanager
    def hearing(self, listener: TurnListener) -> Iterator[None]:
        """While an answer is heard, the commands that act on it reach its listener."""
        with self._lock:
            self._listener = listener
        try:
            yield
        finally:
            with self._lock:
                self._listener = None
