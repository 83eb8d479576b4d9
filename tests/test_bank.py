"""The question banks: the bundled Twitter/X bank, validation errors with lines, user banks, filters."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from mockloop.engine.bank import load_bank_file, load_banks
from mockloop.engine.bank.loader import BankFileInvalid
from mockloop.engine.bank.schema import Kind
from mockloop.engine.core.errors import UnknownQuestionError

from conftest import DATA, REPO

BANK_FILE = REPO / "questions" / "twitter-x.yaml"


def seed_questions() -> list[dict]:
    """Parse the 20 questions from the source page (role, kind, difficulty, text, tags)."""
    lines = [l.strip() for l in (DATA / "twitter-x-interview-page.txt").read_text(encoding="utf-8").splitlines()]
    header = re.compile(r"^(Data Scientist|Machine Learning Engineer) (System Design|Technical) (easy|medium|hard)$")
    out = []
    for i, line in enumerate(lines):
        m = header.match(line)
        if m:
            text = next(l for l in lines[i + 1 :] if l)
            tag_line = next(l for l in lines[lines.index(text, i) + 1 :] if l)
            tags = [t.strip() for t in tag_line.split("#") if t.strip()]
            out.append({"role": m[1], "kind": m[2], "difficulty": m[3], "text": text, "tags": tags})
    return out


@pytest.fixture(scope="module")
def bank():
    return load_bank_file(BANK_FILE)


def test_seed_page_has_twenty_questions():
    assert len(seed_questions()) == 20


def test_all_twenty_seed_questions_are_in_the_bank_exactly(bank):
    by_text = {q.text: q for q in bank.questions}
    for seed in seed_questions():
        assert seed["text"] in by_text, f"missing or reworded: {seed['text']}"
        q = by_text[seed["text"]]
        assert (q.role.value, q.kind.value, q.difficulty.value) == (seed["role"], seed["kind"], seed["difficulty"])
        assert list(q.tags) == seed["tags"]
        assert q.round == "technical-loop"


def test_loop_matches_the_page(bank):
    company = bank.company
    assert (company.name, company.difficulty, company.rounds, company.timeline_days) == ("Twitter / X", "Hard", 4, 14)
    screen, technical = bank.loop
    assert (screen.name, screen.minutes_per_round) == ("Recruiter Screen", 30)
    assert {"fit", "behavioral", "resume overview"} <= {f.lower() for f in screen.focus}
    assert (technical.rounds_min, technical.rounds_max) == (3, 4)
    assert {"domain knowledge", "coding", "system design"} <= {f.lower() for f in technical.focus}


def test_every_question_has_what_an_interviewer_needs(bank):
    for q in bank.questions:
        assert 4 <= len(q.rubric) <= 8, q.id
        assert 2 <= len(q.probes) <= 4, q.id
        assert all(p.rstrip().endswith("?") for p in q.probes), q.id
        assert len(q.outline) >= 3, q.id
        assert all(len(point.signals) >= 3 for point in q.rubric), q.id
        assert bank.axes_for(q), f"{q.id} maps to no radar axis"


def test_recruiter_screen_has_star_rubrics(bank):
    behavioral = [q for q in bank.questions if q.kind is Kind.BEHAVIORAL]
    assert len(behavioral) >= 8
    for q in behavioral:
        assert q.round == "recruiter-screen"
        dims = {p.dimension for p in q.rubric}
        assert {"situation", "action", "result"} <= dims | {"task"}, q.id


def test_radar_axes_cover_every_seed_tag(bank):
    assert 6 <= len(bank.radar_axes) <= 8
    covered = {t.lower() for a in bank.radar_axes for t in a.tags}
    for seed in seed_questions():
        for tag in seed["tags"]:
            assert tag.lower() in covered, tag
    difficulty = bank.axis_difficulty()
    assert all(1.0 <= d <= 3.0 for d in difficulty.values())


def test_personas_are_distinct(bank):
    assert len(bank.personas) >= 3
    standard = bank.persona("standard")
    assert standard.title == "Senior Engineer" and "system constraints" in standard.focus
    patience = {p.silence_patience_s for p in bank.personas}
    rates = {p.speaking_rate for p in bank.personas}
    prompts = {p.prompt for p in bank.personas}
    assert len(patience) >= 2 and len(rates) >= 2 and len(prompts) == len(bank.personas)


BROKEN = textwrap.dedent(
    """\
    schema_version: 1
    company: {id: acme, name: Acme, summary: A test bank., difficulty: Hard, rounds: 2, timeline_days: 7}
    loop:
      - id: tech
        name: Tech
        description: One round.
        focus: [coding]
        minutes_per_round: 45
        kinds: [Technical]
    radar_axes:
      - {id: a, name: A, tags: [Ranking]}
      - {id: b, name: B, tags: [NLP]}
      - {id: c, name: C, tags: [Graphs]}
    personas:
      - id: p
        name: P
        title: Engineer
        focus: Everything.
        prompt: You are an interviewer.
        followup_style: Direct.
        nudges: [Go on., Keep talking.]
        silence_patience_s: 8
        speaking_rate: 1.0
    questions:
      - id: q-one
        round: tech
        role: Data Scientist
        kind: Technical
        difficulty: impossible
        text: How do you rank?
        tags: [Ranking]
        rubric:
          - {id: r1, point: One., dimension: depth, signals: [a, b, c]}
          - {id: r2, point: Two., dimension: depth, signals: [a, b, c]}
          - {id: r3, point: Three., dimension: correctness, signals: [a, b, c]}
          - {id: r4, point: Four., dimension: tradeoffs, signals: [a, b, c]}
        probes: ["Why now?", "How so?"]
        outline: [x, y, z]
    """
)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_value_cites_file_line_and_field(tmp_path):
    path = _write(tmp_path, "acme.yaml", BROKEN)
    with pytest.raises(BankFileInvalid) as caught:
        load_bank_file(path)
    [err] = caught.value.errors
    assert err.file == path and err.field == "questions[0].difficulty"
    assert err.line == BROKEN.splitlines().index("    difficulty: impossible") + 1
    assert f"{path}:{err.line}: questions[0].difficulty" in err.user_message()


def test_missing_field_points_at_its_parent(tmp_path):
    text = BROKEN.replace("difficulty: impossible", "difficulty: hard").replace("    text: How do you rank?\n", "")
    path = _write(tmp_path, "acme.yaml", text)
    with pytest.raises(BankFileInvalid) as caught:
        load_bank_file(path)
    [err] = caught.value.errors
    assert err.field == "questions[0].text" and "required" in err.message.lower()
    assert err.line == text.splitlines().index("  - id: q-one") + 1


def test_rubric_dimension_must_fit_the_kind(tmp_path):
    text = BROKEN.replace("difficulty: impossible", "difficulty: hard").replace("dimension: tradeoffs", "dimension: modeling")
    with pytest.raises(BankFileInvalid) as caught:
        load_bank_file(_write(tmp_path, "acme.yaml", text))
    assert "modeling" in caught.value.errors[0].message and caught.value.errors[0].line == text.splitlines().index("  - id: q-one") + 1


def test_yaml_syntax_error_cites_the_line(tmp_path):
    good = '    probes: ["Why now?", "How so?"]'
    text = BROKEN.replace(good, good[:-1] + "\n    outline: [x]")
    with pytest.raises(BankFileInvalid) as caught:
        load_bank_file(_write(tmp_path, "acme.yaml", text))
    err = caught.value.errors[0]
    assert err.field == "(yaml)" and err.line is not None
    assert abs(err.line - (text.splitlines().index(good[:-1]) + 1)) <= 2


def test_a_broken_user_bank_does_not_stop_the_others(tmp_path, monkeypatch):
    user = tmp_path / "user-banks"
    monkeypatch.setenv("MOCKLOOP_QUESTIONS_DIR", str(user))
    _write(user, "broken.yaml", BROKEN)
    _write(user, "acme-ok.yaml", BROKEN.replace("id: acme", "id: acme-ok").replace("difficulty: impossible", "difficulty: hard").replace("q-one", "acme-q-one"))
    _write(user, "garbage.yaml", "just a string")
    banks = load_banks()
    assert {b.company.id for b in banks.banks} == {"twitter-x", "acme-ok"}
    files = sorted(Path(e.file).name for e in banks.errors)
    assert files == ["broken.yaml", "garbage.yaml"]
    assert banks.find("acme-q-one")[0].company.id == "acme-ok"


def test_duplicate_bank_is_reported_not_loaded(tmp_path, monkeypatch):
    user = tmp_path / "user-banks"
    monkeypatch.setenv("MOCKLOOP_QUESTIONS_DIR", str(user))
    _write(user, "copy.yaml", BANK_FILE.read_text(encoding="utf-8"))
    banks = load_banks()
    assert [b.company.id for b in banks.banks] == ["twitter-x"]
    assert "already loaded" in banks.errors[0].message


def test_filters():
    banks = load_banks()
    everything = banks.filter()
    ds = banks.filter(role="Data Scientist")
    mle = banks.filter(role="mle")
    behavioral = banks.filter(kind="behavioral")
    assert len(everything) == len(banks.questions())
    # Behavioral questions apply to any role, so each role's list includes them; so do that role's coding questions.
    ds_coding, mle_coding = banks.filter(role="ds", kind="coding"), banks.filter(role="mle", kind="coding")
    assert len(ds) == 7 + len(behavioral) + len(ds_coding) and len(mle) == 13 + len(behavioral) + len(mle_coding)
    assert len(banks.filter(kind="Coding")) >= 8 and {q.role.value for _, q in ds_coding} == {"Data Scientist", "Any"}
    assert len(banks.filter(kind="System Design")) == 4
    assert all(q.difficulty.value == "hard" for _, q in banks.filter(difficulty="hard"))
    assert {q.id for _, q in banks.filter(tag="#graph neural networks")} == {"ds-who-to-follow-graph", "mle-gnn-user-embeddings"}
    combined = banks.filter(role="ds", kind="technical", difficulty="medium")
    assert len(combined) == 2 and all(q.role.value == "Data Scientist" for _, q in combined)
    assert banks.filter(tag="no such tag") == []


def test_unknown_question_suggests_close_ids():
    banks = load_banks()
    some_id = banks.questions()[0][1].id
    with pytest.raises(UnknownQuestionError) as caught:
        banks.find(some_id[:-2])
    assert some_id in caught.value.close


def test_think_out_loud_rule_is_in_the_bank(bank):
    assert [r.name for r in bank.rules] == ["Think Out Loud"]
    assert "thought process" in bank.rules[0].description


def test_question_kind_must_fit_its_stage(tmp_path):
    text = BROKEN.replace("difficulty: impossible", "difficulty: hard").replace("    kind: Technical\n", "    kind: Behavioral\n").replace("dimension: depth", "dimension: action").replace("dimension: correctness", "dimension: result").replace("dimension: tradeoffs", "dimension: situation")
    with pytest.raises(BankFileInvalid) as caught:
        load_bank_file(_write(tmp_path, "acme.yaml", text))
    assert "cannot be in the 'tech' stage" in caught.value.errors[0].message
