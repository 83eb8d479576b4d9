"""Session exports: Markdown, self-contained HTML (escaping, evidence, radar SVG), PDF through Qt, and the .zip archive."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.bank import load_banks
from mockloop.engine.export import (
    ArchiveError, ExportError, build_report, export_archive, import_archive, render_html, render_markdown, write_private,
)
from mockloop.engine.export.markdown import md
from mockloop.engine.export.spans import Span, evidence_spans, segments, split_answer
from mockloop.engine.export.svg import radar_svg
from mockloop.engine.progress.radar import build_radar
from mockloop.engine.scoring import score_answer
from mockloop.engine.scoring.text import transcript_from_text
from mockloop.engine.store import SessionStatus, SessionStore

QUESTION = "mle-spam-class-imbalance"
MARKUP = "<script>alert(1)</script>"
ANSWER = ("First, accuracy is useless here because spam is only 0.1 percent, so I would report precision and recall "
          "and PR-AUC at a fixed false positive rate. Then I would downsample the negatives and keep hard negatives, "
          f"and use class weights or focal loss. Someone once typed {MARKUP} & \"quoted\" it's <b>bold</b> into a "
          "tweet, so the model sees raw text. Finally I would recalibrate the probabilities after sampling.")
FOLLOWUP_Q = "Why might SMOTE be a poor fit for <tweet> text & \"emoji\"?"
FOLLOWUP_A = "Because interpolating sparse text features makes tweets nobody wrote, and I'd pick the threshold on a validation set."


def write_wav(path: Path, seconds: float, rate: int = 16_000) -> None:
    t = np.arange(int(seconds * rate)) / rate
    sf.write(str(path), (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate, subtype="PCM_16")


def make_session(store: SessionStore, question_id: str = QUESTION, answer: str = ANSWER, *,
                 followup: tuple[str, str] | None = (FOLLOWUP_Q, FOLLOWUP_A), nudge: str | None = "Take your time & think.",
                 finish: bool = True) -> str:
    """A practice session stored the way the interview runner stores one, scored for real on typed text."""
    bank, question = load_banks().find(question_id)
    sid = store.create_session("practice", bank.company.id, "standard", models={"stt": {"name": "tiny.en"}})
    rid = store.add_round(sid, question.round)
    turn = store.begin_turn(rid, question.id, interviewer_text=question.text)
    write_wav(turn.audio_path, 1.5)
    write_wav(turn.interviewer_audio_path, 0.5, 22_050)
    store.update_turn(turn.turn_id, interviewer_audio=turn.interviewer_audio_path)
    if nudge:
        store.add_nudge(turn.turn_id, nudge, offset_s=4.0)
    parts = [answer]
    if followup:
        asked, answered = followup
        probe = store.begin_turn(rid, parent_turn_id=turn.turn_id, interviewer_text=asked, followup={"source": "rubric-gap"})
        write_wav(probe.audio_path, 0.7)
        store.finish_turn(probe.turn_id, transcript=answered, words=[vars(w) for w in transcript_from_text(answered).words])
        parts.append(answered)
    text = " ".join(p.strip() for p in parts if p.strip())
    data = score_answer(question, bank, text).to_dict()
    store.finish_turn(
        turn.turn_id, transcript=text, words=[vars(w) for w in transcript_from_text(text).words], metrics=data["metrics"],
        rubric=data["rubric"], scores=data["score"], feedback=data["feedback"],
        axis_scores={a: data["score"]["overall"] for a in bank.axes_for(question)} if data["scored"] else None,
    )
    store.finish_round(rid)
    if finish:
        store.finish_session(sid)
    return sid


@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


@pytest.fixture
def report(store):
    return build_report(store, make_session(store), load_banks())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.marks: list[tuple[str, str]] = []
        self._mark: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self._mark = dict(attrs)["class"]

    def handle_endtag(self, tag):
        if tag == "mark":
            self._mark = None

    def handle_data(self, data):
        self.text.append(data)
        if self._mark:
            self.marks.append((self._mark, data))


def _parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


# -- HTML -------------------------------------------------------------------------------------------

def test_html_escapes_every_piece_of_user_text(report):
    html = render_html(report)
    assert MARKUP not in html and "<b>bold</b>" not in html and "<tweet>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; it&#x27;s &lt;b&gt;bold&lt;/b&gt;" in html
    parsed = _parse(html)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "iframe", "object", "embed", "link", "tweet"}, tags
    assert not [a for _, attrs in parsed.tags for a in attrs if a.startswith("on")]
    # The browser shows exactly what was said, markup and all, as text.
    text = "".join(parsed.text)
    assert f"{MARKUP} & \"quoted\" it's <b>bold</b>" in text
    assert FOLLOWUP_Q in text and FOLLOWUP_A in text and "Take your time & think." in text
    # Self-contained: no external references at all, and a policy that forbids loading anything.
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//|file:)", html)
    policy = [a["content"] for tag, a in parsed.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert policy and policy[0].startswith("default-src 'none'")


def test_html_highlights_covered_and_partial_evidence_from_the_rubric(report):
    parsed = _parse(render_html(report))
    rubric = report.questions[0].turn.rubric
    covered = {e["match"] for p in rubric if p["status"] == "covered" for e in p["evidence"]}
    partial = {e["match"] for p in rubric if p["status"] == "partial" for e in p["evidence"]}
    assert covered and partial
    marked = {(kind, text) for kind, text in parsed.marks}
    assert {("covered", m) for m in covered} <= marked
    assert {("partial", m) for m in partial if m not in covered} <= marked
    # The follow-up answer is shown under its follow-up, not repeated in the answer.
    answer = report.questions[0]
    assert "".join(s.text for s in answer.answer) == ANSWER and not answer.combined
    assert "".join(s.text for s in answer.followups[0].answer) == FOLLOWUP_A
    assert ("partial", "threshold") in marked  # evidence that lies in the follow-up answer is marked there


def test_html_has_metrics_scores_feedback_and_the_radar_as_inline_svg(report):
    html = render_html(report)
    turn = report.questions[0].turn
    text = "".join(_parse(html).text)
    for heading in ("Scores", "Rubric", "Metrics", "Gaps", "Radar", "Words per minute"):
        assert heading in text
    assert f"Score: {turn.overall:.0f}/100" in text
    for dim, value in turn.scores["dimensions"].items():
        assert dim.replace("_", " ").capitalize() in text
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    root = ElementTree.fromstring(svg)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    polygons = {p.get("class"): p for p in root.iter(f"{ns}polygon") if p.get("class")}
    assert set(polygons) == {"performance", "difficulty"}
    labels = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    for axis in report.radar.axes:
        assert axis.name.split()[0] in labels
    # Drawn in this order, the performance polygon lies over the difficulty polygon.
    order = [p.get("class") for p in root.iter(f"{ns}polygon") if p.get("class")]
    assert order == ["difficulty", "performance"]


def test_radar_svg_escapes_axis_names(store):
    sid = store.create_session("practice", "home-made", "standard")
    turn = store.begin_turn(store.add_round(sid, "screen"), "q1")
    names = ['<script>alert("x")</script>', "A & B", "it's"]
    store.finish_turn(turn.turn_id, scores={"overall": 50.0}, axis_scores={n: 50.0 for n in names})
    radar = build_radar(store, None, bank_id="home-made")  # that bank is not installed: axes from history
    svg = radar_svg(radar)
    root = ElementTree.fromstring(svg)
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert all(name in labels for name in names) and "<script>" not in svg


def test_a_session_from_a_bank_that_is_not_installed_still_exports(store):
    sid = store.create_session("loop", "old-bank", "gone-persona", notes="<i>notes</i> & more")
    rid = store.add_round(sid, "screen")
    turn = store.begin_turn(rid, "old-q", interviewer_text="Why <here>?")
    store.finish_turn(turn.turn_id, transcript="Because & so on.", scores={"overall": 40.0, "dimensions": {"depth": 40.0}},
                      axis_scores={"alpha": 40.0, "beta": 40.0, "gamma": 40.0})
    skipped = store.begin_turn(rid, "old-q2", interviewer_text="Next?")
    store.finish_turn(skipped.turn_id, status="skipped")
    store.finish_session(sid)
    report = build_report(store, sid, load_banks())
    assert report.bank_name == "old-bank" and [a.id for a in report.radar.axes] == ["alpha", "beta", "gamma"]
    html, text = render_html(report), render_markdown(report)
    assert "Why &lt;here&gt;?" in html and "&lt;i&gt;notes&lt;/i&gt; &amp; more" in html and "<svg" in html
    assert "Skipped." in html and "Because \\& so on." in text and "Skipped." in text


# -- Markdown ---------------------------------------------------------------------------------------

def test_markdown_escapes_markup_and_marks_evidence(report):
    text = render_markdown(report)
    assert MARKUP not in text and "<b>bold</b>" not in text
    assert r"\<script\>alert(1)\</script\> \& \"quoted\"".replace(r"\"", '"') in text
    assert "**precision**" in text and "*downsample*" in text
    assert "## Radar" in text and "| Classification \\& Imbalance |" in text
    assert "**Follow-up:** Why might SMOTE be a poor fit for \\<tweet\\> text \\& \"emoji\"?" in text
    assert "Take your time \\& think." in text and "#### Metrics" in text


# -- PDF --------------------------------------------------------------------------------------------

def test_pdf_opens_and_its_text_is_extractable(report, qapp, tmp_path):
    import pypdf

    from mockloop.ui.review.pdf_export import pdf_bytes, write_pdf

    data = pdf_bytes(report)
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    # NFKC undoes the typographic ligatures the PDF uses ("ﬁ" -> "fi").
    text = " ".join(unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in reader.pages)).split())
    assert "Mock interview: Twitter / X" in text
    assert "severe class imbalance" in text and "Why might SMOTE be a poor fit" in text
    # Shown as the words that were said, not interpreted (a line may break anywhere inside it).
    assert f"{MARKUP}&\"quoted\"it's<b>bold</b>" in "".join(text.split())
    assert "Words per minute" in text and "Radar" in text
    path = write_pdf(report, tmp_path / "s.pdf")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and pypdf.PdfReader(str(path)).pages


# -- files --------------------------------------------------------------------------------------------

def test_exported_files_are_private_and_never_overwritten_silently(tmp_path):
    previous = os.umask(0o000)  # even a permissive umask gives 0600
    try:
        path = write_private(tmp_path / "a.md", b"one")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ExportError, match="already exists"):
        write_private(path, b"two")
    assert path.read_bytes() == b"one"
    write_private(path, b"two", overwrite=True)
    assert path.read_bytes() == b"two" and stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ExportError, match="does not exist"):
        write_private(tmp_path / "missing" / "a.md", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]  # no temporary files left


# -- spans ------------------------------------------------------------------------------------------

def test_spans_merge_overlaps_with_covered_winning_and_relocate_stale_offsets():
    text = "we use focal loss and class weights"
    rubric = [
        {"id": "a", "point": "A", "status": "partial", "evidence": [{"match": "focal loss", "start_char": 7, "end_char": 17}]},
        {"id": "b", "point": "B", "status": "covered", "evidence": [{"match": "loss", "start_char": 13, "end_char": 17}]},
        {"id": "c", "point": "C", "status": "covered", "evidence": [{"match": "class weights", "start_char": 0, "end_char": 5}]},
        {"id": "d", "point": "D", "status": "missing", "evidence": [{"match": "we", "start_char": 0, "end_char": 2}]},
    ]
    spans = evidence_spans(text, rubric)
    assert Span(22, 35, "covered", "C") in spans  # offsets did not match the text: found by its words
    cut = segments(text, spans)
    assert "".join(s.text for s in cut) == text
    assert [(s.text, s.status) for s in cut] == [
        ("we use ", None), ("focal ", "partial"), ("loss", "covered"), (" and ", None), ("class weights", "covered")]
    assert cut[2].points == ("A", "B")


def test_split_answer_finds_the_follow_up_answers_at_the_end():
    assert split_answer("main part. second. third", ["second.", "third"]) == [(0, 10), (11, 18), (19, 24)]
    assert split_answer("main part.", ["", ""]) == [(0, 10), (10, 10), (10, 10)]
    assert split_answer("main part.", ["something else"]) is None


# -- archive ----------------------------------------------------------------------------------------

def _normalised(store: SessionStore, sid: str) -> dict:
    """A session's snapshot with the ids that may change on import replaced by their order."""
    snap = store.export_snapshot(sid)
    order = {t["id"]: n for n, t in enumerate((t for r in snap["rounds"] for t in r["turns"]), 1)}
    for r in snap["rounds"]:
        for t in r["turns"]:
            t["id"] = order[t["id"]]
            t["parent_turn_id"] = order.get(t["parent_turn_id"])
            for f in t["followups"]:
                f["turn_id"] = order.get(f.get("turn_id"))
            for column in ("candidate_audio", "interviewer_audio"):
                t[column] = Path(t[column]).name if t[column] else None
    snap["session"].pop("id")
    return snap


