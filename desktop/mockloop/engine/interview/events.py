"""What a running interview reports: one small frozen dataclass per event, each with its stable `kind`.

The runner calls its `emit` with these (on its own thread, and on the capture and speech
threads for captions, levels and listening). The desktop worker forwards them as they are;
the headless `simulate` writes `{"event": kind, **to_dict()}` into its JSON document
(docs/cli.md), so `kind` and `to_dict()` are a stable contract.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Callable, ClassVar

if TYPE_CHECKING:  # only named here: the window imports this module at launch, and stays light
    from mockloop.engine.bank.schema import CodingTask
    from mockloop.engine.coding.session import CodeSession
    from mockloop.engine.interview.answer_record import AnswerRecord
    from mockloop.engine.interview.followups import FollowUp


@dataclass(frozen=True)
class Event:
    """Base of every interview event."""

    kind: ClassVar[str] = ""
    _json_names: ClassVar[dict[str, str]] = {}  # field -> its name in the JSON stream, where they differ

    def to_dict(self) -> dict[str, Any]:
        """The event's fields as the headless JSON stream has them."""
        return {self._json_names.get(f.name, f.name): getattr(self, f.name) for f in fields(self)}


Emit = Callable[[Event], None]


@dataclass(frozen=True)
class SessionStarted(Event):
    kind: ClassVar[str] = "session-started"
    session_id: str
    persona: str  # persona id
    rounds: list[str]  # round titles, in order


@dataclass(frozen=True)
class RoundStarted(Event):
    kind: ClassVar[str] = "round-started"
    title: str
    budget_seconds: float
    questions: list[str]  # question ids planned for the round


@dataclass(frozen=True)
class QuestionAsked(Event):
    kind: ClassVar[str] = "question"
    _json_names: ClassVar[dict[str, str]] = {"question_kind": "kind"}
    id: str
    text: str
    question_kind: str  # Kind value: technical | system_design | behavioral ...
    attempt: int
    turn_id: int


@dataclass(frozen=True)
class CodingStarted(Event):
    """A coding question: the code pad opens with the starter; its edits and runs go into `session`."""

    kind: ClassVar[str] = "coding"
    id: str  # question id
    task: CodingTask
    session: CodeSession

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "function": self.task.function, "signature": self.task.signature,
                "complexity_target": self.task.complexity.time, "tests": len(self.task.cases)}


@dataclass(frozen=True)
class PhaseStarted(Event):
    """A system-design answer moves to its next timed phase."""

    kind: ClassVar[str] = "phase"
    id: str
    prompt: str
    seconds: float


@dataclass(frozen=True)
class Speaking(Event):
    kind: ClassVar[str] = "speaking"
    _json_names: ClassVar[dict[str, str]] = {"line": "kind"}
    text: str
    line: str  # what the line is: question | followup | nudge | phase | feedback | transition


@dataclass(frozen=True)
class Listening(Event):
    """The microphone's turn: `Started`, then the end-of-turn detector's events by name."""

    kind: ClassVar[str] = "listening"
    what: str  # Started | SpeechStarted | Pause | SpeechResumed | NoSpeech | TurnEnded
    detail: object | None = None  # the endpointer's event (its fields go into the JSON); None for Started

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, **(vars(self.detail) if self.detail is not None else {})}


@dataclass(frozen=True)
class Captioned(Event):
    """Live captions of the answer being spoken: words committed so far, then the tentative tail."""

    kind: ClassVar[str] = "caption"
    committed: str
    tentative: str


@dataclass(frozen=True)
class MicLevel(Event):
    kind: ClassVar[str] = "level"
    rms: float  # 0..1
    peak: float


@dataclass(frozen=True)
class Nudged(Event):
    """The interviewer prompted the candidate during a long silence."""

    kind: ClassVar[str] = "nudge"
    text: str
    after_seconds: float


@dataclass(frozen=True)
class Replied(Event):
    """The interviewer answered something the candidate said to them mid-answer; the answer goes on."""

    kind: ClassVar[str] = "reply"
    intent: str  # clarify | repeat | think | move-on
    asked: str  # the candidate's sentence(s)
    text: str  # the interviewer's reply, as spoken
    facts: list[str]  # scenario fact ids given (none: "make an assumption")
    at: float  # seconds into the turn's recording when the reply began


@dataclass(frozen=True)
class FollowUpAsked(Event):
    kind: ClassVar[str] = "followup"
    followup: FollowUp
    ready_seconds: float  # from the end of the answer to the follow-up being ready

    def to_dict(self) -> dict[str, Any]:
        return {**self.followup.to_dict(), "ready_seconds": self.ready_seconds}


@dataclass(frozen=True)
class Skipped(Event):
    kind: ClassVar[str] = "skipped"
    id: str  # question id


@dataclass(frozen=True)
class Scored(Event):
    """An answer was scored and kept. The JSON stream names it only (the stored turns have the rest)."""

    kind: ClassVar[str] = "scored"
    answer: AnswerRecord

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.answer.question_id, "turn_id": self.answer.turn_id, "interrupted": self.answer.interrupted}


@dataclass(frozen=True)
class Problem(Event):
    """Something went wrong during the session (a full disk, a lost microphone); it may go on."""

    kind: ClassVar[str] = "error"
    problem: str
    fix: str


@dataclass(frozen=True)
class Resolved(Event):
    """A problem went away (the disk has room again): a sentence saying so."""

    kind: ClassVar[str] = "resolved"
    text: str


@dataclass(frozen=True)
class SessionEnded(Event):
    """The run's summary (`RunSummary.to_dict()`)."""

    kind: ClassVar[str] = "session-ended"
    session_id: str
    ended: str  # finished | answers-ran-out | stopped
    questions: list[dict]
