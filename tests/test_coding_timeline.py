"""The coding wing's pure parts: the edit timeline, the think-aloud figures, the loop-depth complexity estimate."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from mockloop.engine.coding.complexity import estimate, target_degree, worse_than_target
from mockloop.engine.coding.results import CaseResult, CodeRun, RunResult, RunStatus
from mockloop.engine.coding.session import CodeSession
from mockloop.engine.coding.think_aloud import measure, silent_typing_since, talk_stretches
from mockloop.engine.coding.timeline import EditTimeline

STARTER = "def f(xs):\n    ...\n"


def _words(spans):
    """Timed words: one word per second over each (start, end) span of talk."""
    out = []
    for start, end in spans:
        t = start
        while t < end:
            out.append(SimpleNamespace(text="word", start=t, end=min(end, t + 0.6)))
            t += 1.0
    return out


def _typing(timeline: EditTimeline, start: float, end: float, every: float = 0.5) -> None:
    t = start
    while t <= end:
        timeline.add(t, len(timeline.final), 0, "x")
        t += every


def test_replaying_edits_gives_the_code_as_it_was_at_each_moment():
    timeline = EditTimeline(STARTER)
    timeline.add(2.0, STARTER.index("..."), 3, "return sorted(xs)")
    timeline.add(5.0, 0, 0, "import heapq\n")
    timeline.add(7.5, 0, len("import heapq\n"), "")  # the whole first line deleted
    assert timeline.text_at(0.0) == STARTER
    assert timeline.text_at(2.0) == "def f(xs):\n    return sorted(xs)\n"
    assert timeline.text_at(6.0).startswith("import heapq\ndef f")
    assert timeline.final == "def f(xs):\n    return sorted(xs)\n"
    again = EditTimeline.from_dict(timeline.to_dict())
    assert [again.text_at(t) for t in (0, 3, 6, 9)] == [timeline.text_at(t) for t in (0, 3, 6, 9)]


def test_scrubbing_a_long_timeline_matches_a_replay_from_the_start():
    timeline = EditTimeline("")
    for i in range(1000):
        timeline.add(i * 0.1, i % 7 if i > 7 else 0, 0, chr(97 + i % 26))
    for t in (99.95, 12.3, 50.0, 0.0, 75.55):  # out of order: checkpoints must not leak between calls
        expected = ""
        for edit in timeline.edits:
            if edit.t <= t:
                expected = edit.apply(expected)
        assert timeline.text_at(t) == expected


def test_whitespace_edits_are_not_the_first_line_of_code():
    timeline = EditTimeline(STARTER)
    timeline.add(1.0, len(STARTER), 0, "\n\n    ")
    assert timeline.first_code_time() is None
    timeline.add(4.0, len(timeline.final), 0, "return 1")
    assert timeline.first_code_time() == 4.0


def test_spoke_forty_seconds_then_typed_silently():
    timeline = EditTimeline(STARTER)
    _typing(timeline, 42.0, 80.0)
    ta = measure(_words([(0.0, 40.0)]), timeline, runs=1)
    assert ta.timed and ta.first_code_s == 42.0
    assert 38.0 <= ta.spoke_before_code_s <= 40.0
    assert ta.narrated_share < 0.1
    assert ta.longest_silent_typing_s == pytest.approx(38.0, abs=1.0)


def test_typing_while_talking_is_narrated_and_has_no_silent_stretch():
    timeline = EditTimeline(STARTER)
    _typing(timeline, 10.0, 60.0)
    ta = measure(_words([(0.0, 8.0), (10.0, 60.0)]), timeline)
    assert ta.narrated_share > 0.95
    assert ta.longest_silent_typing_s < 2.0


def test_code_pasted_before_a_word_was_said():
    timeline = EditTimeline(STARTER)
    timeline.add(1.0, 0, len(STARTER), "def f(xs):\n    return sorted(xs)\n")
    ta = measure(_words([(5.0, 30.0)]), timeline)
    assert ta.first_code_s == 1.0 and ta.spoke_before_code_s == 0.0 and ta.words_before_code == 0


def test_no_timeline_means_no_timing_figures():
    ta = measure(_words([(0.0, 10.0)]), None, runs=1)
    assert not ta.timed and ta.first_code_s is None and ta.narrated_share is None and ta.runs == 1


def test_talk_stretches_merge_short_gaps_only():
    spans = talk_stretches(_words([(0.0, 3.0), (4.0, 6.0), (12.0, 14.0)]))
    assert len(spans) == 2 and spans[0][0] == 0.0 and spans[1][0] == 12.0


def test_silence_is_typing_only_when_code_was_written_in_it():
    timeline = EditTimeline(STARTER)
    timeline.add(30.0, len(STARTER), 0, "x = 1")
    assert silent_typing_since(timeline, 20.0)
    assert not silent_typing_since(timeline, 31.0)


QUADRATIC = """
def roc_auc(scores, labels):
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))
"""
SORTING = """
def roc_auc(scores, labels):
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    return _rank_sum(order, labels)

