"""What the candidate said to the interviewer during an answer, and what the interviewer said back.

An exchange is one sentence the candidate addressed to the interviewer (a clarifying question,
"can you repeat that", "give me a minute", "let's move on") with the reply. Its times are seconds
into the turn's recording, so Review can play it in place; headless text answers have no times.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Iterable

CLARIFY, REPEAT, THINK, MOVE_ON = "clarify", "repeat", "think", "move-on"
INTENTS = (CLARIFY, REPEAT, THINK, MOVE_ON)


@dataclass(frozen=True)
class Exchange:
    intent: str  # one of INTENTS
    asked: str  # the candidate's sentence, as transcribed
    reply: str  # what the interviewer said (the question itself for "repeat")
    asked_at: float | None = None  # seconds into the turn's recording where the sentence starts
    asked_end: float | None = None
    reply_at: float | None = None  # seconds into the recording when the reply began
    fact_id: str | None = None  # the scenario fact given, for "clarify"; None: "make an assumption"
    topic: str | None = None  # that fact's topic (scale, latency, labels, ...)
    similarity: float = 0.0  # how close the question was to the fact (0..1)
    confidence: float = 0.0  # how sure the sentence was addressed to the interviewer (0..1)
    reply_audio: str | None = None  # a WAV of the spoken reply, kept with the turn

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Exchange":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def exchanges_from(items: Iterable[Exchange | dict[str, Any]]) -> list[Exchange]:
    return [item if isinstance(item, Exchange) else Exchange.from_dict(item) for item in items]
