"""Think-out-loud metrics of one answer: pace, fillers, pauses, time to first word, nudges."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from mockloop.engine.scoring.text import Doc, Token

LONG_PAUSE_S = 5.0  # "pauses over 5 s"
SILENCE_S = 2.0  # gaps this long are silence, not speaking time
COLLAPSED_S = 0.05  # Whisper sometimes gives a word no duration at all
TIMED_ONLY = ("speaking_time_s", "words_per_minute", "fillers_per_minute", "longest_pause_s",
              "pauses_over_5s", "long_pauses", "time_to_first_word_s")

_SIMPLE_FILLERS = {"um": "um", "umm": "um", "uhm": "um", "uh": "uh", "uhh": "uh", "erm": "erm", "er": "er",
                   "ah": "ah", "hmm": "hmm", "hm": "hmm", "mm": "hmm", "mhm": "hmm"}
# "like" after these is a verb or a comparison ("I'd like", "looks like", "something like").
_LIKE_NOT_FILLER_AFTER = frozenset({
    "would", "feel", "feels", "felt", "look", "looks", "looked", "sound", "sounds", "seem", "seems",
    "something", "anything", "nothing", "things", "stuff", "i", "we", "you", "they", "people", "users",
    "more", "much", "exactly", "not", "just", "user", "really", "also",
})
_LIKE_FILLER_AFTER = frozenset({"and", "but", "so", "or", "like"}) | set(_SIMPLE_FILLERS)
# "kind of" / "sort of" after a determiner is literal ("what kind of model").
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "what", "which", "some", "any", "every", "each",
                          "no", "1", "these", "those", "same", "different", "other", "another", "all",
                          "of", "whatever", "certain", "particular", "right", "wrong", "my", "your", "our",
                          "their", "his", "her", "its", "main", "first", "second"})
_YOU_KNOW_LITERAL_NEXT = frozenset({"what", "how", "that", "the", "it", "if", "where", "when", "which", "why",
                                    "who", "about", "whether", "this", "them", "him", "her", "a", "an"})


@dataclass
class Pause:
    start: float
    end: float
    duration: float
    after: str  # the word before the silence
    before: str  # the word after it


@dataclass
class ThinkAloudMetrics:
    """Measured delivery of one answer. Timing metrics are None for a typed answer."""

    timed: bool
    word_count: int
    speaking_time_s: float | None
    words_per_minute: float | None
    filler_count: int
    fillers: dict[str, int]
    fillers_per_minute: float | None
    fillers_per_100_words: float
    longest_pause_s: float | None
    pauses_over_5s: int | None
    long_pauses: list[Pause] | None
    time_to_first_word_s: float | None
    nudges: int
    unavailable: list[str] = field(default_factory=list)
    unavailable_reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _max_word_duration(text: str) -> float:
    # Whisper often stretches the word next to a silence over part of it; a spoken word rarely
    # lasts longer than this (digits are read out, so they count as longer).
    chars = sum(3 if c.isdigit() else 1 for c in text if c.isalnum())
    return 0.25 + 0.08 * max(chars, 1)


def word_times(doc: Doc) -> list[tuple[float, float, str]]:
    """Per-word (start, end, text) with implausibly long words clamped toward their speech."""
    words = [w for w in doc.words if w.start is not None and w.end is not None]
    out: list[tuple[float, float, str]] = []
    pulled_back = False  # the previous word's end was moved earlier
    for n, w in enumerate(words):
        start, end = float(w.start), max(float(w.end), float(w.start))
        limit = _max_word_duration(w.text)
        if pulled_back and end - start < COLLAPSED_S and out and start >= out[-1][1]:
            # A word squeezed to nothing after a stretched one was really spoken right after it.
            start = out[-1][1]
            end = min(float(w.end), start + limit) if float(w.end) > start else start + limit
            out.append((start, end, w.text))
            continue
        pulled_back = False
        if end - start > limit:
            gap_after = float(words[n + 1].start) - end if n + 1 < len(words) else float("inf")
            gap_before = start - out[-1][1] if out else float("inf")
            if gap_after < 0.2 and gap_before > 0.2:
                start = end - limit  # the silence was before the word
            else:
                end, pulled_back = start + limit, True
        out.append((start, end, w.text))
    return out


def _next_text(tokens: list[Token], i: int) -> str:
    return tokens[i].text if 0 <= i < len(tokens) else ""


def hedge_like_kind_of(tokens: list[Token], i: int) -> bool:
    """Whether "kind of"/"sort of" starting at token i is a hedge rather than literal."""
    return _next_text(tokens, i - 1) not in _DETERMINERS if i > 0 else True


def find_fillers(doc: Doc) -> list[tuple[str, int, int]]:
    """Fillers as (filler, first token, end token), in order."""
    toks = doc.tokens
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        prev = _next_text(toks, i - 1)
        nxt = _next_text(toks, i + 1)
        if t.text in _SIMPLE_FILLERS:
            out.append((_SIMPLE_FILLERS[t.text], i, i + 1))
        elif t.text == "like":
            surrounded = t.comma_before and t.comma_after
            cue = t.sentence_start or t.comma_after or prev in _LIKE_FILLER_AFTER or nxt.replace(".", "").isdigit()
            if surrounded or (cue and prev not in _LIKE_NOT_FILLER_AFTER):
                out.append(("like", i, i + 1))
        elif t.text == "you" and nxt == "know" and prev not in {"do", "did", "if", "not", "would", "what"}:
            after = toks[i + 1].comma_after or i + 2 >= len(toks) or toks[i + 2].sentence_start
            if after or ((t.sentence_start or t.comma_before) and _next_text(toks, i + 2) not in _YOU_KNOW_LITERAL_NEXT):
                out.append(("you know", i, i + 2))
                i += 2
                continue
        elif t.text == "i" and nxt == "mean" and prev not in {"what", "that", "which"}:
            if toks[i + 1].comma_after or _next_text(toks, i + 2) in _SIMPLE_FILLERS | {"like"}:
                out.append(("i mean", i, i + 2))
                i += 2
                continue
        elif t.text in ("kind", "sort") and nxt == "of" and hedge_like_kind_of(toks, i):
            out.append((f"{t.text} of", i, i + 2))
            i += 2
            continue
        elif t.text == "so" and t.sentence_start and nxt not in {"that", "far", "much", "many", "the"}:
            out.append(("so", i, i + 1))
        i += 1
    return out


def measure(doc: Doc, *, answer_started_at: float = 0.0, nudges: int = 0) -> ThinkAloudMetrics:
    """Metrics for one answer; `answer_started_at` is when the turn began, on the words' clock."""
    fillers = find_fillers(doc)
    counts = dict(sorted(Counter(f for f, _, _ in fillers).items(), key=lambda kv: (-kv[1], kv[0])))
    # Only spoken words carry times: an answer begun aloud and finished typed keeps its spoken timings.
    times = word_times(doc)
    word_count = len(times) if times else len(doc.tokens)
    per_100 = round(100.0 * len(fillers) / word_count, 2) if word_count else 0.0
    if not times:
        reason = "typed answer: no word timings" if doc.tokens else "no speech"
        return ThinkAloudMetrics(
            timed=False, word_count=word_count, speaking_time_s=None, words_per_minute=None,
            filler_count=len(fillers), fillers=counts, fillers_per_minute=None, fillers_per_100_words=per_100,
            longest_pause_s=None, pauses_over_5s=None, long_pauses=None, time_to_first_word_s=None,
            nudges=int(nudges), unavailable=list(TIMED_ONLY), unavailable_reason=reason,
        )
    gaps = []
    for (s0, e0, w0), (s1, e1, w1) in zip(times, times[1:]):
        gaps.append(Pause(round(e0, 2), round(s1, 2), round(max(0.0, s1 - e0), 2), w0, w1))
    span = times[-1][1] - times[0][0]
    silence = sum(g.duration for g in gaps if g.duration >= SILENCE_S)
    speaking = max(span - silence, 0.0)
    minutes = speaking / 60.0
    long_pauses = [g for g in gaps if g.duration > LONG_PAUSE_S]
    return ThinkAloudMetrics(
        timed=True,
        word_count=word_count,
        speaking_time_s=round(speaking, 2),
        words_per_minute=round(word_count / minutes, 1) if minutes > 0 else None,
        filler_count=len(fillers),
        fillers=counts,
        fillers_per_minute=round(len(fillers) / minutes, 2) if minutes > 0 else None,
        fillers_per_100_words=per_100,
        longest_pause_s=max((g.duration for g in gaps), default=0.0),
        pauses_over_5s=len(long_pauses),
        long_pauses=long_pauses,
        time_to_first_word_s=round(max(0.0, times[0][0] - answer_started_at), 2),
        nudges=int(nudges),
    )
