"""Follow-up questions about what the candidate actually said: rubric gaps, bank probes, named concepts.

Candidates are built deterministically (followup_candidates.py); a local LLM of at least 1B
parameters may pick one and rewrite it from the candidate's words, and every LLM output is
validated. Anything invalid, late or junk falls back to the best deterministic candidate, and the
result says which source won. A smaller model (the bundled one) is never asked.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from mockloop.engine.interview.followup_candidates import (
    Candidate, FollowUpContext, build_candidates, content_words, similar,
)

if TYPE_CHECKING:
    from mockloop.engine.models.llm import LocalLLM

MAX_WORDS = 35
# Below this size the model is kept out of the follow-up: the bundled 135M model's choice did not
# beat the deterministic order (docs/performance.md), and it costs seconds on a busy machine.
LLM_MIN_PARAMETERS = 1_000_000_000
REPHRASE_MIN_PARAMETERS = LLM_MIN_PARAMETERS


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
    if similar(t, ctx.question.text) >= 0.6:
        return "repeats the interview question"
    if any(similar(t, a) >= 0.6 for a in ctx.asked):
        return "repeats an earlier question"
    for term in ctx.rejected:
        if re.search(rf"\byou (said|mentioned|used|suggested|proposed|chose|picked)\b[^?]*\b{re.escape(term.lower())}\b", lowered):
            return "attributes to the candidate something they rejected"
    vocabulary = content_words(ctx.question.text + " " + ctx.answer_text + " " + " ".join(s for p in ctx.question.rubric for s in p.signals))
    if not content_words(t) & vocabulary:
        return "off topic"
    return None


class FollowUpPlanner:
    """Plans one follow-up. Owns no thread itself: callers run `plan` where the LLM lives."""

    def __init__(self, llm: "LocalLLM | None" = None, top_k: int = 4, answer_words: int = 120,
                 min_parameters: int = LLM_MIN_PARAMETERS) -> None:
        """`min_parameters`: the smallest model that takes part (tests lower it to drive the large-model
        path with the bundled model, the only one this machine has)."""
        self.llm = llm
        self.top_k = top_k
        self.answer_words = answer_words
        self.min_parameters = min_parameters

    @property
    def uses_llm(self) -> bool:
        """Whether the LLM takes part: only one big enough to beat the deterministic order."""
        return self.llm is not None and self.llm.n_parameters >= self.min_parameters

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
        if not self.uses_llm or len(candidates) == 1 or candidates[0].source == "misconception":
            # A heard misconception is always challenged: no model may talk the interviewer out of it.
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
