"""Rubric coverage per point (covered / partial / missing) with the transcript evidence for it."""

from __future__ import annotations

import difflib
from collections import Counter
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from mockloop.engine.bank.schema import Question, RubricPoint
from mockloop.engine.scoring.claims import Claims
from mockloop.engine.scoring.meaning import MeaningMatch
from mockloop.engine.scoring.text import Doc, Phrase, find_phrase, make_phrase

COVERED, PARTIAL, MISSING = "covered", "partial", "missing"
# Credit per status in the dimension scores (the graded set ranks the same for 0.3 to 0.6).
CREDIT = {COVERED: 1.0, PARTIAL: 0.5, MISSING: 0.0}
NAMED_CREDIT = 0.15  # terms listed without a sentence around them: named, not explained
# How a point's status was reached (JSON `judged_by`).
BY_PHRASE, BY_MEANING, BY_BOTH, BY_NAMING, BY_NOTHING = "phrase", "meaning", "phrase+meaning", "named", "none"
MAX_MEANING = 3
CLEAR_MEANING = 0.5  # a piece this close says the point outright; a weaker match counts half

# Words that show a candidate reasoning about what they named, not just naming it.
ELABORATION_CUES = tuple(make_phrase(p) for p in (
    "because", "so that", "which means", "that means", "that way", "otherwise", "instead of",
    "rather than", "versus", "vs", "trade off", "for example", "for instance", "the reason",
    "in order to", "which is why", "that's why", "due to", "compared to", "depends on",
    "problem is", "risk is", "the downside", "the cost", "so we", "so you", "so it", "so the",
))
ELABORATION_WINDOW = 10  # tokens either side of a signal, within its sentence
GENERIC_DF = 3  # a signal in this many questions' rubrics is generic
GENERIC_STRENGTH = 0.5  # what a generic signal is worth next to a specific one
LOW_CONFIDENCE = 0.5  # word probability under which a heard word is doubted
NEAR_MISS = 0.8  # similarity of a doubted word to a signal word
MAX_EVIDENCE = 4
CONTEXT_TOKENS = 6


@dataclass
class Evidence:
    """Where a signal occurs: exact character span, the words around it, and its time."""

    text: str  # the matched words with some context
    match: str  # exactly doc.text[start_char:end_char]
    signal: str
    start_char: int
    end_char: int
    start: float | None
    end: float | None


@dataclass
class Uncertain:
    """A word heard with low confidence that may have been a signal."""

    heard: str
    may_be: str  # the signal it would complete
    probability: float
    start_char: int
    end_char: int
    start: float | None
    end: float | None


@dataclass
class PointResult:
    id: str
    point: str
    dimension: str
    weight: float
    status: str
    evidence: list[Evidence] = field(default_factory=list)
    matched_signals: list[str] = field(default_factory=list)
    uncertain: list[Uncertain] = field(default_factory=list)
    elaborated: bool = False
    low_confidence: bool = False  # the status rests only on doubted words
    judged_by: str = BY_NOTHING
    meaning: list[MeaningMatch] = field(default_factory=list)  # pieces that say the point in other words
    rejected_signals: list[str] = field(default_factory=list)  # named only to be rejected ("I wouldn't ...")
    listed_signals: list[str] = field(default_factory=list)  # named in a bare list of terms

    @property
    def credit(self) -> float:
        if self.judged_by == BY_NAMING and self.status != MISSING:
            return NAMED_CREDIT
        return CREDIT[self.status]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["credit"] = self.credit
        return d


def _is_number(doc: Doc, i: int) -> bool:
    tok = doc.tokens[i]
    # "one" is more often a pronoun than a quantity.
    return tok.text.replace(".", "").isdigit() and doc.text[tok.start:tok.end].lower() != "one"


def _cue_positions(doc: Doc) -> list[int]:
    spots = {i for i in range(len(doc.tokens)) if _is_number(doc, i)}
    for cue in ELABORATION_CUES:
        # A sentence-initial "So, ..." is a discourse marker, not a consequence.
        spots.update(s for s, _ in find_phrase(doc, cue) if not (doc.tokens[s].sentence_start and cue.texts[0] == "so"))
    return sorted(spots)


def _concepts(hits: dict[str, list[tuple[int, int]]], phrases: dict[str, Phrase]) -> list[str]:
    """Distinct ideas among matched signals: a signal only ever seen inside a longer matched
    signal ("precision" in "precision recall"), or spelled like another ("tradeoff"), adds nothing."""
    matched = [s for s, spans in hits.items() if spans]
    keep: list[str] = []
    seen_keys: set[str] = set()
    for s in sorted(matched, key=lambda s: (-len(phrases[s].stems), min(hits[s]))):
        others = [span for o in keep for span in hits[o]]
        if all(any(o[0] <= a and b <= o[1] for o in others) for a, b in hits[s]):
            continue
        if phrases[s].keys & seen_keys or _same_word(phrases[s], [phrases[k] for k in keep]):
            continue
        keep.append(s)
        seen_keys |= phrases[s].keys
    return sorted(keep, key=lambda s: min(hits[s]))


