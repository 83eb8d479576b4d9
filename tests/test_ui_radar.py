"""The radar view: the engine's radar drawn per axis, gaps for axes without answers, scopes, and the answers behind an axis."""

from __future__ import annotations

import os
from datetime import date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QPoint, Qt

from mockloop.engine.bank import load_banks
from mockloop.engine.progress.practice_plan import question_for_axis
from mockloop.engine.progress.radar import build_radar
from mockloop.engine.store import SessionStore
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.radar.parts import local_time
from mockloop.ui.radar.view import RadarView

from conftest import store_answer

SIGNAL_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def bank():
    return load_banks().bank("twitter-x")


@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


@pytest.fixture
def history(store, bank) -> list[str]:
    """Three sessions: Graph ML answered twice (40 then 60), Classification once (80); LLMs never."""
    return [store_answer(store, bank, "mle-gnn-user-embeddings", 40.0),  # graph-ml, ml-infra-efficiency
            store_answer(store, bank, "ds-who-to-follow-graph", 60.0),  # graph-ml, ml-infra-efficiency
            store_answer(store, bank, "mle-spam-class-imbalance", 80.0)]  # classification-imbalance


@pytest.fixture
def make_view(qtbot):
    def make(bank) -> RadarView:
        view = RadarView()
        qtbot.addWidget(view)
        view.resize(1200, 760)
        view.show()
        qtbot.waitExposed(view)
        with qtbot.waitSignal(view.loaded, timeout=SIGNAL_TIMEOUT_MS):
            view.set_bank(bank)
        return view

    yield make
    assert wait_for_background()


def values(radar) -> tuple[dict, dict]:
    return ({a.id: a.performance for a in radar.axes}, {a.id: a.difficulty_pct for a in radar.axes})


def test_the_chart_draws_the_engine_radar_per_axis(make_view, store, bank, history):
    view = make_view(bank)
    expected = build_radar(store, bank)
    performance, difficulty = values(expected)
    assert view.chart.performance_values() == pytest.approx(performance)
    assert view.chart.difficulty_values() == pytest.approx(difficulty)
    assert performance["graph-ml"] == pytest.approx(50.0, abs=0.01)
    assert view.radar.answers == expected.answers == 3
    labels = view.chart.axis_labels()
    assert len(labels) == len(bank.radar_axes)
    for label, axis in zip(labels, expected.axes):
        assert label.startswith(axis.name.replace("&", "&amp;"))
    assert view.bank_label.text() == bank.company.name
    assert "14 days" in view.recency_label.text()
    assert view.empty_label.isHidden()


def test_an_axis_without_answers_is_no_data_not_zero(make_view, store, bank, history):
    view = make_view(bank)
    unanswered = [a.id for a in build_radar(store, bank).axes if a.performance is None]
    assert "llms" in unanswered and "graph-ml" not in unanswered
    assert all(view.chart.performance_values()[a] is None for a in unanswered)  # no point at all, not a zero
    assert view.chart.gap_axes() == unanswered  # a dotted spoke where the polygon has a gap
    assert "No answers yet" in view.chart.legend_names()
    llms = [a.id for a in view.radar.axes].index("llms")
    assert view.chart.axis_labels()[llms].endswith("<i>no data</i>")
    assert "no data" in view.axis_list.item(llms).text()
    assert view.select_axis("llms")
    assert view.shown_axis_id == "llms"
    assert view.answer_rows() == []
    assert "gap, not a zero" in view.no_answers_label.text()


def test_nothing_answered_shows_the_empty_state(make_view, bank):
    view = make_view(bank)
    assert not view.empty_label.isHidden()
    assert "Nothing answered yet" in view.empty_label.text()
    assert set(view.chart.performance_values().values()) == {None}
    assert len(view.chart.gap_axes()) == len(bank.radar_axes)
    assert None not in view.chart.difficulty_values().values()  # the bank's difficulty is still drawn
    assert view.scope_combo.count() == 1 and view.scope_combo.itemText(0) == "All time"