def _rank_sum(order, labels):
    total = 0
    for rank, i in enumerate(order):
        total += rank * labels[i]
    return total
"""
HIDDEN_NESTING = """
def top_pairs(xs):
    return [helper(x, xs) for x in xs]

def helper(x, xs):
    return sum(1 for y in xs if y > x)
"""


def test_complexity_reads_nested_loops_sorts_and_helpers():
    assert estimate(QUADRATIC, "roc_auc").order == "O(n²)"
    sort = estimate(SORTING, "roc_auc")
    assert sort.degree == 1 and sort.log and sort.order == "O(n log n)"
    assert estimate(HIDDEN_NESTING, "top_pairs").degree == 2  # the loop inside the helper counts where it is called
    assert estimate("def f(:\n", "f") is None and estimate(SORTING, "missing") is None


@pytest.mark.parametrize("target, degree", [("O(n log n)", 1), ("O(n)", 1), ("O(n·d)", 2), ("O(n^2)", 2),
                                            ("O(n²)", 2), ("O(n * d + n log k)", 2), ("O(1)", 0), ("O(n log k)", 1)])
def test_target_degrees(target, degree):
    assert target_degree(target) == degree


def test_only_loops_deeper_than_the_target_are_challenged():
    assert worse_than_target(estimate(QUADRATIC, "roc_auc"), "O(n log n)")
    assert not worse_than_target(estimate(SORTING, "roc_auc"), "O(n log n)")
    assert not worse_than_target(estimate(QUADRATIC, "roc_auc"), "O(n·d)")  # two sizes: two loops are fine


def test_run_results_survive_json_and_unknown_statuses_read_as_unavailable():
    result = RunResult(RunStatus.FAILED, "1 of 2 tests passed.",
                       [CaseResult("ok", True, "(1,)", "1", "1"), CaseResult("ties", False, "(2,)", "0.5", "1.0")])
    run = CodeRun(3.25, "code", result)
    back = CodeRun.from_dict(run.to_dict())
    assert back == run and back.result.first_failure.name == "ties" and back.result.passed == 1
    assert RunResult.from_dict({"status": "martian"}).status is RunStatus.UNAVAILABLE


def test_a_code_session_is_safe_to_fill_from_two_threads():
    now = [100.0]
    session = CodeSession("q", STARTER, clock=lambda: now[0])
    session.start_clock()
    heard: list[CodeRun] = []
    session.on_run(heard.append)

    def type_lines():
        for _ in range(200):
            session.edit(len(session.text()), 0, "a")

    threads = [threading.Thread(target=type_lines) for _ in range(2)]
    for t in threads:
        t.start()
    session.add_run(CodeRun(session.now(), session.text(), RunResult(RunStatus.PASSED, "ok")))
    for t in threads:
        t.join()
    snapshot = session.snapshot()
    assert snapshot.final.count("a") == 400 and len(snapshot.timeline.edits) == 400
    assert len(heard) == 1 and snapshot.runs == heard


TWO_POINTERS = """
def groups(pairs):
    start, out = 0, []
    while start < len(pairs):
        end = start
        while end < len(pairs) and pairs[end] == pairs[start]:
            end += 1
        out.append(sum(1 for p in pairs[start:end] if p))
        start = end
    return out
"""
OPEN_SLICE = """
def pairs(xs):
    return [(a, b) for i, a in enumerate(xs) for b in xs[i + 1:]]
"""


def test_pointer_walks_and_group_slices_are_linear_but_open_slices_multiply():
    assert estimate(TWO_POINTERS, "groups").degree == 1
    assert estimate(OPEN_SLICE, "pairs").degree == 2


def test_no_reference_solution_in_the_bank_is_called_slower_than_its_target():
    from mockloop.engine.bank import load_banks

    coding = [q for bank in load_banks().banks for q in bank.questions if q.coding is not None]
    assert len(coding) >= 8
    for q in coding:
        found = estimate(q.coding.reference, q.coding.function)
        assert found is not None, q.id
        assert not worse_than_target(found, q.coding.complexity.time), (q.id, found.order, q.coding.complexity.time)