def _same_word(phrase: Phrase, kept: list[Phrase]) -> bool:
    """One-word signals that are forms of one word ("distill" / "distillation")."""
    if len(phrase.stems) != 1:
        return False
    a = phrase.stems[0]
    for other in kept:
        if len(other.stems) == 1:
            b = other.stems[0]
            short, long_ = sorted((a, b), key=len)
            if len(short) >= 5 and long_.startswith(short):
                return True
    return False


def _evidence(doc: Doc, signal: str, span: tuple[int, int]) -> Evidence:
    i, j = span
    a = max(0, i - CONTEXT_TOKENS)
    b = min(len(doc.tokens), j + CONTEXT_TOKENS)
    start_char, end_char = doc.tokens[i].start, doc.tokens[j - 1].end
    snippet = doc.text[doc.tokens[a].start:doc.tokens[b - 1].end].strip()
    snippet = ("…" if a > 0 else "") + snippet + ("…" if b < len(doc.tokens) else "")
    start, end = doc.span_times(i, j)
    return Evidence(snippet, doc.text[start_char:end_char], signal, start_char, end_char, start, end)


def echoes(phrase: Phrase, question_stems: frozenset[str]) -> bool:
    """A signal made only of the question's own words ("two tower" for a two-tower question):
    saying it back shows no knowledge by itself."""
    return all(s in question_stems for s in phrase.stems)


def generic_keys(questions: Iterable[Question]) -> frozenset[str]:
    """Signals that many questions share ("trade off", "a b test", "latency"): naming one says
    little about this question in particular."""
    df: Counter[str] = Counter()
    for q in questions:
        df.update({min(make_phrase(s).keys) for p in q.rubric for s in p.signals})
    return frozenset(k for k, n in df.items() if n >= GENERIC_DF)


def _in_sentence(doc: Doc, a: int, b: int) -> bool:
    """No sentence boundary between tokens a and b (a < b)."""
    return not any(doc.tokens[k].sentence_start for k in range(a + 1, b + 1))


def _elaborated(doc: Doc, spans: list[tuple[int, int]], cues: Sequence[int]) -> bool:
    for i, j in spans:
        for c in cues:
            if i - ELABORATION_WINDOW <= c < i and _in_sentence(doc, c, i):
                return True
            if j <= c < j + ELABORATION_WINDOW and _in_sentence(doc, j - 1, c):
                return True
    return False


def assess_point(doc: Doc, point: RubricPoint, cues: Sequence[int], doubted: dict[int, float],
                 question_stems: frozenset[str] = frozenset(), generic: frozenset[str] = frozenset(),
                 claims: Claims | None = None, meaning: Sequence[MeaningMatch] = ()) -> PointResult:
    claims = claims or Claims(doc)
    phrases = {s: make_phrase(s) for s in point.signals}
    found = {s: find_phrase(doc, p) for s, p in phrases.items()}
    rejected = [s for s, spans in found.items() if spans and all(claims.rejected(i, j) for i, j in spans)]
    hits = {s: [(i, j) for i, j in spans if not claims.rejected(i, j)] for s, spans in found.items()}
    concepts = _concepts(hits, phrases)
    listed = [s for s in concepts if all(claims.listed(i) for i, _ in hits[s])]
    said = [s for s in concepts if s not in listed]
    own = [s for s in said if not echoes(phrases[s], question_stems)]
    if point.dimension == "communication":
        # Signposting is generic by nature, and reasoning words prove nothing about it:
        # two distinct signposts cover it.
        strength, elaborated = float(len(own)), False
    else:
        strength = sum(GENERIC_STRENGTH if phrases[s].keys & generic else 1.0 for s in own)
        elaborated = _elaborated(doc, [span for s in own for span in hits[s]], cues)
    taken = {k for s in said for i, j in hits[s] for k in range(i, j)}
    by_meaning = _distinct(meaning, doc, taken)[:MAX_MEANING]
    total = strength + sum(1.0 if m.similarity >= CLEAR_MEANING else 0.5 for m in by_meaning)
    if by_meaning and point.dimension != "communication" and not elaborated:
        elaborated = _elaborated(doc, [_token_span(doc, m) for m in by_meaning], cues)
    # Two distinct ideas, or one clear idea with reasoning in the same sentence.
    if total >= 2 or (total >= 1 and elaborated):
        status = COVERED
    elif said or by_meaning:
        status = PARTIAL
    elif listed:
        status = PARTIAL
    else:
        status = MISSING
    if said and by_meaning:
        judged = BY_BOTH
    elif said:
        judged = BY_PHRASE
    elif by_meaning:
        judged = BY_MEANING
    elif listed:
        judged = BY_NAMING
    else:
        judged = BY_NOTHING
    result = PointResult(point.id, point.point, point.dimension, point.weight, status,
                         matched_signals=concepts, elaborated=elaborated, judged_by=judged, meaning=by_meaning,
                         rejected_signals=rejected, listed_signals=listed)
    result.evidence = [_evidence(doc, s, hits[s][0]) for s in concepts[:MAX_EVIDENCE]]
    matched_tokens = {k for sig in concepts for i, j in hits[sig] for k in range(i, j)}
    result.uncertain = _near_misses(doc, phrases, doubted, matched_tokens)
    if status == MISSING and result.uncertain:
        result.status = PARTIAL
        result.low_confidence = True
    return result