def _audio(store: SessionStore, sid: str) -> dict[str, bytes]:
    folder = store.recordings_dir / sid
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_archive_round_trip_restores_identical_data_and_audio(store, tmp_path):
    sid = make_session(store)
    before, audio = _normalised(store, sid), _audio(store, sid)
    history = [(h.axis_id, h.score, h.answered_at) for h in store.axis_history()]
    path = export_archive(store, sid, tmp_path / "s.zip")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["format"] == "mockloop-session-archive" and manifest["format_version"] == 1
        for member, info in manifest["files"].items():
            assert hashlib.sha256(z.read(member)).hexdigest() == info["sha256"]
        assert sorted(manifest["files"]) == ["audio/" + n for n in sorted(audio)] + ["session.json"]

    store.delete_session(sid)
    assert store.count_sessions() == 0 and not (store.recordings_dir / sid).exists()
    result = import_archive(store, path)
    assert (result.session_id, result.renamed, result.turns, result.audio_files) == (sid, False, 2, len(audio))
    assert _normalised(store, sid) == before
    assert _audio(store, sid) == audio
    assert [(h.axis_id, h.score, h.answered_at) for h in store.axis_history()] == history
    for p in (store.recordings_dir / sid).iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE((store.recordings_dir / sid).stat().st_mode) == 0o700
    turn = store.get_session(sid).turns[0]
    assert sf.info(str(turn.candidate_audio)).duration == pytest.approx(1.5)


