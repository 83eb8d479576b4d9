"""The candidate's clarifying questions in the score: asking for the constraints that matter earns the
"clarifies the goal and constraints" rubric point, and the important facts never asked for are named.

A question to the interviewer is not an explanation, so it only ever counts toward the one point about
clarifying (the first `problem_understanding` point, which every system design rubric opens with), by
one step at most, and only upward: asking never lowers a status the answer earned by itself, and
questions alone never make a point covered. Evidence cites the asked sentence.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Sequence

from mockloop.engine.bank.schema import Question
from mockloop.engine.core.exchanges import CLARIFY, Exchange, exchanges_from
from mockloop.engine.speech.transcript import Transcript
from mockloop.engine.scoring.rubric import COVERED, CREDIT, PARTIAL, Evidence, PointResult

BY_ASKING = "asking"  # the point's status rests on the clarifying questions asked
# Facts asked for (at least one of them important) that lift a half-made clarifying point to covered.
COVERED_FACTS = 2
_TOPIC_WORDS = {
    "scale": "the scale", "latency": "the latency budget", "labels": "the labels",
    "infrastructure": "what already exists", "goal": "the goal", "constraints": "the constraints",
}


def content_only(transcript: Transcript, exchanges: Iterable[Exchange | dict]) -> Transcript:
    """The answer with the sentences the candidate addressed to the interviewer blanked out, character for
    character (so every offset still points into the whole transcript): a question is not content, and
    "what's the latency budget?" must not earn the latency point of a design."""
    text = transcript.text or ""
    blank = list(text)
    cursor = 0
    for exchange in exchanges_from(exchanges):
        asked = exchange.asked.strip()
        at = text.find(asked, cursor) if asked else -1
        if at < 0:
            at = text.find(asked)
        if at < 0:
            continue  # not in this text (a follow-up's own recording): nothing to blank
        end = at + len(asked)
        for i in range(at, end):
            if not text[i].isspace() and not (i == end - 1 and text[i] in ".?!"):
                blank[i] = " "  # the sentence's end mark stays: the sentences around it stay apart
        cursor = end
    if not exchanges_from(exchanges) or blank == list(text):
        return transcript
    kept = "".join(blank)
    words, cursor = [], 0
    for word in transcript.words:
        needle = (word.text or "").strip()
        at = text.find(needle, cursor) if needle else -1
        if at >= 0:
            cursor = at + len(needle)
            if not kept[at:at + len(needle)].strip(" .?!"):
                word = replace(word, text="")  # blanked: tied to no characters
        words.append(word)
    return Transcript(kept, words, transcript.duration)


def clarifying_point(question: Question) -> str | None:
    """The rubric point that asking about the scenario counts toward: the first problem-understanding point."""
    for point in question.rubric:
        if point.dimension == "problem_understanding":
            return point.id
    return None


def unasked_line(fact) -> str:
    if fact.unasked:
        return fact.unasked
    return f"You never asked about {_TOPIC_WORDS.get(fact.topic.value, fact.topic.value)}: {fact.fact}"


def apply_clarifying(question: Question, points: list[PointResult], exchanges: Iterable[Exchange | dict],
                     text: str) -> dict | None:
    """Credit the clarifying point from the exchanges (in place) and describe what was and was not asked.

    `text` is the transcript the evidence points into. None when the question has no scenario and
    nothing was said to the interviewer."""
    items = exchanges_from(exchanges)
    if not question.scenario and not items:
        return None
    facts = {f.id: f for f in question.scenario}
    asked = [e for e in items if e.intent == CLARIFY and e.fact_id in facts]
    asked_ids = list(dict.fromkeys(e.fact_id for e in asked))
    important = [f for f in question.scenario if f.important]
    unasked = [{"id": f.id, "topic": f.topic.value, "fact": f.fact, "line": unasked_line(f)}
               for f in important if f.id not in asked_ids]
    credit = _credit(question, points, asked, asked_ids, facts, text)
    return {
        "exchanges": [e.to_dict() for e in items],
        "asked_facts": asked_ids,
        "unasked": unasked,
        "important": len(important),
        "important_asked": sum(1 for f in important if f.id in asked_ids),
        "credit": credit,
    }


def _credit(question: Question, points: Sequence[PointResult], asked: list[Exchange], asked_ids: list[str],
            facts: dict, text: str) -> dict:
    point_id = clarifying_point(question)
    point = next((p for p in points if p.id == point_id), None)
    if point is None or not asked_ids:
        return {"point": point_id, "status": None, "facts": asked_ids}
    important_asked = any(facts[i].important for i in asked_ids)
    before = point.status
    # Asking counts toward the point, one step: it shows the candidate clarifies, not that they
    # explained the rest of it. Two facts (one of them important) lift a point the answer half made.
    said_part = before == PARTIAL and point.credit >= CREDIT[PARTIAL]
    earned = COVERED if said_part and len(asked_ids) >= COVERED_FACTS and important_asked else PARTIAL
    if CREDIT[earned] > point.credit:  # only upward: a point named in a list, or missing, may rise
        point.status, point.judged_by = earned, BY_ASKING
    seen: set[str] = set()
    for exchange in asked:
        if exchange.fact_id in seen:
            continue
        seen.add(exchange.fact_id)
        point.evidence.append(_evidence(exchange, text))
    return {"point": point.id, "status": point.status, "before": before, "facts": asked_ids}


def _evidence(exchange: Exchange, text: str) -> Evidence:
    start = text.find(exchange.asked) if exchange.asked else -1
    if start < 0:
        start = text.lower().find(exchange.asked.lower().strip(" ?.!,"))
    end = start + len(exchange.asked) if start >= 0 else -1
    match = text[start:end] if start >= 0 else exchange.asked
    return Evidence(text=exchange.asked, match=match, signal=f"asked: {exchange.fact_id}",
                    start_char=max(start, 0), end_char=max(end, 0) if start >= 0 else 0,
                    start=exchange.asked_at, end=exchange.asked_end)
