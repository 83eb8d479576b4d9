"""Does the bundled LLM pick better follow-ups than the deterministic order? (docs/performance.md)

For every answer of the adversarial set, the planner's top four candidates are shown to the model
in a shuffled order (so a model that always says "1" gains nothing), and the model picks one with
the planner's own prompt and JSON schema. A pick is right when it is the follow-up a senior
interviewer asks first whatever else was said: the challenge of a misconception the answer made.
It prints one JSON document: how often each side picked the challenge, where the model's picks
fell in the shuffled list, and the model's latency.

    .venv/bin/python scripts/followup_llm_check.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "desktop"))

from mockloop.engine.bank import load_bank_file  # noqa: E402
from mockloop.engine.interview.followups import FollowUpContext, FollowUpPlanner, build_candidates  # noqa: E402
from mockloop.engine.models import registry  # noqa: E402
from mockloop.engine.models.llm import LocalLLM  # noqa: E402
from mockloop.engine.scoring import score_answer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="answers to try (0: all 80)")
    args = parser.parse_args()
    bank = load_bank_file(REPO / "questions" / "twitter-x.yaml")
    by_id = {q.id: q for q in bank.questions}
    answers = yaml.safe_load((REPO / "tests" / "data" / "graded" / "adversarial.yaml").read_text(encoding="utf-8"))
    if args.limit:
        answers = answers[: args.limit]
    info = registry.resolve("llm")
    llm = LocalLLM(info, n_ctx=2048)
    planner = FollowUpPlanner(llm, min_parameters=0)
    rng = random.Random(7)
    rows, seconds = [], []
    for a in answers:
        question = by_id[a["question_id"]]
        result = score_answer(question, bank, a["text"])
        ctx = FollowUpContext.for_answer(question, bank, bank.persona("standard"), a["text"], result, [question.text])
        candidates = build_candidates(ctx)[: planner.top_k]
        if len(candidates) < 2:
            continue
        right = candidates[0].text if candidates[0].source == "misconception" else None
        shown = candidates[:]
        rng.shuffle(shown)
        started = time.perf_counter()
        raw, outcome = llm.chat_until(planner._messages(ctx, shown, False), max_tokens=12,
                                      json_schema=planner._schema(len(shown), False))
        seconds.append(time.perf_counter() - started)
        try:
            pick = shown[int(json.loads(raw)["choice"]) - 1].text if outcome == "done" else None
        except (ValueError, KeyError, TypeError, IndexError):
            pick = None
        rows.append({"question_id": a["question_id"], "kind": a["kind"], "right": right, "llm": pick, "shown": len(shown),
                     "position_of_right": shown.index(candidates[0]) + 1, "llm_position": None if pick is None else
                     [c.text for c in shown].index(pick) + 1})
    with_challenge = [r for r in rows if r["right"] is not None]
    llm.close()
    print(json.dumps({
        "model": info.name,
        "parameters": info.details.get("parameters"),
        "answers": len(rows),
        "answers_with_a_misconception": len(with_challenge),
        "deterministic_picks_the_challenge": 1.0 if with_challenge else None,
        "llm_picks_the_challenge": round(sum(r["llm"] == r["right"] for r in with_challenge) / max(1, len(with_challenge)), 3),
        "chance": round(statistics.fmean(1 / r["shown"] for r in with_challenge), 3) if with_challenge else None,
        "llm_invalid": sum(r["llm"] is None for r in rows),
        "llm_position_counts": {str(p): sum(r["llm_position"] == p for r in rows) for p in range(1, 5)},
        "llm_seconds_median": round(statistics.median(seconds), 3) if seconds else None,
        "llm_seconds_max": round(max(seconds), 3) if seconds else None,
    }, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
