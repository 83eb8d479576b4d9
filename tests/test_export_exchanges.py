"""Exports of the questions put to the interviewer: Markdown, HTML and PDF (escaped), and the archive's reply WAVs."""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
import zipfile
from html.parser import HTMLParser

import pytest

from mockloop.engine.bank import load_banks
from mockloop.engine.export import build_report, export_archive, import_archive, render_html, render_markdown
from mockloop.engine.export.markdown import md
from mockloop.engine.store import SessionStore, files

from asking_session import FRESHNESS, THINK, THINK_REPLY, VOLUME, adequate_answer, store_asking_session, typed_exchanges

HOSTILE = "What's the volume <script>alert('x')</script> & <b>peak</b>?"
UNASKED = ["You never asked about labels: there is no ground truth for trending, only daily human quality ratings and clicks.",
           "You never asked about manipulation: coordinated groups push hashtags all the time, so counting every post "
           "equally is not enough."]


@pytest.fixture
def store(private_data_dir):
    with SessionStore.open() as s:
        yield s


def _text(exchanges) -> str:
    return " ".join(x.asked for x in exchanges) + " " + adequate_answer()


def _session(store, voice=None, volume: str = VOLUME) -> dict:
    exchanges = typed_exchanges(volume)
    replies = None
    if voice is not None:  # the interviewer's first two replies, spoken by the real voice
        replies = {n: (voice.synthesize(exchanges[n].reply), voice.sample_rate) for n in (0, 1)}
    return store_asking_session(store, _text(exchanges), exchanges, replies=replies)


def test_markdown_has_the_exchanges_the_unasked_facts_and_the_credit(store):
    session = _session(store)
    report = build_report(store, session["id"], load_banks())
    asking = report.questions[0].asking
    assert [x.asked for x in asking.exchanges] == [VOLUME, FRESHNESS, THINK]
    text = render_markdown(report)
    lines = text.splitlines()
    assert "#### Your questions to the interviewer" in lines
    assert "You asked for 2 of the 4 key facts." in lines
    volume, freshness, think = (x.reply for x in session["exchanges"])
    assert f"- You asked (scale): “{md(VOLUME)}”  " in lines and f"  **Interviewer:** {md(volume)}" in lines
    assert f"- You asked (latency): “{md(FRESHNESS)}”  " in lines and f"  **Interviewer:** {md(freshness)}" in lines
    assert f"- You asked for a moment to think: “{md(THINK)}”  " in lines and f"  **Interviewer:** {md(THINK_REPLY)}" in lines
    assert "**Key facts you never asked for**" in lines
    assert [f"- {md(line)}" in lines for line in UNASKED] == [True, True]
    credit = next(line for line in lines if line.startswith("Asking about scale and latency counted toward: Defines trending"))
    assert credit.endswith("It is covered now; from your answer alone it was partly covered.")
    # In the rubric table the point says how it was earned, and cites the question as asked, not as a phrase.
    row = next(line for line in lines if line.startswith("| Defines trending"))
    assert "covered (by asking)" in row and f"asked “{md(VOLUME)}”" in row


def test_html_and_markdown_escape_a_script_in_an_asked_sentence(store):
    report = build_report(store, _session(store, volume=HOSTILE)["id"], load_banks())
    page = render_html(report)

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

        def handle_data(self, data):
            self.text.append(data)

    parsed = Tags()
    parsed.feed(page)
    assert "script" not in parsed.tags and "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;peak&lt;/b&gt;" in page
    words = "".join(parsed.text)
    assert "Your questions to the interviewer" in words and f"“{HOSTILE}”" in words
    assert "Interviewer: Sure. The traffic is about 500 million posts a day" in words
    assert all(line in words for line in UNASKED)
    markdown = render_markdown(report)
    assert "<script>" not in markdown and f"“{md(HOSTILE)}”" in markdown
    assert md(HOSTILE).startswith(r"What's the volume \<script\>alert('x')\</script\> \&")


