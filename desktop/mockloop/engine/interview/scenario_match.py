"""Which of a question's scenario facts a candidate's clarifying question asks for, by meaning with the text model."""

from __future__ import annotations

import re
import threading
import weakref
from typing import Any, Sequence

import numpy as np

# Below this the best fact is not what was asked: the interviewer says "make an assumption" instead.
MIN_SIMILARITY = 0.37
# How much the fact's topic (as a whole) counts beside its own phrasings.
TOPIC_SHARE = 0.25

# Words of asking itself ("can I assume", "tell me"): they say nothing about which fact is wanted.
_ASKING_WORDS = frozenset("""assume assuming know tell expect expected wonder wondering curious clarify clarifying question
    ask quick sorry sense roughly idea understand check confirm okay ok fine allowed need want care look like sure
    already today currently""".split())
# A few words of each topic, so a fact with thin `asks` is still found by what kind of fact it is.
_TOPIC_WORDS = {
    "scale": "scale volume traffic users daily active requests per second peak throughput events tweets accounts number size",
    "latency": "latency milliseconds seconds minutes response time fast quickly real time fresh stale old delay budget",
    "labels": "labels labelled ground truth annotations reviewers reports training data examples",
    "infrastructure": "infrastructure existing stack kafka streaming pipeline feature store cache cluster gpu hardware serving",
    "goal": "goal objective success metric kpi business optimise improve reduce engagement measure precision recall",
    "constraints": "constraints privacy legal regulation fairness restrictions policy sensitive compliance consent appeal explain",
}


# An opening clause before the question itself ("Before I design anything, ...", "Quick question: ..."):
# it says when the candidate asks, not what, and it hides the question's own start ("how many ...").
_PREAMBLE = re.compile(
    r"^(?:(?:ok|okay|so|right|alright|well|um+|uh+|and)[\s,]+)*"
    r"(?:(?:before (?:i|we) (?:\w+ ){0,3}?\w+|quick question|one (?:more |quick )?question|first(?: of all)?|real quick)\s*[,:;.\-\u2013\u2014]\s*"
    r"|before (?:i|we) (?:start|begin|dive in|jump in|get going|design anything|go any further|go further)\s+)"
)


def strip_preamble(text: str) -> str:
    """The question without an opening clause that only says when it is asked; the text itself if none."""
    text = text.strip()
    found = _PREAMBLE.match(text.lower())
    rest = text[found.end():] if found else text
    return rest if re.search(r"[A-Za-z]", rest) else text


_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_CACHE_SIZE = 4096
_SOFT = 1.0 / 3.0
_vector_cache: "weakref.WeakKeyDictionary[Any, dict[str, tuple[tuple[str, ...], np.ndarray]]]" = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _word_vectors(encoder, text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """A text's meaningful words and one unit vector each (function words have none), cached per encoder."""
    with _cache_lock:
        cache = _vector_cache.setdefault(encoder, {})
        found = cache.get(text)
    if found is not None:
        return found
    words = words_of(text)
    vectors = encoder.encode(words) if words else np.zeros((0, getattr(encoder, "dimensions", 1)), dtype=np.float32)
    keep = np.linalg.norm(vectors, axis=1) > 0 if len(words) else np.zeros(0, dtype=bool)
    found = (tuple(w for w, k in zip(words, keep) if k), vectors[keep])
    with _cache_lock:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()  # a bounded cache: the phrasings of one interview fit many times over
        cache[text] = found
    return found


def aligned(encoder, text: str, references: Sequence[str], ignore: frozenset[str] = frozenset(),
            soften: frozenset[str] = frozenset()) -> np.ndarray:
    """Similarity 0..1 of `text` to each reference by word alignment: every meaningful word matched to its
    closest word on the other side, both ways, as the F1 of the two weighted averages. Words in `ignore`
    count on neither side, words in `soften` a third. Word similarities below zero count as zero
    (unrelated, not "opposite")."""
    out = np.zeros(len(references), dtype=np.float32)
    words, a = _word_vectors(encoder, text)
    keep = [i for i, w in enumerate(words) if w not in ignore]
    if not keep:
        return out
    a = a[keep]
    wa = np.array([_SOFT if words[i] in soften else 1.0 for i in keep], dtype=np.float32)
    b, wb, starts, filled = _stacked(encoder, tuple(references), ignore, soften)
    if not filled.any():
        return out
    sims = np.clip(a @ b.T, 0.0, 1.0)  # text words x every reference word
    best_in_ref = np.maximum.reduceat(sims, starts, axis=1)  # text words x references
    precision = (wa @ best_in_ref) / wa.sum()
    recall = np.add.reduceat(sims.max(axis=0) * wb, starts) / np.maximum(np.add.reduceat(wb, starts), 1e-9)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)
    out[:] = np.where(filled, f1, 0.0)
    return out


