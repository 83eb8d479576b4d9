"""What an interview run returns (`RunSummary`), and the two signals that end a round or the session early."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockloop.engine.interview.events import Event


def ignore_event(event: Event) -> None:
    """The runner's `emit` when nobody listens."""


class EndRound(Exception):
    """The candidate ended the round: the runner moves on to the next one."""


class EndSession(Exception):
    """The session ends now; the message is how (`RunSummary.ended`)."""


@dataclass
class RunSummary:
    session_id: str
    questions: list[dict] = field(default_factory=list)  # per question: id, attempt, overall, followups, flags
    ended: str = "finished"  # finished | answers-ran-out | stopped (the app closed: the session is interrupted)

    def to_dict(self) -> dict:
        return {"session_id": self.session_id, "ended": self.ended, "questions": self.questions}
