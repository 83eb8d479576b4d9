"""The bank's coding questions: their hidden tests run through the real sandbox, their statements, rubrics and errors."""

from __future__ import annotations

import ast
import html
import re
import textwrap
from pathlib import Path

import pytest

from mockloop.engine.bank import load_bank_file
from mockloop.engine.bank.loader import BankFileInvalid
from mockloop.engine.bank.schema import DIMENSIONS, Kind, Question
from mockloop.engine.coding.results import RunStatus
from mockloop.engine.coding.sandbox import run_tests

from conftest import REPO

BANK_FILE = REPO / "questions" / "twitter-x.yaml"
BANK = load_bank_file(BANK_FILE)
CODING = [q for q in BANK.questions if q.kind is Kind.CODING]
BY_ID = {q.id: q for q in CODING}


def test_the_bank_has_eight_coding_questions_on_four_axes():
    assert len(CODING) >= 8
    assert len({axis for q in CODING for axis in BANK.axes_for(q)}) >= 4
    technical = next(s for s in BANK.loop if s.id == "technical-loop")
    assert Kind.CODING in technical.kinds
    for q in CODING:
        assert q.round == "technical-loop", q.id
        assert q.coding is not None and len(q.coding.cases) >= 5, q.id
    assert all(q.coding is None for q in BANK.questions if q.kind is not Kind.CODING)


@pytest.mark.parametrize("qid", sorted(BY_ID))
def test_the_reference_passes_every_hidden_test(qid):
    task = BY_ID[qid].coding
    result = run_tests(task.reference, task.function, task.cases)
    failed = [(c.name, c.got, c.error) for c in result.cases if not c.passed]
    assert result.status is RunStatus.PASSED, (result.summary, failed, result.stderr)
    assert result.passed == result.total == len(task.cases)


@pytest.mark.parametrize("qid", sorted(BY_ID))
def test_the_starter_fails_every_hidden_test(qid):
    task = BY_ID[qid].coding
    result = run_tests(task.starter, task.function, task.cases)
    # It compiles and defines the function, so the editor's stub runs, and each test fails on its own.
    assert result.status is RunStatus.FAILED, result.summary
    assert result.total == len(task.cases)
    assert [c.name for c in result.cases if c.passed] == []


