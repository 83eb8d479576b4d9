"""Plain-text rows shared by the Markdown and HTML exports: session facts, metrics, scores, feedback."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from mockloop.engine.export.asking import BY_ASKING, is_asked_evidence
from mockloop.engine.export.report import QuestionReport, SessionReport

METRIC_LABELS = {
    "word_count": "Words",
    "speaking_time_s": "Speaking time (s)",
    "words_per_minute": "Words per minute",
    "filler_count": "Fillers",
    "fillers_per_minute": "Fillers per minute",
    "fillers_per_100_words": "Fillers per 100 words",
    "longest_pause_s": "Longest pause (s)",
    "pauses_over_5s": "Pauses over 5 s",
    "time_to_first_word_s": "Time to first word (s)",
    "nudges": "Nudges",
}
FEEDBACK_TITLES = {"strengths": "Strengths", "gaps": "Gaps", "coaching": "Delivery", "outline": "A strong answer covers",
                   "misconceptions": "Said, but not so", "named": "Named, not explained"}
STATUS_MARKS = {"covered": "covered", "partial": "partial", "missing": "missing"}


def when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")


def number(value: Any, digits: int = 1) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "—"
        text = f"{value:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return "—" if value is None else str(value)


def label(key: str) -> str:
    return key.replace("_", " ").strip().capitalize()


def session_rows(report: SessionReport) -> list[tuple[str, str]]:
    s = report.session
    status = s.status.value.replace("_", " ")
    if s.interruptions:
        status += f" (interrupted {s.interruptions}×, kept as recorded)"
    overall = report.overall
    models = ", ".join(f"{role}: {m.get('name', m) if isinstance(m, dict) else m}" for role, m in s.models.items())
    return [
        ("Session", s.id), ("Bank", report.bank_name), ("Interviewer", report.persona_name),
        ("Mode", s.mode.value), ("Started", when(s.started_at)), ("Ended", when(s.ended_at)), ("Status", status),
        ("Average score", "not scored" if overall is None else f"{overall:.0f}/100"),
        ("Models", models or "—"), ("App version", s.app_version),
    ]


def question_facts(q: QuestionReport) -> list[str]:
    t = q.turn
    facts = [q.stage_id]
    facts += [x for x in (q.kind, q.difficulty) if x]
    facts.append(f"attempt {t.attempt}")
    facts.append(t.status.value)
    if t.audio_seconds:
        facts.append(f"{t.audio_seconds:.0f} s of audio")
    if q.axes:
        facts.append("axes: " + ", ".join(q.axes))
    return facts


def score_line(q: QuestionReport) -> str:
    t = q.turn
    if t.overall is not None:
        return f"Score: {t.overall:.0f}/100"
    if t.status.value == "interrupted":
        return "Not scored: the answer was cut off; what was recorded is kept."
    if t.status.value == "skipped":
        return "Skipped."
    judge = t.scores.get("judge") if isinstance(t.scores, dict) else None
    reason = judge.get("reason") if isinstance(judge, dict) else None
    return "Not scored" + (f": {reason}" if isinstance(reason, str) and reason else ".")


def dimension_rows(scores: dict) -> list[tuple[str, str]]:
    dims = scores.get("dimensions") if isinstance(scores, dict) else None
    if not isinstance(dims, dict):
        return []
    return [(label(k), number(v, 0)) for k, v in dims.items()]


def metric_rows(metrics: dict) -> list[tuple[str, str]]:
    if not isinstance(metrics, dict):
        return []
    rows = [(text, number(metrics[key])) for key, text in METRIC_LABELS.items() if key in metrics]
    for key, value in metrics.items():
        if key not in METRIC_LABELS and isinstance(value, (int, float)) and not isinstance(value, bool):
            rows.append((label(key), number(value)))
    fillers = metrics.get("fillers")
    if isinstance(fillers, dict) and fillers:
        rows.append(("Filler words", ", ".join(f"“{k}” ×{v}" for k, v in fillers.items())))
    unavailable = metrics.get("unavailable_reason")
    if isinstance(unavailable, str) and unavailable:
        rows.append(("Not measured", unavailable))
    return rows


def rubric_rows(rubric: list) -> list[tuple[str, str, str, list[str]]]:
    """(point, dimension, status, evidence) per rubric point; evidence in quotes, a question asked of the
    interviewer marked as asked (it earned the point by asking, not by a phrase said)."""
    rows = []
    for p in rubric if isinstance(rubric, list) else []:
        if not isinstance(p, dict):
            continue
        quotes = [f"asked “{e['text']}”" if is_asked_evidence(e) else f"“{e['text']}”"
                  for e in p.get("evidence") or [] if isinstance(e, dict) and isinstance(e.get("text"), str) and e["text"]]
        status = STATUS_MARKS.get(p.get("status"), str(p.get("status", "")))
        if p.get("judged_by") == BY_ASKING:
            status += " (by asking)"
        rows.append((str(p.get("point") or p.get("id") or ""), label(str(p.get("dimension", ""))), status, quotes))
    return rows


def feedback_sections(feedback: dict) -> list[tuple[str, list[str]]]:
    sections = []
    for key, value in (feedback.items() if isinstance(feedback, dict) else []):
        if isinstance(value, list):
            lines = [str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip()]
            if lines:
                sections.append((FEEDBACK_TITLES.get(key, label(key)), lines))
        elif isinstance(value, str) and value.strip():
            sections.append((FEEDBACK_TITLES.get(key, label(key)), [value]))
    return sections


def nudge_lines(q: QuestionReport) -> list[str]:
    out = []
    for n in q.turn.nudges:
        at = f"after {n.offset_s:.0f} s" if isinstance(n.offset_s, (int, float)) else when(n.at)
        out.append(f"{at}: {n.text}")
    return out
