"""Transcript normalisation and word-boundary phrase matching for rubric signals."""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from mockloop.engine.speech.transcript import Transcript, Word

# Disfluencies a signal match may skip over once ("focal um loss").
FILLER_TOKENS = frozenset({"um", "umm", "uh", "uhh", "uhm", "erm", "er", "ah", "hmm", "hm", "mm", "mhm", "like"})

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*|%|&", re.UNICODE)

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_UNITS)} | _TENS

# Contractions are expanded on both sides, so "i'll assume" matches "I will assume".
_CONTRACTIONS = {
    "i'm": ("i", "am"), "let's": ("let", "us"), "it's": ("it", "is"), "that's": ("that", "is"),
    "what's": ("what", "is"), "there's": ("there", "is"), "here's": ("here", "is"), "he's": ("he", "is"),
    "she's": ("she", "is"), "who's": ("who", "is"), "can't": ("can", "not"), "won't": ("will", "not"),
    "shan't": ("shall", "not"), "ain't": ("is", "not"),
}
_SUFFIXES = {"n't": "not", "'ll": "will", "'ve": "have", "'re": "are", "'d": "would", "'m": "am"}

# Words whose final "s" is not a plural.
_KEEP_S = frozenset({
    "bias", "alias", "atlas", "canvas", "always", "perhaps", "whereas", "series", "species", "news",
    "lens", "yes", "this", "does", "was", "has", "its", "his", "hers", "ours", "yours", "theirs",
    "less", "unless", "across", "analysis", "basis", "thus", "plus", "minus", "versus", "status",
    "focus", "corpus", "consensus", "census", "bonus", "campus", "virus", "previous", "various",
    "gas", "pass", "cross", "loss", "process", "access", "success", "stress", "class", "mass",
})


def stem(word: str) -> str:
    """A light, deterministic stem: plurals and -ing/-ed/-e, so "negatives" ~ "negative"."""
    w = word
    if len(w) < 4 or not w.isalpha():
        return w
    if w not in _KEEP_S:
        if w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
    if w.endswith("ing") and len(w) >= 7:
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) >= 6:
        w = _undouble(w[:-2])
    if w.endswith("e") and len(w) >= 5 and not w.endswith(("ee", "ye")):
        w = w[:-1]
    return w


def _undouble(w: str) -> str:
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1].isalpha() and w[-1] not in "aeiou":
        return w[:-1]
    return w


@dataclass(frozen=True)
class Token:
    """One normalised token with its place in the transcript text and its word."""

    text: str  # lowercase, number words as digits, contractions expanded
    stem: str
    start: int  # character offsets into the transcript text
    end: int
    word: int | None  # index into the transcript's words, when known
    last_word: int | None  # differs from `word` when words merged ("twenty five" -> "25")
    sentence_start: bool = False  # first token of a sentence
    comma_before: bool = False
    comma_after: bool = False


@dataclass
class Doc:
    """A transcript ready for matching: its text, tokens and words."""

    text: str
    tokens: list[Token]
    words: list[Word]
    timed: bool  # every word carries start/end times
    _index: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _compact: dict[str, list[tuple[int, int]]] = field(default_factory=dict, repr=False)

    def span_text(self, i: int, j: int) -> str:
        return self.text[self.tokens[i].start:self.tokens[j - 1].end]

    def span_times(self, i: int, j: int) -> tuple[float | None, float | None]:
        """Times of tokens [i, j) when their words were spoken (a typed part has none)."""
        first, last = self.tokens[i].word, self.tokens[j - 1].last_word
        if first is None or last is None:
            return None, None
        a, b = self.words[first], self.words[last]
        if a.start is None or b.end is None:
            return None, None
        return float(a.start), float(b.end)


def _raw_tokens(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0).lower().replace("’", "'")
        if tok == "%":
            tok = "percent"
        elif tok == "&":
            tok = "and"
        elif tok[0].isdigit():
            tok = tok.replace(",", "")
        out.append((tok, m.start(), m.end()))
    return out


def _expand(tok: str) -> tuple[str, ...]:
    if "'" not in tok:
        return (tok,)
    if tok in _CONTRACTIONS:
        return _CONTRACTIONS[tok]
    for suffix, full in _SUFFIXES.items():
        if tok.endswith(suffix) and len(tok) > len(suffix):
            return (tok[: -len(suffix)], full)
    if tok.endswith("'s"):
        return (tok[:-2],)
    if tok.endswith("s'"):
        return (tok[:-1],)
    return (tok.replace("'", ""),)