def test_choosing_a_session_shows_that_session_radar(qtbot, make_view, store, bank, history):
    view = make_view(bank)
    newest_first = [s.id for s in store.list_sessions()]
    assert [view.scope_combo.itemData(i) for i in range(view.scope_combo.count())] == [None, *newest_first]
    first = history[0]
    label = view.scope_combo.itemText(view.scope_combo.findData(first))
    assert "Practice" in label and local_time(store.get_session(first).started_at) in label

    with qtbot.waitSignal(view.loaded, timeout=SIGNAL_TIMEOUT_MS):
        view.scope_combo.setCurrentIndex(view.scope_combo.findData(first))
    one = build_radar(store, bank, session_id=first)
    assert view.radar.scope == "session" and view.radar.session_id == first
    performance, _ = values(one)
    assert view.chart.performance_values() == pytest.approx(performance)
    assert performance["graph-ml"] == 40.0 and performance["classification-imbalance"] is None
    assert "classification-imbalance" in view.chart.gap_axes()
    assert view.scope_combo.currentData() == first

    with qtbot.waitSignal(view.loaded, timeout=SIGNAL_TIMEOUT_MS):
        assert view.set_scope(None)
    assert view.radar.scope == "all"
    assert view.chart.performance_values()["graph-ml"] == pytest.approx(50.0, abs=0.01)


def test_hovering_an_axis_lists_the_answers_behind_it(qtbot, make_view, store, bank, history):
    view = make_view(bank)
    axis_ids = [a.id for a in view.radar.axes]
    assert view.shown_axis_id == axis_ids[0]  # the first axis is chosen at first
    graph = axis_ids.index("graph-ml")
    qtbot.mouseMove(view.chart.viewport(), view.chart.axis_point(graph, 70))
    qtbot.waitUntil(lambda: view.shown_axis_id == "graph-ml", timeout=SIGNAL_TIMEOUT_MS)
    points = sorted(build_radar(store, bank).axis("graph-ml").history, key=lambda p: p.date, reverse=True)
    assert view.answer_rows() == [(local_time(p.date), p.question_id, f"{p.score:.0f}") for p in points]
    assert [r[1] for r in view.answer_rows()] == ["ds-who-to-follow-graph", "mle-gnn-user-embeddings"]
    assert view.detail_heading.text() == "Answers behind Graph ML"
    assert "Design a Graph ML system" in view.answers.topLevelItem(0).text(1)  # the question's text beside its id

    # Leaving the chart goes back to the axis chosen in the list.
    qtbot.mouseMove(view.chart.viewport(), QPoint(1, 1))
    qtbot.waitUntil(lambda: view.shown_axis_id == axis_ids[0], timeout=SIGNAL_TIMEOUT_MS)

    # Keyboard users choose the axis in the list beside the chart.
    view.axis_list.setFocus()
    view.axis_list.setCurrentRow(0)
    for _ in range(axis_ids.index("classification-imbalance")):
        qtbot.keyClick(view.axis_list, Qt.Key.Key_Down)
    assert view.shown_axis_id == "classification-imbalance"
    assert [(r[1], r[2]) for r in view.answer_rows()] == [("mle-spam-class-imbalance", "80")]


def test_practising_an_axis_or_an_answer_emits_its_question(qtbot, make_view, store, bank, history):
    view = make_view(bank)
    assert view.select_axis("llms")
    expected = question_for_axis(bank, view.radar.axis("llms"), today=date.today()).id
    llms_questions = [q for q in bank.questions if "llms" in bank.axes_for(q)]
    assert expected in {q.id for q in llms_questions}
    # Never practised: an easier question first.
    easiest = min(q.difficulty.level for q in llms_questions)
    assert next(q for q in llms_questions if q.id == expected).difficulty.level == easiest
    with qtbot.waitSignal(view.practice_requested, timeout=SIGNAL_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.practice_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [expected]

    assert view.select_axis("graph-ml")
    view.answers.setFocus()
    view.answers.setCurrentItem(view.answers.topLevelItem(1))
    with qtbot.waitSignal(view.practice_requested, timeout=SIGNAL_TIMEOUT_MS) as blocker:
        qtbot.keyClick(view.answers, Qt.Key.Key_Return)
    assert blocker.args == ["mle-gnn-user-embeddings"]


def test_refresh_draws_a_new_answer(qtbot, make_view, store, bank, history):
    view = make_view(bank)
    assert view.chart.performance_values()["llms"] is None
    store_answer(store, bank, "mle-llm-evaluation", 70.0)
    with qtbot.waitSignal(view.loaded, timeout=SIGNAL_TIMEOUT_MS):
        view.refresh()
    assert view.chart.performance_values() == pytest.approx(values(build_radar(store, bank))[0])
    assert view.chart.performance_values()["llms"] == 70.0
    assert view.scope_combo.count() == 1 + 4
