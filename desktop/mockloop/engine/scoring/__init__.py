"""Scoring of one answer: rubric coverage with evidence, think-out-loud metrics, word insights,
dimension scores, feedback text. Deterministic; an LLM judge is an optional, gated hook.

Entry point: `score_answer(question, bank, transcript_or_text, ...)`.
May import: `models` (the shared text model), `understanding`, `speech` (transcript types), `bank`, `core`.

How a score is made (each step cites the transcript, so every number can be explained):
- The answer is read claim by claim (claims.py): a term named only to be rejected ("I wouldn't
  downsample") counts for nothing, and terms in a bare list are "named, not explained".
- Each rubric point is covered when the answer gives two distinct ideas, from its signal phrases or
  from clauses the text model finds say the point in other words (meaning.py), or one phrase with
  reasoning in the same sentence ("because", "instead of", a number, ...); partial when it gives one;
  missing otherwise. Signals shared by many questions ("trade off", "a b test") count half, and words
  that only repeat the question count for nothing on their own (rubric.py).
- A misconception heard (by its phrases, or by meaning) costs its dimension `MISCONCEPTION_PENALTY`.
- A dimension is the weighted coverage of its points (covered 1, partial 0.5). Communication is
  half its rubric points, half delivery (signposts, hedging, fillers, and for speech pace and
  silences). Behavioral dimensions take 40% from STAR heuristics (scorer.py).
- The overall is the weighted mean of the dimensions (`DIMENSION_WEIGHTS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from mockloop.engine.bank.schema import Bank, Question
from mockloop.engine.scoring import feedback as feedback_mod
from mockloop.engine.scoring.feedback import Feedback
from mockloop.engine.scoring.insights import (
    WordInsights, bank_vocabulary, english_share, insights, non_ascii_share, other_language_share,
)
from mockloop.engine.scoring.metrics import ThinkAloudMetrics, measure
from mockloop.engine.scoring.claims import Claims
from mockloop.engine.scoring.clarify import apply_clarifying, content_only
from mockloop.engine.core.exchanges import Exchange
from mockloop.engine.scoring.meaning import HeardMisconception, MeaningJudge, phrase_misconceptions
from mockloop.engine.scoring.rubric import BY_NAMING, MISSING, PARTIAL, PointResult, assess, generic_keys
from mockloop.engine.scoring.scorer import (
    DIMENSION_WEIGHTS, Judge, JudgeRequest, Score, apply_judge, blend_allowed, compute, unscored,
)
from mockloop.engine.scoring.text import FILLER_TOKENS, Doc, make_doc, transcript_from_text
from mockloop.engine.core.errors import ModelError
from mockloop.engine.speech.transcript import Transcript
from mockloop.engine.models.text_model import shared_encoder
from mockloop.engine.understanding.encoder import TextEncoder

SHARED = object()  # score_answer(encoder=SHARED): the process's text model, loaded on first use

NO_SPEECH, TOO_SHORT, NON_ENGLISH, LONG_ANSWER, UNCERTAIN_WORDS, KEYWORD_LIST = (
    "no_speech", "too_short", "non_english", "long_answer", "uncertain_words", "keyword_list")
KEYWORD_LIST_WORDS = 12
KEYWORD_LIST_SHARE = 0.15
TOO_SHORT_WORDS = 15
LONG_ANSWER_WORDS = 1500  # about ten minutes of speech
LONG_ANSWER_S = 600.0
# What Whisper tends to "hear" in silence.
_HALLUCINATIONS = {("thank", "you"), ("thanks", "for", "watching"), ("thank", "you", "for", "watching"),
                   ("you",), ("bye",), ("thanks",), ("thank", "you", "so", "much")}


@dataclass
class AnswerScore:
    question_id: str
    kind: str
    scored: bool  # False for no speech or a non-English answer: the score is null, not zero
    flags: list[str]
    text: str
    timed: bool
    rubric: list[PointResult]
    score: Score
    metrics: ThinkAloudMetrics
    insights: WordInsights
    feedback: Feedback
    notes: list[str] = field(default_factory=list)
    misconceptions: list[HeardMisconception] = field(default_factory=list)
    understanding: dict = field(default_factory=lambda: {"used": False, "model": None, "reason": "not scored"})
    coding: dict | None = None  # a coding answer: its code, tests, think-aloud before code, complexity (scoring/coding.py)
    # The candidate's exchanges with the interviewer and the scenario facts asked for and not (scoring/clarify.py):
    # {"exchanges": [Exchange.to_dict()], "asked_facts": [id], "unasked": [{"id", "topic", "fact", "line"}],
    #  "important": n, "important_asked": k, "credit": {"point": rubric id | None, "status": ...}}
    clarifying: dict | None = None

    def coverage(self) -> dict[str, str]:
        """Rubric point id -> covered | partial | missing (what the follow-up planner needs)."""
        return {p.id: p.status for p in self.rubric}

    def named_terms(self) -> list[str]:
        """Rubric terms in the candidate's own words, in the order they said them."""
        # Communication signals ("let me think", "to summarize") are delivery, not concepts to probe.
        evidence = sorted((e for p in self.rubric if p.dimension != "communication" for e in p.evidence), key=lambda e: e.start_char)
        return list(dict.fromkeys(e.match.strip(" ,.;:") for e in evidence))

    def to_dict(self) -> dict:
        return {
            "question_id": self.question_id,
            "kind": self.kind,
            "scored": self.scored,
            "flags": list(self.flags),
            "notes": list(self.notes),
            "transcript": {"text": self.text, "timed": self.timed},
            "rubric": [p.to_dict() for p in self.rubric],
            "score": self.score.to_dict(),
            "metrics": self.metrics.to_dict(),
            "insights": self.insights.to_dict(),
            "feedback": self.feedback.to_dict(),
            "misconceptions": [m.to_dict() for m in self.misconceptions],
            "understanding": dict(self.understanding),
            "coding": self.coding,
            "clarifying": self.clarifying,
        }


