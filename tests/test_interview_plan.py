"""Planning an interview: the loop's rounds, question choice by role and weak axes, design phases."""

from __future__ import annotations

import pytest

from mockloop.engine.bank import load_banks
from mockloop.engine.bank.schema import Kind, Role
from mockloop.engine.interview.plan import design_phases, plan_loop, plan_practice


@pytest.fixture(scope="module")
def bank():
    return load_banks().bank("twitter-x")


def _kinds(bank, ids):
    by_id = {q.id: q for q in bank.questions}
    return [by_id[i].kind for i in ids]


def test_loop_starts_with_the_recruiter_screen_then_technical_rounds(bank):
    rounds = plan_loop(bank, role=Role.DATA_SCIENTIST)
    assert rounds[0].stage == "recruiter-screen" and rounds[0].budget_seconds == 30 * 60
    texts = [next(q.text for q in bank.questions if q.id == i) for i in rounds[0].questions]
    assert texts[0].lower().startswith("tell me about yourself") and "why do you want to work" in texts[1].lower()
    technical = rounds[1:]
    assert 3 <= len(technical) <= 4 and all(r.budget_seconds == 45 * 60 for r in technical)
    assert Kind.SYSTEM_DESIGN in {k for r in technical for k in _kinds(bank, r.questions)}
    asked = [i for r in rounds for i in r.questions]
    assert len(asked) == len(set(asked))


def test_role_filters_questions_but_an_mle_still_gets_a_design_round(bank):
    rounds = plan_loop(bank, role=Role.ML_ENGINEER)
    by_id = {q.id: q for q in bank.questions}
    technical_ids = [i for r in rounds[1:] for i in r.questions]
    assert all(by_id[i].role in (Role.ML_ENGINEER, Role.ANY) for i in technical_ids if by_id[i].kind is Kind.TECHNICAL)
    assert any(by_id[i].kind is Kind.SYSTEM_DESIGN for i in technical_ids)


def test_weak_axes_are_practised_first(bank):
    strengths = {axis.id: 0.9 for axis in bank.radar_axes}
    strengths["graph-ml"] = 0.1
    rounds = plan_loop(bank, role=Role.ML_ENGINEER, axis_strength=strengths)
    first_technical = rounds[1].questions[0]
    assert "graph-ml" in bank.axes_for(next(q for q in bank.questions if q.id == first_technical))


def test_least_practised_questions_come_before_practised_ones(bank):
    baseline = plan_loop(bank, role=Role.ML_ENGINEER, seed=3)
    practised = {qid: 5 for qid in baseline[1].questions}
    again = plan_loop(bank, role=Role.ML_ENGINEER, seed=3, practised=practised)
    assert not set(again[1].questions) & set(baseline[1].questions)


def test_plans_are_deterministic_per_seed(bank):
    assert [r.questions for r in plan_loop(bank, seed=11)] == [r.questions for r in plan_loop(bank, seed=11)]


def test_practice_and_design_phases(bank):
    design = next(q for q in bank.questions if q.kind is Kind.SYSTEM_DESIGN)
    [round_] = plan_practice(bank, design)
    assert round_.questions == [design.id] and round_.budget_seconds == 45 * 60
    phases = design_phases(round_.seconds_per_question())
    assert [p.id for p in phases] == ["clarify", "high-level", "deep-dive", "wrap-up"]
    assert sum(p.seconds for p in phases) == pytest.approx(45 * 60)
    technical = next(q for q in bank.questions if q.kind is Kind.TECHNICAL)
    assert plan_practice(bank, technical)[0].budget_seconds == 15 * 60
