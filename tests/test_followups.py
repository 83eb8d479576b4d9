"""Follow-ups: candidates from gaps and named concepts, validation, the real LLM, drafts and fallbacks."""

from __future__ import annotations

import json
import time

import pytest

from mockloop.engine.bank import load_banks
from mockloop.engine.interview.followups import (
    FollowUp,
    FollowUpContext,
    FollowUpPlanner,
    SpeculativePlanner,
    build_candidates,
    validate,
)

ANSWER = (
    "Um so I would first, uh, downsample the negatives, like keep maybe one percent of the ham tweets, "
    "and then I'd use focal loss because it focuses on the hard examples. And then evaluate with precision and recall."
)


@pytest.fixture(scope="module")
def spam():
    banks = load_banks()
    return banks.find("mle-spam-class-imbalance")


def _ctx(spam, persona_id="standard", coverage=None, asked=None, answer=ANSWER, terms=("focal loss", "downsample")):
    bank, q = spam
    cov = {p.id: "missing" for p in q.rubric}
    cov.update(coverage or {})
    return FollowUpContext(q, bank, bank.persona(persona_id), answer, cov, list(terms), list(asked or [q.text]))


def test_missing_heavy_points_come_first_and_concepts_quote_the_candidate(spam):
    _, q = spam
    heaviest = max(q.rubric, key=lambda p: p.weight)
    covered_all_but_heaviest = {p.id: "covered" for p in q.rubric if p.id != heaviest.id}
    cands = build_candidates(_ctx(spam, coverage=covered_all_but_heaviest))
    assert cands[0].source == "rubric-gap" and cands[0].target == heaviest.id
    assert cands[0].text in q.probes
    concept = [c for c in cands if c.source == "concept"]
    assert concept and concept[0].text.startswith("You mentioned focal loss")


def test_persona_changes_the_concept_probe(spam):
    bar = [c.text for c in build_candidates(_ctx(spam, "bar-raiser")) if c.source == "concept"]
    warm = [c.text for c in build_candidates(_ctx(spam, "hiring-manager")) if c.source == "concept"]
    assert bar[0] != warm[0] and "break" in bar[0] and "own" in warm[0]


def test_already_asked_questions_are_not_candidates(spam):
    _, q = spam
    asked = [q.text, *q.probes]
    texts = [c.text for c in build_candidates(_ctx(spam, asked=asked))]
    assert not set(texts) & set(q.probes)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Why focal loss? And why not class weights?", "not exactly one question"),
        ("Why focal loss over class weights", "not exactly one question"),
        ("I would use focal loss because it is better, wouldn't you agree?", "speaks as the wrong role"),
        ("What is your favourite holiday destination this summer?", "off topic"),
        (" ".join(["why"] * 36) + "?", "longer than 35 words"),
        ("How do you handle severe class imbalance when training a spam detection model?", "repeats the interview question"),
        ("Consider these: 1. focal loss 2. weights. Which one?", "contains a list"),
    ],
)
def test_validation_rejects_bad_followups(spam, text, reason):
    assert validate(text, _ctx(spam)) == reason


def test_validation_accepts_a_good_followup(spam):
    assert validate("You said you'd downsample negatives: how do you recalibrate the scores afterwards?", _ctx(spam)) is None


def test_the_bundled_model_is_kept_out_of_the_followup(spam, llm):
    """135M parameters: its choice did not beat the deterministic order, so it is never asked."""
    planner = FollowUpPlanner(llm)
    assert llm.n_parameters < 1_000_000_000 and not planner.uses_llm
    result = planner.plan(_ctx(spam))
    assert result.llm_output is None and result.rejected is None
    assert result.text == build_candidates(_ctx(spam))[0].text


def large_model_path(llm) -> FollowUpPlanner:
    """The path a model of 1B parameters or more takes, driven by the bundled model."""
    return FollowUpPlanner(llm, min_parameters=0)


def test_real_llm_picks_one_of_the_candidates(spam, llm):
    ctx = _ctx(spam)
    result = large_model_path(llm).plan(ctx)
    assert result.source == "llm-choice", result
    assert result.text in result.candidates
    assert json.loads(result.llm_output)["choice"] in range(1, len(result.candidates) + 1)


def test_junk_llm_output_falls_back_to_the_best_probe(spam):
    ctx = _ctx(spam)
    cands = build_candidates(ctx)[:4]
    for junk in ["", "The answer is focal loss.", '{"choice": 9}', '{"pick": 1}', "{not json"]:
        result = FollowUp(cands[0].text, cands[0].source, cands[0].target, [c.text for c in cands])
        FollowUpPlanner.interpret(junk, ctx, cands, False, result)
        assert result.source == cands[0].source and result.text == cands[0].text and result.rejected


def test_rephrasing_from_a_capable_model_is_validated(spam):
    ctx = _ctx(spam)
    cands = build_candidates(ctx)[:4]
    good = json.dumps({"choice": 2, "question": "You said focal loss focuses on hard examples: how would you tune its gamma here?"})
    bad = json.dumps({"choice": 2, "question": "Sure! Here are some questions: why? how?"})
    r1 = FollowUp(cands[0].text, cands[0].source, None, [])
    FollowUpPlanner.interpret(good, ctx, cands, True, r1)
    assert r1.source == "llm-rephrased" and "gamma" in r1.text
    r2 = FollowUp(cands[0].text, cands[0].source, None, [])
    FollowUpPlanner.interpret(bad, ctx, cands, True, r2)
    assert r2.source == "llm-choice" and r2.text == cands[1].text and r2.rejected.startswith("rephrasing")


def test_an_llm_past_its_deadline_gives_the_rubric_probe(spam, llm):
    result = large_model_path(llm).plan(_ctx(spam), deadline=time.monotonic())
    assert result.rejected == "timeout" and result.source in {"rubric-gap", "concept", "bank-probe"}
    assert result.text == result.candidates[0]


def test_draft_made_during_a_pause_is_used_at_turn_end(spam, llm):
    speculative = SpeculativePlanner(large_model_path(llm))
    ctx = _ctx(spam)
    speculative.update(ctx)
    result = speculative.finish(ctx, budget=120)  # generous: this test checks the draft is reused, not speed
    speculative.close()
    assert result.from_draft and result.source == "llm-choice"


def test_draft_is_thrown_away_when_the_candidate_goes_on(spam, llm):
    _, q = spam
    speculative = SpeculativePlanner(large_model_path(llm))
    speculative.update(_ctx(spam))
    later = _ctx(spam, coverage={q.rubric[0].id: "covered"}, terms=("focal loss", "downsample", "class weights"))
    speculative.update(later)  # the candidate kept talking and covered more
    assert speculative.discarded in (0, 1)
    final = _ctx(spam, coverage={q.rubric[0].id: "covered", q.rubric[1].id: "covered"})
    result = speculative.finish(final, budget=0.3)
    speculative.close()
    assert not result.from_draft and result.rejected == "answer changed since the last draft"
    assert result.text == build_candidates(final)[0].text
