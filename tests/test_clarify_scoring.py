"""Clarifying questions in the score, on answers written for this test: asking for the constraints that
matter counts toward the clarifying point (one step, never down), the important facts never asked for
are named, and questions alone, or questions piled on a list of terms, do not make a good answer.

Real bank, real text model; the exchanges come from the real detector reading the typed answer.
"""

from __future__ import annotations

import pytest

from mockloop.engine.bank import load_banks
from mockloop.engine.interview.replies import exchanges_in_text
from mockloop.engine.models.text_model import shared_encoder
from mockloop.engine.scoring import score_answer
from mockloop.engine.scoring.clarify import BY_ASKING, clarifying_point

pytestmark = [pytest.mark.models]

ASKING = "Before I design anything, how many posts a day are we talking about? And how fresh does the trends list need to be? "
STRONG = (
    "Okay, so I'd say a topic is trending when people talk about it much more than they usually do at this hour, not just "
    "when lots of people mention it, because big topics like football are always large. First I'd pull hashtags, names of "
    "people and places and short phrases out of each post, and merge spellings that mean the same thing. Then I'd count "
    "them in one minute buckets where older buckets fade away, and compare each topic's current rate with what we would "
    "expect for that hour and weekday, so the bigger the jump over that baseline, the higher it ranks. To keep up with the "
    "volume the counting runs on the stream with approximate counters that keep only the heaviest topics in fixed memory, "
    "and the list refreshes about every minute. I'd count distinct accounts rather than raw posts, so a botnet pushing one "
    "hashtag doesn't win, and I'd drop brand new accounts and coordinated clusters before they reach the list."
)
QUESTIONS_ONLY = ("Before I start, what is the expected traffic, and what is the latency budget? "
                  "Can I assume we have labels from user reports?")
# Every constraint asked for, then nothing but the rubric's vocabulary: asking must not carry it.
PILED = ("How many tweets a day? How fresh does the list need to be? Do we have labels? Do people try to manipulate trends? "
         "Is this global or local? What infrastructure do we have? Hashtags, named entities, n-grams, sliding window, "
         "time decay, baseline, z-score, count-min sketch, heavy hitters, Kafka, Flink, unique authors, bot detection.")
_RANK = {"missing": 0, "partial": 1, "covered": 2}


@pytest.fixture(scope="module")
def setup():
    bank, question = load_banks().find("ds-trending-topics")
    return bank, question, shared_encoder()


def _score(setup, text: str, asked: bool = True):
    bank, question, encoder = setup
    exchanges = exchanges_in_text(text, question, bank.persona("standard"), encoder) if asked else []
    return score_answer(question, bank, text, encoder=encoder, exchanges=exchanges), exchanges


def test_the_two_questions_are_heard_and_answered_from_the_scenario(setup):
    _, exchanges = _score(setup, ASKING + STRONG)
    assert [(e.intent, e.fact_id) for e in exchanges] == [("clarify", "post-volume"), ("clarify", "trend-freshness")]
    assert "six thousand posts a second" in exchanges[0].reply and "minute" in exchanges[1].reply


def test_asking_counts_toward_the_clarifying_point_and_never_lowers_anything(setup):
    plain, _ = _score(setup, STRONG, asked=False)
    asked, _ = _score(setup, ASKING + STRONG)
    point = clarifying_point(setup[1])
    before = {p.id: p for p in plain.rubric}
    after = {p.id: p for p in asked.rubric}
    assert all(_RANK[after[i].status] >= _RANK[before[i].status] for i in before)
    assert asked.score.overall >= plain.score.overall
    credited = after[point]
    cited = [e for e in credited.evidence if e.signal.startswith("asked: ")]
    assert [e.signal for e in cited] == ["asked: post-volume", "asked: trend-freshness"]
    assert all(asked.text[e.start_char:e.end_char] == e.match and e.match.endswith("?") for e in cited)
    info = asked.clarifying
    assert info["asked_facts"] == ["post-volume", "trend-freshness"] and info["credit"]["point"] == point
    print(f"\noverall without questions {plain.score.overall}, with {asked.score.overall}; "
          f"{point}: {before[point].status} -> {credited.status} ({credited.judged_by})")


def test_the_important_facts_never_asked_for_are_named_with_their_figures(setup):
    asked, _ = _score(setup, ASKING + STRONG)
    unasked = {u["id"]: u for u in asked.clarifying["unasked"]}
    assert set(unasked) == {"trend-labels", "manipulation-policy"}
    assert all(u["line"].startswith("You never asked") for u in unasked.values())
    assert asked.clarifying["important"] == 4 and asked.clarifying["important_asked"] == 2
    # Nothing asked: every important fact is listed, and no point is credited by asking.
    plain, _ = _score(setup, STRONG, asked=False)
    assert len(plain.clarifying["unasked"]) == 4 and plain.clarifying["credit"]["status"] is None
    assert all(p.judged_by != BY_ASKING for p in plain.rubric)


def test_questions_alone_are_not_an_answer(setup):
    only, exchanges = _score(setup, QUESTIONS_ONLY)
    strong, _ = _score(setup, ASKING + STRONG)
    # One sentence asked two things: each is answered from its own fact.
    assert [e.fact_id for e in exchanges] == ["post-volume", "trend-freshness", "trend-labels"]
    assert not any(p.status == "covered" for p in only.rubric), [(p.id, p.status) for p in only.rubric]
    assert only.clarifying["credit"]["status"] == "partial"  # one step for asking, no more
    assert only.score.overall < 20 and strong.score.overall - only.score.overall > 40


def test_every_constraint_asked_then_a_list_of_terms_stays_far_below_a_plain_answer(setup):
    piled, exchanges = _score(setup, PILED)
    strong, _ = _score(setup, ASKING + STRONG)
    assert len({e.fact_id for e in exchanges if e.fact_id}) >= 5  # it did ask for nearly everything
    assert piled.clarifying["important_asked"] == 4 and piled.clarifying["unasked"] == []
    assert strong.score.overall - piled.score.overall > 25, (strong.score.overall, piled.score.overall)
    credited = [p for p in piled.rubric if p.judged_by == BY_ASKING]
    assert len(credited) <= 1 and all(p.id == clarifying_point(setup[1]) for p in credited)


def test_two_questions_lift_a_half_made_clarifying_point_one_step(setup):
    medium = ("So I would pull the hashtags out of each post and count them per minute on the stream, keep the top ones in "
              "a heap, and refresh the list every minute. I'd also count each author once per hashtag so one account "
              "can't push a tag by itself.")
    plain, _ = _score(setup, medium, asked=False)
    asked, _ = _score(setup, ASKING + medium)
    point = clarifying_point(setup[1])
    before = next(p for p in plain.rubric if p.id == point)
    after = next(p for p in asked.rubric if p.id == point)
    assert before.status == "partial" and (after.status, after.judged_by) == ("covered", BY_ASKING)
    assert asked.clarifying["credit"] == {"point": point, "status": "covered", "before": "partial",
                                          "facts": ["post-volume", "trend-freshness"]}
    assert asked.score.dimensions["problem_understanding"] > plain.score.dimensions["problem_understanding"]
    others = [p.id for p in plain.rubric if p.id != point]
    assert [p.status for p in plain.rubric if p.id in others] == [p.status for p in asked.rubric if p.id in others]
