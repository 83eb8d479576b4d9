"""The graded answer set: strong > adequate > weak per seed question, and Spearman(grade, score)."""

from __future__ import annotations

import json
import statistics

import pytest
import yaml

from mockloop.engine.bank import load_bank_file
from mockloop.engine.bank.schema import Kind
from mockloop.engine.scoring import score_answer

from conftest import DATA, REPO

GRADED = DATA / "graded" / "twitter-x.yaml"
GRADES = {"weak": 0, "adequate": 1, "strong": 2}
WORDS = {"strong": (120, 300), "adequate": (80, 200), "weak": (40, 120)}


@pytest.fixture(scope="module")
def bank():
    return load_bank_file(REPO / "questions" / "twitter-x.yaml")


@pytest.fixture(scope="module")
def answers():
    return yaml.safe_load(GRADED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scored(bank, answers):
    by_id = {q.id: q for q in bank.questions}
    out = []
    for a in answers:
        result = score_answer(by_id[a["question_id"]], bank, a["text"])
        out.append({**a, "score": result.score.overall, "flags": result.flags})
    return out


def ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x: list[float], y: list[float]) -> float:
    rx, ry = ranks(x), ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    return cov / (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5


def test_spearman_helper_matches_known_values():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert ranks([5, 1, 5, 3]) == [3.5, 1.0, 3.5, 2.0]
    # ranks (1.5, 1.5, 3.5, 3.5, 5.5, 5.5) vs (1, 3, 2, 5, 4, 6): 12 / sqrt(16 * 17.5)
    assert spearman([0, 0, 1, 1, 2, 2], [1, 3, 2, 5, 4, 6]) == pytest.approx(12 / (16 * 17.5) ** 0.5)


def test_the_set_covers_every_seed_question_and_some_behavioral_ones(bank, answers):
    seed = [q.id for q in bank.questions if q.kind in (Kind.TECHNICAL, Kind.SYSTEM_DESIGN)]
    assert len(seed) == 20
    for qid in seed:
        assert {a["grade"] for a in answers if a["question_id"] == qid} == set(GRADES), qid
    behavioral = {a["question_id"] for a in answers if a["question_id"] not in seed}
    assert len(behavioral) >= 4
    for qid in behavioral:
        assert {"strong", "weak"} <= {a["grade"] for a in answers if a["question_id"] == qid}
    for a in answers:
        lo, hi = WORDS[a["grade"]]
        assert lo <= len(a["text"].split()) <= hi, (a["question_id"], a["grade"])


def test_grades_are_ordered_and_correlate_with_scores(scored, bank, record_property, tmp_path):
    seed = [q.id for q in bank.questions if q.kind in (Kind.TECHNICAL, Kind.SYSTEM_DESIGN)]
    table = {}
    for a in scored:
        table.setdefault(a["question_id"], {})[a["grade"]] = a["score"]
    ordered = [qid for qid in seed if table[qid]["strong"] > table[qid]["adequate"] > table[qid]["weak"]]
    rho = spearman([GRADES[a["grade"]] for a in scored], [a["score"] for a in scored])

    lines = [f"{qid:36} " + "  ".join(f"{g}={table[qid][g]:5.1f}" for g in ("strong", "adequate", "weak") if g in table[qid])
             + ("" if qid in ordered or qid not in seed else "   <- out of order") for qid in table]
    summary = f"graded set: {len(ordered)}/{len(seed)} seed questions ordered strong > adequate > weak; " \
              f"Spearman(grade, score) = {rho:.3f} over {len(scored)} answers"
    print("\n" + "\n".join(lines) + "\n" + summary)
    record_property("graded_ordered", len(ordered))
    record_property("graded_spearman", round(rho, 4))
    (tmp_path / "graded-set.json").write_text(json.dumps(
        {"ordered": len(ordered), "of": len(seed), "spearman": rho, "scores": table}, indent=1))

    assert len(ordered) == len(seed), summary
    assert rho >= 0.9, summary
    for qid in set(table) - set(seed):
        assert table[qid]["strong"] > table[qid]["weak"], qid


def test_an_answer_to_another_question_scores_well_below_its_own(scored, bank):
    """Buzzwords from a neighbouring topic must not pass for an answer to this one."""
    by_id = {q.id: q for q in bank.questions}
    strong = [a for a in scored if a["grade"] == "strong" and by_id[a["question_id"]].kind is not Kind.BEHAVIORAL]
    gaps = []
    for a in strong:
        others = [score_answer(by_id[o["question_id"]], bank, a["text"]).score.overall
                  for o in strong if o["question_id"] != a["question_id"]]
        gaps.append(a["score"] - statistics.fmean(others))
    assert min(gaps) > 40, gaps
