"""Word insights as speech coaches show them: repeated words, domain terms, hedges, signposts."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Sequence

from mockloop.engine.bank.schema import Kind, Question
from mockloop.engine.scoring.metrics import hedge_like_kind_of
from mockloop.engine.scoring.text import FILLER_TOKENS, Doc, Phrase, find_phrase, make_phrase

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just let me more most my myself
no nor not now of off on once only or other our ours ourselves out over own same she should so some such
than that the their theirs them themselves then there these they this those through to too under until up
us very was we were what when where which while who whom why will with would you your yours yourself
yourselves ok okay yeah yes well really actually basically maybe probably think guess get got go going
thing things stuff lot lots kind sort mean know say said want like one way use using used make
could would might must shall may need able try much many even still already since often every never
another though although however something anything everything nothing someone everyone else instead
rather yet ever around across via per whether either come comes take takes see look give put back etc
pretty quite sure right good bit whole part
""".split())

HEDGES = ("i am not sure", "not sure", "i guess", "i suppose", "i think", "i believe", "kind of", "sort of",
          "maybe", "probably", "perhaps", "hopefully", "might")
SIGNPOSTS = ("first", "second", "third", "next", "finally", "to summarize", "in summary", "to sum up",
             "in short", "at a high level", "trade off", "let me clarify", "i will assume", "assuming",
             "my approach", "step back", "for example", "for instance", "let me think", "the reason")
TOP_WORDS = 5


@dataclass
class WordInsights:
    repeated_words: list[dict] = field(default_factory=list)  # [{word, count}]
    domain_terms_used: list[dict] = field(default_factory=list)  # [{term, count}]
    domain_terms_missed: list[str] = field(default_factory=list)
    hedges: dict[str, int] = field(default_factory=dict)
    hedge_count: int = 0
    signposts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def is_content(text: str) -> bool:
    return len(text) >= 3 and text.isalpha() and text not in STOPWORDS and text not in FILLER_TOKENS


def repeated_words(doc: Doc, top: int = TOP_WORDS) -> list[dict]:
    """Most repeated content words, grouped by stem and shown in their most common spelling."""
    by_stem: dict[str, Counter] = {}
    first_seen: dict[str, int] = {}
    for n, t in enumerate(doc.tokens):
        if is_content(t.text):
            by_stem.setdefault(t.stem, Counter())[t.text] += 1
            first_seen.setdefault(t.stem, n)
    ranked = sorted(by_stem.items(), key=lambda kv: (-sum(kv[1].values()), first_seen[kv[0]]))
    out = []
    for _, forms in ranked[:top]:
        total = sum(forms.values())
        if total < 2:
            break
        word = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        out.append({"word": word, "count": total})
    return out


def _tag_variants(tag: str) -> list[Phrase]:
    main = make_phrase(tag)
    variants = [main]
    if len(main.texts) >= 2:
        initials = "".join(t[0] for t in main.texts if t not in ("and", "of"))
        if len(initials) >= 2:
            variants.append(make_phrase(initials))  # "Graph Neural Networks" -> "gnn"
    return variants


def domain_terms(doc: Doc, question: Question, generic: frozenset[str] = frozenset(),
                 per_point: int = 2, vocabulary: tuple[str, ...] = ()) -> tuple[list[dict], list[str]]:
    """Domain vocabulary used and missed: the question's tags, every rubric signal the candidate
    said (common ones like "precision" included), any other domain term of the bank they said
    (`vocabulary`: "gradient boosting" in an answer to a spam question), and for each rubric point
    they never touched, its leading specific signals. Behavioral questions have no domain vocabulary."""
    if question.kind is Kind.BEHAVIORAL:
        return [], []
    used: list[tuple[int, str, int]] = []
    missed: list[str] = []
    seen: set[str] = set()

    def note(p: Phrase, spans: list[tuple[int, int]]) -> None:
        if not p.keys & seen:
            seen.update(p.keys)
            used.append((spans[0][0], p.source, len(spans)))

    for tag in question.tags:
        variants = _tag_variants(tag)
        spans = sorted({span for p in variants for span in find_phrase(doc, p)})
        seen.update(k for p in variants for k in p.keys)
        if spans:
            used.append((spans[0][0], tag, len(spans)))
        else:
            missed.append(tag)
    for point in question.rubric:
        if point.dimension == "communication":
            continue
        phrases = [make_phrase(s) for s in point.signals]
        said = [(p, spans) for p in phrases if (spans := find_phrase(doc, p))]
        for p, spans in said:
            note(p, spans)
        if not said:
            for p in [p for p in phrases if not p.keys & generic][:per_point]:
                if not p.keys & seen:
                    seen.update(p.keys)
                    missed.append(p.source)
    for term in vocabulary:
        p = make_phrase(term)
        if not p.keys & seen and (spans := find_phrase(doc, p)):
            note(p, spans)
    used.sort()
    return [{"term": term, "count": n} for _, term, n in used], missed


