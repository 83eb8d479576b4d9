"""Scoring a coding answer on the real text model and the real sandbox, against answers written to fool it.

Each answer is a transcript with word timings (what the microphone would give) and an editor
timeline; the code is run against the question's hidden tests as the window runs it.
"""

from __future__ import annotations

import pytest

from mockloop.engine.bank import load_banks
from mockloop.engine.coding.sandbox import run_tests
from mockloop.engine.coding.timeline import EditTimeline
from mockloop.engine.interview.followup_candidates import FollowUpContext, build_candidates
from mockloop.engine.scoring.coding import score_coding_answer
from mockloop.engine.speech.transcript import Transcript, Word

from coding_answers import IGNORES_TIES

QUESTION = "code-roc-auc"

EXPLAINED = ("Okay so the AUC is the probability that a random positive gets a higher score than a random negative. "
             "Rather than comparing every pair, which is quadratic, I'll sort the scores once and use the rank sum of "
             "the positives, the Mann Whitney statistic. Ties get the average rank so a tied pair counts as half, and "
             "if all the scores are equal it should come out at one half. If there are no positives or no negatives "
             "it's undefined, so I return not a number. The sort dominates, so it's n log n time and linear extra memory.")
WHILE_TYPING = "so I sort the pairs, then walk each group of tied scores and give it the mean rank, let me check a small example by hand"
KEYWORDS = ("AUC rank sum Mann Whitney n log n sort ties average rank nan quadratic all pairs random positive "
            "random negative linear pass")
CONFIDENT_WRONG = ("I'll sort by score and count, for every positive, the negatives below it. Ties don't matter, just "
                   "sort and ignore ties, they are rare anyway. It's n log n.")

PAIRWISE = '''def roc_auc(scores, labels):
    pos = [s for s, y in zip(scores, labels) if y == 1]
    neg = [s for s, y in zip(scores, labels) if y == 0]
    if not pos or not neg:
        return float("nan")
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))
'''


@pytest.fixture(scope="module")
def question():
    bank, q = load_banks().find(QUESTION)
    return bank, q


def spoken(*parts: tuple[float, str]) -> Transcript:
    """Words at 0.35 s each from each part's start time, as Whisper would time them."""
    words = []
    for start, text in parts:
        t = start
        for token in text.split():
            words.append(Word(token, round(t, 2), round(t + 0.3, 2), 0.95))
            t += 0.35
    return Transcript(" ".join(w.text for w in words), words, max(w.end for w in words) if words else 0.0)


def typed(code: str, start: float, seconds: float, starter: str) -> EditTimeline:
    """The starter replaced by `code`, typed a character at a time over `seconds` from `start`."""
    timeline = EditTimeline(starter)
    timeline.add(start, 0, len(starter), "")
    step = seconds / max(1, len(code))
    for i, ch in enumerate(code):
        timeline.add(start + i * step, i, 0, ch)
    return timeline


def score(question, transcript, code, timeline, runs=1, ran=True):
    bank, q = question
    result = run_tests(code, q.coding.function, q.coding.cases) if ran else None
    return score_coding_answer(q, bank, transcript, code=code, run=result, timeline=timeline, runs=runs)


def test_explained_first_then_written_and_passing_scores_high(question):
    _, q = question
    talk = spoken((0.0, EXPLAINED), (40.0, WHILE_TYPING))
    s = score(question, talk, q.coding.reference, typed(q.coding.reference, 38.0, 60.0, q.coding.starter))
    c = s.coding
    assert c["passed"] == c["total"] == len(q.coding.cases) and c["tests"]["status"] == "passed"
    assert c["approach_before_code"] is True
    assert c["think_aloud"]["spoke_before_code_s"] > 25 and c["think_aloud"]["first_code_s"] == 38.0
    assert c["complexity"]["said"] and not c["complexity"]["slower_than_target"]
    assert s.score.dimensions["correctness"] == 100.0 and s.score.overall >= 70
    assert any("before the first line of code" in line for line in s.feedback.strengths)


def test_keywords_and_pasted_code_score_below_the_explained_answer(question):
    _, q = question
    strong = score(question, spoken((0.0, EXPLAINED), (40.0, WHILE_TYPING)), q.coding.reference,
                   typed(q.coding.reference, 38.0, 60.0, q.coding.starter))
    pasted = EditTimeline(q.coding.starter)
    pasted.add(1.0, 0, len(q.coding.starter), q.coding.reference)  # the whole solution at once, before a word
    gamed = score(question, spoken((3.0, KEYWORDS)), q.coding.reference, pasted)
    assert gamed.coding["passed"] == gamed.coding["total"]  # the code itself is right...
    assert gamed.coding["approach_before_code"] is False and gamed.coding["think_aloud"]["spoke_before_code_s"] == 0.0
    assert gamed.score.dimensions["approach"] < strong.score.dimensions["approach"]
    assert gamed.score.dimensions["communication"] < strong.score.dimensions["communication"]
    assert gamed.score.overall < strong.score.overall - 10
    assert any("without stating an approach" in line for line in gamed.feedback.gaps)


