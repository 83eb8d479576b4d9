"""The questions put to the interviewer in Feedback, in Review's transcript (in place, playable) and on the radar."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from mockloop.engine.audio.loading import load_audio
from mockloop.engine.audio.output import WavFileOut
from mockloop.engine.audio.playback import END_TOLERANCE_S
from mockloop.engine.bank import load_banks
from mockloop.engine.store import SessionStore
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.feedback.view import FeedbackView
from mockloop.ui.radar.view import RadarView
from mockloop.ui.review.view import ReviewView

from asking_session import (
    FRESHNESS, THINK_REPLY, VOLUME, adequate_answer, clarify, store_asking_session, trending, typed_exchanges, typed_record,
)
from conftest import store_answer

SPEECH = Path(__file__).resolve().parent / "data" / "speech"
RATE = 16_000
TIMEOUT_MS = 30_000
PCM16_STEP = 2.0 / 32768
UNASKED_LABELS = "You never asked about labels: there is no ground truth for trending, only daily human quality ratings and clicks."


# ---- Feedback ---------------------------------------------------------------------------------------

@pytest.fixture
def feedback(qtbot):
    view = FeedbackView()
    qtbot.addWidget(view)
    view.resize(1300, 900)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_feedback_lists_the_questions_asked_the_replies_and_the_facts_never_asked_for(feedback):
    record = typed_record()
    feedback.add_answer(record)
    card = feedback.asking_card
    assert card.isVisible()
    text = " ".join(card.text().split())
    volume, freshness, _ = (x["reply"] for x in record.clarifying["exchanges"])
    assert "You asked for 2 of the 4 key facts." in text
    assert f"You asked (scale): “{VOLUME}” Interviewer: {volume}" in text
    assert f"You asked (latency): “{FRESHNESS}” Interviewer: {freshness}" in text
    assert f"You asked for a moment to think: “Can I have a minute to think about this?” Interviewer: {THINK_REPLY}" in text
    assert "Key facts you never asked for" in text and UNASKED_LABELS in text
    assert "Asking about scale and latency counted toward: Defines trending as a spike" in text
    assert "It is covered now; from your answer alone it was partly covered." in text
    # The point asking earned says so, quoting the questions rather than calling them phrases heard.
    item = next(feedback.rubric_list.item(i) for i in range(feedback.rubric_list.count())
                if feedback.rubric_list.item(i).text().startswith("Defines trending"))
    assert f"Covered · Earned by asking: “{VOLUME}”, “{FRESHNESS}”" in item.text()
    assert "Heard: “spiking”" in item.text() and f"Heard: “{VOLUME}" not in item.text()


def test_feedback_escapes_what_was_asked(feedback):
    hostile = "Is it <b>global</b> & <script>alert(1)</script> local?"
    feedback.add_answer(typed_record([clarify(hostile, "trend-scope")]))
    assert f"“{hostile}”" in feedback.asking_card.text()
    assert "<script>" not in feedback.asking_card.label.text()


def _with_clarifying(record, clarifying):
    """The record as the engine would have made it with this clarifying data (its sentences made off the GUI thread)."""
    from mockloop.engine.export.asking import asking_view

    return replace(record, clarifying=clarifying, asking=asking_view(clarifying, record.rubric))


def test_the_card_is_hidden_without_exchanges_or_unasked_facts(feedback):
    record = typed_record()
    feedback.add_answer(_with_clarifying(record, None))
    assert feedback.asking_card.isHidden() and feedback.asking_card.text() == ""
    feedback.add_answer(_with_clarifying(record, {**record.clarifying, "exchanges": [], "unasked": []}))
    assert feedback.asking_card.isHidden()
    # Nothing asked but key facts missed: the card says both.
    feedback.add_answer(_with_clarifying(record, {**record.clarifying, "exchanges": []}))
    assert feedback.asking_card.isVisible()
    text = feedback.asking_card.text()
    assert "You asked the interviewer nothing during this answer." in text and UNASKED_LABELS in text
    assert "key facts." not in text  # not "you asked for 0 of the 4" as well
    feedback.add_answer(record)
    assert feedback.asking_card.isVisible()


# ---- Review -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spoken(transcriber):
    """A question about volume, three seconds of quiet while the interviewer answers, then the design:
    real clips, really transcribed; the exchange is timed by the words of the question."""
    quiet = np.zeros(3 * RATE, dtype=np.float32)
    audio = np.concatenate([quiet[:RATE // 2], load_audio(SPEECH / "piper_ask_volume.flac"), quiet,
                            load_audio(SPEECH / "piper_after_asking.flac"), quiet[:RATE]])
    transcript = transcriber.transcribe(audio)
    words = transcript.words
    last = next(i for i, w in enumerate(words) if "about" in w.text.lower())  # "...are we talking about?"
    asked = " ".join(w.text.strip() for w in words[:last + 1])
    exchange = clarify(asked, "post-volume", asked_at=words[0].start, asked_end=words[last].end,
                       reply_at=words[last].end + 0.8)
    assert words[last + 1].start > exchange.asked_end + 2.0  # the design began after the quiet
    return audio, transcript, exchange, last


@pytest.fixture
def stored(private_data_dir, spoken, voice):
    audio, transcript, exchange, last = spoken
    reply = voice.synthesize(exchange.reply), voice.sample_rate
    with SessionStore.open() as store:
        session = store_asking_session(store, transcript, [exchange], audio=audio, replies={0: reply})
    return {**session, "audio": audio, "reply": reply, "words": transcript.words, "last": last}


@pytest.fixture
def speaker_files():
    return []


@pytest.fixture
def review(qtbot, tmp_path, speaker_files):
    def make_out() -> WavFileOut:
        out = WavFileOut(tmp_path / f"speaker-{len(speaker_files)}.wav", realtime=True)
        speaker_files.append(out.path)
        return out

    view = ReviewView(audio_out_factory=make_out, banks=load_banks())
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.shutdown()
    assert wait_for_background()


def _open(qtbot, view: ReviewView, session_id: str) -> None:
    view.show_session(session_id)
    qtbot.waitUntil(lambda: view.session is not None and view.session.id == session_id, timeout=TIMEOUT_MS)
    view.detail.turns.setCurrentRow(0)
    qtbot.waitUntil(lambda: view.player.audio is not None, timeout=TIMEOUT_MS)


def _played(view: ReviewView, speaker_files: list[Path]) -> np.ndarray:
    view.shutdown()
    assert len(speaker_files) == 1
    return sf.read(str(speaker_files[0]), dtype="float32")[0]


def test_review_shows_the_reply_after_the_question_and_a_click_plays_from_the_question(qtbot, stored, review, speaker_files):
    _open(qtbot, review, stored["id"])
    transcript = review.player.transcript
    exchange = stored["exchanges"][0]
    assert transcript.exchange_text(0) == f"Interviewer: {exchange.reply}"
    # In place: after the question's last word, before the design that followed the reply.
    paragraphs = transcript.toPlainText().split("\n")
    words = stored["words"]
    assert paragraphs[0].endswith(words[stored["last"]].text.strip())
    assert paragraphs[1].startswith(f"Interviewer: {exchange.reply}") and paragraphs[1].endswith("▶ Hear the reply")
    assert paragraphs[2].startswith(words[stored["last"] + 1].text.strip())
    qtbot.mouseClick(transcript.viewport(), Qt.MouseButton.LeftButton, pos=transcript.exchange_point(0))
    player = review.player
    assert player.is_playing() and player.source == "answer"
    assert exchange.asked_at <= player.answer_position() < exchange.asked_at + 0.5
    qtbot.waitUntil(lambda: player.answer_position() >= exchange.asked_end, timeout=TIMEOUT_MS)
    player.pause()
    assert transcript.highlighted() is not None and transcript.highlighted() <= stored["last"] + 1
    played = _played(review, speaker_files)
    start = round(exchange.asked_at * RATE)
    expected = stored["audio"][start:start + len(played)]
    assert len(played) >= (exchange.asked_end - exchange.asked_at) * RATE
    assert np.max(np.abs(played - expected)) <= PCM16_STEP


def test_review_plays_the_reply_as_it_was_spoken(qtbot, stored, review, speaker_files):
    _open(qtbot, review, stored["id"])
    player = review.player
    player.seek_answer(3.0)
    point = player.transcript.reply_point(0)
    assert point is not None and 0 in player.audio.replies
    qtbot.mouseClick(player.transcript.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert player.is_playing() and player.source == "reply-0"
    with qtbot.waitSignal(player.playing_changed, timeout=TIMEOUT_MS) as blocker:
        pass  # plays to the end
    assert blocker.args == [False]
    assert player.answer_position() == pytest.approx(3.0)  # the answer kept its place
    samples, rate = stored["reply"]
    played = _played(review, speaker_files)
    # Whole: the player counts a clip played out within END_TOLERANCE_S of its end (the speaker may drop that much).
    assert len(samples) - END_TOLERANCE_S * rate <= len(played) <= len(samples)
    assert np.max(np.abs(played - samples[:len(played)])) <= PCM16_STEP + 1e-6


def test_a_missing_reply_recording_leaves_the_words(qtbot, stored, review):
    Path(stored["exchanges"][0].reply_audio).unlink()
    _open(qtbot, review, stored["id"])
    transcript = review.player.transcript
    assert transcript.exchange_text(0).startswith("Interviewer: Sure. The traffic is about 500 million posts a day")
    assert transcript.reply_point(0) is None and "Hear the reply" not in transcript.toPlainText()
    assert review.player.audio.replies == {} and review.player.message() == ""
    review.player.play_reply(0)  # e.g. a stale link: said, not a crash
    assert not review.player.is_playing() and "not kept" in review.player.message()


def test_a_typed_answer_shows_its_exchanges_after_their_sentences(qtbot, private_data_dir, review):
    exchanges = typed_exchanges()
    with SessionStore.open() as store:
        session = store_asking_session(store, " ".join(x.asked for x in exchanges) + " " + adequate_answer(), exchanges)
    _open(qtbot, review, session["id"])
    paragraphs = review.player.transcript.toPlainText().split("\n")
    assert paragraphs[0] == VOLUME and paragraphs[1] == f"Interviewer: {exchanges[0].reply}"
    assert paragraphs[2] == FRESHNESS and paragraphs[4] == "Can I have a minute to think about this?"
    assert paragraphs[5] == f"Interviewer: {THINK_REPLY}" and paragraphs[6].startswith("So trending topics")
    assert "typed" in review.player.message()


# ---- Radar ------------------------------------------------------------------------------------------

def test_the_radar_counts_the_key_facts_asked_behind_an_axis(qtbot, private_data_dir):
    bank, question = trending()
    exchanges = typed_exchanges()
    with SessionStore.open() as store:
        store_asking_session(store, " ".join(x.asked for x in exchanges) + " " + adequate_answer(), exchanges)
        store_answer(store, bank, "mle-gnn-user-embeddings", 60.0)  # stored without any clarifying data
    view = RadarView()
    qtbot.addWidget(view)
    view.resize(1200, 760)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=TIMEOUT_MS):
        view.set_bank(bank)
    assert view.select_axis(bank.axes_for(question)[0])
    row = view.answers.topLevelItem(0)
    assert row.data(1, Qt.ItemDataRole.UserRole) == question.id
    assert row.text(4) == "2 of 4" and not view.answers.isColumnHidden(4)
    assert row.data(4, Qt.ItemDataRole.AccessibleTextRole) == "asked 2 of 4 key facts" and "asked 2 of 4 key facts" in row.toolTip(4)
    assert view.select_axis("graph-ml")
    assert view.answers.topLevelItem(0).text(4) == "" and view.answers.isColumnHidden(4)
    assert wait_for_background()
