"""A local LLM as a scoring judge: one JSON score per dimension, blended only from 1B parameters.

The deterministic score stands alone unless `scorer.blend_allowed` admits the model; what the
judge returns is validated by `scorer.apply_judge` (known dimensions, finite, clamped to 0-100),
and a judge that fails, is late or returns junk leaves the deterministic score untouched.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Mapping

from mockloop.engine.scoring.scorer import JudgeRequest, blend_allowed

if TYPE_CHECKING:
    from mockloop.engine.models.llm import LocalLLM

TRANSCRIPT_WORDS = 400
SYSTEM = ("You are a strict senior interviewer at Twitter / X scoring one answer. Judge what the candidate claims, "
          "not the words they use: a bare list of terms, techniques named only to be rejected and confident wrong "
          "claims all score low; a correct answer in plain words scores high. Reply in JSON with an integer from 0 "
          "to 100 for each dimension.")


class LLMJudge:
    """Scores an answer's dimensions with a local LLM; `n_parameters` tells `apply_judge` whether it may count."""

    def __init__(self, llm: "LocalLLM", seconds: float = 8.0) -> None:
        self.llm = llm
        self.seconds = seconds
        self.n_parameters = llm.n_parameters

    def messages(self, request: JudgeRequest) -> list[dict]:
        words = request.transcript.split()
        rubric = "\n".join(f"- ({p['dimension']}) {p['point']} [deterministic: {p['status']}]" for p in request.rubric)
        user = (f"Question ({request.kind}): {request.question}\nWhat a strong answer covers:\n{rubric}\n"
                f"Dimensions: {', '.join(request.dimensions)}\nAnswer: \"{' '.join(words[-TRANSCRIPT_WORDS:])}\"")
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]

    def __call__(self, request: JudgeRequest) -> Mapping[str, float]:
        schema = {"type": "object", "required": list(request.dimensions),
                  "properties": {d: {"type": "integer", "minimum": 0, "maximum": 100} for d in request.dimensions}}
        raw, outcome = self.llm.chat_until(self.messages(request), max_tokens=16 * len(request.dimensions) + 16,
                                           json_schema=schema, deadline=time.monotonic() + self.seconds)
        if outcome != "done":
            raise TimeoutError(f"the judge did not finish ({outcome})")
        return json.loads(raw)


def judge_for(llm: "LocalLLM | None") -> LLMJudge | None:
    """The judge a model may be: none below 1B parameters (the bundled model never scores)."""
    return LLMJudge(llm) if llm is not None and blend_allowed(llm.n_parameters) else None
