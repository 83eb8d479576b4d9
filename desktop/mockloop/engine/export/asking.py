"""The candidate's questions to the interviewer in plain sentences, shared by the exports and the Feedback view."""

# Stored data is read leniently (an imported archive may hold anything): an exchange that is not a
# dict, or a field of the wrong type, is skipped or shown blank rather than stopping a view or an export.

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

ASKED_SIGNAL = "asked: "  # a rubric evidence item citing a question asked (scoring/clarify.py)
BY_ASKING = "asking"  # a rubric point whose status rests on the questions asked
STATUS_WORDS = {"covered": "covered", "partial": "partly covered", "missing": "missing"}
# What the candidate did, for the intents that are not a question about the scenario.
_LEADS = {"clarify": "You asked", "repeat": "You asked to hear the question again",
          "think": "You asked for a moment to think", "move-on": "You asked to move on"}


@dataclass(frozen=True)
class ExchangeLine:
    """One exchange as the reports show it."""

    intent: str
    asked: str  # the candidate's sentence
    reply: str  # the interviewer's words
    topic: str | None  # the scenario fact's topic, for a clarifying question that got one
    asked_at: float | None  # seconds into the recording
    asked_end: float | None
    reply_audio: str | None  # a WAV's file name in the session's folder

    @property
    def lead(self) -> str:
        """'You asked', 'You asked to move on', ..."""
        return _LEADS.get(self.intent, "You asked")

    @property
    def facts(self) -> str:
        """'0:04, scale': when it was asked and what about, '' when neither is known."""
        parts = [clock(self.asked_at)] if self.asked_at is not None else []
        if self.topic:
            parts.append(self.topic)
        return ", ".join(parts)

    @property
    def answer(self) -> str:
        """What the interviewer said (a repeat is the question itself: said so, not copied out)."""
        if self.intent == "repeat":
            return "The interviewer read the question again."
        return self.reply

    def text(self) -> str:
        """The whole exchange on one line, for plain text."""
        facts = f" ({self.facts})" if self.facts else ""
        asked = f": “{self.asked}”" if self.asked else ""
        reply = self.answer if self.intent == "repeat" else f"Interviewer: {self.reply}"
        return f"{self.lead}{facts}{asked} → {reply}"


@dataclass(frozen=True)
class AskingReport:
    """A question's exchanges with the interviewer, and what the score says about them."""

    exchanges: tuple[ExchangeLine, ...]
    summary: str  # "You asked for 2 of the 4 key facts."
    unasked: tuple[str, ...]  # a sentence per important fact never asked for
    credit: str  # the rubric point asking counted toward, or ""


def asking_report(feedback: Any, rubric: Any, exchanges: Iterable[Any]) -> AskingReport | None:
    """From a question turn's feedback and rubric and its exchanges (its own and its follow-ups', as stored);
    the score's copy of the exchanges serves when the turns have none. None when there is nothing to show."""
    clarifying = clarifying_of(feedback)
    lines = exchange_lines(list(exchanges)) or exchange_lines((clarifying or {}).get("exchanges"))
    unasked = unasked_lines(clarifying)
    if not lines and not unasked:
        return None
    # With nothing asked, "You asked the interviewer nothing" says it all: no "0 of the 4 key facts" too.
    summary = asked_summary(clarifying) if lines else ""
    return AskingReport(tuple(lines), summary, tuple(unasked), credit_line(clarifying, rubric))


def clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def exchange_lines(items: Iterable[Any]) -> list[ExchangeLine]:
    """Exchange dicts (a turn's, or a score's) as lines; anything unreadable is left out."""
    lines = []
    for item in items if isinstance(items, (list, tuple)) else []:
        if not isinstance(item, dict):
            continue
        asked, reply = _text(item.get("asked")), _text(item.get("reply"))
        if not asked and not reply:
            continue
        lines.append(ExchangeLine(_text(item.get("intent")) or "clarify", asked.strip(), reply.strip(),
                                  _text(item.get("topic")) or None, _seconds(item.get("asked_at")),
                                  _seconds(item.get("asked_end")), _text(item.get("reply_audio")) or None))
    return lines


def clarifying_of(feedback: Any) -> dict | None:
    """The `clarifying` part of a stored turn's feedback, when it has one."""
    value = feedback.get("clarifying") if isinstance(feedback, dict) else None
    return value if isinstance(value, dict) else None


