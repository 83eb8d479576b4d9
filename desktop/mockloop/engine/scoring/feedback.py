"""Feedback text: strengths, gaps phrased as advice, think-out-loud coaching, the model outline."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Iterable

from mockloop.engine.bank.schema import Bank, Kind, Question
from mockloop.engine.scoring.insights import WordInsights
from mockloop.engine.scoring.metrics import ThinkAloudMetrics
from mockloop.engine.scoring.meaning import HeardMisconception
from mockloop.engine.scoring.rubric import BY_NAMING, COVERED, MISSING, PARTIAL, PointResult
from mockloop.engine.scoring.scorer import WPM_BAND

_BASE_IRREGULAR = {"does": "do", "has": "have", "is": "be", "goes": "go"}
_PRONOUNS = {"they": "you", "their": "your", "them": "you", "themselves": "yourself", "theirs": "yours"}
_SMALL_WORDS = frozenset({"and", "the", "for", "out", "new", "vs", "of", "to", "in", "on", "set", "use", "top",
                          "how", "why", "two", "raw", "own", "at", "by", "per", "cost", "map"})
_CLAUSE_STARTS = frozenset({"because", "so", "which", "while", "where", "when", "then", "but", "not", "plus", "with",
                            "since", "whether", "including", "especially", "rather", "than", "to", "as", "if"})
_OBJECT_STARTS = frozenset({"the", "a", "an", "what", "through", "with", "for", "whether", "how", "it", "its", "their",
                            "them", "each", "all", "every", "why", "when", "where", "which", "that"})
_NOT_VERBS = frozenset({"plus", "minus", "versus", "thus", "perhaps", "always", "sometimes", "across", "whereas"})
# Third-person verbs that rubric points join with "and" ("..., and retrains often").
_COMMON_VERBS = frozenset("""
thinks explains notes retrains handles measures weighs uses adds evaluates compares mentions shows states
names picks keeps splits trades tunes validates monitors updates discusses recovers mines corrects asks
avoids checks chooses builds describes gives defines ties commits runs lists applies considers identifies
explores summarizes structures prioritizes quantifies owns ends invites closes starts separates estimates
oversamples downsamples samples recalibrates calibrates clips reweights sets gets fixes finds learns
merges normalizes refreshes predicts adjusts tracks decides illustrates anchors
""".split())
GAP_WORDS = 22


@dataclass
class Feedback:
    strengths: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    coaching: list[str] = field(default_factory=list)
    outline: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)  # what was said that is wrong, and what is true
    named: list[str] = field(default_factory=list)  # terms listed without an explanation

    def to_dict(self) -> dict:
        return asdict(self)


def base_form(verb: str) -> str:
    """ "clarifies" -> "clarify", "discusses" -> "discuss", "uses" -> "use"."""
    low = verb.lower()
    if low in _BASE_IRREGULAR:
        return _BASE_IRREGULAR[low]
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return low[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")):
        return low[:-1]
    return low


def known_verbs(questions: Iterable[Question]) -> frozenset[str]:
    """Third-person verbs the bank's rubric points start with ("Clarifies", "Uses", ...)."""
    verbs = {p.point.split()[0].lower() for q in questions for p in q.rubric}
    return frozenset(v for v in verbs if v.endswith("s")) | _COMMON_VERBS


def _drop_parentheticals(text: str) -> str:
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\s*\([^()]*\)", "", text)
    return text


def _shorten(text: str, limit: int) -> str:
    """The first clause (before ';'), cut at a comma when it is long."""
    text = _drop_parentheticals(text).split(";")[0].strip().rstrip(".")
    words = text.split()
    if len(words) <= limit:
        return text
    head = " ".join(words[:limit])
    cut = head.rfind(", ")
    if cut <= len(head) // 3:
        cut = head.rfind(" and ")
    if cut > len(head) // 3:
        head = head[:cut]
        last = head.rfind(", ")
        tail = head[last + 2:].split() if last > 0 else []
        # Close a cut list with "and" ("a, b, c" -> "a, b and c"), but not a clause ("…, because …").
        if tail and tail[0] not in _CLAUSE_STARTS and not tail[0].endswith(("ing", "ed")) \
                and " and " not in head[last:] and " or " not in head[last:]:
            head = head[:last] + " and " + head[last + 2:]
    head = re.sub(r"(,|\band|\bor|\bsuch as|\bwith|\bthe|\ba|\bto|\bof|\bfor)\s*$", "", head)
    return head.strip().rstrip(",")