# Wrong solutions a candidate plausibly writes, each with the hidden test that must catch it.
BUGGY = {
    "ties-by-sort-order": ("code-roc-auc", "all-equal scores", """
        def roc_auc(scores, labels):
            order = sorted(range(len(scores)), key=lambda i: scores[i])
            positives = sum(labels)
            negatives = len(labels) - positives
            if not positives or not negatives:
                return float("nan")
            rank_sum = sum(rank for rank, i in enumerate(order, 1) if labels[i] == 1)
            return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
        """),
    "first-k-of-the-stream": ("code-reservoir-sampling", "later tweets get in too", """
        def reservoir_sample(stream, k, seed):
            return list(stream)[:max(k, 0)]
        """),
    "raw-dot-product": ("code-top-k-cosine", "length does not matter, direction does", """
        import numpy as np

        def top_k_cosine(query, items, k):
            if k <= 0 or not items:
                return []
            scores = np.asarray(items, dtype=float) @ np.asarray(query, dtype=float)
            return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]
        """),
    "overflowing-sigmoid": ("code-logistic-regression-sgd", "large feature values do not overflow", """
        import math
        import random

        def train_logistic_regression(X, y, epochs, lr, seed):
            w, b = [0.0] * len(X[0]), 0.0
            order = list(range(len(y)))
            rng = random.Random(seed)
            for _ in range(epochs):
                rng.shuffle(order)
                for i in order:
                    p = 1 / (1 + math.exp(-(sum(a * c for a, c in zip(w, X[i])) + b)))
                    w = [a - lr * (p - y[i]) * c for a, c in zip(w, X[i])]
                    b -= lr * (p - y[i])
            return w, b
        """),
    "ideal-from-the-returned-list": ("code-ndcg-at-k", "the ideal counts tweets the ranker missed", """
        import math

        def ndcg_at_k(ranked, relevance, k):
            gains = [relevance.get(t, 0) for t in ranked][:k]
            dcg = lambda rels: sum((2 ** r - 1) / math.log2(i + 2) for i, r in enumerate(rels))
            ideal = dcg(sorted(gains, reverse=True))
            return dcg(gains) / ideal if ideal else 0.0
        """),
    "compared-with-dropped-tweets-too": ("code-near-duplicate-tweets", "compared with kept tweets only", """
        import re

        def dedupe_tweets(tweets, threshold):
            def shingles(t):
                w = re.findall(r"\\w+", t.lower())
                return {tuple(w)} if 0 < len(w) < 3 else {tuple(w[i:i + 3]) for i in range(len(w) - 2)}
            seen, kept = [], []
            for i, t in enumerate(tweets):
                s = shingles(t)
                if s and not any(len(s & o) / len(s | o) >= threshold for o in seen):
                    kept.append(i)
                if s:
                    seen.append(s)
            return kept
        """),
    "inner-join": ("code-cohort-retention-sql", "a cohort no one came back to still appears", """
        import sqlite3

        def cohort_retention(rows, months_later):
            db = sqlite3.connect(":memory:")
            db.execute("CREATE TABLE a (u TEXT, d TEXT)")
            db.executemany("INSERT INTO a VALUES (?, ?)", rows)
            month = "CAST(strftime('%Y', d) AS INTEGER) * 12 + CAST(strftime('%m', d) AS INTEGER) - 1"
            found = db.execute(f'''
                WITH m AS (SELECT u, {month} AS mo FROM a), c AS (SELECT u, MIN(mo) AS co FROM m GROUP BY u),
                     sizes AS (SELECT co, COUNT(*) AS n FROM c GROUP BY co)
                SELECT printf('%04d-%02d', c.co / 12, c.co % 12 + 1), COUNT(DISTINCT m.u) * 1.0 / sizes.n
                FROM c JOIN m ON m.u = c.u AND m.mo = c.co + ? JOIN sizes ON sizes.co = c.co GROUP BY c.co
            ''', (months_later,)).fetchall()
            return dict(found)
        """),
}


@pytest.mark.parametrize("bug", sorted(BUGGY))
def test_a_typical_wrong_solution_fails_the_test_meant_for_it(bug):
    qid, case_name, code = BUGGY[bug]
    task = BY_ID[qid].coding
    result = run_tests(textwrap.dedent(code), task.function, task.cases)
    outcome = {c.name: c.passed for c in result.cases}
    assert case_name in outcome, (result.summary, sorted(outcome))
    assert outcome[case_name] is False, result.summary
    # The rest of the suite still gives it credit for what it gets right.
    assert result.status is RunStatus.FAILED and result.passed >= 1, result.summary


def _complexity_text(q: Question) -> str:
    points = [p for p in q.rubric if p.dimension == "complexity"]
    return " | ".join(s for p in points for s in [*p.signals, *p.means]).lower()


@pytest.mark.parametrize("qid", sorted(BY_ID))
def test_the_complexity_target_is_what_the_complexity_point_listens_for(qid):
    q = BY_ID[qid]
    heard = _complexity_text(q)
    assert heard, f"{qid} has no complexity rubric point"
    for phrase in q.coding.complexity.says:
        assert phrase in heard, f"{qid}: '{phrase}' is not in its complexity point's signals or means"


@pytest.mark.parametrize("qid", sorted(BY_ID))
def test_the_statement_is_speakable_and_names_the_function(qid):
    q = BY_ID[qid]
    assert not set(q.text) & set("([_{}<>=`"), f"{qid}: the spoken text holds code characters"
    assert 2 <= len(re.findall(r"[.?!](?:\s|$)", q.text)) <= 4, f"{qid}: say it in two to four sentences"
    # "roc auc", "N D C G at k": the function's name, read out in words.
    assert q.coding.function.replace("_", "") in q.text.lower().replace(" ", ""), qid