_vocabularies: dict[int, tuple[object, tuple[str, ...]]] = {}


def bank_vocabulary(questions: Sequence[Question]) -> tuple[str, ...]:
    """Domain terms of a whole bank: its technical rubric signals that are specific enough to count
    as vocabulary on their own (two words or more, or one word of six letters or more)."""
    cached = _vocabularies.get(id(questions))
    if cached is not None and cached[0] is questions:
        return cached[1]
    out: dict[str, None] = {}
    for q in questions:
        if q.kind is Kind.BEHAVIORAL:
            continue
        for point in q.rubric:
            if point.dimension == "communication":
                continue
            for s in point.signals:
                words = make_phrase(s).texts
                if len(words) >= 2 or (words and len(words[0]) >= 6):
                    out.setdefault(s, None)
    if len(_vocabularies) > 16:
        _vocabularies.clear()
    _vocabularies[id(questions)] = (questions, tuple(out))
    return tuple(out)


def count_phrases(doc: Doc, phrases: tuple[str, ...]) -> dict[str, int]:
    """Occurrences of each phrase; a longer phrase claims its words first ("i'm not sure" over "not sure")."""
    claimed: set[int] = set()
    counts: dict[str, int] = {}
    for phrase in sorted(phrases, key=lambda p: (-len(p.split()), p)):
        prepared = make_phrase(phrase)
        for i, j in find_phrase(doc, prepared):
            if claimed & set(range(i, j)):
                continue
            if prepared.texts in (("kind", "of"), ("sort", "of")) and not hedge_like_kind_of(doc.tokens, i):
                continue
            claimed.update(range(i, j))
            counts[phrase] = counts.get(phrase, 0) + 1
    return counts


def insights(doc: Doc, question: Question, generic: frozenset[str] = frozenset(),
             vocabulary: tuple[str, ...] = ()) -> WordInsights:
    used, missed = domain_terms(doc, question, generic, vocabulary=vocabulary)
    hedges = count_phrases(doc, HEDGES)
    hedges = {k.replace("i am not", "i'm not"): v for k, v in sorted(hedges.items(), key=lambda kv: (-kv[1], kv[0]))}
    signposts = count_phrases(doc, SIGNPOSTS)
    return WordInsights(
        repeated_words=repeated_words(doc),
        domain_terms_used=used,
        domain_terms_missed=missed,
        hedges=hedges,
        hedge_count=sum(hedges.values()),
        signposts=[s.replace("i will", "i'll") for s in SIGNPOSTS if s in signposts],
    )


# Function words of the languages a candidate is most likely to slip into (Latin script; other
# scripts are caught by their letters). Words that are also English are left out.
_OTHER_FUNCTION_WORDS = frozenset("""
de la que el en y los del se las por un para con una su al lo como más pero sus le ya este sí porque esta
entre cuando muy sin sobre también hasta hay donde quien desde todo nos durante todos uno les ni contra
otros ese eso ante ellos esto antes algunos qué unos yo otro otras otra él tanto esa estos mucho nada
le les des du une et est qui dans pas sur avec ce il je nous vous ne mais ou sa ses leur cette aux été
être avoir très der die das und ist nicht ich wir sie es ein eine zu mit den dem auf für von im auch
sich dass aber wie oder wenn nur noch bei aus einer einen werden wird kann os em um não com mas eu ela
isso muito il gli di è della sono anche più questo io
""".split()) - STOPWORDS


def english_share(doc: Doc) -> float:
    """Share of tokens that are common English function words (about 0.4-0.7 for English speech)."""
    words = [t.text for t in doc.tokens if t.text.isalpha()]
    if not words:
        return 0.0
    return sum(1 for w in words if w in STOPWORDS) / len(words)


def other_language_share(doc: Doc) -> float:
    """Share of tokens that are function words of Spanish, French, German, Portuguese or Italian."""
    words = [t.text for t in doc.tokens if t.text.isalpha()]
    if not words:
        return 0.0
    return sum(1 for w in words if w in _OTHER_FUNCTION_WORDS) / len(words)


def non_ascii_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if ord(c) > 127) / len(letters) if letters else 0.0


__all__ = ["STOPWORDS", "WordInsights", "insights", "repeated_words", "domain_terms", "english_share",
           "other_language_share", "non_ascii_share", "count_phrases"]
