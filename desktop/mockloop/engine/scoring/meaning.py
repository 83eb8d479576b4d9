"""Judging by meaning: which rubric points and which misconceptions the answer's clauses say in
other words, with the text model, and which misconceptions its phrases state outright.

A *piece* is the affirmed part of one claim segment (claims.py), cut into windows of at most
`WINDOW` tokens: what a candidate rejects, lists or makes conditional is never read as a claim.
Each rubric point is compared through its plain-words `means`, its point text and the parts
of that text; a piece supports a point when it is close to one of them and closer to this
point than to any other (a vague sentence near every point supports none).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from mockloop.engine.bank.schema import Misconception, Question, RubricPoint
from mockloop.engine.scoring.claims import FUNCTION_WORDS, Claims
from mockloop.engine.scoring.text import FILLER_TOKENS, Doc, find_phrase, make_phrase

if TYPE_CHECKING:
    from mockloop.engine.understanding.encoder import TextEncoder

WINDOW = 22  # tokens in one piece; longer claims are read in overlapping windows
STRIDE = 11
MIN_CONTENT = 3  # content words a piece needs to say anything
POINT_SIMILARITY = 0.35  # a piece this close to a point's reference supports it (docs/performance.md)
POINT_MARGIN = 0.02  # ... unless another point of the question is closer by this much
MISCONCEPTION_SIMILARITY = 0.40
MISCONCEPTION_MARGIN = 0.15  # the piece must be closer to the wrong claim than to every rubric point
MISCONCEPTION_CONTENT = 5  # content words a piece needs before it can hold a wrong claim
QUOTE_WORDS = 14
# A piece with one of these is criticising an idea, so it does not hold the idea.
CRITIQUE = frozenset({"not", "no", "never", "nothing", "misleading", "useless", "meaningless", "wrong", "fails",
                      "trap", "fool", "fools", "instead", "rather", "avoid", "beware", "wary", "careful", "danger",
                      "risk", "mistake", "naive", "lie", "lies", "hides", "hide", "blind", "bad"})


@dataclass
class Piece:
    start: int  # tokens [start, end)
    end: int
    text: str


@dataclass
class MeaningMatch:
    """A piece of the answer that says a rubric point (or a misconception) in its own words."""

    clause: str
    anchor: str  # the reference it is close to
    similarity: float
    start_char: int
    end_char: int
    start: float | None
    end: float | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class HeardMisconception:
    """A wrong claim the candidate made, with their words and why it is wrong."""

    id: str
    claim: str
    correction: str
    challenge: str  # the follow-up, with the candidate's words in place of {quote}
    dimension: str
    quote: str
    how: str  # "phrase" | "meaning"
    trigger: str  # the signal phrase, or the reference the meaning matched
    similarity: float | None
    start_char: int
    end_char: int
    start: float | None
    end: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def point_references(point: RubricPoint) -> list[str]:
    """How a point is said: its plain words first, then its text and that text's parts."""
    parts = [p.strip(" .") for chunk in point.point.replace(";", ",").split(",") for p in chunk.split(" and ")]
    return list(dict.fromkeys([*point.means, point.point, *(p for p in parts if len(p.split()) >= 3)]))


def misconception_references(wrong: Misconception) -> list[str]:
    return list(dict.fromkeys([wrong.claim, *wrong.means]))


def _content(words: list[str]) -> int:
    return sum(1 for w in words if w not in FUNCTION_WORDS and w not in FILLER_TOKENS and len(w) > 1)


def pieces(claims: Claims, negated: bool = False) -> list[Piece]:
    """The affirmed claims of an answer, as windows a text model can compare; with `negated`, the
    claims that deny something as well ("the direction of an edge doesn't matter")."""
    doc, words = claims.doc, claims.words
    out: list[Piece] = []
    for seg in claims.segments:
        span = claims.affirmed(seg)
        if negated and not claims.listing(seg) and not seg.conditional and claims.rejecting(seg):
            span = seg.start, seg.end
        if span is None:
            continue
        a, b = span
        starts = range(a, max(a + 1, b - WINDOW + STRIDE), STRIDE) if b - a > WINDOW else (a,)
        for s in starts:
            e = min(b, s + WINDOW)
            if _content(words[s:e]) >= MIN_CONTENT:
                out.append(Piece(s, e, doc.span_text(s, e).strip(" ,;:-")))
    return out


def _match(doc: Doc, piece: Piece, anchor: str, similarity: float) -> MeaningMatch:
    start, end = doc.span_times(piece.start, piece.end)
    return MeaningMatch(piece.text, anchor, round(float(similarity), 3), doc.tokens[piece.start].start,
                        doc.tokens[piece.end - 1].end, start, end)