@pytest.mark.parametrize("qid", sorted(BY_ID))
def test_the_rubric_listens_for_the_coding_dimensions(qid):
    q = BY_ID[qid]
    dims = [p.dimension for p in q.rubric]
    assert {"approach", "complexity", "edge_cases", "communication"} <= set(dims), qid
    assert "correctness" not in dims, f"{qid}: correctness comes from the hidden tests"
    assert set(dims) <= set(DIMENSIONS[Kind.CODING])
    for point in q.rubric:
        assert all(s == s.lower() for s in point.signals), (qid, point.id)
        assert 3 <= len(point.means) <= 6, (qid, point.id)
    for wrong in q.misconceptions:
        assert "{quote}" in wrong.challenge and len(wrong.signals) >= 3, (qid, wrong.id)
    assert 2 <= len(q.probes) <= 4 and len(q.outline) >= 3


@pytest.mark.parametrize("qid", sorted(BY_ID))
def test_the_starter_is_the_signature_with_a_docstring_and_no_answer(qid):
    task = BY_ID[qid].coding
    assert task.signature + ":" in task.starter
    function = next(n for n in ast.walk(ast.parse(task.starter)) if isinstance(n, ast.FunctionDef) and n.name == task.function)
    assert ast.get_docstring(function), f"{qid}: the stub explains the contract in its docstring"
    body = [n for n in function.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{qid}: the stub's body only raises"
    assert task.reference != task.starter


def test_the_question_detail_shows_the_editor_content_but_never_the_reference(qtbot):
    from mockloop.ui.bank.question_detail import QuestionDetail

    detail = QuestionDetail()
    qtbot.addWidget(detail)
    coding_labels = (detail.signature_label, detail.starter_label, detail.complexity_label)
    q = BY_ID["code-roc-auc"]
    detail.show_question(BANK, q)
    assert not any(label.isHidden() for label in coding_labels)
    assert "<code" in detail.signature_label.text() and html.escape(q.coding.signature) in detail.signature_label.text()
    assert "<pre" in detail.starter_label.text() and "raise NotImplementedError" in detail.starter_label.text()
    assert "O(n log n)" in detail.complexity_label.text() and "“log linear”" in detail.complexity_label.text()
    shown = " ".join(label.text() for label in detail.findChildren(type(detail.starter_label)))
    assert "rank_sum" in q.coding.reference and "rank_sum" not in shown

    technical = next(q for q in BANK.questions if q.kind is Kind.TECHNICAL)
    detail.show_question(BANK, technical)
    assert all(label.isHidden() and not label.text() for label in coding_labels)
    assert not detail.rubric_label.isHidden()


# A one-question bank, to see where a broken coding section's errors point.
CODING_BANK = textwrap.dedent(
    """\
    schema_version: 1
    company: {id: acme, name: Acme, summary: A test bank., difficulty: Hard, rounds: 1, timeline_days: 7}
    loop:
      - {id: tech, name: Tech, description: One round., focus: [coding], minutes_per_round: 45, kinds: [Technical, Coding]}
    radar_axes:
      - {id: a, name: A, tags: [Ranking]}
      - {id: b, name: B, tags: [NLP]}
      - {id: c, name: C, tags: [Graphs]}
    personas:
      - {id: p, name: P, title: Engineer, focus: Everything., prompt: You interview., followup_style: Direct.,
         nudges: [Go on., Keep talking.], silence_patience_s: 8, speaking_rate: 1.0}
    questions:
      - id: q-sum
        round: tech
        role: Any
        kind: Coding
        difficulty: easy
        text: Write a function called add that adds two numbers.
        tags: [Ranking]
        coding:
          function: add
          signature: "def add(a: int, b: int) -> int"
          starter: |
            def add(a: int, b: int) -> int:
                raise NotImplementedError
          reference: |
            def add(a: int, b: int) -> int:
                return a + b
          cases:
            - {name: small, args: [1, 2], expected: 3}
            - {name: zero, args: [0, 0], expected: 0}
            - name: negative
              args: [-1, -2]
              expected: -3
            - {name: mixed, args: [-1, 2], expected: 1}
            - {name: large, args: [1000000, 1], expected: 1000001}
          complexity: {time: O(1), space: O(1), says: [constant]}
        rubric:
          - {id: r1, point: One., dimension: approach, signals: [a, b, c]}
          - {id: r2, point: Two., dimension: complexity, signals: [a, b, c]}
          - {id: r3, point: Three., dimension: edge_cases, signals: [a, b, c]}
          - {id: r4, point: Four., dimension: communication, signals: [a, b, c]}
        probes: ["Why now?", "How so?"]
        outline: [x, y, z]
    """
)


def _errors(tmp_path: Path, text: str):
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankFileInvalid) as caught:
        load_bank_file(path)
    return path, caught.value.errors