def test_importing_next_to_the_original_gives_new_ids_and_keeps_links(store, tmp_path):
    sid = make_session(store)
    path = export_archive(store, sid, tmp_path / "s.zip")
    result = import_archive(store, path)
    assert result.renamed and result.original_id == sid and result.session_id != sid
    assert _normalised(store, result.session_id) == _normalised(store, sid)
    copy = store.get_session(result.session_id)
    question, probe = copy.turns
    assert probe.parent_turn_id == question.id and question.followups[0]["turn_id"] == probe.id
    assert question.candidate_audio.parent == store.recordings_dir / result.session_id
    assert len(store.attempts_for_question(QUESTION)) == 2
    # The original is untouched.
    assert store.get_session(sid).turns[0].candidate_audio.parent == store.recordings_dir / sid


def test_a_session_being_recorded_is_not_archived_and_an_interrupted_one_travels_as_is(store, tmp_path):
    live = make_session(store, finish=False)
    with pytest.raises(ExportError, match="still being recorded"):
        export_archive(store, live, tmp_path / "live.zip")
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_export import make_session
        from mockloop.engine.store import SessionStore
        store = SessionStore.open()
        print(make_session(store, finish=False), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)], capture_output=True, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    sid = child.stdout.strip()
    assert [r.session_id for r in store.recover_interrupted()] == [sid]
    before = _normalised(store, sid)
    path = export_archive(store, sid, tmp_path / "s.zip")
    store.delete_session(sid)
    import_archive(store, path)
    assert store.get_session(sid).status is SessionStatus.INTERRUPTED and _normalised(store, sid) == before
    assert store.finalize(sid).status is SessionStatus.FINISHED


