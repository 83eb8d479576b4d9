"""Scoring a coding answer: the hidden tests, what was said (approach, complexity, edge cases) and
whether it was said before the code, the seed's rule "explain your thought process before writing code".

`score_coding_answer` scores the spoken answer as any other (rubric by phrases and meaning), then:
- correctness is the share of hidden tests the final code passed (0 when it never ran or compiled);
- approach keeps its full weight only when an approach point was heard before the first line of code;
- complexity loses `SLOWER_THAN_TARGET` when the code's loops nest deeper than the target allows;
- communication is half the usual (rubric and delivery), half thinking aloud while coding.
"""

from __future__ import annotations

from typing import Callable, Sequence

from mockloop.engine.bank.schema import Bank, Question
from mockloop.engine.coding.complexity import estimate, worse_than_target
from mockloop.engine.coding.results import RunResult, RunStatus
from mockloop.engine.coding.think_aloud import SILENT_TYPING_S, CodeThinkAloud, measure
from mockloop.engine.coding.timeline import EditTimeline
from mockloop.engine.scoring import SHARED, AnswerScore, score_answer
from mockloop.engine.scoring.rubric import BY_NAMING, MISSING
from mockloop.engine.scoring.scorer import MISCONCEPTION_OVERALL, Judge, _ramp, _weighted_overall
from mockloop.engine.speech.transcript import Transcript

NOT_BEFORE_CODE = 0.6  # approach said only after coding began keeps this share
SLOWER_THAN_TARGET = 25.0
THINK_ALOUD_SHARE = 0.5  # of communication
SPOKE_ENOUGH_S = 20.0  # speech before the first line that counts as explaining first


def _before(transcript: Transcript, seconds: float) -> Transcript:
    words = [w for w in transcript.words if w.end <= seconds + 0.25]
    return Transcript(" ".join(w.text for w in words), words, seconds)


def think_aloud_part(ta: CodeThinkAloud) -> float | None:
    """0..1: explained before coding, narrated while coding, no long silent typing."""
    if not ta.timed or ta.first_code_s is None:
        return None
    parts = [min(1.0, (ta.spoke_before_code_s or 0.0) / SPOKE_ENOUGH_S),
             min(1.0, (ta.narrated_share or 0.0) / 0.5),
             _ramp(ta.longest_silent_typing_s or 0.0, SILENT_TYPING_S, 90.0)]
    return sum(parts) / len(parts)


def score_coding_answer(
    question: Question,
    bank: Bank | None,
    transcript: Transcript | str,
    *,
    code: str,
    run: RunResult | None,
    timeline: EditTimeline | None = None,
    runs: int = 0,
    nudges: int = 0,
    judge: Judge | Callable | None = None,
    encoder: object = SHARED,
    exchanges: Sequence = (),
) -> AnswerScore:
    """Score a coding answer from its words, its final code and that code's run (None: never ran)."""
    task = question.coding
    assert task is not None, f"{question.id} is not a coding question"
    base = score_answer(question, bank, transcript, nudges=nudges, judge=judge, encoder=encoder, exchanges=exchanges)
    spoken = base.scored
    words = transcript.words if isinstance(transcript, Transcript) else []
    ta = measure(words, timeline, runs)
    stated_first: bool | None = None
    if ta.timed and ta.first_code_s is not None and isinstance(transcript, Transcript) and spoken:
        early = score_answer(question, bank, _before(transcript, ta.first_code_s), encoder=encoder)
        stated_first = any(p.dimension == "approach" and p.status != MISSING and p.judged_by != BY_NAMING
                           for p in early.rubric)
    elif ta.timed and ta.first_code_s is None:
        stated_first = None  # no code written: nothing to be before
    found = estimate(code, task.function)
    slower = worse_than_target(found, task.complexity.time)
    said_complexity = any(p.dimension == "complexity" and p.status != MISSING for p in base.rubric)
    passed, total = (run.passed, run.total) if run is not None else (0, len(task.cases))
    ran = run is not None and run.status not in (RunStatus.UNAVAILABLE,)
    correctness = 100.0 * passed / total if ran and total else 0.0

    # Code written in silence scores nothing for what was not said: only its tests count.
    dims = dict(base.score.dimensions) if spoken else {d: 0.0 for d in base.score.dimensions}
    if spoken:
        if dims.get("approach") is not None and stated_first is False:
            dims["approach"] = round(dims["approach"] * NOT_BEFORE_CODE, 1)
        if slower and dims.get("complexity") is not None:
            dims["complexity"] = round(max(0.0, dims["complexity"] - SLOWER_THAN_TARGET), 1)
        part = think_aloud_part(ta)
        if part is not None and dims.get("communication") is not None:
            dims["communication"] = round((1 - THINK_ALOUD_SHARE) * dims["communication"] + THINK_ALOUD_SHARE * 100 * part, 1)
    dims["correctness"] = round(correctness, 1)
    overall = _weighted_overall(dims, base.score.weights)
    if overall is not None and base.misconceptions:
        overall = round(max(0.0, overall - MISCONCEPTION_OVERALL * len(base.misconceptions)), 1)
    base.score.dimensions = dims
    base.score.overall = base.score.deterministic_overall = overall
    base.scored = overall is not None
    base.coding = {
        "function": task.function,
        "code": code,
        "tests": run.to_dict() if run is not None else None,
        "passed": passed, "total": total,
        "think_aloud": ta.to_dict(),
        "approach_before_code": stated_first,
        "complexity": {"target": task.complexity.time, "said": said_complexity,
                       "estimate": found.to_dict() if found is not None else None, "slower_than_target": slower},
    }
    strengths, gaps = _lines(base.coding, ta)
    base.feedback.strengths = strengths + base.feedback.strengths
    base.feedback.gaps = gaps + base.feedback.gaps
    if not spoken:
        base.notes.append("Nothing was said, so only the tests were scored; explain your approach aloud next time.")
    return base


def _lines(coding: dict, ta: CodeThinkAloud) -> tuple[list[str], list[str]]:
    """Feedback lines about the code and the thinking aloud: (strengths, gaps)."""
    good, gaps = [], []
    tests = coding["tests"]
    if tests is None:
        gaps.append("The code was never run against the tests: press Run (Ctrl+Enter) before you say you're done.")
    elif coding["passed"] == coding["total"]:
        good.append(f"All {coding['total']} hidden tests passed.")
    else:
        gaps.append(f"{coding['passed']} of {coding['total']} hidden tests passed: {tests['summary']}")
    if ta.timed and ta.first_code_s is not None:
        said = ta.spoke_before_code_s or 0.0
        if coding["approach_before_code"]:
            good.append(f"You explained your approach first: you spoke for {said:.0f} s before the first line of code.")
        else:
            gaps.append(f"You spoke for {said:.0f} s before the first line of code without stating an approach: "
                        "say what you will build and why before you type.")
        if (ta.longest_silent_typing_s or 0.0) >= SILENT_TYPING_S:
            gaps.append(f"You typed for {ta.longest_silent_typing_s:.0f} s without a word: talk through what you're writing.")
    complexity = coding["complexity"]
    if complexity["slower_than_target"]:
        gaps.append(f"Your loops nest like {complexity['estimate']['order']}; the target is {complexity['target']}.")
    if not complexity["said"]:
        gaps.append(f"Say the complexity aloud (the target here is {complexity['target']}).")
    return good, gaps
