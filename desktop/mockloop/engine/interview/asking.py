"""While a turn is heard: notice when the candidate has said something to the interviewer and is waiting.

The listener calls `AskWatch.check` as the turn goes on. A sentence counts only once its words are
committed (the captions' text is final) and the candidate has stopped talking after it: someone who asks
waits for the answer, someone thinking aloud runs on. Sentences just before it are read too, since a
candidate often asks two things in a row ("How many posts a day? And what's the latency budget?").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from mockloop.engine.interview.clarifying import Heard, Intent, hear, sentences_with_pauses

# The candidate has been quiet this long after the sentence: time to answer them. The pause itself is
# evidence, read by `hear`; a comma's pause is shorter, so a half-said question is not read as whole.
ASK_PAUSE_S = 0.7
# From this pause on a "not addressed" verdict is final (the pause's weight in `hear` is full by then).
FINAL_PAUSE_S = 1.2
# At most this many sentences before the last one join it (a short run of questions).
RUN_OF_QUESTIONS = 2


@dataclass(frozen=True)
class Addressed:
    """One sentence addressed to the interviewer, with its place in the turn's audio (seconds)."""

    heard: Heard
    start: float
    end: float

    @property
    def intent(self) -> Intent:
        return self.heard.intent


class AskWatch:
    """Reads each newly committed stretch of a turn once. Not thread-safe: one caller (the listener's loop)."""

    def __init__(self, encoder) -> None:
        self.encoder = encoder
        self._upto = 0  # committed words already read
        self.sentences_read = 0

    def check(self, committed: Sequence, pause_now: float) -> list[Addressed]:
        """The sentences addressed to the interviewer among the words committed since the last call, when
        the last of them is one and the candidate is now silent after it; [] otherwise. Words answered are
        never read again, so the same question is never answered twice; words judged not addressed are read
        again while the pause is still young (a longer wait is more evidence of a question), then dropped."""
        if pause_now < ASK_PAUSE_S or len(committed) <= self._upto:
            return []
        new = list(committed[self._upto:])
        sentences = sentences_with_pauses(new)
        if not sentences:
            self._upto = len(committed)
            return []
        text, start, end, _ = sentences[-1]
        last = hear(text, pause_now, self.encoder)
        if not last.addressed and pause_now < FINAL_PAUSE_S:
            return []
        self._upto = len(committed)
        self.sentences_read += len(sentences)
        if not last.addressed:
            return []
        found = [Addressed(last, start, end)]
        if last.intent in (Intent.CLARIFY, Intent.REPEAT):
            # Questions just before it, asked in one breath: their own pause says little, so it is not counted.
            for text, start, end, _gap in reversed(sentences[:-1][-RUN_OF_QUESTIONS:]):
                earlier = hear(text, None, self.encoder)
                if earlier.intent is not Intent.CLARIFY:
                    break
                found.insert(0, Addressed(earlier, start, end))
        return found
