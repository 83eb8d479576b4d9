"""Dimension scores and the overall 0-100 score of one answer, plus the optional LLM-judge blend."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping, Protocol

from mockloop.engine.bank.schema import DIMENSIONS, Kind, Question
from mockloop.engine.scoring.insights import WordInsights
from mockloop.engine.scoring.metrics import ThinkAloudMetrics
from mockloop.engine.scoring.rubric import PointResult
from mockloop.engine.scoring.text import Doc, find_phrase, make_phrase

# Weights of the dimensions in the overall score. Modelling/depth/action carry the most,
# because that is where interviewers separate candidates; communication counts, but a fluent
# answer with no substance must not score well.
DIMENSION_WEIGHTS: dict[Kind, dict[str, float]] = {
    Kind.SYSTEM_DESIGN: {"problem_understanding": 1.0, "data_features": 1.0, "modeling": 1.5,
                         "evaluation_deployment": 1.0, "tradeoffs": 1.0, "communication": 0.75},
    Kind.TECHNICAL: {"depth": 1.5, "correctness": 1.5, "tradeoffs": 1.0, "communication": 0.75},
    Kind.BEHAVIORAL: {"situation": 0.75, "task": 0.75, "action": 1.5, "result": 1.25, "communication": 0.75},
    Kind.CODING: {"approach": 1.25, "complexity": 1.0, "edge_cases": 0.75, "correctness": 1.5, "communication": 1.0},
}
COMMUNICATION_RUBRIC_SHARE = 0.5  # the rest comes from delivery (pace, fillers, pauses, signposts, hedges)
STAR_SHARE = 0.4  # behavioral: share of each STAR dimension taken from structure heuristics
JUDGE_SHARE = 0.3  # weight of an allowed LLM judge in a blended dimension
MISCONCEPTION_PENALTY = 40.0  # points off the dimension a misconception damages, per misconception heard
MISCONCEPTION_OVERALL = 8.0  # and off the overall: a confident wrong claim colours the whole answer
MIN_JUDGE_PARAMETERS = 1_000_000_000
WPM_BAND = (110.0, 170.0)

_STAR_CUES = {
    "situation": ("at my last", "at my previous", "at my current", "the situation", "years ago", "last year",
                  "the problem was", "at the time", "when i was", "we were", "the context", "there was"),
    "task": ("my goal", "my task", "i was responsible", "i needed to", "i had to", "my role", "the goal was",
             "i owned", "i wanted", "my job", "my responsibility", "the question i"),
    "result": ("as a result", "in the end", "the result", "outcome", "increased", "reduced", "improved",
               "dropped", "went up", "went down", "saved", "shipped", "launched", "lift", "since then", "learned"),
}
_NOT_ACTIONS = frozenset({"think", "thought", "guess", "mean", "believe", "suppose", "feel", "felt", "know", "knew",
                          "was", "am", "wish", "hope", "like", "love", "want", "wanted", "would", "could", "might",
                          "should", "will", "can", "have", "had", "is", "not", "do", ""})
_QUANTITY_WORDS = ("percent", "twice", "half", "double", "doubled", "tripled", "million", "thousand")


@dataclass
class JudgeRequest:
    """What an LLM judge sees: the question, the answer and the deterministic rubric verdicts."""

    question: str
    kind: str
    dimensions: tuple[str, ...]
    rubric: list[dict]  # {id, point, dimension, status}
    outline: list[str]
    transcript: str


class Judge(Protocol):
    """An LLM judge: returns 0-100 per dimension (any subset) and/or "overall"."""

    n_parameters: int

    def __call__(self, request: JudgeRequest) -> Mapping[str, float]: ...


def blend_allowed(n_parameters: int | float | None) -> bool:
    """Only a model of at least 1B parameters may move the score; the bundled 135M never does."""
    try:
        return n_parameters is not None and float(n_parameters) >= MIN_JUDGE_PARAMETERS
    except (TypeError, ValueError):
        return False


@dataclass
class Score:
    overall: float | None
    deterministic_overall: float | None  # the same transcript always gives the same number
    dimensions: dict[str, float | None]
    weights: dict[str, float]
    communication: dict = field(default_factory=dict)
    star: dict | None = None
    judge: dict = field(default_factory=lambda: {"used": False, "reason": "no judge configured"})

    def to_dict(self) -> dict:
        return asdict(self)


def _ramp(value: float, good: float, bad: float) -> float:
    """1.0 at or better than `good`, 0.0 at or worse than `bad`, linear between."""
    if good == bad:
        return 1.0 if value <= good else 0.0
    t = (value - good) / (bad - good)
    return max(0.0, min(1.0, 1.0 - t))


def delivery(metrics: ThinkAloudMetrics, ins: WordInsights) -> dict[str, float]:
    """0-1 parts of delivery; timing parts only when the answer was spoken."""
    parts: dict[str, float] = {}
    words = max(metrics.word_count, 1)
    parts["signposts"] = min(1.0, 0.3 + 0.25 * len(ins.signposts))
    parts["hedging"] = _ramp(100.0 * ins.hedge_count / words, 1.5, 8.0)
    if metrics.timed and metrics.words_per_minute is not None:
        lo, hi = WPM_BAND
        wpm = metrics.words_per_minute
        parts["pace"] = _ramp(lo - wpm, 0.0, 50.0) if wpm < lo else _ramp(wpm - hi, 0.0, 70.0)
        parts["fillers"] = _ramp(metrics.fillers_per_minute or 0.0, 3.0, 12.0)
        silence = 0.15 * (metrics.pauses_over_5s or 0) + 0.1 * metrics.nudges
        if (metrics.time_to_first_word_s or 0.0) > 10.0:
            silence += 0.1
        parts["silences"] = max(0.0, 1.0 - silence)
    else:
        parts["fillers"] = _ramp(metrics.fillers_per_100_words, 2.0, 8.0)
        if metrics.nudges:
            parts["silences"] = max(0.0, 1.0 - 0.1 * metrics.nudges)
    return {k: round(v, 3) for k, v in parts.items()}


def star_parts(doc: Doc) -> dict[str, Any]:
    """STAR structure heuristics: situation and task cues, "I" over "we" for action, a measured result."""
    def present(cues: tuple[str, ...]) -> bool:
        return any(find_phrase(doc, make_phrase(c)) for c in cues)

    texts = [t.text for t in doc.tokens]
    # "I" as the doer: "I built", not "I think" / "I guess" / "I was".
    i_count = sum(1 for a, b in zip(texts, texts[1:] + [""]) if a == "i" and b not in _NOT_ACTIONS)
    we_count = texts.count("we")
    ownership = i_count / (i_count + we_count) if i_count + we_count else 0.0
    numbers = sum(1 for t in doc.tokens
                  if (t.text.replace(".", "").isdigit() and doc.text[t.start:t.end].lower() != "one")
                  or t.text in _QUANTITY_WORDS)
    result_cue = present(_STAR_CUES["result"])
    return {
        "situation": 1.0 if present(_STAR_CUES["situation"]) else 0.0,
        "task": 1.0 if present(_STAR_CUES["task"]) else 0.0,
        "action": round(min(1.0, ownership / 0.6) * min(1.0, i_count / 4.0), 3),
        "result": 0.5 * result_cue + 0.5 * (numbers > 0),
        "i_count": i_count,
        "we_count": we_count,
        "measurable_result": numbers > 0,
    }


def _rubric_dimension(points: list[PointResult], dimension: str) -> float | None:
    mine = [p for p in points if p.dimension == dimension]
    total = sum(p.weight for p in mine)
    if not total:
        return None
    return 100.0 * sum(p.weight * p.credit for p in mine) / total


def _weighted_overall(dims: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    pairs = [(dims[d], weights.get(d, 1.0)) for d in dims if dims[d] is not None]
    total = sum(w for _, w in pairs)
    return round(sum(v * w for v, w in pairs) / total, 1) if total else None


def compute(question: Question, doc: Doc, points: list[PointResult], metrics: ThinkAloudMetrics,
            ins: WordInsights, wrong_dimensions: list[str] = ()) -> Score:
    """The deterministic score (no judge); `wrong_dimensions`: the dimension of each misconception heard."""
    names = DIMENSIONS[question.kind]
    weights = dict(DIMENSION_WEIGHTS.get(question.kind, {d: 1.0 for d in names}))
    dims: dict[str, float | None] = {d: _rubric_dimension(points, d) for d in names}
    for d in wrong_dimensions:
        # A confident wrong claim costs where it does damage, even when that dimension's points were missed.
        dims[d] = max(0.0, (dims.get(d) or 0.0) - MISCONCEPTION_PENALTY)
    parts = delivery(metrics, ins)
    delivery_score = 100.0 * sum(parts.values()) / len(parts)
    comm_rubric = dims.get("communication")
    comm = delivery_score if comm_rubric is None else (
        COMMUNICATION_RUBRIC_SHARE * comm_rubric + (1 - COMMUNICATION_RUBRIC_SHARE) * delivery_score)
    dims["communication"] = comm
    star = None
    if question.kind is Kind.BEHAVIORAL:
        star = star_parts(doc)
        for d in ("situation", "task", "action", "result"):
            base = dims.get(d)
            heuristic = 100.0 * star[d]
            dims[d] = heuristic if base is None else (1 - STAR_SHARE) * base + STAR_SHARE * heuristic
    dims = {d: (None if v is None else round(v, 1)) for d, v in dims.items()}
    overall = _weighted_overall(dims, weights)
    if overall is not None and wrong_dimensions:
        overall = round(max(0.0, overall - MISCONCEPTION_OVERALL * len(wrong_dimensions)), 1)
    communication = {
        "rubric": None if comm_rubric is None else round(comm_rubric, 1),
        "delivery": round(delivery_score, 1),
        "delivery_parts": parts,
    }
    return Score(overall, overall, dims, weights, communication, star)


def unscored(question: Question, reason: str) -> Score:
    names = DIMENSIONS[question.kind]
    return Score(None, None, {d: None for d in names}, dict(DIMENSION_WEIGHTS.get(question.kind, {})),
                 judge={"used": False, "reason": reason})


def apply_judge(score: Score, judge: Callable | None, request: JudgeRequest) -> Score:
    """Blend an allowed judge into the dimensions; anything wrong leaves the deterministic score."""
    if judge is None:
        return score
    n = getattr(judge, "n_parameters", None)
    if not blend_allowed(n):
        score.judge = {"used": False, "reason": f"judge model too small to blend ({n or 'unknown'} parameters < 1B)"}
        return score
    try:
        raw = judge(request)
    except Exception as exc:  # a judge is third-party code; its failure must never lose the score
        score.judge = {"used": False, "reason": f"judge failed: {type(exc).__name__}: {str(exc)[:120]}"}
        return score
    values = {}
    for key, value in dict(raw or {}).items() if isinstance(raw, Mapping) else []:
        if (key in score.dimensions or key == "overall") and isinstance(value, (int, float)) and math.isfinite(value):
            values[key] = max(0.0, min(100.0, float(value)))
    if not values:
        score.judge = {"used": False, "reason": "judge returned no usable scores"}
        return score
    dims = dict(score.dimensions)
    for d, v in values.items():
        if d != "overall" and dims.get(d) is not None:
            dims[d] = round((1 - JUDGE_SHARE) * dims[d] + JUDGE_SHARE * v, 1)
    overall = _weighted_overall(dims, score.weights)
    if "overall" in values and overall is not None and not set(values) - {"overall"}:
        overall = round((1 - JUDGE_SHARE) * overall + JUDGE_SHARE * values["overall"], 1)
    score.dimensions, score.overall = dims, overall
    score.judge = {"used": True, "reason": f"blended at {JUDGE_SHARE:.0%}", "scores": values, "n_parameters": int(n)}
    return score
