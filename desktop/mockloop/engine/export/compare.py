"""Every answer to one question side by side: scores, metrics, and the rubric points gained or lost between tries."""

from __future__ import annotations

from mockloop.engine.bank import BankSet
from mockloop.engine.core.errors import UnknownQuestionError
from mockloop.engine.store import Attempt, SessionStore

_RANK = {"missing": 0, "partial": 1, "covered": 2}
KEY_METRICS = ("word_count", "words_per_minute", "fillers_per_minute", "longest_pause_s", "pauses_over_5s",
               "time_to_first_word_s", "nudges")


def attempt_dict(a: Attempt) -> dict:
    return {
        "session_id": a.session_id, "session_mode": a.session_mode.value, "persona_id": a.persona_id,
        "turn_id": a.turn_id, "attempt": a.attempt, "status": a.status.value,
        "started_at": a.started_at.isoformat(timespec="milliseconds"), "overall": a.overall,
        "dimensions": a.dimensions, "metrics": a.metrics, "rubric_status": a.rubric_status,
        "transcript": a.transcript, "candidate_audio": str(a.candidate_audio) if a.candidate_audio else None,
    }


def change(before: Attempt, after: Attempt) -> dict:
    """What changed from one answer to the next."""
    def delta(x, y):
        ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (x, y))
        return round(y - x, 1) if ok else None

    dims = sorted(set(before.dimensions) | set(after.dimensions))
    points = sorted(set(before.rubric_status) | set(after.rubric_status))
    rank = lambda status: _RANK.get(status, 0)  # noqa: E731 - a point absent before counts as missing
    return {
        "from_turn_id": before.turn_id, "to_turn_id": after.turn_id,
        "overall_delta": delta(before.overall, after.overall),
        "dimension_deltas": {d: delta(before.dimensions.get(d), after.dimensions.get(d)) for d in dims},
        "metric_deltas": {m: delta(before.metrics.get(m), after.metrics.get(m)) for m in KEY_METRICS
                          if m in before.metrics or m in after.metrics},
        "gained": [p for p in points if rank(after.rubric_status.get(p)) > rank(before.rubric_status.get(p))],
        "lost": [p for p in points if rank(after.rubric_status.get(p)) < rank(before.rubric_status.get(p))],
    }


def compare_document(store: SessionStore, question_id: str, banks: BankSet) -> dict:
    """The comparison of every answer to a question, oldest first.

    Raises UnknownQuestionError when no bank has the question and nothing was ever answered to it.
    """
    attempts = store.attempts_for_question(question_id)
    question = None
    try:
        _, question = banks.find(question_id)
    except UnknownQuestionError:
        if not attempts:
            raise
    answered = [a for a in attempts if a.status.value in ("done", "interrupted")]
    return {
        "question_id": question_id,
        "question_text": question.text if question else None,
        "rubric_points": [{"id": p.id, "point": p.point, "dimension": p.dimension} for p in question.rubric] if question else [],
        "count": len(attempts),
        "attempts": [attempt_dict(a) for a in attempts],
        "changes": [change(a, b) for a, b in zip(answered, answered[1:])],
    }


def compare_text(doc: dict) -> str:
    lines = [f"{doc['question_id']}: {doc['question_text'] or '(question not in the installed banks)'}", ""]
    if not doc["attempts"]:
        return "\n".join(lines + ["No answers to this question yet."])
    names = {p["id"]: p["point"] for p in doc["rubric_points"]}
    for a in doc["attempts"]:
        score = "-" if a["overall"] is None else f"{a['overall']:.0f}"
        dims = "  ".join(f"{k}: {v:.0f}" for k, v in a["dimensions"].items() if isinstance(v, (int, float)))
        wpm = a["metrics"].get("words_per_minute")
        pace = f"  {wpm:.0f} wpm" if isinstance(wpm, (int, float)) else ""
        lines.append(f"{a['started_at'][:16]}  {a['session_id']}  attempt {a['attempt']}  [{a['status']}]  "
                     f"score {score}{pace}  {dims}")
    for c in doc["changes"]:
        delta = "" if c["overall_delta"] is None else f"{c['overall_delta']:+.0f}"
        lines.append(f"\nturn {c['from_turn_id']} -> {c['to_turn_id']}: overall {delta or 'n/a'}")
        lines += [f"  + {names.get(p, p)}" for p in c["gained"]]
        lines += [f"  - {names.get(p, p)}" for p in c["lost"]]
    return "\n".join(lines)
