"""Radar (recency-weighted performance over bank difficulty, history per axis), practice plan, stored preferences."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from mockloop.engine.bank import load_banks
from mockloop.engine.progress.practice_plan import (
    DEFAULT_DAYS, MAX_DAYS, SPACING_DAYS, InterviewDateError, PastAnswer, build_plan, parse_interview_date, plan_for,
    question_for_axis,
)
from mockloop.engine.progress.radar import (
    HALF_LIFE_DAYS, backfill_axis_scores, build_radar, difficulty_pct, radar_from_history, recency_weight, weighted_mean,
)
from mockloop.engine.store import AxisScore, SessionStore
from mockloop.engine.store.db import bundled_migrations

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def bank():
    return load_banks().bank("twitter-x")


@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


def _answer(store: SessionStore, bank, question_id: str, overall: float | None, *, with_axes: bool = True,
            status: str = "done") -> str:
    question = next(q for q in bank.questions if q.id == question_id)
    sid = store.create_session("practice", bank.company.id, "standard")
    turn = store.begin_turn(store.add_round(sid, question.round), question_id, interviewer_text=question.text)
    axes = {a: overall for a in bank.axes_for(question)} if with_axes and overall is not None else None
    store.finish_turn(turn.turn_id, status=status, transcript="an answer",
                      scores={"overall": overall} if overall is not None else {}, axis_scores=axes)
    store.finish_session(sid)
    return sid


def _row(axis: str, score: float, days_ago: float, turn: int = 1, question: str = "q") -> AxisScore:
    return AxisScore(turn, f"s{turn}", question, axis, score, NOW - timedelta(days=days_ago))


# -- radar ------------------------------------------------------------------------------------------

def test_recency_weights_halve_every_fourteen_days():
    assert HALF_LIFE_DAYS == 14.0
    assert recency_weight(NOW, NOW) == 1.0
    assert recency_weight(NOW - timedelta(days=14), NOW) == pytest.approx(0.5)
    assert recency_weight(NOW - timedelta(days=28), NOW) == pytest.approx(0.25)
    assert recency_weight(NOW + timedelta(days=3), NOW) == 1.0  # a clock change does not make an answer count more
    mean, weight = weighted_mean([(NOW, 80.0), (NOW - timedelta(days=14), 40.0)], NOW)
    assert mean == pytest.approx((80 * 1 + 40 * 0.5) / 1.5) and weight == pytest.approx(1.5)
    assert weighted_mean([], NOW) == (None, 0.0)
    assert weighted_mean([(NOW, 30.0)], NOW, half_life_days=1.0)[0] == 30.0


def test_difficulty_maps_one_to_three_onto_zero_to_a_hundred():
    assert [difficulty_pct(x) for x in (1.0, 2.0, 3.0, None)] == [0.0, 50.0, 100.0, None]


def test_radar_from_history_weighs_recent_answers_more(bank):
    history = [_row("graph-ml", 30.0, 28, 1), _row("graph-ml", 90.0, 0, 2), _row("llms", 60.0, 3, 3)]
    radar = radar_from_history(history, bank, bank_id="twitter-x", session_id=None, as_of=NOW)
    graph = radar.axis("graph-ml")
    assert graph.performance == pytest.approx((30 * 0.25 + 90) / 1.25) and graph.answers == 2
    assert graph.weight == pytest.approx(1.25)
    assert [p.score for p in graph.history] == [30.0, 90.0] and graph.last_practised == NOW
    assert radar.axis("llms").performance == 60.0
    assert radar.axis("communication").performance is None and radar.axis("communication").answers == 0
    assert [a.id for a in radar.axes] == [a.id for a in bank.radar_axes]
    # An axis no longer in the bank does not appear on its radar.
    gone = radar_from_history([_row("retired-axis", 10.0, 0)], bank, bank_id="twitter-x", session_id=None, as_of=NOW)
    assert "retired-axis" not in [a.id for a in gone.axes]


def test_radar_over_the_store_has_difficulty_counts_and_history(store, bank):
    first = _answer(store, bank, "mle-gnn-user-embeddings", 40.0)  # graph-ml, ml-infra-efficiency
    _answer(store, bank, "ds-who-to-follow-graph", 60.0)  # graph-ml, ml-infra-efficiency
    _answer(store, bank, "mle-spam-class-imbalance", 80.0)  # classification-imbalance
    radar = build_radar(store, bank)
    assert radar.scope == "all" and radar.session_id is None and radar.answers == 3
    graph = radar.axis("graph-ml")
    # Answers minutes apart weigh the same: the mean is plain.
    assert graph.performance == pytest.approx(50.0, abs=0.01) and graph.answers == 2
    assert graph.difficulty == bank.axis_difficulty()["graph-ml"] == 3.0 and graph.difficulty_pct == 100.0
    assert graph.questions == sum(1 for q in bank.questions if "graph-ml" in bank.axes_for(q))
    assert [(p.question_id, p.score) for p in graph.history] == [("mle-gnn-user-embeddings", 40.0),
                                                                  ("ds-who-to-follow-graph", 60.0)]
    assert radar.axis("classification-imbalance").performance == 80.0
    assert radar.axis("llms").performance is None

    one = build_radar(store, bank, session_id=first)
    assert one.scope == "session" and one.answers == 1
    assert one.axis("graph-ml").performance == 40.0 and one.axis("classification-imbalance").performance is None
    assert one.as_of == store.get_session(first).ended_at

    data = json.loads(json.dumps(radar.to_dict()))
    assert set(data) == {"bank_id", "bank_name", "scope", "session_id", "as_of", "half_life_days", "answers", "axes"}
    axis = next(a for a in data["axes"] if a["id"] == "graph-ml")
    assert set(axis) == {"id", "name", "performance", "answers", "weight", "difficulty", "difficulty_pct", "questions",
                         "last_practised", "history"}
    assert set(axis["history"][0]) == {"date", "score", "session_id", "question_id", "turn_id"}


def test_answers_without_radar_rows_are_filled_in_from_the_bank(store, bank):
    _answer(store, bank, "mle-llm-evaluation", 55.0, with_axes=False)
    _answer(store, bank, "mle-llm-evaluation", None)  # not scored: nothing to fill in
    _answer(store, bank, "mle-llm-evaluation", 90.0, with_axes=False, status="interrupted")  # cut off: never counts
    assert build_radar(store, bank).answers == 0
    assert backfill_axis_scores(store, bank) == 1
    radar = build_radar(store, bank)
    assert {a.id for a in radar.axes if a.answers} == set(bank.axes_for(next(q for q in bank.questions if q.id == "mle-llm-evaluation")))
    assert backfill_axis_scores(store, bank) == 0


def test_a_radar_without_its_bank_uses_the_axes_in_the_history(store):
    sid = store.create_session("practice", "gone-bank", "standard")
    turn = store.begin_turn(store.add_round(sid, "screen"), "q1")
    store.finish_turn(turn.turn_id, scores={"overall": 70.0}, axis_scores={"alpha": 70.0, "beta": 50.0})
    radar = build_radar(store, None, bank_id="gone-bank")
    assert [(a.id, a.performance, a.difficulty) for a in radar.axes] == [("alpha", 70.0, None), ("beta", 50.0, None)]


# -- practice plan ----------------------------------------------------------------------------------

TODAY = date(2026, 11, 24)


def _radar(bank, rows):
    return radar_from_history(rows, bank, bank_id="twitter-x", session_id=None, as_of=NOW)


def test_the_plan_spans_the_days_before_the_interview(bank):
    plan = build_plan(bank, _radar(bank, []), [], today=TODAY, interview_date=TODAY + timedelta(days=5), per_day=2)
    assert [d.date for d in plan.days] == [TODAY + timedelta(days=n) for n in range(5)]
    assert plan.days_left == 5 and plan.interview_date == TODAY + timedelta(days=5) and not plan.notes
    for day in plan.days:
        assert len(day.items) == 2 and len({i.axis_id for i in day.items}) == 2
    ids = [i.question_id for d in plan.days for i in d.items]
    assert len(set(ids)) == len(ids)  # nothing repeats within the spacing
    # With nothing practised, every axis is "never practised", the hardest first.
    first = plan.days[0].items[0]
    assert first.axis_id == "graph-ml" and first.reasons[0] == "never practised: Graph ML"
    assert first.reasons[1].startswith("new question")

    today = build_plan(bank, _radar(bank, []), [], today=TODAY, interview_date=TODAY)
    assert len(today.days) == 1 and today.days_left == 0
    far = build_plan(bank, _radar(bank, []), [], today=TODAY, interview_date=TODAY + timedelta(days=90))
    assert len(far.days) == MAX_DAYS and "90 days away" in far.notes[0]
    undated = build_plan(bank, _radar(bank, []), [], today=TODAY)
    assert len(undated.days) == DEFAULT_DAYS and undated.interview_date is None and "No interview date" in undated.notes[0]
    passed = build_plan(bank, _radar(bank, []), [], today=TODAY, interview_date=TODAY - timedelta(days=2))
    assert passed.interview_date is None and "has passed" in passed.notes[0] and len(passed.days) == DEFAULT_DAYS


def test_the_weakest_and_least_practised_axes_come_first_with_their_reasons(bank):
    # Every axis practised; Graph ML is weakest, LLMs has a single answer.
    rows, past, turn = [], [], 0
    for axis in bank.radar_axes:
        scores = {"graph-ml": [42.0, 42.0], "llms": [75.0]}.get(axis.id, [85.0, 85.0])
        for score in scores:
            turn += 1
            rows.append(_row(axis.id, score, 1, turn))
    plan = build_plan(bank, _radar(bank, rows), past, today=TODAY, interview_date=TODAY + timedelta(days=3))
    first, second = plan.days[0].items
    assert (first.axis_id, first.reasons[0]) == ("graph-ml", "weakest axis: Graph ML (42)")
    assert (second.axis_id, second.reasons[0]) == ("llms", "least practised axis: LLMs & Deep Learning (1 answer)")
    assert first.reasons[1].startswith("new question")


def test_a_weak_axis_starts_with_easier_questions_and_a_strong_one_with_harder(bank):
    def first_item(weak_score: float):
        rows = [_row(a.id, weak_score if a.id == "classification-imbalance" else 99.0, 1, n)
                for n, a in enumerate(bank.radar_axes, 1)]
        return build_plan(bank, _radar(bank, rows), [], today=TODAY, per_day=1).days[0].items[0]

    levels = {q.difficulty.value for q in bank.questions if "classification-imbalance" in bank.axes_for(q)}
    assert levels == {"medium", "hard"}
    weak, strong = first_item(30.0), first_item(70.0)
    assert weak.axis_id == strong.axis_id == "classification-imbalance"
    assert (weak.difficulty, strong.difficulty) == ("medium", "hard")
    assert strong.reasons[0] == "weakest axis: Classification & Imbalance (70)"


def test_a_weak_answer_comes_back_after_the_spacing(bank):
    question = next(q for q in bank.questions if q.id == "mle-spam-class-imbalance")
    axes = bank.axes_for(question)
    rows = [_row(a, 20.0, 0, 1, question.id) for a in axes]
    past = [PastAnswer(question.id, TODAY, 20.0)]
    plan = build_plan(bank, _radar(bank, rows), past, today=TODAY, interview_date=TODAY + timedelta(days=10), per_day=3)
    retries = [(d.date, i) for d in plan.days for i in d.items if i.question_id == question.id]
    assert retries, "a question answered at 20 must be practised again"
    day, item = retries[0]
    assert (day - TODAY).days >= SPACING_DAYS
    assert item.reasons[1] == f"retry: scored 20 on {TODAY.isoformat()}"


def test_practising_one_axis_picks_as_the_plan_does(bank):
    axis_id = "classification-imbalance"
    on_axis = [q for q in bank.questions if axis_id in bank.axes_for(q)]
    assert len(on_axis) >= 2
    by_level = sorted(on_axis, key=lambda q: (q.difficulty.level, q.id))

    def pick(rows, today=TODAY):
        return question_for_axis(bank, _radar(bank, rows).axis(axis_id), today=today)

    assert pick([]).id == by_level[0].id  # never practised: the easier question first
    strong = [_row(axis_id, 80.0, 1, 1, "elsewhere")]
    assert pick(strong).difficulty.level == max(q.difficulty.level for q in on_axis)  # strong: a harder one
    # Every question answered: the lowest score comes back, but a weak answer whose spacing has
    # passed comes before it (spaced repetition), as in the plan.
    def answered(first_days_ago: float):
        rows = [_row(axis_id, 45.0, first_days_ago, 1, on_axis[0].id), _row(axis_id, 30.0, 0, 2, on_axis[1].id)]
        return rows + [_row(axis_id, 60.0 + n, 0, n + 3, q.id) for n, q in enumerate(on_axis[2:])]

    assert pick(answered(0)).id == on_axis[1].id
    assert pick(answered(SPACING_DAYS)).id == on_axis[0].id
    assert question_for_axis(bank, replace(_radar(bank, []).axis(axis_id), id="nowhere"), today=TODAY) is None


def test_interview_dates_are_checked():
    assert parse_interview_date(" 2026-12-01 ", TODAY) == date(2026, 12, 1)
    assert parse_interview_date("2026-11-24", TODAY) == TODAY
    with pytest.raises(InterviewDateError, match="is not a date") as caught:
        parse_interview_date("next friday", TODAY)
    assert "YYYY-MM-DD" in caught.value.fix
    with pytest.raises(InterviewDateError, match="in the past"):
        parse_interview_date("2026-11-23", TODAY)


def test_the_plan_from_the_store_uses_its_history(store, bank):
    _answer(store, bank, "mle-gnn-user-embeddings", 30.0)
    plan = plan_for(store, bank, today=date.today(), interview_date=date.today() + timedelta(days=4))
    data = json.loads(json.dumps(plan.to_dict()))
    assert set(data) == {"bank_id", "today", "interview_date", "days_left", "per_day", "days", "notes"}
    assert set(data["days"][0]) == {"date", "items"}
    assert set(data["days"][0]["items"][0]) == {"question_id", "text", "kind", "difficulty", "axis_id", "axis_name", "reasons"}
    reasons = [r for d in plan.days for i in d.items for r in i.reasons]
    assert "weakest axis: Graph ML (30)" in reasons
    assert all(i.question_id != "mle-gnn-user-embeddings" for i in plan.days[0].items)  # just answered


# -- preferences (schema 3) -------------------------------------------------------------------------

def test_preferences_are_kept_in_the_database(store, private_data_dir):
    assert store.get_preference("interview_date") is None
    assert store.get_preference("interview_date", "unset") == "unset"
    store.set_preference("interview_date", "2026-12-01")
    store.set_preference("interview_date", "2026-12-02")
    store.close()
    with SessionStore.open() as again:
        assert again.get_preference("interview_date") == "2026-12-02"
        again.set_preference("interview_date", None)
        assert again.get_preference("interview_date") is None
        again.set_preference("interview_date", None)  # forgetting twice is fine
        with pytest.raises(ValueError):
            again.set_preference("", "x")
    with closing(sqlite3.connect(private_data_dir / "mockloop.db")) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(bundled_migrations()) >= 3
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'preferences'").fetchone()
