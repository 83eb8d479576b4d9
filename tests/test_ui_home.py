"""The first desktop window: navigation, Home (with the practice plan), the question bank view and the model status."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import yaml
from PySide6.QtCore import QDate, QThread, Qt
from PySide6.QtWidgets import QApplication

from mockloop.engine.models import registry
from mockloop.engine.bank import BankSet, load_banks
from mockloop.engine.progress.practice_plan import INTERVIEW_DATE_KEY, plan_for
from mockloop.engine.core.settings import Settings
from mockloop.engine.store import SessionStore
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.home.view import HomeView
from mockloop.ui.main_window import MainWindow
from mockloop.ui.home.plan_panel import DAYS_SHOWN
from mockloop.ui.bank.question_table import Column

from conftest import store_answer

SIGNAL_TIMEOUT_MS = 10_000

RUBRIC_DIMENSIONS = {
    "System Design": ["problem_understanding", "data_features", "modeling", "tradeoffs"],
    "Technical": ["depth", "correctness", "tradeoffs", "communication"],
    "Behavioral": ["situation", "action", "result", "communication"],
}

# id, role, kind, difficulty, round, tags
QUESTIONS = [
    ("ds-spam", "Data Scientist", "System Design", "hard", "technical", ["Anomaly Detection", "Streaming"]),
    ("ds-trending", "Data Scientist", "System Design", "medium", "technical", ["Ranking", "NLP"]),
    ("ds-churn", "Data Scientist", "Technical", "medium", "technical", ["Classification"]),
    ("mle-latency", "Machine Learning Engineer", "Technical", "hard", "technical", ["Inference", "Efficiency"]),
    ("mle-imbalance", "Machine Learning Engineer", "Technical", "medium", "technical", ["Classification", "Loss Functions"]),
    ("any-conflict", "Any", "Behavioral", "easy", "recruiter", ["Conflict"]),
]


def _question(qid: str, role: str, kind: str, difficulty: str, round_id: str, tags: list[str]) -> dict:
    return {
        "id": qid,
        "round": round_id,
        "role": role,
        "kind": kind,
        "difficulty": difficulty,
        "text": f"Question text for {qid}: how would you approach it?",
        "tags": tags,
        "rubric": [
            {"id": f"point-{n}", "point": f"{qid} rubric point {n}", "dimension": dim, "signals": ["one", "two", "three"]}
            for n, dim in enumerate(RUBRIC_DIMENSIONS[kind], start=1)
        ],
        "probes": [f"{qid} probe one?", f"{qid} probe two?"],
        "outline": [f"{qid} step one", f"{qid} step two", f"{qid} step three"],
    }


def bank_data() -> dict:
    persona = {
        "prompt": "You are a calm interviewer.",
        "followup_style": "Ask one short follow-up.",
        "nudges": ["Take your time.", "What would you try first?"],
        "silence_patience_s": 6,
        "speaking_rate": 1.0,
    }
    return {
        "schema_version": 1,
        "company": {
            "id": "acme",
            "name": "Acme Social",
            "summary": "A test company with a small loop.",
            "difficulty": "Hard",
            "rounds": 4,
            "timeline_days": 14,
        },
        "loop": [
            {
                "id": "recruiter",
                "name": "Recruiter Screen",
                "description": "Fit check and resume overview.",
                "focus": ["fit", "behavioral"],
                "minutes_per_round": 30,
                "kinds": ["Behavioral"],
            },
            {
                "id": "technical",
                "name": "Technical Loop",
                "description": "Domain knowledge, coding and system design.",
                "focus": ["domain knowledge", "system design"],
                "minutes_per_round": 45,
                "rounds_min": 3,
                "rounds_max": 4,
                "kinds": ["Technical", "System Design"],
            },
        ],
        "radar_axes": [
            {"id": "ranking", "name": "Ranking", "tags": ["Ranking"]},
            {"id": "systems", "name": "ML Systems", "kinds": ["System Design"]},
            {"id": "classification", "name": "Classification", "tags": ["Classification", "Anomaly Detection", "Loss Functions"]},
            {"id": "efficiency", "name": "Efficiency", "tags": ["Inference", "Efficiency"]},
            {"id": "communication", "name": "Communication", "kinds": ["Behavioral"]},
        ],
        "personas": [
            {"id": "standard", "name": "The Standard Interviewer", "title": "Senior Engineer", "focus": "Core competencies.", **persona},
            {"id": "bar-raiser", "name": "The Bar Raiser", "title": "Staff Engineer", "focus": "Trade-offs.", **persona},
        ],
        "questions": [_question(*q) for q in QUESTIONS],
    }


@pytest.fixture
def bank_file(tmp_path: Path) -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(bank_data(), sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def banks(bank_file: Path) -> BankSet:
    loaded = load_banks(files=[bank_file])
    assert not loaded.errors, [e.user_message() for e in loaded.errors]
    return loaded


def _close_and_join(qtbot, window: MainWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: not window.model_probe.is_running(), timeout=SIGNAL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SIGNAL_TIMEOUT_MS)


@pytest.fixture
def make_window(qtbot):
    """Build shown windows; each is closed and its worker thread joined at teardown."""
    windows: list[MainWindow] = []

    def make(banks: BankSet, resolve=registry.resolve) -> MainWindow:
        window = MainWindow(banks, Settings(), resolve)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        _close_and_join(qtbot, window)
    assert wait_for_background()  # the plan's store reads


@pytest.fixture
def window(make_window, banks) -> MainWindow:
    return make_window(banks)


def _models_checked(window: MainWindow) -> bool:
    return all(window.home.model_panel.state(role) != "checking" for role in registry.ROLES)


def test_window_shows_home_first_with_two_views(window):
    assert window.isVisible()
    # Home and the bank come first; other views (Review, Radar, …) follow them.
    assert [window.nav.item(i).text() for i in range(window.nav.count())][:2] == ["Home", "Question bank"]
    assert window.current_view() is window.home
    assert window.stack.count() == window.nav.count()


def test_home_lists_company_loop_and_personas(window):
    home = window.home
    assert home.company_label.text() == "Acme Social"
    assert home.summary_label.text() == "A test company with a small loop."
    assert home.meta_label.text() == "4 rounds · ~14 days · Hard"
    assert [card.accessibleName() for card in home.stage_cards] == ["Recruiter Screen", "Technical Loop"]
    assert home.stage_cards[0].accessibleDescription().startswith("30 min · 1 round.")
    assert home.stage_cards[1].accessibleDescription().startswith("45 min each · 3–4 rounds.")
    assert [card.accessibleName() for card in home.persona_cards] == ["The Standard Interviewer", "The Bar Raiser"]
    assert not home.errors_banner.isVisible()


def test_home_buttons_emit_requests_and_say_what_comes_next(qtbot, window):
    home = window.home
    with qtbot.waitSignal(home.start_loop_requested, timeout=SIGNAL_TIMEOUT_MS):
        qtbot.mouseClick(home.start_button, Qt.MouseButton.LeftButton)
    assert "speech engine" in window.statusBar().currentMessage()
    # "Practice now" opens the plan's first question for today (the hardest unpractised axis: Efficiency).
    qtbot.waitUntil(lambda: home.plan_panel.plan is not None, timeout=SIGNAL_TIMEOUT_MS)
    with qtbot.waitSignal(home.practice_requested, timeout=SIGNAL_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(home.practice_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [home.plan_panel.plan.days[0].items[0].question_id] == ["mle-latency"]


def test_keyboard_shortcuts_switch_views_focus_search_and_quit(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=SIGNAL_TIMEOUT_MS)
    qtbot.keyClick(window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() is window.bank_view
    qtbot.keyClick(window.bank_view.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() is window.home
    qtbot.keyClick(window.home.start_button, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() is window.bank_view
    qtbot.waitUntil(window.bank_view.search.hasFocus, timeout=SIGNAL_TIMEOUT_MS)
    qtbot.keyClick(window.bank_view.search, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SIGNAL_TIMEOUT_MS)


def test_role_kind_tag_and_search_filters(window):
    view = window.bank_view
    window.show_view(view)
    assert view.proxy.rowCount() == 6
    assert view.count_label.text() == "6 questions"

    view.role_combo.setCurrentIndex(view.role_combo.findData("Data Scientist"))
    # Same rule as the CLI (BankSet.filter): role "Any" questions suit every role.
    assert view.visible_question_ids() == ["ds-spam", "ds-trending", "ds-churn", "any-conflict"]
    assert view.count_label.text() == "4 of 6 questions"

    view.role_combo.setCurrentIndex(view.role_combo.findData("Machine Learning Engineer"))
    assert view.proxy.rowCount() == 3
    view.tag_combo.setCurrentIndex(view.tag_combo.findData("Classification"))
    assert view.visible_question_ids() == ["mle-imbalance"]
    view.role_combo.setCurrentIndex(0)
    assert sorted(view.visible_question_ids()) == ["ds-churn", "mle-imbalance"]
    view.tag_combo.setCurrentIndex(0)

    view.kind_combo.setCurrentIndex(view.kind_combo.findData("System Design"))
    view.difficulty_combo.setCurrentIndex(view.difficulty_combo.findData("hard"))
    assert view.visible_question_ids() == ["ds-spam"]
    view.kind_combo.setCurrentIndex(0)
    view.difficulty_combo.setCurrentIndex(0)

    view.search.setText("latency")
    assert view.visible_question_ids() == ["mle-latency"]
    view.search.setText("#efficiency LATENCY")  # every word must match text, tags or id
    assert view.visible_question_ids() == ["mle-latency"]
    view.search.setText("nothing matches this")
    assert view.proxy.rowCount() == 0
    assert view.detail.question is None
    view.search.clear()
    assert view.proxy.rowCount() == 6


def test_selecting_a_question_fills_the_detail_pane(qtbot, window):
    view = window.bank_view
    window.show_view(view)
    row = view.visible_question_ids().index("mle-latency")
    index = view.proxy.index(row, Column.TEXT)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.visualRect(index).center())
    detail = view.detail
    assert detail.question is not None and detail.question.id == "mle-latency"
    assert detail.text_label.text() == "Question text for mle-latency: how would you approach it?"
    assert "Hard · Machine Learning Engineer · Technical · Technical Loop" in detail.meta_label.text()
    assert "#Inference" in detail.tags_label.text() and "#Efficiency" in detail.tags_label.text()
    assert detail.axes_label.text() == "Efficiency"
    for n in range(1, 5):
        assert f"mle-latency rubric point {n}" in detail.rubric_label.text()
    assert "mle-latency probe two?" in detail.probes_label.text()
    assert "<ol" in detail.outline_label.text() and "mle-latency step three" in detail.outline_label.text()
    assert detail.practice_button.isVisible()


def test_practice_button_and_enter_emit_the_question_id(qtbot, window):
    view = window.bank_view
    window.show_view(view)
    assert view.select_question("ds-churn")
    with qtbot.waitSignal(view.practice_requested, timeout=SIGNAL_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.detail.practice_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["ds-churn"]
    assert "ds-churn" in window.statusBar().currentMessage()

    assert view.select_question("any-conflict")
    view.table.setFocus()
    with qtbot.waitSignal(view.practice_requested, timeout=SIGNAL_TIMEOUT_MS) as blocker:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert blocker.args == ["any-conflict"]


def test_bank_errors_show_file_and_line(make_window, bank_file, tmp_path):
    broken = tmp_path / "broken.yaml"
    data = bank_data()
    data["company"]["id"] = "broken"
    data["questions"] = [dict(q, id=f"b-{q['id']}") for q in data["questions"]]
    data["questions"][1]["difficulty"] = "impossible"
    broken.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    banks = load_banks(files=[bank_file, broken])
    assert len(banks.banks) == 1 and banks.errors
    window = make_window(banks)
    banner = window.bank_view.errors_banner
    assert not banner.isHidden()
    error = banks.errors[0]
    assert error.line is not None
    assert f"{broken}:{error.line}" in banner.label.text()
    assert "questions[1].difficulty" in banner.label.text()
    assert not window.home.errors_banner.isHidden()
    assert window.bank_view.proxy.rowCount() == 6  # the good bank still loads


def test_no_bank_shows_an_empty_state(make_window):
    window = make_window(BankSet())
    assert window.home.company_label.text() == "No question bank loaded"
    assert not window.home.start_button.isEnabled()
    assert not window.home.practice_button.isEnabled()
    assert window.bank_view.proxy.rowCount() == 0


def test_model_status_shows_each_bundled_model(qtbot, window):
    qtbot.waitUntil(lambda: _models_checked(window), timeout=SIGNAL_TIMEOUT_MS)
    panel = window.home.model_panel
    for role in registry.ROLES:
        expected = registry.resolve(role, Settings())
        assert panel.state(role) == "ready", panel.status_text(role)
        assert expected.name in panel.status_text(role)
        assert "bundled" in panel.status_text(role)
    assert panel.banner.isHidden()
    assert window.models_label.text() == "Models ready"


def test_model_problem_shows_the_sentence_and_its_fix(qtbot, monkeypatch, tmp_path, make_window, banks):
    missing = tmp_path / "nowhere" / "model.gguf"
    monkeypatch.setenv("MOCKLOOP_LLM_MODEL", str(missing))
    window = make_window(banks)
    qtbot.waitUntil(lambda: _models_checked(window), timeout=SIGNAL_TIMEOUT_MS)
    panel = window.home.model_panel
    assert panel.state("stt") == "ready" and panel.state("tts") == "ready"
    assert panel.state("llm") == "failed"
    assert not panel.banner.isHidden()
    text = panel.banner.label.text()
    assert str(missing) in text and "does not exist" in text
    assert "MOCKLOOP_LLM_MODEL" in text  # the fix
    assert "1 model problem" in window.models_label.text()


def test_closing_joins_the_model_thread(qtbot, make_window, banks):
    window = make_window(banks)
    qtbot.waitUntil(lambda: _models_checked(window), timeout=SIGNAL_TIMEOUT_MS)
    threads = window.findChildren(QThread)
    assert threads
    window.close()
    qtbot.waitUntil(lambda: not any(t.isRunning() for t in threads), timeout=SIGNAL_TIMEOUT_MS)
    # The window closes when its last worker says it has stopped (a queued signal), not within the join.
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SIGNAL_TIMEOUT_MS)


def test_closing_during_a_slow_check_waits_for_the_worker_without_blocking(qtbot, make_window, banks):
    release = threading.Event()
    calls: list[str] = []

    def slow_resolve(role: str, settings: Settings):
        calls.append(role)
        release.wait(SIGNAL_TIMEOUT_MS / 1000)
        return registry.resolve(role, settings)

    window = make_window(banks, slow_resolve)
    qtbot.waitUntil(lambda: bool(calls), timeout=SIGNAL_TIMEOUT_MS)
    window.close()  # returns at once: the worker is still inside resolve()
    assert window.model_probe.is_running()
    assert window.statusBar().currentMessage() == "Closing…"
    QApplication.processEvents()  # the GUI thread stays responsive meanwhile
    with qtbot.waitSignal(window.model_probe.stopped, timeout=SIGNAL_TIMEOUT_MS):
        release.set()
    assert calls == ["stt"]  # the stop request was honoured before the next model
    assert not window.model_probe.is_running()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SIGNAL_TIMEOUT_MS)


# -- the practice plan on Home ------------------------------------------------------------------------

@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


@pytest.fixture
def real_banks() -> BankSet:
    return load_banks()


@pytest.fixture
def make_home(qtbot):
    def make(banks: BankSet) -> HomeView:
        home = HomeView()
        qtbot.addWidget(home)
        home.resize(1200, 900)
        home.show()
        qtbot.waitExposed(home)
        with qtbot.waitSignal(home.plan_panel.loaded, timeout=SIGNAL_TIMEOUT_MS):
            home.set_banks(banks)
        return home

    yield make
    assert wait_for_background()


def _shown_ids(home: HomeView) -> list[str]:
    return [row.question_id for row in home.plan_panel.rows]


def test_home_shows_the_engine_plan_and_its_buttons_practise(qtbot, make_home, store, real_banks):
    bank = real_banks.bank("twitter-x")
    store_answer(store, bank, "mle-gnn-user-embeddings", 30.0)
    home = make_home(real_banks)
    panel = home.plan_panel
    expected = plan_for(store, bank, today=date.today())
    assert panel.plan == expected
    assert _shown_ids(home) == [i.question_id for d in expected.days[:DAYS_SHOWN] for i in d.items]
    assert not panel.date_check.isChecked() and not panel.date_edit.isEnabled()
    assert "weakest topics first" in panel.summary_label.text()
    first = panel.rows[0]
    assert first.text_label.text() == expected.days[0].items[0].text
    reasons = [r for d in expected.days[:DAYS_SHOWN] for i in d.items for r in i.reasons]
    assert "weakest axis: Graph ML (30)" in reasons
    assert any("weakest axis: Graph ML (30)" in row.why_label.text() for row in panel.rows)
    assert first.button.accessibleName() == f"Practice {first.question_id}"

    second = panel.rows[1]
    with qtbot.waitSignal(home.practice_requested, timeout=SIGNAL_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(second.button, Qt.MouseButton.LeftButton)
    assert blocker.args == [expected.days[0].items[1].question_id]
    with qtbot.waitSignal(home.practice_requested, timeout=SIGNAL_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(home.practice_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [expected.days[0].items[0].question_id]

    # Every planned day is one click away.
    assert panel.more_button.isVisible() and panel.more_button.text() == f"Show all {len(expected.days)} days"
    qtbot.mouseClick(panel.more_button, Qt.MouseButton.LeftButton)
    assert _shown_ids(home) == [i.question_id for d in expected.days for i in d.items]


def test_refresh_plan_follows_new_answers(qtbot, make_home, store, real_banks):
    bank = real_banks.bank("twitter-x")
    home = make_home(real_banks)
    assert home.plan_panel.plan == plan_for(store, bank, today=date.today())
    first = home.plan_panel.today_question_ids()[0]
    store_answer(store, bank, first, 20.0)
    with qtbot.waitSignal(home.plan_panel.loaded, timeout=SIGNAL_TIMEOUT_MS):
        home.refresh_plan()
    expected = plan_for(store, bank, today=date.today())
    assert home.plan_panel.plan == expected
    assert first not in home.plan_panel.today_question_ids()  # just answered: it waits for the spacing


def test_the_interview_date_is_saved_and_plans_the_days_before_it(qtbot, make_home, store, real_banks):
    bank = real_banks.bank("twitter-x")
    home = make_home(real_banks)
    panel = home.plan_panel
    in_five = date.today() + timedelta(days=5)

    with qtbot.waitSignal(panel.loaded, timeout=SIGNAL_TIMEOUT_MS):
        panel.date_check.setChecked(True)  # saves the date shown at once
    assert store.get_preference(INTERVIEW_DATE_KEY) == panel.date_edit.date().toPython().isoformat()

    with qtbot.waitSignal(panel.loaded, timeout=SIGNAL_TIMEOUT_MS):
        panel.date_edit.setDate(QDate(in_five.year, in_five.month, in_five.day))  # saved once the edit settles
    assert store.get_preference(INTERVIEW_DATE_KEY) == in_five.isoformat()
    assert panel.plan == plan_for(store, bank, today=date.today(), interview_date=in_five)
    assert len(panel.plan.days) == 5 and panel.plan.days_left == 5
    assert "5 days away" in panel.summary_label.text()

    # A new Home (the app restarted) shows the saved date.
    again = make_home(real_banks)
    assert again.plan_panel.date_check.isChecked()
    assert again.plan_panel.interview_date() == in_five
    assert again.plan_panel.plan.interview_date == in_five

    with qtbot.waitSignal(again.plan_panel.loaded, timeout=SIGNAL_TIMEOUT_MS):
        again.plan_panel.date_check.setChecked(False)
    assert store.get_preference(INTERVIEW_DATE_KEY) is None
    assert again.plan_panel.plan.interview_date is None and len(again.plan_panel.plan.days) == 7


def test_no_bank_hides_the_plan(make_window):
    window = make_window(BankSet())
    assert window.home.plan_panel.isHidden() and window.home.plan_heading.isHidden()
    assert window.home.plan_panel.plan is None
