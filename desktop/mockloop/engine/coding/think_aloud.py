"""Think out loud before code, measured: the seed's one unwritten rule, from the recording and the editor.

From the timed words of the answer and the editor's timeline: how long the candidate spoke before
the first line of code, how much of the coding time they narrated, and the longest stretch of
typing without a word. Whether the approach was stated before coding is judged by meaning in
`scoring`, on the words this module says came before the code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol, Sequence

from mockloop.engine.coding.timeline import EditTimeline

TALK_GAP_S = 2.0  # words closer than this are one stretch of talk
NARRATION_REACH_S = 1.5  # typing within this of speech counts as narrated
SILENT_TYPING_S = 20.0  # a silent stretch this long is worth a line in the feedback


class TimedWord(Protocol):
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class CodeThinkAloud:
    """The think-aloud figures of one coding answer; None where they cannot be measured."""

    timed: bool  # False when there was no editor timeline (a code file given headless)
    first_code_s: float | None  # seconds into the recording of the first edit that wrote code
    spoke_before_code_s: float | None  # seconds of speech before it
    words_before_code: int | None
    coding_s: float | None  # from the first line of code to the last edit
    narrated_share: float | None  # 0..1: share of the coding time within reach of speech
    longest_silent_typing_s: float | None  # the longest stretch of typing without a word
    edits: int
    runs: int

    def to_dict(self) -> dict:
        return asdict(self)


def talk_stretches(words: Sequence[TimedWord], gap: float = TALK_GAP_S) -> list[tuple[float, float]]:
    """Spans of continuous talk: words merged across gaps shorter than `gap`."""
    spans: list[tuple[float, float]] = []
    for w in sorted(words, key=lambda w: w.start):
        if spans and w.start - spans[-1][1] < gap:
            spans[-1] = (spans[-1][0], max(spans[-1][1], w.end))
        else:
            spans.append((w.start, w.end))
    return spans


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def measure(words: Sequence[TimedWord], timeline: EditTimeline | None, runs: int = 0) -> CodeThinkAloud:
    """The figures for one answer; `timeline` None (code given as a file) leaves the timing ones None."""
    if timeline is None:
        return CodeThinkAloud(False, None, None, None, None, None, None, 0, runs)
    times = timeline.code_edit_times()
    edits = len(timeline.edits)
    if not times:
        return CodeThinkAloud(True, None, None, None, None, None, None, edits, runs)
    first, last = times[0], times[-1]
    before = [w for w in words if w.end <= first + 0.25]
    spans = talk_stretches(words)
    spoke = sum(_overlap(s, (float("-inf"), first)) for s in spans)
    coding = max(0.0, last - first)
    if coding > 0:
        reach = [(a - NARRATION_REACH_S, b + NARRATION_REACH_S) for a, b in spans]
        covered = _union_length([(max(a, first), min(b, last)) for a, b in reach if b > first and a < last])
        narrated = min(1.0, covered / coding)
    else:
        narrated = 1.0 if any(a - NARRATION_REACH_S <= first <= b + NARRATION_REACH_S for a, b in spans) else 0.0
    return CodeThinkAloud(True, round(first, 2), round(spoke, 2), len(before), round(coding, 2), round(narrated, 3),
                          round(_longest_silent_typing(times, spans), 2), edits, runs)


def _union_length(spans: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def _longest_silent_typing(times: list[float], spans: list[tuple[float, float]]) -> float:
    """The longest run of code edits with no talk between the first and the last of them."""
    best, run_start, previous = 0.0, None, None
    for t in times:
        talking = any(a - 0.5 <= t <= b + 0.5 for a, b in spans)
        broken = previous is not None and any(previous < a and b < t or previous <= a <= t for a, b in spans)
        if talking or broken:
            run_start = None if talking else t
        elif run_start is None:
            run_start = t
        if run_start is not None:
            best = max(best, t - run_start)
        previous = t
    return best


def silent_typing_since(timeline: EditTimeline, since: float) -> bool:
    """True when code was written after `since` (seconds into the recording): the silence is typing."""
    return any(t > since for t in timeline.code_edit_times())