def _speech_flags(doc: Doc) -> tuple[list[str], list[str]]:
    words = [t.text for t in doc.tokens if t.text not in FILLER_TOKENS]
    if not words or tuple(words) in _HALLUCINATIONS:
        return [NO_SPEECH], ["No speech was detected, so the answer was not scored."]
    flags, notes = [], []
    alpha = [w for w in words if w.isalpha()]
    english, other = english_share(doc), other_language_share(doc)
    letters = sum(1 for c in doc.text if c.isalpha())
    # Scripts without spaces (Japanese, Chinese) make few tokens, so letters decide there.
    if (letters >= 10 and non_ascii_share(doc.text) > 0.3) or (len(alpha) >= 8 and other >= 0.15 and other > english):
        return [NON_ENGLISH], ["The answer does not look like English, so it was not scored."]
    if len(alpha) >= KEYWORD_LIST_WORDS and english < KEYWORD_LIST_SHARE:
        # English speech is 40-70% function words; a list of terms has almost none.
        flags.append(KEYWORD_LIST)
        notes.append("The answer reads like a list of terms: points it names are counted as touched, not covered.")
    if len(words) < TOO_SHORT_WORDS:
        flags.append(TOO_SHORT)
        notes.append(f"Very short answer ({len(words)} words): the score says little.")
    if len(words) > LONG_ANSWER_WORDS:
        flags.append(LONG_ANSWER)
    return flags, notes


