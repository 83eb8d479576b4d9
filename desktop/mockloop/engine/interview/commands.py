"""What a running interview can be told: the candidate's actions and the app's, one enum."""

from __future__ import annotations

from enum import Enum


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

