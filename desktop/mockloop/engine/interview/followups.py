"""Follow-up questions about what the candidate actually said: rubric gaps, bank probes, named concepts.

Candidates are built deterministically; the local LLM may pick one (and, when the model is
big enough, rephrase it), and every LLM output is validated. Anything invalid, late or junk
falls back to the best deterministic candidate, and the result says which source won.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from mockloop.engine.bank.schema import Bank, Persona, Question

if TYPE_CHECKING:
    from mockloop.engine.models.llm import LocalLLM

MAX_WORDS = 35
# Below this size the model only picks among candidates; rephrasing needs a capable model.
REPHRASE_MIN_PARAMETERS = 1_000_000_000

_STOP = set(
    """a an the and or but if then so of to in on at for from by with about into over under is are was were be been
    being do does did have has had i you we they he she it this that these those what which who whom how why when where
    would could should will can may might must your my our their its me us them not no yes as than also just very
    really like um uh okay ok well right there here some any all more most other such only own same too""".split()
)

# How each persona turns a concept the candidate named into a probe.
CONCEPT_TEMPLATES = {
    "bar-raiser": "You mentioned {term}. What does it cost you, and when does it break?",
    "hiring-manager": "You mentioned {term}. What part of that would you own, and how would you know it worked?",
}
DEFAULT_CONCEPT_TEMPLATE = "You mentioned {term}. Why that choice here, and what would you watch out for?"
# Dimensions each persona prefers to press on.
PERSONA_FOCUS = {
    "bar-raiser": {"tradeoffs", "evaluation_deployment", "correctness"},
    "hiring-manager": {"action", "result", "communication"},
    "standard": {"problem_understanding", "modeling", "depth"},
}


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


def _similar(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


@dataclass
class Candidate:
    text: str
    source: str  # "rubric-gap" | "concept" | "bank-probe"
    target: str | None  # rubric point id
    priority: float


@dataclass
class FollowUpContext:
    question: Question
    bank: Bank
    persona: Persona
    answer_text: str
    coverage: dict[str, str]  # rubric point id -> covered | partial | missing
    named_terms: list[str] = field(default_factory=list)  # signals the candidate actually said
    asked: list[str] = field(default_factory=list)  # interviewer questions so far in this turn

    def key(self) -> tuple:
        """What the plan depends on: a draft stays valid while this is unchanged."""
        return (tuple(sorted(self.coverage.items())), tuple(self.named_terms), tuple(self.asked))


@dataclass
class FollowUp:
    text: str
    source: str  # "llm-rephrased" | "llm-choice" | "rubric-gap" | "concept" | "bank-probe"
    target: str | None
    candidates: list[str]
    llm_output: str | None = None
    rejected: str | None = None  # why the LLM's output was not used
    seconds: float = 0.0
    from_draft: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def build_candidates(ctx: FollowUpContext) -> list[Candidate]:
    """Every follow-up worth asking, best first, none repeating what was already asked."""
    focus = PERSONA_FOCUS.get(ctx.persona.id, set())
    probes = list(ctx.question.probes)
    out: list[Candidate] = []
    used_probes: set[str] = set()
    for point in ctx.question.rubric:
        status = ctx.coverage.get(point.id, "missing")
        if status == "covered":
            continue
        gap_words = content_words(point.point + " " + " ".join(point.signals))
        best = max(probes, key=lambda p: len(content_words(p) & gap_words), default=None)
        if best is None or not content_words(best) & gap_words:
            continue
        priority = point.weight * (1.0 if status == "missing" else 0.6) * (1.3 if point.dimension in focus else 1.0)
        out.append(Candidate(best, "rubric-gap", point.id, priority))
        used_probes.add(best)
    for term in _distinct_terms(ctx.named_terms)[:3]:
        template = CONCEPT_TEMPLATES.get(ctx.persona.id, DEFAULT_CONCEPT_TEMPLATE)
        weight = 1.2 if ctx.persona.id == "bar-raiser" else 0.9
        out.append(Candidate(template.format(term=term), "concept", None, weight))
    for probe in probes:
        if probe not in used_probes:
            out.append(Candidate(probe, "bank-probe", None, 0.3))
    fresh = [c for c in out if not any(_similar(c.text, a) >= 0.6 for a in ctx.asked)]
    # Keep the highest-priority copy of a probe that serves several gaps.
    seen: dict[str, Candidate] = {}
    for c in sorted(fresh, key=lambda c: -c.priority):
        seen.setdefault(c.text, c)
    return list(seen.values())


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


def validate(text: str, ctx: FollowUpContext) -> str | None:
    """Why an LLM follow-up is unusable, or None when it is fine."""
    t = text.strip()
    if not t:
        return "empty"
    if t.count("?") != 1 or not t.endswith("?"):
        return "not exactly one question"
    if len(t.split()) > MAX_WORDS:
        return f"longer than {MAX_WORDS} words"
    lowered = t.lower()
    if re.match(r"^(as an ai|as a candidate|i would|i think|i'd|sure|here is|here's|answer|candidate:|interviewer:)", lowered):
        return "speaks as the wrong role"
    if re.search(r"(^|\s)\d+\.\s", t):
        return "contains a list"
    if _similar(t, ctx.question.text) >= 0.6:
        return "repeats the interview question"
    if any(_similar(t, a) >= 0.6 for a in ctx.asked):
        return "repeats an earlier question"
    vocabulary = content_words(ctx.question.text + " " + ctx.answer_text + " " + " ".join(s for p in ctx.question.rubric for s in p.signals))
    if not content_words(t) & vocabulary:
        return "off topic"
    return None


class FollowUpPlanner:
    """Plans one follow-up. Owns no thread itself: callers run `plan` where the LLM lives."""

    def __init__(self, llm: "LocalLLM | None" = None, top_k: int = 4, answer_words: int = 120) -> None:
        self.llm = llm
        self.top_k = top_k
        self.answer_words = answer_words

    def fallback(self, ctx: FollowUpContext) -> FollowUp | None:
        candidates = build_candidates(ctx)
        if not candidates:
            return None
        best = candidates[0]
        return FollowUp(best.text, best.source, best.target, [c.text for c in candidates[: self.top_k]])

    def plan(self, ctx: FollowUpContext, deadline: float | None = None, cancel: threading.Event | None = None) -> FollowUp | None:
        started = time.monotonic()
        candidates = build_candidates(ctx)[: self.top_k]
        if not candidates:
            return None
        result = FollowUp(candidates[0].text, candidates[0].source, candidates[0].target, [c.text for c in candidates])
        if self.llm is None or len(candidates) == 1:
            result.seconds = time.monotonic() - started
            return result
        rephrase = self.llm.n_parameters >= REPHRASE_MIN_PARAMETERS
        raw, outcome = self.llm.chat_until(
            self._messages(ctx, candidates, rephrase),
            max_tokens=90 if rephrase else 12,
            json_schema=self._schema(len(candidates), rephrase),
            deadline=deadline,
            cancel=cancel,
        )
        result.llm_output = raw
        if outcome != "done":
            result.rejected = outcome
        else:
            self.interpret(raw, ctx, candidates, rephrase, result)
        result.seconds = time.monotonic() - started
        return result

    @staticmethod
    def interpret(raw: str, ctx: FollowUpContext, candidates: list[Candidate], rephrase: bool, result: FollowUp) -> None:
        """Apply the model's JSON to `result` if it is valid; otherwise record why not."""
        try:
            data = json.loads(raw)
            choice = int(data["choice"])
        except (ValueError, KeyError, TypeError):
            result.rejected = "not valid JSON"
            return
        if not 1 <= choice <= len(candidates):
            result.rejected = f"choice {choice} out of range"
            return
        picked = candidates[choice - 1]
        result.text, result.source, result.target = picked.text, "llm-choice", picked.target
        if rephrase:
            text = str(data.get("question", "")).strip()
            problem = validate(text, ctx)
            if problem is None:
                result.text, result.source = text, "llm-rephrased"
            else:
                result.rejected = f"rephrasing {problem}"

    def _messages(self, ctx: FollowUpContext, candidates: list[Candidate], rephrase: bool) -> list[dict]:
        words = ctx.answer_text.split()
        excerpt = " ".join(words[-self.answer_words :])
        listing = "\n".join(f"{i}. {c.text}" for i, c in enumerate(candidates, 1))
        task = (
            "Pick the follow-up that best probes a gap in the candidate's answer, then rewrite it as one short spoken "
            "question (at most 30 words) that quotes the candidate's own words where it helps."
            if rephrase
            else "Pick the follow-up that best probes a gap in the candidate's answer."
        )
        system = f"{ctx.persona.prompt} {ctx.persona.followup_style} {task} Reply in JSON."
        user = f'Interview question: {ctx.question.text}\nCandidate said: "{excerpt}"\nPossible follow-ups:\n{listing}'
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    @staticmethod
    def _schema(n: int, rephrase: bool) -> dict:
        props: dict = {"choice": {"type": "integer", "enum": list(range(1, n + 1))}}
        required = ["choice"]
        if rephrase:
            props["question"] = {"type": "string", "maxLength": 240}
            required.append("question")
        return {"type": "object", "properties": props, "required": required}


