"""The coding round headless: `answer --code` and `simulate` with code files, through the real engines and sandbox."""

from __future__ import annotations

import json

from mockloop.engine.bank import load_banks
from mockloop.engine.bank.schema import Kind
from mockloop.engine.interview.plan import plan_loop, plan_practice
from mockloop.engine.store import SessionStore

from coding_answers import IGNORES_TIES
from conftest import run_cli

QUESTION = "code-roc-auc"
EXPLAINED = ("I'd sort the scores once and use the rank sum of the positives: the chance a random positive outranks a "
             "random negative. Tied scores share their average rank so a tie counts as half, and with one class only "
             "it's undefined so I return not a number. The sort makes it n log n.")


def _json(out):
    return json.loads(out.stdout) if out.stdout.strip() else None


def test_answer_with_code_runs_the_hidden_tests_and_asks_about_the_failure(tmp_path):
    text, code = tmp_path / "answer.txt", tmp_path / "roc.py"
    text.write_text(EXPLAINED, encoding="utf-8")
    code.write_text(IGNORES_TIES, encoding="utf-8")
    out = run_cli("answer", "--question", QUESTION, "--text", str(text), "--code", str(code), "--json")
    assert out.returncode == 0, out.stderr
    doc = _json(out)
    assert doc["question"]["kind"] == "Coding" and doc["input"]["code"] == str(code)
    assert set(doc["score"]["dimensions"]) == {"approach", "complexity", "edge_cases", "correctness", "communication"}
    c = doc["code"]
    assert 0 < c["passed"] < c["total"] and c["tests"]["status"] == "failed" and c["code"] == IGNORES_TIES
    assert c["think_aloud"]["timed"] is False and c["approach_before_code"] is None  # a file has no timeline
    assert doc["score"]["dimensions"]["correctness"] == round(100 * c["passed"] / c["total"], 1)
    assert doc["followup"]["source"] == "failing-case" and doc["followup"]["text"].endswith("Is that right?")
    assert "tests" in doc["timings"]
    with SessionStore.open() as store:
        turn = store.get_session(doc["session_id"]).turns[0]
    assert turn.code["final"] == IGNORES_TIES and turn.code["timeline"] is None
    assert [r["result"]["status"] for r in turn.code_runs] == ["failed"]


def test_code_alone_scores_only_the_tests_and_code_for_another_question_is_refused(tmp_path):
    bank, question = load_banks().find(QUESTION)
    code = tmp_path / "roc.py"
    code.write_text(question.coding.reference, encoding="utf-8")
    doc = _json(run_cli("answer", "--question", QUESTION, "--code", str(code), "--json", "--no-save"))
    assert doc["code"]["passed"] == doc["code"]["total"] and doc["input"]["type"] == "none"
    assert doc["score"]["dimensions"]["approach"] == 0.0 and doc["score"]["overall"] < 35
    wrong = run_cli("answer", "--question", "mle-spam-class-imbalance", "--code", str(code), "--json")
    assert wrong.returncode == 1 and "not a coding question" in _json(wrong)["error"]["problem"]
    nothing = run_cli("answer", "--question", QUESTION, "--json")
    assert nothing.returncode == 1 and "no answer" in _json(nothing)["error"]["problem"].lower()


def test_simulate_takes_the_code_file_beside_an_answer(tmp_path):
    _, question = load_banks().find(QUESTION)
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "01-roc.txt").write_text(EXPLAINED, encoding="utf-8")
    (folder / "01-roc.py").write_text(question.coding.reference, encoding="utf-8")
    (folder / "02.txt").write_text("[end]", encoding="utf-8")
    out = run_cli("simulate", "--answers", str(folder), "--question", QUESTION, "--json", timeout=900)
    assert out.returncode == 0, out.stderr
    doc = _json(out)
    [asked] = doc["questions"]
    assert asked["code"] == {"passed": len(question.coding.cases), "total": len(question.coding.cases), "status": "passed"}
    coding = next(e for e in doc["events"] if e["event"] == "coding")
    assert coding["function"] == "roc_auc" and coding["tests"] == len(question.coding.cases)
    assert doc["answers_used"] == ["01-roc.txt", "02.txt"]  # the .py file is the answer's code, not an answer
    with SessionStore.open() as store:
        turn = store.get_session(doc["session_id"]).turns[0]
        history = store.axis_history(bank_id="twitter-x")
    assert turn.code["final"] == question.coding.reference and turn.code_runs[-1]["result"]["status"] == "passed"
    assert {h.axis_id for h in history} >= set(load_banks().find(QUESTION)[0].axes_for(question))  # on the radar


def test_the_loop_has_a_coding_round_and_practice_gives_coding_more_time():
    bank = load_banks().banks[0]
    rounds = plan_loop(bank, seed=3)
    coding = next(r for r in rounds if r.title == "Coding")
    kinds = {q.id: q.kind for q in bank.questions}
    assert [kinds[q] for q in coding.questions] == [Kind.CODING]
    titles = [r.title for r in rounds]
    assert titles.index("Domain knowledge") < titles.index("Coding") < titles.index("System design")
    _, question = load_banks().find(QUESTION)
    assert plan_practice(bank, question)[0].budget_seconds == 30 * 60
