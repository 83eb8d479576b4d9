"""The follow-ups worth asking about one answer, best first, built from what the candidate said.

In order: challenge a misconception in the candidate's own words; ask why about a claim made
without reasons (or a term only listed); probe a gap in the rubric; go deeper on a term they
used. A follow-up never puts words in the candidate's mouth: a bank probe that presupposes
something ("You downsampled negatives 100 to 1...") is asked only when they said it, and terms
they rejected ("I wouldn't downsample") are never quoted back as theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockloop.engine.bank.schema import Bank, Persona, Question

if TYPE_CHECKING:
    from mockloop.engine.scoring import AnswerScore

_STOP = set(
    """a an the and or but if then so of to in on at for from by with about into over under is are was were be been
    being do does did have has had i you we they he she it this that these those what which who whom how why when where
    would could should will can may might must your my our their its me us them not no yes as than also just very
    really like um uh okay ok well right there here some any all more most other such only own same too""".split()
)
LISTED_PROBE = "You listed {term}. When would you use it, and why?"
QUOTE_WORDS = 12
# Priorities: a wrong claim first, then reasons for bare claims, then gaps, then depth.
MISCONCEPTION_PRIORITY = 100.0
# A coding answer: what the run and the code show comes right after a wrong claim.
FAILING_CASE_PRIORITY = 90.0
NOT_RUN_PRIORITY = 85.0
SLOWER_PRIORITY = 80.0
COMPLEXITY_UNSAID_PRIORITY = 3.0
FAILING_CASE = "Your function returns {got} for {name}. Is that right?"
RAISING_CASE = "Your function raises {error} for {name}. What happens there?"
NOT_RUNNING = "Your last run said: {summary} What would you change first?"
NOT_RUN = "You haven't run your code yet. How would you convince yourself it's correct?"
SLOWER = "That's {order}. Can you do better for a million tweets?"
COMPLEXITY_UNSAID = "What's the time and space complexity of what you wrote?"
UNEXPLAINED_PRIORITY = 2.5
LISTED_PRIORITY = 2.2


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


def similar(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def presupposes(probe: str) -> bool:
    """A probe that says the candidate did something ("You downsampled ...", "You chose ...")."""
    words = probe.split()
    return len(words) > 1 and words[0] in ("You", "You've") and words[1].lower().endswith("ed")


@dataclass
class Candidate:
    text: str
    source: str  # "misconception" | "unexplained" | "listed" | "rubric-gap" | "concept" | "bank-probe"
    target: str | None  # rubric point or misconception id
    priority: float


@dataclass
class FollowUpContext:
    question: Question
    bank: Bank
    persona: Persona
    answer_text: str
    coverage: dict[str, str]  # rubric point id -> covered | partial | missing
    named_terms: list[str] = field(default_factory=list)  # signals the candidate actually said (not rejected)
    asked: list[str] = field(default_factory=list)  # interviewer questions so far in this turn
    misconceptions: list[dict] = field(default_factory=list)  # {id, challenge, quote} heard in the answer
    unexplained: list[dict] = field(default_factory=list)  # {point, quote}: claims made without reasons
    listed: list[str] = field(default_factory=list)  # terms only named in a bare list
    rejected: list[str] = field(default_factory=list)  # terms the candidate named to reject
    code: dict | None = None  # a coding answer's code, tests and complexity (AnswerScore.coding)

    @classmethod
    def for_answer(cls, question: Question, bank: Bank, persona: Persona, text: str, score: "AnswerScore",
                   asked: list[str]) -> "FollowUpContext":
        """What the planner needs to know about one scored answer."""
        unexplained = []
        for p in score.rubric:
            said = [e for e in p.evidence if e.signal not in p.listed_signals]
            if p.dimension != "communication" and p.status != "covered" and said and not p.elaborated and not p.meaning:
                unexplained.append({"point": p.id, "quote": _quote_around(text, said[0].start_char, said[0].end_char)})
        return cls(question, bank, persona, text, score.coverage(), score.named_terms(), list(asked),
                   misconceptions=[{"id": m.id, "challenge": m.challenge, "quote": m.quote} for m in score.misconceptions],
                   unexplained=unexplained,
                   listed=list(dict.fromkeys(s for p in score.rubric for s in p.listed_signals)),
                   rejected=list(dict.fromkeys(s for p in score.rubric for s in p.rejected_signals)),
                   code=score.coding)

    def key(self) -> tuple:
        """What the plan depends on: a draft stays valid while this is unchanged."""
        return (tuple(sorted(self.coverage.items())), tuple(self.named_terms), tuple(self.asked),
                tuple(m["id"] for m in self.misconceptions), tuple(u["point"] for u in self.unexplained),
                tuple(self.listed), tuple(self.rejected), _code_key(self.code))


def _quote_around(text: str, start: int, end: int) -> str:
    """The candidate's words around a phrase, about a dozen, cut at sentence ends."""
    left = max(text.rfind(c, 0, start) for c in ".?!;") + 1
    right = min([i for i in (text.find(c, end) for c in ".?!;") if i >= 0] or [len(text)])
    words = text[left:right].split()
    if len(words) > QUOTE_WORDS:
        before = len(text[left:start].split())
        first = max(0, min(before - 3, len(words) - QUOTE_WORDS))
        words = words[first:first + QUOTE_WORDS]
    return "“" + " ".join(words).strip(" ,") + "”"


