"""What the candidate claims, clause by clause: which named terms they reject ("I wouldn't
downsample"), which sentences are bare lists of terms, and the clauses a text model compares.

A *segment* runs from a sentence start or a pivot word ("but", "so", "because", "instead",
a comma before a new subject) to the next one. A rejection cue ("not", "no", "skip",
"instead of", "overkill") rejects what its segment names, unless the segment is a condition
or a purpose ("if we don't correct it", "so we don't overfit"), where a negation is reasoning.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

from mockloop.engine.scoring.text import FILLER_TOKENS, Doc

# Words that start a new segment: what follows them is a new claim.
PIVOTS = frozenset({"but", "so", "because", "though", "although", "while", "whereas", "then", "which", "since",
                    "unless", "if", "otherwise", "yet", "except", "however", "when", "whether", "until"})
# After a comma, a subject starts a new clause ("..., I'd rather ...").
SUBJECTS = frozenset({"i", "we", "you", "they", "it", "that", "this", "there", "he", "she"})
# Segments that state a condition or a purpose: a negation there is reasoning, not a rejection.
CONDITIONAL_STARTS = frozenset({"if", "unless", "otherwise", "when", "whether", "until"})
PURPOSE = (("so", "that"), ("to", "avoid"), ("in", "order"), ("make", "sure"), ("ensure",), ("to", "make", "sure"),
           ("to", "prevent"), ("to", "stop"), ("to", "keep"), ("so", "we", "do", "not"), ("so", "it", "does", "not"),
           ("so", "you", "do", "not"), ("so", "they", "do", "not"), ("so", "we", "will", "not"), ("so", "it", "will", "not"),
           ("so", "there", "is", "no"), ("so", "we", "are", "not"), ("so", "we", "would", "not"))
# Before what they reject.
REJECT_BEFORE = (("not",), ("no",), ("never",), ("nor",), ("neither",), ("nothing", "to"), ("skip",), ("skipping",), ("skipped",),
                 ("instead", "of"), ("rather", "than"), ("forget",), ("forget", "about"), ("ignore",), ("ignoring",),
                 ("against",), ("avoid", "using"), ("no", "need"), ("drop",), ("dropping",), ("ditch",), ("without", "using"))
# Rejections strong enough to reach back to something named earlier.
STRONG_REJECT = (("skip",), ("skipping",), ("forget",), ("ignore",), ("drop",), ("ditch",), ("no", "need", "for"),
                 ("instead", "of"), ("rather", "than"), ("not", "bother", "with"))
# Not rejections, although they start like one.
NOT_REJECTING = (("not", "just"), ("not", "only"), ("no", "matter"), ("not", "sure"), ("no", "longer"), ("not", "always"),
                 ("not", "too"), ("no", "more", "than"), ("not", "necessarily"))
# After what they reject, in the same segment.
REJECT_AFTER_WORDS = frozenset({"overkill", "unnecessary", "pointless", "useless", "waste", "needless", "irrelevant",
                                "overrated", "overengineering", "overcomplicated", "bloat", "nobody", "gimmick",
                                "gimmicks", "distraction", "distractions", "academic", "impossible", "infeasible",
                                "unrealistic", "impractical", "unworkable"})
REJECT_AFTER = (("throw", "away"), ("throws", "away"), ("throw", "out"), ("throws", "out"), ("throwing", "away"),
                ("too", "complicated"), ("too", "complex"), ("do", "not", "need"), ("does", "not", "need"),
                ("not", "needed"), ("not", "necessary"), ("not", "worth"), ("not", "useful"), ("not", "help"),
                ("not", "matter"), ("not", "helpful"), ("not", "going", "to", "help"), ("no", "point"), ("not", "bother"),
                ("no", "one", "needs"), ("more", "trouble", "than"), ("more", "than", "we", "need"),
                ("more", "than", "you", "need"), ("slow", "us", "down"), ("slow", "the", "team", "down"), ("slows", "us", "down"),
                ("slow", "things", "down"), ("slows", "things", "down"), ("slows", "everything", "down"),
                ("slows", "everyone", "down"), ("slow", "everyone", "down"), ("just", "add", "noise"), ("just", "adds", "noise"))
# Words that refer back to what was just named ("I'd skip those").
ANAPHORA = frozenset({"those", "these", "them", "that", "this", "all", "any", "none", "it", "stuff", "either", "they"})
# "so we don't need X" rejects X; "so we don't overfit" is a purpose.
NEEDS = frozenset({"need", "use", "bother", "have", "want", "care", "worry", "require", "bother"})
# English function words: a sentence with almost none of them is a list of terms.
FUNCTION_WORDS = frozenset("""a an the and or but if then so of to in on at for from by with about into over under is
    are was were be been being do does did have has had i you we they he she it this that these those what which who how
    why when where would could should will can may might must my our their its me us them not no as than also just very
    because while there here some any all more most other such only same too whether since until each every both then
    let am get got go going make want need think like really""".split())
LIST_MIN_TOKENS = 6
LIST_FUNCTION_SHARE = 0.2


def _starts(tokens: list[str], at: int, phrase: tuple[str, ...]) -> bool:
    return tuple(tokens[at:at + len(phrase)]) == phrase


@dataclass(frozen=True)
class Segment:
    """Tokens [start, end) of one claim, within sentence `sentence`."""

    start: int
    end: int
    sentence: int
    conditional: bool


class Claims:
    """The claim structure of one answer: segments, rejections and lists, over a `Doc`."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.words = [t.text for t in doc.tokens]

    @cached_property
    def segments(self) -> list[Segment]:
        toks, words = self.doc.tokens, self.words
        out: list[Segment] = []
        sentence, start = -1, 0
        for i, tok in enumerate(toks):
            new_sentence = tok.sentence_start
            pivot = (words[i] in PIVOTS and not _starts(words, i, ("so", "far")) and i > start) or \
                (words[i] == "instead" and not _starts(words, i, ("instead", "of"))) or \
                (tok.comma_before and (words[i] in SUBJECTS or self._hard_break(i))) or \
                (tok.comma_before and words[i] in ("and", "or") and i + 1 < len(words) and words[i + 1] in SUBJECTS)
            if i == 0 or new_sentence or pivot:
                if i > start:
                    out.append(self._segment(start, i, sentence))
                start = i
                if new_sentence or i == 0:
                    sentence += 1
        if toks:
            out.append(self._segment(start, len(toks), max(sentence, 0)))
        return out

    def _hard_break(self, i: int) -> bool:
        """A semicolon, colon or dash before token i ends a claim; a plain comma may sit inside a list."""
        gap = self.doc.text[self.doc.tokens[i - 1].end:self.doc.tokens[i].start] if i else ""
        return any(c in gap for c in ";:—–")

    def _segment(self, start: int, end: int, sentence: int) -> Segment:
        words = [w for w in self.words[start:end] if w not in FILLER_TOKENS]
        purpose = any(_starts(words, k, p) and (k + len(p) >= len(words) or words[k + len(p)] not in NEEDS)
                      for k in range(len(words)) for p in PURPOSE)
        conditional = bool(words) and (words[0] in CONDITIONAL_STARTS or purpose)
        return Segment(start, end, sentence, conditional)

    @cached_property
    def _starts(self) -> list[int]:
        return [seg.start for seg in self.segments]

    def segment_of(self, token: int) -> Segment:
        return self.segments[max(0, bisect.bisect_right(self._starts, token) - 1)]

    # ---- rejection --------------------------------------------------------------------------

    def _cue_before(self, seg: Segment, i: int) -> bool:
        words = self.words
        for k in range(seg.start, i):
            if any(_starts(words, k, p) for p in NOT_REJECTING):
                continue
            if any(_starts(words, k, p) and k + len(p) <= i for p in REJECT_BEFORE):
                return True
        return False

    def _cue_after(self, seg: Segment, j: int) -> bool:
        words = self.words
        for k in range(j, seg.end):
            if words[k] in REJECT_AFTER_WORDS or any(_starts(words, k, p) and k + len(p) <= seg.end for p in REJECT_AFTER):
                return True
        return False

    def rejected(self, i: int, j: int) -> bool:
        """Whether the words at tokens [i, j) are named to be rejected."""
        seg = self.segment_of(i)
        if not seg.conditional and (self._cue_before(seg, i) or self._cue_after(seg, j)):
            return True
        # "SMOTE, which is overkill here": a relative clause judging what was just named.
        index = self.segments.index(seg)
        if index + 1 < len(self.segments):
            nxt = self.segments[index + 1]
            if nxt.sentence == seg.sentence and self.words[nxt.start] == "which" and self._cue_after(nxt, nxt.start + 1):
                return True
        return i in self._rejected_by_reference

    def _waves_away(self, seg: Segment) -> bool:
        """A rejection of something named before: "I'd skip all of it", "those are knobs nobody needs"."""
        words = self.words
        for k in range(seg.start, seg.end):
            if any(_starts(words, k, p) for p in NOT_REJECTING):
                continue
            cue = next((p for p in (*REJECT_BEFORE, ("avoid",)) if _starts(words, k, p)), None)
            if cue is not None and ANAPHORA & set(words[k + len(cue):k + len(cue) + 4]):
                return True
            if words[k] in ANAPHORA and k + 1 < seg.end and self._cue_after(Segment(k + 1, min(seg.end, k + 6), seg.sentence, False), k + 1):
                return True
        return False

    def _named_again(self, seg: Segment) -> set[str]:
        """Content words a segment names right after a strong rejection ("I'd skip the cascade")."""
        words = self.words
        for k in range(seg.start, seg.end):
            cue = next((p for p in STRONG_REJECT if _starts(words, k, p)), None)
            if cue is not None:
                after = words[k + len(cue):min(seg.end, k + len(cue) + 4)]
                return {w for w in after if w not in FUNCTION_WORDS and w not in FILLER_TOKENS and len(w) > 4}
        return set()

    @cached_property
    def _rejected_by_reference(self) -> frozenset[int]:
        """Tokens of claims that a later segment waves away ("I'd skip all of it", "I wouldn't bother"),
        back to the sentence before it, or names again to reject ("The standard design is a cascade: ...
        I'd skip the cascade")."""
        out: set[int] = set()
        by_sentence: dict[int, list[Segment]] = {}
        for seg in self.segments:
            by_sentence.setdefault(seg.sentence, []).append(seg)
        for seg in self.segments:
            if seg.conditional or not self.rejecting(seg):
                continue
            content = [w for w in self.words[seg.start:seg.end] if w not in FUNCTION_WORDS and w not in FILLER_TOKENS]
            if self._waves_away(seg) or len(content) <= 1:
                before = [s for s in by_sentence.get(seg.sentence, []) if s.end <= seg.start]
                for s in before or by_sentence.get(seg.sentence - 1, []):
                    out.update(range(s.start, s.end))
            again = self._named_again(seg)
            for n in (seg.sentence - 1, seg.sentence - 2):
                earlier = by_sentence.get(n, [])
                first = next((i for i, s in enumerate(earlier) if again & set(self.words[s.start:s.end])), None)
                if first is not None:
                    for s in earlier[first:]:
                        out.update(range(s.start, s.end))
        return frozenset(out)

    def rejecting(self, seg: Segment) -> bool:
        """Whether a segment rejects what it says: a text model must not read it as a claim."""
        return not seg.conditional and (self._cue_before(seg, seg.end) or self._cue_after(seg, seg.start))

    # ---- lists ------------------------------------------------------------------------------

    @cached_property
    def _list_sentences(self) -> frozenset[int]:
        by_sentence: dict[int, list[str]] = {}
        for seg in self.segments:
            by_sentence.setdefault(seg.sentence, []).extend(self.words[seg.start:seg.end])
        out = set()
        for n, words in by_sentence.items():
            words = [w for w in words if w not in FILLER_TOKENS]
            if len(words) >= LIST_MIN_TOKENS and sum(w in FUNCTION_WORDS for w in words) / len(words) < LIST_FUNCTION_SHARE:
                out.add(n)
        return frozenset(out)

    def listed(self, i: int) -> bool:
        """Whether token i sits in a sentence that is only a list of terms (named, not explained)."""
        return self.segment_of(i).sentence in self._list_sentences

    def listing(self, seg: Segment) -> bool:
        return seg.sentence in self._list_sentences

    @property
    def list_share(self) -> float:
        """Share of the answer's tokens in list-only sentences."""
        total = len(self.words)
        if not total:
            return 0.0
        return sum(s.end - s.start for s in self.segments if s.sentence in self._list_sentences) / total

    def text(self, seg: Segment) -> str:
        return self.doc.span_text(seg.start, seg.end).strip(" ,;:-")

    def affirmed(self, seg: Segment) -> tuple[int, int] | None:
        """The tokens of a segment that claim something: all of it, the part before an "instead of" /
        "rather than" / "not", or None when it is a rejection, a condition's negation or a list."""
        if self.listing(seg) or seg.start in self._rejected_by_reference:
            return None
        if seg.conditional or not self.rejecting(seg):
            return seg.start, seg.end
        words = self.words
        for k in range(seg.start, seg.end):
            if any(_starts(words, k, p) for p in NOT_REJECTING):
                continue
            if any(_starts(words, k, p) for p in REJECT_BEFORE):
                return (seg.start, k) if k - seg.start >= 3 and not self._cue_after(seg, seg.start) else None
        return None