def _rewrite(path: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as dst:
        members = {name: src.read(name) for name in src.namelist()}
        for name, data in change(members).items():
            dst.writestr(name, data)
    return target


def test_a_damaged_archive_is_refused_with_a_clear_sentence_and_nothing_changes(store, tmp_path):
    sid = make_session(store)
    good = export_archive(store, sid, tmp_path / "good.zip")
    store.delete_session(sid)
    audio_member = next(n for n in zipfile.ZipFile(good).namelist() if n.endswith("-answer.wav"))

    def flip(members):
        data = bytearray(members[audio_member])
        data[len(data) // 2] ^= 0xFF
        return {**members, audio_member: bytes(data)}

    def manifest(change):
        def apply(members):
            m = json.loads(members["manifest.json"])
            change(m)
            return {**members, "manifest.json": json.dumps(m)}
        return apply

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    bitrot = tmp_path / "bitrot.zip"
    raw = bytearray(good.read_bytes())
    at = raw.find(b"data", raw.find(audio_member.encode()))  # inside the stored WAV
    raw[at + 5000] ^= 0xFF
    bitrot.write_bytes(bytes(raw))
    cases = {
        truncated: "is damaged",
        bitrot: "is damaged",
        _rewrite(good, tmp_path / "flipped.zip", flip): "checksum of audio/",
        _rewrite(good, tmp_path / "lost.zip", lambda m: {k: v for k, v in m.items() if k != audio_member}): "files missing",
        _rewrite(good, tmp_path / "extra.zip", lambda m: {**m, "audio/../../evil.wav": b"x"}): "unlisted files",
        _rewrite(good, tmp_path / "bad-json.zip", lambda m: {**m, "manifest.json": b"{"}): "not valid JSON",
        _rewrite(good, tmp_path / "newer.zip", manifest(lambda m: m.update(format_version=99))): "newer mockloop",
        _rewrite(good, tmp_path / "other.zip", lambda m: {k: v for k, v in m.items() if k != "manifest.json"}): "not a mockloop session archive",
    }
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"this is not a zip file at all")
    cases[garbage] = "is damaged"
    for path, expected in cases.items():
        with pytest.raises(ArchiveError) as caught:
            import_archive(store, path)
        assert expected in caught.value.problem, (path.name, caught.value.problem)
        assert caught.value.fix
        assert store.count_sessions() == 0, path.name
        assert [p.name for p in store.recordings_dir.iterdir()] == [], path.name  # no staging folder left
    assert import_archive(store, good).session_id == sid


def _with_session(members: dict, snap: dict) -> dict:
    """The archive's members with new session data and a manifest whose checksum matches it."""
    data = json.dumps(snap).encode()
    m = json.loads(members["manifest.json"])
    m["files"]["session.json"] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    return {**members, "session.json": data, "manifest.json": json.dumps(m)}


def test_an_archive_with_hostile_session_data_is_refused(store, tmp_path):
    sid = make_session(store)
    good = export_archive(store, sid, tmp_path / "good.zip")

    def bad_status(members):
        snap = json.loads(members["session.json"])
        snap["session"]["status"] = "hacked"
        return _with_session(members, snap)

    def evil_audio(members):
        snap = json.loads(members["session.json"])
        snap["rounds"][0]["turns"][0]["candidate_audio"] = "../../../../etc/passwd"
        return _with_session(members, snap)

    for change, expected in ((evil_audio, "recording ../../../../etc/passwd is missing"),
                             (bad_status, "session data is invalid")):
        with pytest.raises(ArchiveError, match="damaged") as caught:
            import_archive(store, _rewrite(good, tmp_path / "evil.zip", change))
        assert expected in caught.value.problem
    assert store.count_sessions() == 1
    assert sorted(p.name for p in store.recordings_dir.iterdir()) == [sid]


def test_exports_carry_the_misconceptions_heard_escaped(store):
    wrong = (f"Accuracy is the metric to report here, 99.9 percent accurate means the model is great, and a tweet "
             f"that says {MARKUP} is just noise. No downsampling or class weights are needed.")
    report = build_report(store, make_session(store, answer=wrong, followup=None), load_banks())
    html, markdown = render_html(report), render_markdown(report)
    assert "Said, but not so" in html and "Said, but not so" in markdown
    assert MARKUP not in html and "&lt;script&gt;" in html
    parsed = " ".join(_parse(html).text)
    assert "You said" in parsed and "precision" in parsed.lower()  # the correction says what is true


# -- code (the coding round) ----------------------------------------------------------------------

# The candidate's code and output are untrusted text: backtick runs that would close a Markdown
# fence, and markup that would end a <pre> and run a script.
HOSTILE = "</pre><script>alert(1)</script>"
CODE = ("def auc(scores, labels):\n"
        '    """Docs with ``` and ```` inside."""\n'
        f'    note = "{HOSTILE}"  # `tick` & <b>\n'
        "````\n"
        f"    # {'a long line that a printed page cannot hold on one line, so it wraps ' * 2}END-OF-LONG-LINE\n"
        "    return 0.5\n")


def _case(name: str, passed: bool, got: str = "0.5", error: str = "") -> dict:
    return {"name": name, "passed": passed, "input": "auc([0.1, 0.9], [0, 1])", "expected": "1.0",
            "got": "1.0" if passed else got, "error": error, "seconds": 0.004}


def _run(cases: list[dict], stdout: str = "") -> dict:
    passed = sum(c["passed"] for c in cases)
    return {"status": "passed" if passed == len(cases) else "failed", "summary": f"{passed} of {len(cases)} tests passed.",
            "cases": cases, "stdout": stdout, "stderr": "", "seconds": 0.31, "truncated": False,
            "passed": passed, "total": len(cases)}


def make_coding_session(store: SessionStore) -> str:
    """A session whose question turn has code and two runs, and whose follow-up changed the code once more."""
    sid = make_session(store)
    question, probe = store.get_session(sid).turns
    store.add_code_run(question.id, 1, 20.0, "def auc(scores, labels):\n    pass\n", _run([_case("empty input", False, "None")]))
    last = _run([_case("two scores", True), _case(f"ties {HOSTILE}", False, f"0.5 ``` {HOSTILE}",
                                                 "AssertionError: ```` </pre>"), _case("huge k", False, "0.4")],
                stdout=f"debug ``` {HOSTILE}\nsecond line")
    store.add_code_run(question.id, 2, 41.4, CODE, last)
    store.set_turn_code(question.id, {"question_id": question.question_id, "final": CODE,
                                      "timeline": {"starter": "def auc(scores, labels):\n    pass\n", "edits": []}})
    store.add_code_run(probe.id, 1, 3.0, CODE + "# fixed ties\n", _run([_case("ties", True)]))
    return sid


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(info, content) of each fenced code block, read as CommonMark does: the first line of only backticks,
    at least as many as opened it, closes it."""
    blocks, lines, at = [], text.split("\n"), 0
    while at < len(lines):
        opening = re.fullmatch(r"(`{3,})([^`]*)", lines[at])
        if not opening:
            at += 1
            continue
        fence, end = opening[1], at + 1
        while end < len(lines) and not re.fullmatch(rf" {{0,3}}`{{{len(fence)},}}\s*", lines[end]):
            end += 1
        blocks.append((opening[2], "\n".join(lines[at + 1:end])))
        at = end + 1
    return blocks


class _Pre(HTMLParser):
    """The text inside each <pre>, as a browser shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "pre":
            self._depth += 1
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "pre":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.blocks[-1] += data


def test_markdown_shows_the_code_in_a_fence_nothing_inside_can_close(store):
    report = build_report(store, make_coding_session(store), load_banks())
    question = report.questions[0]
    assert question.code.runs == 2 and question.code.final == CODE.rstrip("\n") and not question.code.from_last_run
    text = render_markdown(report)
    blocks = _fenced_blocks(text)
    assert ("python", CODE.rstrip("\n")) in blocks  # whole: no backtick run inside ended it early
    assert "`````python" in text.split("\n")  # one backtick longer than the longest run in the code (````)
    failure = next(content for info, content in blocks if info == "text" and "Input:" in content)
    assert failure.split("\n") == ["Input:    auc([0.1, 0.9], [0, 1])", "Expected: 1.0", f"Got:      0.5 ``` {HOSTILE}",
                                   "Error:    AssertionError: ```` </pre>"]
    assert ("text", f"debug ``` {HOSTILE}\nsecond line") in blocks
    assert "**Last run** (run 2 of 2, 41 s into the answer, result in 310 ms): 1 of 3 tests passed." in text
    assert "- ✓ two scores (4 ms)" in text and "- ✗ huge k (4 ms)" in text
    assert r"- ✗ ties \</pre\>\<script\>alert(1)\</script\> (4 ms)" in text
    assert f"First failure: ties {md(HOSTILE)}" in text
    # The follow-up's own change of the code is under the follow-up.
    assert text.index("**Follow-up:**") < text.index("##### Your code") and ("python", CODE + "# fixed ties") in blocks
    # Outside the code blocks, nothing the candidate wrote is live markup.
    outside = re.sub(r"(?ms)^(`{3,})[^`\n]*\n.*?^\1`*$", "", text)
    assert "<script>" not in outside and "</pre>" not in outside


def test_html_shows_the_code_and_its_output_escaped_and_inert(store):
    report = build_report(store, make_coding_session(store), load_banks())
    html = render_html(report)
    assert HOSTILE not in html and "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parsed = _parse(html)
    assert "script" not in {tag for tag, _ in parsed.tags}
    pre = _Pre()
    pre.feed(html)
    assert CODE.rstrip("\n") in pre.blocks and f"debug ``` {HOSTILE}\nsecond line" in pre.blocks  # verbatim, as text
    assert CODE + "# fixed ties" in pre.blocks
    text = "".join(parsed.text)
    for shown in ("Your code", "Tests", "Last run (run 2 of 2, 41 s into the answer, result in 310 ms): 1 of 3 tests passed.",
                  "two scores✓ passed4 ms", "huge k✗ failed", f"First failure: ties {HOSTILE}",
                  "Inputauc([0.1, 0.9], [0, 1])", "Expected1.0", f"Got0.5 ``` {HOSTILE}", "ErrorAssertionError"):
        assert shown in text, shown


def test_a_turn_cut_off_before_its_final_code_shows_its_last_run(store):
    sid = make_session(store, followup=None)
    [turn] = store.get_session(sid).turns
    # Read leniently: no summary, a number where text belongs, no times; Run at 0 s (nothing timed it).
    store.add_code_run(turn.id, 1, 0.0, "x = 1\n", {"status": "failed", "cases": [
        {"name": "empty", "passed": False, "got": 12, "seconds": 0.0}, "not a case"], "seconds": "slow"})
    report = build_report(store, sid, load_banks())
    code = report.questions[0].code
    assert code.from_last_run and code.final == "x = 1" and code.last_run.summary == "0 of 1 tests passed."
    text, html = render_markdown(report), render_html(report)
    assert "this is the code of its last run" in text and ("python", "x = 1") in _fenced_blocks(text)
    assert "**Last run** (run 1 of 1): 0 of 1 tests passed." in text and "- ✗ empty (\\<1 ms)" in text
    assert "Got:      12" in text
    assert "this is the code of its last run" in html and "First failure" in html and "&lt;1 ms" in html
    store.add_code_run(turn.id, 2, 5.0, "x = 2\n", {"status": "syntax"})  # no summary, no cases
    assert build_report(store, sid, load_banks()).questions[0].code.last_run.summary == "No result was kept."


def test_exports_of_a_session_without_code_have_no_code_section(report):
    assert all(q.code is None and all(f.code is None for f in q.followups) for q in report.questions)
    text, html = render_markdown(report), render_html(report)
    assert "Your code" not in text and "```" not in text and "Last run" not in text
    assert "Your code" not in html and "<pre" not in html and "pre.code" not in html and "Last run" not in html


def test_the_pdf_shows_the_code_as_text(store, qapp):
    import pypdf

    from mockloop.ui.review.pdf_export import pdf_bytes

    report = build_report(store, make_coding_session(store), load_banks())
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(report)))
    text = unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in reader.pages))
    flat = "".join(text.split())
    assert "defauc(scores,labels):" in flat and "return0.5" in flat
    assert "".join(HOSTILE.split()) in flat and "Lastrun(run2of2" in flat and "1of3testspassed." in flat
    assert "END-OF-LONG-LINE" in flat  # a long line wraps instead of running off the page