def test_nothing_asked_names_the_key_facts_missed_and_no_clarifying_data_no_section(store):
    report = build_report(store, store_asking_session(store, adequate_answer(), [])["id"], load_banks())
    lines = render_markdown(report).splitlines()
    start = lines.index("#### Your questions to the interviewer")
    assert lines[start + 2] == "_You asked the interviewer nothing during this answer._"
    assert not any("key facts." in line for line in lines)  # no "you asked for 0 of the 4" as well
    assert [f"- {md(line)}" in lines for line in UNASKED] == [True, True]
    assert not any(line.startswith("Asking about") for line in lines)  # nothing earned by asking

    from test_export import make_session  # stored without the score's clarifying part

    report = build_report(store, make_session(store), load_banks())
    assert report.questions[0].asking is None
    assert "questions to the interviewer" not in render_markdown(report) and "questions to the interviewer" not in render_html(report)


def test_the_pdf_shows_the_exchanges(store, qapp):
    import pypdf

    from mockloop.ui.review.pdf_export import pdf_bytes

    report = build_report(store, _session(store)["id"], load_banks())
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(report)))
    flat = "".join(unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in reader.pages)).split())
    assert "Yourquestionstotheinterviewer" in flat and "Youaskedfor2ofthe4keyfacts." in flat
    assert "".join(VOLUME.split()) in flat and "Interviewer:Sure.Thetrafficisabout500millionpostsaday" in flat
    assert "".join(UNASKED[0].split()) in flat


def test_the_archive_carries_the_reply_audio_and_restores_it(store, tmp_path, voice):
    session = _session(store, voice)
    sid, folder = session["id"], session["folder"]
    names = [x["reply_audio"] for x in store.get_session(sid).turns[0].exchanges]
    assert names[2] is None and all(names[:2])
    replies = {name: (folder / name).read_bytes() for name in names[:2]}
    path = export_archive(store, sid, tmp_path / "asked.zip")
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["format_version"] == 3  # an older mockloop says to update rather than drop the exchanges
        for name, data in replies.items():
            assert z.read(f"audio/{name}") == data
            assert manifest["files"][f"audio/{name}"]["sha256"] == hashlib.sha256(data).hexdigest()
    store.delete_session(sid)
    assert not folder.exists()
    result = import_archive(store, path)
    assert result.session_id == sid and result.audio_files == len([m for m in manifest["files"] if m.startswith("audio/")])
    turn = store.get_session(sid).turns[0]
    assert [x["reply_audio"] for x in turn.exchanges] == names
    restored = files.session_dir(store.root, sid)
    assert {name: (restored / name).read_bytes() for name in names[:2]} == replies
    assert [x["reply"] for x in turn.exchanges] == [x.reply for x in session["exchanges"]]


def test_an_archive_without_the_reply_audio_still_imports(store, tmp_path, voice):
    session = _session(store, voice)
    sid = session["id"]
    good = export_archive(store, sid, tmp_path / "good.zip")
    store.delete_session(sid)
    stripped = tmp_path / "no-replies.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(stripped, "w") as dst:
        manifest = json.loads(src.read("manifest.json"))
        replies = [m for m in manifest["files"] if "-reply-" in m]
        assert len(replies) == 2
        for member in replies:
            del manifest["files"][member]
        for name in src.namelist():
            if name not in replies and name != "manifest.json":
                dst.writestr(name, src.read(name))
        dst.writestr("manifest.json", json.dumps(manifest))
    assert import_archive(store, stripped).session_id == sid
    turn = store.get_session(sid).turns[0]
    assert [x["reply"] for x in turn.exchanges] == [x.reply for x in session["exchanges"]]
    assert not any((files.session_dir(store.root, sid) / x["reply_audio"]).exists() for x in turn.exchanges if x["reply_audio"])
    assert "Interviewer:" in render_markdown(build_report(store, sid, load_banks()))
