"""Rubric evidence located in a transcript, cut into highlighted segments, and answers split from follow-ups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COVERED, PARTIAL = "covered", "partial"


@dataclass(frozen=True)
class Segment:
    """A slice of a transcript; `status` is covered / partial when it is evidence for rubric points."""

    text: str
    status: str | None = None
    points: tuple[str, ...] = ()


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    status: str
    point: str


def locate(text: str, evidence: dict) -> tuple[int, int] | None:
    """Where an evidence quote sits: its own offsets when they still match, else the nearest occurrence."""
    start, end, match = evidence.get("start_char"), evidence.get("end_char"), evidence.get("match")
    offsets = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    if offsets and (not isinstance(match, str) or text[start:end].lower() == match.lower()):
        return start, end
    if not isinstance(match, str) or not match.strip():
        return None
    lowered, needle = text.lower(), match.lower()
    found, at = [], lowered.find(needle)
    while at != -1:
        found.append(at)
        at = lowered.find(needle, at + 1)
    if not found:
        return None
    best = min(found, key=lambda i: abs(i - start)) if isinstance(start, int) else found[0]
    return best, best + len(match)


def evidence_spans(text: str, rubric: list[Any]) -> list[Span]:
    spans = []
    for point in rubric if isinstance(rubric, list) else []:
        if not isinstance(point, dict) or point.get("status") not in (COVERED, PARTIAL):
            continue
        label = str(point.get("point") or point.get("id") or "")
        for evidence in point.get("evidence") or []:
            if isinstance(evidence, dict):
                where = locate(text, evidence)
                if where is not None:
                    spans.append(Span(where[0], where[1], point["status"], label))
    return spans


def segments(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> tuple[Segment, ...]:
    """text[start:end] cut at every span edge; overlapping evidence merges, covered wins over partial."""
    end = len(text) if end is None else end
    edges = sorted({start, end, *(max(start, min(end, p)) for s in spans for p in (s.start, s.end))})
    out: list[Segment] = []
    for a, b in zip(edges, edges[1:]):
        if a == b:
            continue
        over = [s for s in spans if s.start <= a and b <= s.end]
        status = COVERED if any(s.status == COVERED for s in over) else PARTIAL if over else None
        points = tuple(dict.fromkeys(s.point for s in over))
        if out and out[-1].status == status and out[-1].points == points:
            out[-1] = Segment(out[-1].text + text[a:b], status, points)
        else:
            out.append(Segment(text[a:b], status, points))
    return tuple(out)


def split_answer(text: str, followup_answers: list[str]) -> list[tuple[int, int]] | None:
    """Ranges of the answer and of each follow-up answer in a question's combined transcript.

    The interview runner stores a question's transcript as its parts joined by spaces, the
    follow-up answers last; None when the text does not end with them (then it is shown whole).
    """
    ranges: list[tuple[int, int]] = []
    end = len(text.rstrip())
    for answer in reversed(followup_answers):
        answer = answer.strip()
        if not answer:
            ranges.append((end, end))
            continue
        head = text[:end]
        if not head.endswith(answer):
            return None
        start = end - len(answer)
        ranges.append((start, end))
        end = len(text[:start].rstrip())
    return [(0, end), *reversed(ranges)]