def test_archive_round_trip_carries_code_and_runs(store, tmp_path):
    sid = make_coding_session(store)
    before = _normalised(store, sid)
    assert before["rounds"][0]["turns"][0]["code"]["final"] == CODE
    path = export_archive(store, sid, tmp_path / "s.zip")
    with zipfile.ZipFile(path) as z:
        assert json.loads(z.read("manifest.json"))["format_version"] == 2  # an older mockloop says to update
    store.delete_session(sid)
    import_archive(store, path)
    assert _normalised(store, sid) == before
    question, probe = store.get_session(sid).turns
    assert [r["idx"] for r in question.code_runs] == [1, 2] and probe.code_runs[0]["code"].endswith("# fixed ties\n")


def test_an_archive_made_before_code_imports(store, tmp_path):
    sid = make_session(store)
    good = export_archive(store, sid, tmp_path / "good.zip")
    store.delete_session(sid)

    def before_code(members):
        snap = json.loads(members["session.json"])
        for t in snap["rounds"][0]["turns"]:
            del t["code"], t["code_runs"]
        return _with_session(members, snap)

    old = _rewrite(good, tmp_path / "old.zip", before_code)
    with zipfile.ZipFile(old) as z:
        assert json.loads(z.read("manifest.json"))["format_version"] == 1 and b"code" not in z.read("session.json")
    assert import_archive(store, old).session_id == sid
    assert all((t.code, t.code_runs) == ({}, []) for t in store.get_session(sid).turns)


def test_an_archive_with_hostile_code_runs_is_refused(store, tmp_path):
    good = export_archive(store, make_coding_session(store), tmp_path / "good.zip")

    def bad_run(members):
        snap = json.loads(members["session.json"])
        snap["rounds"][0]["turns"][0]["code_runs"][0]["offset_s"] = "soon"
        return _with_session(members, snap)

    count = store.count_sessions()
    with pytest.raises(ArchiveError, match="session data is invalid"):
        import_archive(store, _rewrite(good, tmp_path / "evil.zip", bad_run))
    assert store.count_sessions() == count