def _token_span(doc: Doc, match: MeaningMatch) -> tuple[int, int]:
    inside = [n for n, t in enumerate(doc.tokens) if match.start_char <= t.start and t.end <= match.end_char]
    return (inside[0], inside[-1] + 1) if inside else (0, 0)


def _distinct(matches: Sequence[MeaningMatch], doc: Doc, taken: set[int]) -> list[MeaningMatch]:
    """Matches that do not overlap each other (best first), nor the phrases already counted."""
    taken_chars = [(doc.tokens[k].start, doc.tokens[k].end) for k in taken]
    out: list[MeaningMatch] = []
    for m in sorted(matches, key=lambda m: -m.similarity):
        if any(m.start_char < o.end_char and o.start_char < m.end_char for o in out):
            continue
        if any(m.start_char <= a and b <= m.end_char for a, b in taken_chars):
            continue
        out.append(m)
    return out


def doubted_tokens(doc: Doc, threshold: float = LOW_CONFIDENCE) -> dict[int, float]:
    """Token index -> probability, for tokens whose word the recognizer was unsure of."""
    out: dict[int, float] = {}
    for n, tok in enumerate(doc.tokens):
        if tok.word is None:
            continue
        p = doc.words[tok.word].probability
        if p is not None and p < threshold:
            out[n] = float(p)
    return out


def _phonetic(word: str) -> str:
    """A crude sound key (f~v, k~c~q~g, t~d, p~b, s~z; vowels dropped after the first letter)."""
    w = word.replace("ph", "f").replace("ck", "k")
    table = str.maketrans("vcqgdbz", "fkkktps")
    w = w.translate(table)
    key = w[0]
    for ch in w[1:]:
        if ch in "aeiouyhw" or ch == key[-1]:
            continue
        key += ch
    return key


@lru_cache(maxsize=65536)
def similar(heard: str, target: str) -> bool:
    """Whether a doubted word could plausibly have been the signal word."""
    if heard == target or len(target) < 3 or len(heard) < 2 or abs(len(heard) - len(target)) > max(2, len(target) // 3):
        return False
    if difflib.SequenceMatcher(None, heard, target).ratio() >= NEAR_MISS:
        return True
    return len(heard) >= 4 and len(target) >= 4 and len(_phonetic(target)) >= 3 and _phonetic(heard) == _phonetic(target)


def _near_misses(doc: Doc, phrases: dict[str, Phrase], doubted: dict[int, float], matched: set[int]) -> list[Uncertain]:
    """Doubted words that would complete a signal if the recognizer misheard them."""
    out: list[Uncertain] = []
    seen: set[int] = set()
    toks = doc.tokens
    for n, prob in sorted(doubted.items()):
        if n in matched or n in seen:
            continue
        heard = toks[n].text
        for signal, phrase in phrases.items():
            hit = False
            for k, target in enumerate(phrase.texts):
                start = n - k
                if start < 0 or start + len(phrase.stems) > len(toks):
                    continue
                others_fit = all(m == k or toks[start + m].stem == phrase.stems[m] for m in range(len(phrase.stems)))
                if others_fit and similar(heard, target):
                    hit = True
                    break
            if hit:
                s, e = doc.span_times(n, n + 1)
                out.append(Uncertain(doc.text[toks[n].start:toks[n].end], signal, round(prob, 3),
                                     toks[n].start, toks[n].end, s, e))
                seen.add(n)
                break
    return out


def assess(doc: Doc, question: Question, generic: frozenset[str] = frozenset(), claims: Claims | None = None,
           meaning: dict[str, list[MeaningMatch]] | None = None) -> list[PointResult]:
    """Every rubric point of the question, in bank order; `generic` from `generic_keys(bank)`,
    `meaning` from `MeaningJudge.assess` (phrases alone when it is None)."""
    cues = _cue_positions(doc)
    doubted = doubted_tokens(doc)
    question_stems = frozenset(make_phrase(question.text).stems)
    claims = claims or Claims(doc)
    meaning = meaning or {}
    return [assess_point(doc, p, cues, doubted, question_stems, generic, claims, meaning.get(p.id, ()))
            for p in question.rubric]