class MeaningJudge:
    """Reads one answer's pieces against a question's rubric and misconceptions with the text model."""

    def __init__(self, encoder: "TextEncoder") -> None:
        self.encoder = encoder
        self._ignore: frozenset[int] = frozenset()

    def similarity(self, texts: list[str], references: list[str]) -> np.ndarray:
        """Word alignment (whole-sentence cosines blurred long clauses: docs/performance.md)."""
        return self.encoder.align(texts, references, self._ignore)

    def assess(self, question: Question, claims: Claims) -> tuple[dict[str, list[MeaningMatch]], list[HeardMisconception]]:
        """Per rubric point, the pieces that say it (best first); and the misconceptions heard.
        The question's own words count for nothing: saying them back proves no understanding."""
        self._ignore = self.encoder.token_ids(question.text)
        own = set(make_phrase(question.text).texts)
        found = [p for p in pieces(claims) if _content([w for w in claims.words[p.start:p.end] if w not in own]) >= MIN_CONTENT]
        refs = [point_references(p) for p in question.rubric]
        flat = [r for group in refs for r in group]
        owner = np.array([n for n, group in enumerate(refs) for _ in group], dtype=int)
        if not found or not flat:
            return {p.id: [] for p in question.rubric}, phrase_misconceptions(question, claims)
        sims = self.similarity([p.text for p in found], flat)  # pieces x references
        per_point = np.stack([sims[:, owner == n].max(axis=1) for n in range(len(refs))], axis=1)  # pieces x points
        best_other = np.array([[np.delete(row, n).max(initial=-1.0) for n in range(len(refs))] for row in per_point])
        matches: dict[str, list[MeaningMatch]] = {}
        for n, point in enumerate(question.rubric):
            cols = np.flatnonzero(owner == n)
            out = []
            for k, piece in enumerate(found):
                j = cols[int(np.argmax(sims[k, cols]))]
                s = sims[k, j]
                if s >= POINT_SIMILARITY and s + POINT_MARGIN >= best_other[k, n]:
                    out.append(_match(claims.doc, piece, flat[j], s))
            matches[point.id] = sorted(out, key=lambda m: -m.similarity)
        heard = phrase_misconceptions(question, claims)
        heard += self._meaning_misconceptions(question, claims, heard, flat)
        return matches, sorted(heard, key=lambda h: h.start_char)

    def _meaning_misconceptions(self, question: Question, claims: Claims, already: list[HeardMisconception],
                                references: list[str]) -> list[HeardMisconception]:
        if not question.misconceptions:
            return []
        found = pieces(claims, negated=True)
        if not found:
            return []
        texts = [p.text for p in found]
        best_point = self.similarity(texts, references).max(axis=1)
        out = []
        for wrong in question.misconceptions:
            if any(h.id == wrong.id for h in already):
                continue
            refs = misconception_references(wrong)
            sims = self.similarity(texts, refs)
            # A wrong claim that is itself a denial ("recency doesn't matter") is held by a denial,
            # and an affirmative one by an affirmation: the two must agree.
            denial = [bool(CRITIQUE & set(make_phrase(r).texts)) for r in refs]
            best = None
            for k, piece in enumerate(found):
                words = claims.words[piece.start:piece.end]
                if _content(words) < MISCONCEPTION_CONTENT:
                    continue
                piece_denies = bool(CRITIQUE & set(words)) or claims.affirmed(claims.segment_of(piece.start)) is None
                agreeing = [j for j in range(len(refs)) if denial[j] == piece_denies]
                if not agreeing:
                    continue
                j = max(agreeing, key=lambda j: sims[k, j])
                s = float(sims[k, j])
                if s < MISCONCEPTION_SIMILARITY or s < best_point[k] + MISCONCEPTION_MARGIN:
                    continue
                if best is None or s > best[0]:
                    best = (s, piece, refs[j])
            if best is not None:
                s, piece, anchor = best
                out.append(_heard(wrong, claims.doc, piece.start, piece.end, "meaning", anchor, s))
        return out


def phrase_misconceptions(question: Question, claims: Claims) -> list[HeardMisconception]:
    """Misconceptions stated in one of their signal phrases, not rejected and not as a condition."""
    out = []
    for wrong in question.misconceptions:
        for signal in wrong.signals:
            spans = [(i, j) for i, j in find_phrase(claims.doc, make_phrase(signal))
                     if not claims.rejected(i, j) and not claims.segment_of(i).conditional]
            if spans:
                i, j = spans[0]
                out.append(_heard(wrong, claims.doc, i, j, "phrase", signal, None, claims))
                break
    return out


def _heard(wrong: Misconception, doc: Doc, i: int, j: int, how: str, trigger: str, similarity: float | None,
           claims: Claims | None = None) -> HeardMisconception:
    if claims is not None:  # quote the claim around the phrase, not just the phrase
        seg = claims.segment_of(i)
        i, j = max(seg.start, j - QUOTE_WORDS), max(j, min(seg.end, i + QUOTE_WORDS))
    elif j - i > QUOTE_WORDS:
        j = i + QUOTE_WORDS
    quote = doc.span_text(i, j).strip(" ,;:-")
    start, end = doc.span_times(i, j)
    challenge = wrong.challenge.replace("{quote}", f"“{quote}”")
    return HeardMisconception(wrong.id, wrong.claim, wrong.correction, challenge, wrong.dimension, quote, how, trigger,
                              None if similarity is None else round(float(similarity), 3),
                              doc.tokens[i].start, doc.tokens[j - 1].end, start, end)