def _looks_like_verb(word: str, following: str | None) -> bool:
    """After "and"/a comma, "walks through" is a verb, "random walks or …" a noun."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")) or word in _NOT_VERBS:
        return False
    return following is not None and following.strip(",.;:").lower() in _OBJECT_STARTS


def imperative(point: str, verbs: frozenset[str], behavioral: bool = False) -> str:
    """A rubric point ("Clarifies X, and uses Y") as advice ("clarify X, and use Y").
    In behavioral points "they/their" become "you/your" unless the point is about others ("who")."""
    words = _drop_parentheticals(point).split()
    if not words:
        return point
    swap = behavioral and " who " not in f" {point} "
    out = []
    for n, w in enumerate(words):
        bare = w.strip(",.;:").lower()
        prev = words[n - 1].lower() if n else ""
        following = words[n + 1] if n + 1 < len(words) else None
        coordinated = prev in ("and", "or", "and/or", "then") or prev.endswith(",")
        plain = w == w.strip(",.;:")
        is_verb = n == 0 or (coordinated and (bare in verbs or (plain and _looks_like_verb(bare, following))))
        if is_verb and bare.endswith("s"):
            base = "-".join(base_form(part) for part in bare.split("-"))
            w = w.lower().replace(bare, base, 1) if n == 0 else w.replace(bare, base, 1)
        elif swap and bare in _PRONOUNS and not prev.endswith("ing"):
            w = w.replace(bare, _PRONOUNS[bare], 1)
        out.append(w)
    return " ".join(out)


def _quote(signals: list[str], n: int = 3) -> str:
    quoted = [f"“{_spoken(s)}”" for s in signals[:n]]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def topic(point_id: str) -> str:
    """A rubric point id as a short topic: "labels-and-drift" -> "labels and drift", "ipw" -> "IPW"."""
    words = []
    for w in point_id.split("-"):
        short = len(w) <= 3 and w not in _SMALL_WORDS
        words.append(w.upper() if short or not re.search(r"[aeiouy]", w) else w)
    return " ".join(words)


def _spoken(phrase: str) -> str:
    return re.sub(r"\bi\b", "I", phrase)


def _own_words(p: PointResult, words: int = 12) -> str:
    clause = " ".join(p.meaning[0].clause.split()[:words]) if p.meaning else ""
    return f"“{clause}…”" if clause else ""


def strengths(points: list[PointResult]) -> list[str]:
    out = []
    for p in sorted((p for p in points if p.status == COVERED), key=lambda p: -p.weight):
        why = ", with reasoning" if p.elaborated else ""
        said = [s for s in p.matched_signals if s not in p.listed_signals]
        if said:
            out.append(f"Strong on {topic(p.id)}: you brought up {_quote(said)}{why}.")
        else:
            out.append(f"Strong on {topic(p.id)}: you explained it in your own words ({_own_words(p)}).")
    return out


def named_lines(points: list[PointResult]) -> list[str]:
    """Terms said in a bare list: named, not explained."""
    out = []
    for p in points:
        if p.judged_by == BY_NAMING and p.listed_signals:
            out.append(f"You listed {_quote(p.listed_signals, 2)}; say when you would use it and why.")
    return out


def misconception_lines(heard: list[HeardMisconception]) -> list[str]:
    return [f"You said “{h.quote}”. {h.correction}" for h in heard]


def gaps(points: list[PointResult], verbs: frozenset[str], behavioral: bool) -> list[str]:
    out = []
    order = {MISSING: 0, PARTIAL: 1}
    for p in sorted((p for p in points if p.status != COVERED), key=lambda p: (order[p.status], -p.weight)):
        advice = _shorten(imperative(p.point, verbs, behavioral), GAP_WORDS)
        if p.low_confidence:
            heard = ", ".join(f"“{u.heard}” (maybe “{u.may_be}”)" for u in p.uncertain[:2])
            out.append(f"I may have misheard {heard}; if you meant that, say more. Next time, {advice}.")
        elif p.status == PARTIAL and p.judged_by == BY_NAMING:
            out.append(f"You named {_quote(p.listed_signals)} without explaining; go deeper: {advice}.")
        elif p.status == PARTIAL and p.dimension == "communication" and p.matched_signals:
            out.append(f"You signposted only a little ({_quote(p.matched_signals)}); go further: {advice}.")
        elif p.status == PARTIAL and p.matched_signals:
            out.append(f"You touched on this ({_quote(p.matched_signals)}) but did not explain it; go deeper: {advice}.")
        elif p.status == PARTIAL:
            out.append(f"You started on this in your own words ({_own_words(p)}); go deeper: {advice}.")
        elif p.rejected_signals:
            out.append(f"You set aside {_quote(p.rejected_signals, 2)}, which a strong answer uses here: {advice}.")
        else:
            out.append(f"Next time, {advice}.")
    return out


def coaching(metrics: ThinkAloudMetrics, ins: WordInsights, flags: list[str], kind: Kind) -> list[str]:
    """Think-out-loud coaching driven by the metrics; timing lines only for spoken answers."""
    lines = []
    say = lines.append
    if "too_short" in flags:
        say("That answer was very short. Think out loud: say what you are weighing, then commit to an approach.")
    if "keyword_list" in flags:
        say("You listed terms without explaining them: named, not explained. Say why each choice fits and what it costs.")
    if "long_answer" in flags:
        say("That answer ran very long. Aim for a structured answer and let the interviewer pull the detail.")
    wpm, lo, hi = metrics.words_per_minute, *WPM_BAND
    if wpm is not None and (metrics.speaking_time_s or 0) >= 10:
        if wpm > hi:
            say(f"You spoke at {wpm:.0f} words per minute; slow down toward {hi:.0f} so the interviewer can follow.")
        elif wpm < lo:
            say(f"You spoke at {wpm:.0f} words per minute; keep a steadier pace (about {lo:.0f}-{hi:.0f}) "
                "by narrating each step.")
    rate, per_100 = metrics.fillers_per_minute, metrics.fillers_per_100_words
    if (rate is not None and rate > 4) or (rate is None and per_100 > 3):
        top = ", ".join(f"“{_spoken(f)}” ×{n}" for f, n in list(metrics.fillers.items())[:3])
        per = f"{rate:.1f} per minute" if rate is not None else f"{per_100:.1f} per 100 words"
        say(f"Fillers: {per} ({top}). A short silent pause sounds more confident than a filler.")
    if metrics.pauses_over_5s:
        longest = max(p.duration for p in metrics.long_pauses or [])
        say(f"You went silent {metrics.pauses_over_5s} time(s) for over 5 s (longest {longest:.0f} s). "
            "Keep talking while you think: say which options you are weighing.")
    if (metrics.time_to_first_word_s or 0) > 10:
        say(f"You took {metrics.time_to_first_word_s:.0f} s to start. "
            "Open with how you will approach it, even before you know the answer.")
    if metrics.nudges:
        say(f"The interviewer had to nudge you {metrics.nudges} time(s). "
            "Narrate your reasoning so silence never needs rescuing.")
    if ins.hedge_count >= 3 and metrics.word_count and 100 * ins.hedge_count / metrics.word_count > 1.5:
        top = ", ".join(f"“{_spoken(h)}”" for h in list(ins.hedges)[:3])
        say(f"You hedged {ins.hedge_count} times ({top}). State assumptions once, then commit to choices.")
    if len(ins.signposts) < 2 and "too_short" not in flags:
        if kind is Kind.BEHAVIORAL:
            say("Use STAR: situation, task, what you did (say “I”), and the measurable result.")
        else:
            say("Signpost your structure (“first…”, “the trade-off is…”, “to summarize…”) so the interviewer can follow.")
    return lines


def build(question: Question, bank: Bank | None, points: list[PointResult], metrics: ThinkAloudMetrics | None,
          ins: WordInsights | None, flags: list[str], heard: list[HeardMisconception] | None = None) -> Feedback:
    outline = list(question.outline)
    if "no_speech" in flags:
        return Feedback(coaching=["No speech was detected. Check the microphone, then answer out loud."], outline=outline)
    if "non_english" in flags:
        return Feedback(coaching=["The answer does not look like English, so it was not scored. "
                                  "Answer in English to get a score."], outline=outline)
    verbs = known_verbs(bank.questions if bank is not None else [question]) | known_verbs([question])
    behavioral = question.kind is Kind.BEHAVIORAL
    fb = Feedback(strengths(points), gaps(points, verbs, behavioral), [], outline,
                  misconception_lines(heard or []), named_lines(points))
    if metrics is not None and ins is not None:
        fb.coaching = coaching(metrics, ins, flags, question.kind)
    return fb