def test_code_typed_in_silence_scores_only_its_tests(question):
    _, q = question
    silent = score(question, Transcript("", [], 90.0), q.coding.reference, typed(q.coding.reference, 5.0, 60.0, q.coding.starter))
    assert silent.score.dimensions["correctness"] == 100.0
    assert all(v == 0.0 for d, v in silent.score.dimensions.items() if d != "correctness")
    assert silent.score.overall < 35


def test_saying_n_log_n_over_nested_loops_is_challenged(question):
    _, q = question
    s = score(question, spoken((0.0, EXPLAINED)), PAIRWISE, typed(PAIRWISE, 40.0, 30.0, q.coding.starter))
    assert s.coding["passed"] == s.coding["total"]  # correct, only slow
    assert s.coding["complexity"]["slower_than_target"] and s.coding["complexity"]["estimate"]["order"] == "O(n²)"
    fast = score(question, spoken((0.0, EXPLAINED)), q.coding.reference, typed(q.coding.reference, 40.0, 30.0, q.coding.starter))
    assert s.score.dimensions["complexity"] <= fast.score.dimensions["complexity"] - 20
    bank, _ = question
    first = build_candidates(FollowUpContext.for_answer(q, bank, bank.personas[0], s.text, s, [q.text]))[0]
    assert first.text == "That's O(n²). Can you do better for a million tweets?" and first.source == "complexity"


def test_a_failing_case_is_put_to_the_candidate(question):
    bank, q = question
    s = score(question, spoken((0.0, EXPLAINED)), IGNORES_TIES, typed(IGNORES_TIES, 40.0, 30.0, q.coding.starter))
    assert 0 < s.coding["passed"] < s.coding["total"]
    failed = [c for c in s.coding["tests"]["cases"] if not c["passed"]]
    assert any("tie" in c["name"] or "equal" in c["name"] for c in failed)
    assert s.score.dimensions["correctness"] < 100
    first = build_candidates(FollowUpContext.for_answer(q, bank, bank.personas[0], s.text, s, [q.text]))[0]
    assert first.source == "failing-case" and first.text.startswith("Your function returns ")
    assert failed[0]["name"] in first.text and first.text.endswith("Is that right?")


def test_a_confident_wrong_claim_is_challenged_before_the_code(question):
    bank, q = question
    s = score(question, spoken((0.0, CONFIDENT_WRONG)), IGNORES_TIES, typed(IGNORES_TIES, 20.0, 30.0, q.coding.starter))
    assert [m.id for m in s.misconceptions] == ["ties-do-not-matter"]
    candidates = build_candidates(FollowUpContext.for_answer(q, bank, bank.personas[0], s.text, s, [q.text]))
    assert [c.source for c in candidates[:2]] == ["misconception", "failing-case"]


def test_code_never_run_is_run_at_the_end_or_asked_about(question):
    bank, q = question
    talk = spoken((0.0, EXPLAINED))
    never = score(question, talk, q.coding.starter, EditTimeline(q.coding.starter), runs=0, ran=False)
    assert never.coding["tests"] is None and never.score.dimensions["correctness"] == 0.0
    first = build_candidates(FollowUpContext.for_answer(q, bank, bank.personas[0], never.text, never, [q.text]))[0]
    assert first.source == "code-not-run"
    stub = score(question, talk, q.coding.starter, EditTimeline(q.coding.starter), runs=1)
    assert stub.coding["passed"] == 0 and stub.coding["think_aloud"]["first_code_s"] is None


def test_a_syntax_error_scores_no_correctness_and_is_said(question):
    bank, q = question
    broken = "def roc_auc(scores, labels):\n    return (\n"
    s = score(question, spoken((0.0, EXPLAINED)), broken, typed(broken, 40.0, 5.0, q.coding.starter))
    assert s.coding["tests"]["status"] == "syntax" and s.score.dimensions["correctness"] == 0.0
    first = build_candidates(FollowUpContext.for_answer(q, bank, bank.personas[0], s.text, s, [q.text]))[0]
    assert first.source == "code-error" and "Line" in first.text