def build_candidates(ctx: FollowUpContext) -> list[Candidate]:
    """Every follow-up worth asking, best first, none repeating what was already asked."""
    focus = set(ctx.persona.presses_on)
    probes = list(ctx.question.probes)
    rejected_words = {w for term in ctx.rejected for w in content_words(term)}
    out: list[Candidate] = []
    used_probes: set[str] = set()
    for m in ctx.misconceptions:
        out.append(Candidate(m["challenge"], "misconception", m["id"], MISCONCEPTION_PRIORITY))
    out.extend(code_candidates(ctx.code))
    points = {p.id: p for p in ctx.question.rubric}
    for u in ctx.unexplained:
        point = points.get(u["point"])
        weight = point.weight if point is not None else 1.0
        out.append(Candidate(ctx.persona.why_probe.format(quote=u["quote"]), "unexplained", u["point"], UNEXPLAINED_PRIORITY * weight))
    for term in _distinct_terms(ctx.listed)[:2]:
        out.append(Candidate(LISTED_PROBE.format(term=term), "listed", None, LISTED_PRIORITY))
    for point in ctx.question.rubric:
        status = ctx.coverage.get(point.id, "missing")
        if status == "covered":
            continue
        gap_words = content_words(point.point + " " + " ".join(point.signals))
        fair = [p for p in probes if not presupposes(p) or (status != "missing" and not content_words(p) & rejected_words)]
        best = max(fair, key=lambda p: len(content_words(p) & gap_words), default=None)
        if best is None or not content_words(best) & gap_words:
            continue
        priority = point.weight * (1.0 if status == "missing" else 0.6) * (1.3 if point.dimension in focus else 1.0)
        out.append(Candidate(best, "rubric-gap", point.id, priority))
        used_probes.add(best)
    listed = set(ctx.listed)
    for term in [t for t in _distinct_terms(ctx.named_terms) if t not in listed][:3]:
        out.append(Candidate(ctx.persona.concept_probe.format(term=term), "concept", None, ctx.persona.concept_weight))
    for probe in probes:
        if probe not in used_probes and (not presupposes(probe) or _said(probe, ctx)):
            out.append(Candidate(probe, "bank-probe", None, 0.3))
    fresh = [c for c in out if not any(similar(c.text, a) >= 0.6 for a in ctx.asked)]
    # Keep the highest-priority copy of a probe that serves several gaps.
    seen: dict[str, Candidate] = {}
    for c in sorted(fresh, key=lambda c: -c.priority):
        seen.setdefault(c.text, c)
    return list(seen.values())


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip(", ") + "…"


def code_candidates(code: dict | None) -> list[Candidate]:
    """Follow-ups from the code and its last run: a failing case, code that does not run, loops too deep."""
    if not code:
        return []
    out: list[Candidate] = []
    tests = code.get("tests")
    if tests is None:
        out.append(Candidate(NOT_RUN, "code-not-run", None, NOT_RUN_PRIORITY))
    else:
        ran = tests.get("status") == "failed"  # the tests ran; other statuses never got to them
        failure = next((c for c in tests.get("cases", []) if not c.get("passed")), None) if ran else None
        if failure is not None and failure.get("error"):
            error = failure["error"].split(":")[0]
            out.append(Candidate(RAISING_CASE.format(error=error, name=failure["name"]), "failing-case", failure["name"],
                                 FAILING_CASE_PRIORITY))
        elif failure is not None:
            out.append(Candidate(FAILING_CASE.format(got=_short(failure["got"], 30), name=failure["name"]),
                                 "failing-case", failure["name"], FAILING_CASE_PRIORITY))
        elif not ran and tests.get("status") != "passed":
            out.append(Candidate(NOT_RUNNING.format(summary=tests.get("summary", "")), "code-error", None, FAILING_CASE_PRIORITY))
    complexity = code.get("complexity") or {}
    if complexity.get("slower_than_target") and complexity.get("estimate"):
        out.append(Candidate(SLOWER.format(order=complexity["estimate"]["order"]), "complexity", None, SLOWER_PRIORITY))
    elif not complexity.get("said"):
        out.append(Candidate(COMPLEXITY_UNSAID, "complexity", None, COMPLEXITY_UNSAID_PRIORITY))
    return out


def _code_key(code: dict | None) -> tuple:
    if not code:
        return ()
    tests = code.get("tests") or {}
    return (tests.get("status"), code.get("passed"), (code.get("complexity") or {}).get("slower_than_target"))


def _said(probe: str, ctx: FollowUpContext) -> bool:
    """Whether the candidate said what a presupposing probe attributes to them (and did not reject it)."""
    words = content_words(probe)
    named = {w for t in ctx.named_terms for w in content_words(t)}
    rejected = {w for t in ctx.rejected for w in content_words(t)}
    return bool(words & named) and not words & rejected


def _distinct_terms(terms: list[str]) -> list[str]:
    """Specific terms first (multi-word or long), without terms contained in others."""
    unique = list(dict.fromkeys(t.strip() for t in terms if t.strip()))
    unique.sort(key=lambda t: (-len(t.split()), -len(t)))
    kept: list[str] = []
    for t in unique:
        if len(t) < 4 or any(t in k for k in kept):
            continue
        kept.append(t)
    return kept