def _stacked(encoder, references: tuple[str, ...], ignore: frozenset[str], soften: frozenset[str]):
    """Every reference's kept word vectors in one matrix with their weights and each one's first row
    (a reference with no word left keeps one weightless zero row), cached: the facts of a turn do not change."""
    key = (references, ignore, soften)
    with _cache_lock:
        found = _vector_cache.setdefault(encoder, {}).get(key)
    if found is not None:
        return found
    rows, weights, starts, filled = [], [], [], []
    for ref in references:
        ref_words, b = _word_vectors(encoder, ref)
        kept = [i for i, w in enumerate(ref_words) if w not in ignore]
        starts.append(len(rows))
        filled.append(bool(kept))
        if kept:
            rows.extend(b[kept])
            weights.extend(_SOFT if ref_words[i] in soften else 1.0 for i in kept)
        else:
            rows.append(np.zeros(encoder.dimensions, dtype=np.float32))
            weights.append(0.0)
    found = (np.asarray(rows, dtype=np.float32), np.asarray(weights, dtype=np.float32),
             np.asarray(starts, dtype=np.int64), np.asarray(filled, dtype=bool))
    with _cache_lock:
        _vector_cache.setdefault(encoder, {})[key] = found  # type: ignore[assignment]
    return found


def _phrasings(fact: Any) -> list[str]:
    asks = [str(a) for a in (getattr(fact, "asks", None) or []) if str(a).strip()]
    text = str(getattr(fact, "fact", "") or "").strip()
    return asks + ([text] if text else [])


def _shared_words(facts: Sequence[Any]) -> frozenset[str]:
    """Words in most of the facts (the scenario's own subject, "tweets", "trends"): they tell facts apart poorly."""
    if len(facts) < 4:
        return frozenset()
    counts: dict[str, int] = {}
    for fact in facts:
        for word in set(words_of(" ".join(_phrasings(fact)))):
            counts[word] = counts.get(word, 0) + 1
    return frozenset(w for w, n in counts.items() if n > len(facts) / 2)


def fact_similarities(question: str, facts: Sequence[Any], encoder, asked_in: str = "") -> np.ndarray:
    """Each fact's closeness to the question, 0..1: its best phrasing by word alignment, plus its topic.
    The words of asking itself count on neither side, those of `asked_in` (the interview question) little."""
    facts = list(facts)
    if not facts or not question.strip():
        return np.zeros(len(facts), dtype=np.float32)
    # The interview question's words and the scenario's common ones weigh a third: "trends" says little
    # about which fact of a trends question is wanted, but it is not nothing.
    soften = (_shared_words(facts) | frozenset(words_of(asked_in))) - _ASKING_WORDS
    ignore = _ASKING_WORDS
    texts: list[str] = []
    owner: list[int] = []  # fact i's phrasings are i, its topic row -1 - i
    for i, fact in enumerate(facts):
        for phrase in _phrasings(fact):
            texts.append(phrase)
            owner.append(i)
        topic_words = _TOPIC_WORDS.get(str(getattr(fact, "topic", "")))
        if topic_words:
            texts.append(topic_words)
            owner.append(-1 - i)
    sims = aligned(encoder, question, texts, ignore, soften)
    best = np.zeros(len(facts), dtype=np.float32)
    topic = np.zeros(len(facts), dtype=np.float32)
    for sim, who in zip(sims, owner):
        if who >= 0:
            best[who] = max(best[who], sim)
        else:
            topic[-1 - who] = sim
    return (1.0 - TOPIC_SHARE) * best + TOPIC_SHARE * topic


def match_fact(question: str, facts: Sequence[Any], encoder, min_similarity: float = MIN_SIMILARITY,
               asked_in: str = "") -> tuple[Any | None, float]:
    """The scenario fact the question asks for and its similarity, or (None, best similarity) when no fact
    is close enough. Facts are read by duck typing: `.fact`, `.asks`, `.topic`."""
    facts = list(facts)
    sims = fact_similarities(strip_preamble(question), facts, encoder, asked_in)
    if not len(sims):
        return None, 0.0
    best = int(np.argmax(sims))
    score = float(sims[best])
    return (facts[best] if score >= min_similarity else None), round(score, 4)