def _line(text: str, exact: str) -> int:
    return text.splitlines().index(exact) + 1


def _edit(old: str, new: str) -> str:
    assert old in CODING_BANK, old
    return CODING_BANK.replace(old, new)


def test_the_small_coding_bank_loads(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text(CODING_BANK, encoding="utf-8")
    [q] = load_bank_file(path).questions
    assert q.coding.function == "add" and [c.name for c in q.coding.cases][:2] == ["small", "zero"]


def test_a_case_without_args_cites_the_case(tmp_path):
    text = _edit("          args: [-1, -2]\n", "")
    path, [err] = _errors(tmp_path, text)
    assert err.field == "questions[0].coding.cases[2].args" and "required" in err.message.lower()
    assert err.line == _line(text, "        - name: negative")
    assert f"{path}:{err.line}: questions[0].coding.cases[2].args" in err.user_message()


def test_a_function_name_that_is_not_an_identifier_cites_its_line(tmp_path):
    text = _edit("function: add\n", "function: add numbers\n")
    _, [err] = _errors(tmp_path, text)
    assert err.field == "questions[0].coding.function" and "not a Python function name" in err.message
    assert err.line == _line(text, "      function: add numbers")


def test_a_coding_question_without_its_coding_section_is_refused(tmp_path):
    start, end = CODING_BANK.index("    coding:\n"), CODING_BANK.index("    rubric:\n")
    text = CODING_BANK[:start] + CODING_BANK[end:]
    _, [err] = _errors(tmp_path, text)
    assert err.field == "questions[0]" and "needs a 'coding' section" in err.message
    assert err.line == _line(text, "  - id: q-sum")


def test_only_coding_questions_have_a_coding_section(tmp_path):
    text = (_edit("kind: Coding", "kind: Technical").replace("dimension: approach", "dimension: depth")
            .replace("dimension: complexity", "dimension: correctness").replace("dimension: edge_cases", "dimension: tradeoffs"))
    _, [err] = _errors(tmp_path, text)
    assert err.field == "questions[0]" and "only Coding questions have a 'coding' section" in err.message


@pytest.mark.parametrize("old, new, field, words", [
    ("{name: zero, args: [0, 0], expected: 0}", "{name: zero, args: [0, 0]}", "questions[0].coding.cases[1]", "exactly one of"),
    ("{name: zero, args: [0, 0], expected: 0}", "{name: zero, args: [0, 0], expected: 0, check: 'result =='}",
     "questions[0].coding.cases[1]", "exactly one of"),
    ("{name: zero, args: [0, 0], expected: 0}", "{name: zero, args: [0, 0], check: 'result =='}",
     "questions[0].coding.cases[1]", "not a Python expression"),
    ("{name: zero, args: [0, 0], expected: 0}", "{name: small, args: [0, 0], expected: 0}", "questions[0].coding", "unique"),
    ('signature: "def add(', 'signature: "def plus(', "questions[0].coding", "must start with 'def add('"),
    ("            return a + b", "            return a +", "questions[0].coding", "reference does not compile (line 2"),
    ("says: [constant]", "says: [Constant]", "questions[0].coding.complexity.says", "lowercase"),
    ("        - {name: large, args: [1000000, 1], expected: 1000001}\n", "", "questions[0].coding.cases", "at least 5"),
], ids=["no-expected", "expected-and-check", "check-not-python", "duplicate-name", "signature-names-another",
        "reference-does-not-compile", "says-not-lowercase", "four-cases"])
def test_a_broken_coding_field_says_what_is_wrong_where(tmp_path, old, new, field, words):
    text = _edit(old, new)
    path, [err] = _errors(tmp_path, text)
    assert err.field == field and words in err.message, (err.field, err.message)
    assert err.file == path and err.line is not None