def normalise_tokens(text: str) -> list[tuple[str, int, int]]:
    """Normalised (token, start_char, end_char) triples; two-word numbers merge ("twenty five" -> "25")."""
    expanded: list[tuple[str, int, int]] = []
    for tok, s, e in _raw_tokens(text):
        for part in _expand(tok):
            if part:
                expanded.append((part, s, e))
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(expanded):
        tok, s, e = expanded[i]
        if tok in _TENS and i + 1 < len(expanded) and expanded[i + 1][0] in _UNITS[1:10]:
            nxt = expanded[i + 1]
            out.append((str(_TENS[tok] + NUMBER_WORDS[nxt[0]]), s, nxt[2]))
            i += 2
            continue
        out.append((str(NUMBER_WORDS[tok]) if tok in NUMBER_WORDS else tok, s, e))
        i += 1
    return out


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A signal or term as normalised tokens (no offsets)."""
    return tuple(t for t, _, _ in normalise_tokens(phrase))


def _word_spans(text: str, words: Sequence[Word]) -> list[tuple[int, int] | None]:
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for w in words:
        needle = (w.text or "").strip()
        pos = text.find(needle, cursor) if needle else -1
        if pos < 0:
            spans.append(None)
            continue
        spans.append((pos, pos + len(needle)))
        cursor = pos + len(needle)
    return spans


def make_doc(transcript: Transcript) -> Doc:
    """Tokenise a transcript and tie every token to its word (and so to its timestamps)."""
    text = transcript.text or ""
    words = list(transcript.words or [])
    owner: list[int | None] = [None] * len(text)  # character -> index of the word it belongs to
    for i, span in enumerate(_word_spans(text, words)):
        if span is not None:
            owner[span[0]:span[1]] = [i] * (span[1] - span[0])
    timed = bool(words) and all(w.start is not None and w.end is not None for w in words)
    raw = normalise_tokens(text)
    tokens: list[Token] = []
    for n, (tok, s, e) in enumerate(raw):
        prev_end = raw[n - 1][2] if n else 0
        gap_before = text[prev_end:s] if n and prev_end <= s else ""
        next_start = raw[n + 1][1] if n + 1 < len(raw) else len(text)
        gap_after = text[e:next_start] if next_start >= e else ""
        tokens.append(Token(
            text=tok, stem=stem(tok), start=s, end=e, word=owner[s], last_word=owner[e - 1],
            sentence_start=(n == 0 or bool(re.search(r"[.?!]", gap_before))),
            comma_before=bool(re.search(r"[,;:—–]|\s-\s", gap_before)),
            comma_after=bool(re.search(r"[,;:—–]|\s-\s", gap_after)),
        ))
    return Doc(text=text, tokens=tokens, words=words, timed=timed)


def transcript_from_text(text: str) -> Transcript:
    """A typed answer as a transcript: words without timestamps (start/end None)."""
    words = [Word(m.group(0), None, None, 1.0) for m in re.finditer(r"\S+", text or "")]  # type: ignore[arg-type]
    return Transcript(text=text or "", words=words, duration=0.0)


# --- phrase matching ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Phrase:
    """A signal prepared for matching."""

    source: str
    texts: tuple[str, ...]
    stems: tuple[str, ...]

    @property
    def keys(self) -> frozenset[str]:
        """Spacing-insensitive forms: "trade off" ~ "tradeoff" ~ "trade-offs"."""
        return frozenset({"".join(self.stems), stem("".join(self.texts))})


@lru_cache(maxsize=8192)
def make_phrase(source: str) -> Phrase:
    texts = phrase_tokens(source)
    return Phrase(source, texts, tuple(stem(t) for t in texts))


SHORT = 3  # signal words this short (acronyms: "ann", "map", "pq") match whole words only, unstemmed


def _index(doc: Doc) -> dict[str, list[int]]:
    if not doc._index:
        for i, t in enumerate(doc.tokens):
            doc._index.setdefault(t.stem, []).append(i)
            if len(t.text) <= SHORT + 1 and t.text != t.stem:
                doc._index.setdefault(t.text, []).append(i)
    return doc._index


def _same(tok: Token, text: str, stemmed: str) -> bool:
    if len(text) <= SHORT:
        return tok.text == text or (len(text) >= 2 and tok.text == text + "s")
    return tok.stem == stemmed


def _compact_index(doc: Doc) -> dict[str, list[tuple[int, int]]]:
    if not doc._compact:
        toks = doc.tokens
        for i in range(len(toks)):
            for k in range(1, 5):
                if i + k > len(toks):
                    break
                window = toks[i:i + k]
                for key in {"".join(t.stem for t in window), stem("".join(t.text for t in window))}:
                    if len(key) >= 4:
                        doc._compact.setdefault(key, []).append((i, i + k))
    return doc._compact


def find_phrase(doc: Doc, phrase: Phrase) -> list[tuple[int, int]]:
    """Token spans [i, j) where the phrase occurs, on word boundaries.

    Tokens must follow each other, except that one filler word or one repeated word may sit
    inside the phrase. A phrase also matches when only its spacing differs ("graph sage").
    """
    if not phrase.stems:
        return []
    toks = doc.tokens
    found: set[tuple[int, int]] = set()
    index = _index(doc)
    first = (phrase.texts[0], phrase.texts[0] + "s") if len(phrase.texts[0]) <= SHORT else (phrase.stems[0],)
    starts = sorted({i for key in first for i in index.get(key, []) if _same(toks[i], phrase.texts[0], phrase.stems[0])})
    for i in starts:
        pos, k, skipped = i + 1, 1, False
        while k < len(phrase.stems) and pos < len(toks):
            if _same(toks[pos], phrase.texts[k], phrase.stems[k]):
                k, pos = k + 1, pos + 1
            elif not skipped and (toks[pos].text in FILLER_TOKENS or toks[pos].stem == toks[pos - 1].stem):
                skipped, pos = True, pos + 1
            else:
                break
        if k == len(phrase.stems):
            found.add((i, pos))
    compact = _compact_index(doc)
    for key in phrase.keys:
        if len(key) < 4:
            continue
        for span in compact.get(key, []):
            if span[1] - span[0] != len(phrase.stems):
                found.add(span)
    return _drop_nested(sorted(found))


def _drop_nested(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
        if out and s[0] >= out[-1][0] and s[1] <= out[-1][1]:
            continue
        out.append(s)
    return out


def contains_any(doc: Doc, phrases: Iterable[Phrase]) -> list[tuple[Phrase, tuple[int, int]]]:
    """Every (phrase, span) occurrence, in transcript order."""
    hits = [(p, span) for p in phrases for span in find_phrase(doc, p)]
    return sorted(hits, key=lambda h: (h[1], h[0].source))