class SpeculativePlanner:
    """Plans while the candidate pauses, and throws the draft away if they go on.

    `update(ctx)` starts (or restarts) a background draft; `finish(ctx, budget)` returns the
    draft when it was made for the same understanding of the answer, otherwise it
    falls back to the best deterministic candidate at once.
    """

    def __init__(self, planner: FollowUpPlanner) -> None:
        self.planner = planner
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._threads: list[threading.Thread] = []
        self._cancel = threading.Event()
        self._draft_key: tuple | None = None
        self._draft: FollowUp | None = None
        self.discarded = 0
        self._had_draft = False

    def update(self, ctx: FollowUpContext) -> None:
        key = ctx.key()
        with self._lock:
            if key == self._draft_key:
                return
            self._stop_locked()
            if self._draft is not None:
                self.discarded += 1
            self._draft_key, self._draft = key, None
            self._cancel = threading.Event()
            cancel = self._cancel
            self._thread = threading.Thread(target=self._run, args=(ctx, key, cancel), name="mockloop-followup-draft", daemon=True)
            self._thread.start()
            self._threads = [t for t in self._threads if t.is_alive()] + [self._thread]

    def _run(self, ctx: FollowUpContext, key: tuple, cancel: threading.Event) -> None:
        draft = self.planner.plan(ctx, cancel=cancel)
        with self._lock:
            if self._draft_key == key and not cancel.is_set():
                self._draft = draft

    def _stop_locked(self) -> None:
        self._cancel.set()

    def finish(self, ctx: FollowUpContext, budget: float = 0.3) -> FollowUp | None:
        """The follow-up to speak now: the matching draft if it is ready within `budget`,
        else the best deterministic candidate at once (a late LLM never delays the reply)."""
        started = time.monotonic()
        with self._lock:
            thread = self._thread if ctx.key() == self._draft_key else None
            self._had_draft = self._draft_key is not None
        if thread is not None:
            thread.join(budget)
            with self._lock:
                draft = self._draft if ctx.key() == self._draft_key else None
            if draft is not None:
                draft.from_draft = True
                draft.seconds = time.monotonic() - started
                self.cancel()
                return draft
        self.cancel()
        result = self.planner.fallback(ctx)
        if result is not None:
            if thread is not None:
                result.rejected = "no draft in time"
            else:
                result.rejected = "answer changed since the last draft" if self._had_draft else "no pause to draft in"
            result.seconds = time.monotonic() - started
        return result

    def cancel(self) -> None:
        with self._lock:
            self._stop_locked()
            self._draft_key, self._draft = None, None

    def wait_draft(self, timeout: float | None = None) -> FollowUp | None:
        """Block until the current draft is made (benchmarks and tests); the draft, or None."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            return self._draft

    def close(self, timeout: float | None = None) -> None:
        """Cancel any draft and wait for its thread (it stops within one token)."""
        self.cancel()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