def score_answer(
    question: Question,
    bank: Bank | None,
    transcript: Transcript | str,
    *,
    answer_started_at: float = 0.0,
    nudges: int = 0,
    judge: Judge | Callable | None = None,
    encoder: TextEncoder | None | object = SHARED,
    exchanges: Sequence[Exchange | dict] = (),
) -> AnswerScore:
    """Score one answer. A str is a typed answer (no timings: timing metrics are reported unavailable).

    `encoder` is the text model that judges meaning: the process's shared one by default, None for
    phrases only. When it cannot load, the answer is scored by phrases and `understanding` says why.
    `exchanges`: what the candidate asked the interviewer during the answer (scoring/clarify.py)."""
    if isinstance(transcript, str):
        transcript = transcript_from_text(transcript)
    doc = make_doc(transcript)
    flags, notes = _speech_flags(doc)
    metrics = measure(doc, answer_started_at=answer_started_at, nudges=nudges)
    if LONG_ANSWER not in flags and (metrics.speaking_time_s or 0.0) > LONG_ANSWER_S:
        flags.append(LONG_ANSWER)
    if NO_SPEECH in flags or NON_ENGLISH in flags:
        points = [PointResult(p.id, p.point, p.dimension, p.weight, MISSING) for p in question.rubric]
        ins = WordInsights()
        score = unscored(question, notes[0])
        fb = feedback_mod.build(question, bank, points, metrics, ins, flags)
        return AnswerScore(question.id, question.kind.value, False, flags, doc.text, doc.timed,
                           points, score, metrics, ins, fb, notes,
                           clarifying=apply_clarifying(question, points, exchanges, doc.text))
    generic = generic_keys(tuple(bank.questions) if bank is not None else (question,))
    # What the candidate asked the interviewer is not content: the rubric reads the rest (same offsets).
    content = make_doc(content_only(transcript, exchanges)) if exchanges else doc
    claims = Claims(content)
    understanding = {"used": False, "model": None, "reason": "phrases only (no text model given)"}
    if encoder is SHARED:
        try:
            encoder = shared_encoder()
        except ModelError as exc:
            encoder = None
            understanding["reason"] = f"phrases only: {exc}"
    if isinstance(encoder, TextEncoder):
        meaning, heard = MeaningJudge(encoder).assess(question, claims)
        understanding = {"used": True, "model": encoder.info.name, "reason": "phrases and meaning"}
    else:
        meaning, heard = {}, phrase_misconceptions(question, claims)
    points = assess(content, question, generic, claims, meaning)
    if KEYWORD_LIST in flags:  # the whole answer is a list: every point it names is named, not explained
        for p in points:
            if p.status != MISSING and p.matched_signals:
                p.status, p.judged_by = PARTIAL, BY_NAMING
                p.listed_signals = list(p.matched_signals)
    clarifying = apply_clarifying(question, points, exchanges, doc.text)
    if any(p.uncertain for p in points):
        flags.append(UNCERTAIN_WORDS)
        notes.append("Some domain words were heard with low confidence; they are flagged on their rubric points.")
    ins = insights(doc, question, generic, bank_vocabulary(bank.questions) if bank is not None else ())
    score = compute(question, doc, points, metrics, ins, [h.dimension for h in heard])
    if judge is not None:
        request = JudgeRequest(
            question=question.text, kind=question.kind.value, dimensions=tuple(score.dimensions),
            rubric=[{"id": p.id, "point": p.point, "dimension": p.dimension, "status": p.status} for p in points],
            outline=list(question.outline), transcript=doc.text,
        )
        score = apply_judge(score, judge, request)
    fb = feedback_mod.build(question, bank, points, metrics, ins, flags, heard)
    return AnswerScore(question.id, question.kind.value, True, flags, doc.text, doc.timed,
                       points, score, metrics, ins, fb, notes, heard, understanding, clarifying=clarifying)


__all__ = [
    "AnswerScore", "DIMENSION_WEIGHTS", "Feedback", "Judge", "JudgeRequest", "PointResult", "Score",
    "ThinkAloudMetrics", "WordInsights", "blend_allowed", "score_answer", "transcript_from_text",
    "NO_SPEECH", "TOO_SHORT", "NON_ENGLISH", "LONG_ANSWER", "UNCERTAIN_WORDS", "KEYWORD_LIST",
]