def has_clarifying(clarifying: Any) -> bool:
    """Something to show: an exchange, or an important fact never asked for."""
    return isinstance(clarifying, dict) and bool(exchange_lines(clarifying.get("exchanges")) or unasked_lines(clarifying))


def unasked_lines(clarifying: Any) -> list[str]:
    """The ready sentences about the important facts never asked for."""
    items = clarifying.get("unasked") if isinstance(clarifying, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            line = _text(item.get("line")) or _text(item.get("fact"))
            if line.strip():
                out.append(line.strip())
    return out


def asked_summary(clarifying: Any) -> str:
    """'You asked for 2 of the 4 key facts.' ('' when the question has no key facts)."""
    if not isinstance(clarifying, dict):
        return ""
    important, asked = _count(clarifying.get("important")), _count(clarifying.get("important_asked"))
    if not important:
        return ""
    return f"You asked for {min(asked, important)} of the {important} key facts."


def asked_count(clarifying: Any) -> tuple[int, int] | None:
    """(key facts asked, key facts) of a question with key facts; None otherwise."""
    if not isinstance(clarifying, dict) or not _count(clarifying.get("important")):
        return None
    important = _count(clarifying.get("important"))
    return min(_count(clarifying.get("important_asked")), important), important


def credit_line(clarifying: Any, rubric: Any) -> str:
    """Which rubric point asking counted toward, e.g. 'Asking about scale and latency counted toward: …'.

    '' when asking earned nothing (no fact asked for, or the question has no clarifying point)."""
    credit = clarifying.get("credit") if isinstance(clarifying, dict) else None
    if not isinstance(credit, dict) or credit.get("status") not in STATUS_WORDS:
        return ""
    point_id = credit.get("point")
    point = next((p for p in rubric if isinstance(p, dict) and p.get("id") == point_id), None) \
        if isinstance(rubric, list) else None
    name = _text(point.get("point")) if point is not None else ""
    name = name.strip().rstrip(".") or _text(point_id)
    facts = [f for f in credit.get("facts") or [] if isinstance(f, str)]
    topics = _topics(clarifying.get("exchanges"), facts)
    about = f"about {_and(topics)}" if topics else "for the scenario's facts"
    status, before = credit["status"], credit.get("before")
    if before in STATUS_WORDS and before != status:
        return (f"Asking {about} counted toward: {name}. It is {STATUS_WORDS[status]} now; "
                f"from your answer alone it was {STATUS_WORDS[before]}.")
    return f"Asking {about} counted toward: {name} ({STATUS_WORDS[status]}, as your answer had it already)."


def is_asked_evidence(evidence: Any) -> bool:
    return isinstance(evidence, dict) and _text(evidence.get("signal")).startswith(ASKED_SIGNAL)


def asked_quotes(point: dict) -> list[str]:
    """The sentences a rubric point cites as asked of the interviewer, in order, once each."""
    quotes = [_text(e.get("text") or e.get("match")).strip() for e in point.get("evidence") or [] if is_asked_evidence(e)]
    return list(dict.fromkeys(q for q in quotes if q))


def _topics(exchanges: Any, facts: list[str]) -> list[str]:
    topics: dict[str, None] = {}
    for item in exchanges if isinstance(exchanges, list) else []:
        if isinstance(item, dict) and item.get("fact_id") in facts and isinstance(item.get("topic"), str):
            topics[item["topic"]] = None
    return list(topics)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def asking_view(clarifying: Any, rubric: Any) -> dict | None:
    """What the Feedback view shows of it, as plain data made off the GUI thread (with the answer record):
    {"summary", "exchanges": [{"intent", "lead", "facts", "asked", "answer"}], "unasked", "credit"}; None when
    there is nothing to show."""
    report = asking_report({"clarifying": clarifying}, rubric, ()) if isinstance(clarifying, dict) else None
    if report is None:
        return None
    return {
        "summary": report.summary,
        "exchanges": [{"intent": x.intent, "lead": x.lead, "facts": x.facts, "asked": x.asked, "answer": x.answer}
                      for x in report.exchanges],
        "unasked": list(report.unasked),
        "credit": report.credit,
    }
