"""The Review view: real stored sessions (real speech, real transcription) replayed through a paced WAV speaker."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import unicodedata
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QAbstractSlider, QHeaderView, QScrollBar, QTextEdit

from mockloop.engine.audio.output import WavFileOut
from mockloop.engine.bank import load_banks
from mockloop.engine.scoring import score_answer
from mockloop.engine.scoring.text import transcript_from_text
from mockloop.engine.store import SessionStore
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.review.view import ReviewView

from conftest import answer_file_dialog, store_answer

SPEECH = Path(__file__).resolve().parent / "data" / "speech"
QUESTION = "mle-spam-class-imbalance"
TYPED_PROBE = "Which metric would you report to the team?"
TYPED_ANSWER = "Precision at a fixed recall, because blocking real users is costly."
QUESTION_SECONDS = 1.5  # the stored question audio: the start of a spoken clip
TIMEOUT_MS = 30_000
PCM16_STEP = 2.0 / 32768


def read(path: Path) -> tuple[np.ndarray, int]:
    data, rate = sf.read(str(path), dtype="float32")
    return data, rate


@pytest.fixture(scope="module")
def spoken(transcriber):
    """The answer clip and its real transcription (words with timings)."""
    audio, rate = read(SPEECH / "piper_short.flac")
    transcript = transcriber.transcribe(audio)
    assert len(transcript.words) > 10
    return audio, rate, transcript


def _store_finished_session(store: SessionStore, spoken) -> dict:
    audio, rate, transcript = spoken
    banks = load_banks()
    bank, question = banks.find(QUESTION)
    sid = store.create_session("practice", bank.company.id, "standard")
    rid = store.add_round(sid, question.round)
    turn = store.begin_turn(rid, question.id, interviewer_text=question.text)
    sf.write(str(turn.audio_path), audio, rate, subtype="PCM_16")
    asked, asked_rate = read(SPEECH / "espeak_short.flac")
    sf.write(str(turn.interviewer_audio_path), asked[:int(QUESTION_SECONDS * asked_rate)], asked_rate, subtype="PCM_16")
    store.update_turn(turn.turn_id, interviewer_audio=turn.interviewer_audio_path)
    probe = store.begin_turn(rid, parent_turn_id=turn.turn_id, interviewer_text=TYPED_PROBE)
    store.finish_turn(probe.turn_id, transcript=TYPED_ANSWER,
                      words=[vars(w) for w in transcript_from_text(TYPED_ANSWER).words])
    score = score_answer(question, bank, transcript.text).to_dict()
    store.finish_turn(turn.turn_id, transcript=transcript.text, words=[vars(w) for w in transcript.words],
                      metrics=score["metrics"], rubric=score["rubric"], scores=score["score"], feedback=score["feedback"])
    store.finish_round(rid)
    store.finish_session(sid)
    return {"id": sid, "answer": turn.audio_path, "question": turn.interviewer_audio_path, "probe_audio": probe.audio_path,
            "overall": store.get_turn(turn.turn_id).overall, "words": transcript.words, "text": transcript.text,
            "rate": rate, "audio": audio, "asked": asked[:int(QUESTION_SECONDS * asked_rate)]}


def _store_interrupted_session(store: SessionStore) -> str:
    """A process killed mid-answer: timed words were saved, the recording never reached the disk."""
    child = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import os, signal
        from mockloop.engine.store import SessionStore
        store = SessionStore.open()
        sid = store.create_session("loop", "twitter-x", "standard")
        rid = store.add_round(sid, "technical-loop")
        turn = store.begin_turn(rid, "mle-spam-class-imbalance", interviewer_text="How do you handle class imbalance?")
        store.update_turn(turn.turn_id, transcript="I would start with the labels", words=[
            {"text": w, "start": 0.3 * i, "end": 0.3 * i + 0.25, "probability": 0.9}
            for i, w in enumerate("I would start with the labels".split())])
        print(sid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)], capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert [r.session_id for r in store.recover_interrupted()] == [child.stdout.strip()]
    return child.stdout.strip()


@pytest.fixture
def sessions(private_data_dir, spoken):
    with SessionStore.open() as store:
        finished = _store_finished_session(store, spoken)
        interrupted = _store_interrupted_session(store)
    return {"finished": finished, "interrupted": interrupted}


@pytest.fixture
def speaker_files(tmp_path):
    return []


@pytest.fixture
def make_view(qtbot, tmp_path, speaker_files):
    views: list[ReviewView] = []

    def make_out() -> WavFileOut:
        out = WavFileOut(tmp_path / f"speaker-{len(speaker_files)}.wav", realtime=True)
        speaker_files.append(out.path)
        return out

    def make() -> ReviewView:
        view = ReviewView(audio_out_factory=make_out, banks=load_banks())
        qtbot.addWidget(view)
        view.resize(1200, 800)
        view.show()
        qtbot.waitExposed(view)
        views.append(view)
        return view

    yield make
    for view in views:
        view.shutdown()
    assert wait_for_background()


@pytest.fixture
def view(make_view):
    return make_view()


def open_session(qtbot, view: ReviewView, session_id: str, turn_row: int = 0) -> None:
    view.show_session(session_id)
    qtbot.waitUntil(lambda: view.session is not None and view.session.id == session_id, timeout=TIMEOUT_MS)
    view.detail.turns.setCurrentRow(turn_row)
    qtbot.waitUntil(lambda: view.player.audio is not None, timeout=TIMEOUT_MS)


def speaker_audio(view: ReviewView, speaker_files: list[Path]) -> np.ndarray:
    """What the (WAV) speaker played, once the view let it go."""
    view.shutdown()
    assert len(speaker_files) == 1
    return read(speaker_files[0])[0]


def assert_same_audio(got: np.ndarray, expected: np.ndarray) -> None:
    assert len(got) == len(expected)
    assert np.max(np.abs(got - expected)) <= PCM16_STEP


def test_lists_sessions_with_date_mode_persona_score_and_the_interrupted_one_flagged(qtbot, sessions, view):
    qtbot.waitUntil(lambda: view.sessions.topLevelItemCount() == 2, timeout=TIMEOUT_MS)
    finished, interrupted = sessions["finished"], sessions["interrupted"]
    assert view.sessions.ids() == [interrupted, finished["id"]]  # newest first
    rows = {view.sessions.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole): view.sessions.topLevelItem(i) for i in range(2)}
    done, cut = rows[finished["id"]], rows[interrupted]
    assert [done.text(c) for c in range(1, 5)] == ["Practice", 'The "Standard" Interviewer', f"{finished['overall']:.0f}", "Finished"]
    assert [cut.text(c) for c in range(1, 5)] == ["Full loop", 'The "Standard" Interviewer', "—", "Interrupted"]
    assert done.text(0)[:4].isdigit() and ":" in done.text(0)
    assert not cut.icon(4).isNull() and done.icon(4).isNull()  # an icon and the word, not colour alone
    assert "Interrupted" in cut.data(0, Qt.ItemDataRole.AccessibleTextRole)
    assert view.count_label.text() == "2 sessions · 1 interrupted"
    assert view.empty_label.isHidden()

    open_session(qtbot, view, interrupted)
    assert not view.detail.interrupted_banner.isHidden()
    assert "Interrupted" in view.detail.interrupted_banner.accessibleDescription()
    assert view.detail.session_title.text() == 'Full loop with The "Standard" Interviewer'
    open_session(qtbot, view, finished["id"])
    assert view.detail.interrupted_banner.isHidden()
    assert [view.detail.turns.item(i).text().strip() for i in range(view.detail.turns.count())] == [
        f"1. {view.session.turns[0].interviewer_text[:69].rstrip()}… · {finished['overall']:.0f}",
        f"↳ Follow-up: {TYPED_PROBE}",
    ]


def test_headers_sort_dates_by_time_and_scores_by_value(qtbot, private_data_dir, view):
    bank = load_banks().bank("twitter-x")
    with SessionStore.open() as store:
        ids = {overall: store_answer(store, bank, QUESTION, overall) for overall in (9.0, 80.0, 100.0, 45.0)}
        unscored = store.create_session("practice", bank.company.id, "standard")
        store.finish_session(unscored)
    view.refresh()
    qtbot.waitUntil(lambda: view.sessions.topLevelItemCount() == 5, timeout=TIMEOUT_MS)
    newest_first = [unscored, ids[45.0], ids[100.0], ids[80.0], ids[9.0]]
    assert view.sessions.ids() == newest_first
    header = view.sessions.header()
    at_score = QPoint(header.sectionViewportPosition(3) + header.sectionSize(3) // 2, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at_score)
    assert header.sortIndicatorSection() == 3
    order = view.sessions.ids()
    if header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder:
        order.reverse()
    assert order == [ids[100.0], ids[80.0], ids[45.0], ids[9.0], unscored]  # 9 below 80 below 100: numbers, not text
    view.sessions.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert view.sessions.ids() == newest_first[::-1]
    view.refresh()  # a reload keeps the order the user chose
    qtbot.waitUntil(lambda: view.sessions.topLevelItemCount() == 5 and view.sessions.ids() == newest_first[::-1], timeout=TIMEOUT_MS)


def test_an_empty_history_says_so(qtbot, view):
    qtbot.waitUntil(lambda: not view.empty_label.isHidden(), timeout=TIMEOUT_MS)
    assert view.sessions.isHidden()
    assert not view.detail.placeholder.isHidden() and view.detail.body.isHidden()
    assert view.count_label.text() == "0 sessions"


def test_the_answer_plays_and_its_words_light_up_as_they_are_said(qtbot, sessions, view, speaker_files):
    finished = sessions["finished"]
    words = finished["words"]
    open_session(qtbot, view, finished["id"])
    player = view.player
    assert player.answer_button.isEnabled() and player.hint.isVisible()
    assert player.transcript.highlighted() is None
    qtbot.mouseClick(player.answer_button, Qt.MouseButton.LeftButton)
    assert player.is_playing() and player.answer_button.text() == "Pause answer"
    seen = []
    for target in (1, 3, 5):
        qtbot.waitUntil(lambda: (player.transcript.highlighted() or 0) >= target, timeout=TIMEOUT_MS)
        index = player.transcript.highlighted()
        seen.append(index)
        assert player.transcript.highlighted_text() == words[index].text.strip()
        assert player.answer_position() >= words[index].start
    assert seen == sorted(seen)
    player.transcript.setFocus()
    qtbot.keyClick(player.transcript, Qt.Key.Key_Space)  # Space pauses, wherever the focus is in the view
    assert not player.is_playing() and player.answer_button.text() == "Play answer"
    paused_at = player.answer_position()
    assert player.transcript.highlighted() == player.transcript.index_at(paused_at)
    played = speaker_audio(view, speaker_files)
    rate = finished["rate"]
    assert len(played) == round(paused_at * rate)
    assert_same_audio(played, finished["audio"][:len(played)])


def test_clicking_a_word_plays_the_answer_from_that_word(qtbot, sessions, view, speaker_files):
    finished = sessions["finished"]
    words = finished["words"]
    open_session(qtbot, view, finished["id"])
    player = view.player
    target = len(words) - 4
    point = player.transcript.word_point(target)
    qtbot.mouseClick(player.transcript.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert player.is_playing()
    assert player.transcript.highlighted() == target
    assert player.answer_position() >= words[target].start
    with qtbot.waitSignal(player.playing_changed, timeout=TIMEOUT_MS) as blocker:
        pass  # plays to the end
    assert blocker.args == [False] and not player.is_playing()
    assert player.answer_position() == pytest.approx(player.audio.answer.duration)
    assert player.answer_button.text() == "Play answer"
    played = speaker_audio(view, speaker_files)
    start = round(words[target].start * finished["rate"])
    assert_same_audio(played, finished["audio"][start:])


def test_the_question_audio_plays_and_the_answer_keeps_its_place(qtbot, sessions, view, speaker_files):
    finished = sessions["finished"]
    open_session(qtbot, view, finished["id"])
    player = view.player
    player.seek_answer(2.0)
    assert not player.is_playing() and player.time_label.text() == "0:02 / 0:08"
    assert player.question_button.isEnabled()
    qtbot.mouseClick(player.question_button, Qt.MouseButton.LeftButton)
    assert player.is_playing() and player.question_button.accessibleName() == "Pause question"
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=TIMEOUT_MS)
    assert player.answer_position() == pytest.approx(2.0)
    assert_same_audio(speaker_audio(view, speaker_files), finished["asked"])


def test_keys_move_through_the_answer_and_the_slider_follows(qtbot, sessions, view):
    open_session(qtbot, view, sessions["finished"]["id"])
    player = view.player
    view.detail.turns.setFocus()
    qtbot.keyClick(view.detail.turns, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert player.answer_position() == pytest.approx(5.0) and not player.is_playing()
    assert player.slider.value() == 5000 and player.time_label.text() == "0:05 / 0:08"
    qtbot.keyClick(view.detail.turns, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert player.answer_position() == 0.0 and player.slider.value() == 0
    player.slider.setValue(7000)  # as the keyboard or a click on the groove does
    assert player.answer_position() == pytest.approx(7.0)
    assert player.transcript.highlighted() == player.transcript.index_at(7.0) is not None


def test_a_typed_answer_and_a_missing_recording_are_explained_not_fatal(qtbot, sessions, view):
    open_session(qtbot, view, sessions["finished"]["id"], turn_row=1)
    player = view.player
    assert "typed" in player.message() and not player.notice.isHidden()
    assert not player.answer_button.isEnabled() and not player.slider.isEnabled()
    assert not player.question_button.isEnabled()
    assert "not kept" in player.question_button.toolTip()
    assert player.transcript.toPlainText() == TYPED_ANSWER and not player.transcript.timed()
    assert not player.hint.isVisible()

    open_session(qtbot, view, sessions["interrupted"])
    assert not player.problem.isHidden()
    assert "was not found" in player.message() and "transcript is still here" in player.message()
    assert not player.answer_button.isEnabled() and not player.hint.isVisible()
    assert player.transcript.toPlainText() == "I would start with the labels"
    qtbot.mouseClick(player.transcript.viewport(), Qt.MouseButton.LeftButton, pos=player.transcript.word_point(2))
    view.player.toggle_answer()
    assert not player.is_playing() and view.isVisible()


@pytest.mark.parametrize("kind", ["md", "html", "pdf"])
def test_exports_write_the_transcript(qtbot, sessions, view, tmp_path, kind):
    finished = sessions["finished"]
    open_session(qtbot, view, finished["id"])
    path = tmp_path / f"review.{kind}"
    with qtbot.waitSignal(view.exported, timeout=TIMEOUT_MS) as blocker:
        view.export_to(kind, path)
    assert blocker.args == [str(path)]
    if kind == "pdf":
        import pypdf

        data = path.read_bytes()
        assert data.startswith(b"%PDF-")
        pages = pypdf.PdfReader(io.BytesIO(data)).pages
        text = unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in pages))
    else:
        text = path.read_text(encoding="utf-8")
    joined = "".join(text.split()).lower()
    phrase = " ".join(w.text.strip() for w in finished["words"][4:9])
    assert "".join(phrase.split()).lower() in joined
    assert "".join(TYPED_PROBE.split()).lower() in joined
    assert not view.detail.export_banner.isHidden() and str(path) in view.detail.export_banner.accessibleDescription()
    assert view.detail.open_folder_button.isVisible() and view.detail.last_export == path
    assert all(button.isEnabled() for button in view.detail.export_buttons.values())


def test_the_export_button_asks_where_and_adds_the_extension(qtbot, sessions, view, tmp_path):
    open_session(qtbot, view, sessions["finished"]["id"])
    cancelled = answer_file_dialog(None)
    qtbot.mouseClick(view.detail.export_buttons["md"], Qt.MouseButton.LeftButton)
    assert [title for title, _, _ in cancelled] == ["Export session as Markdown"]
    assert list(tmp_path.glob("*.md")) == []  # cancelled: nothing written
    asked = answer_file_dialog(tmp_path / "my-interview")  # Qt's save dialog, answered as a user would
    with qtbot.waitSignal(view.exported, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.detail.export_buttons["pdf"], Qt.MouseButton.LeftButton)
    assert asked == [("Export session as PDF", f"mockloop-session-{sessions['finished']['id']}.pdf", "PDF document (*.pdf)")]
    assert blocker.args == [str(tmp_path / "my-interview.pdf")]
    assert (tmp_path / "my-interview.pdf").read_bytes().startswith(b"%PDF-")


def test_an_export_that_cannot_be_written_says_why(qtbot, sessions, view, tmp_path):
    open_session(qtbot, view, sessions["finished"]["id"])
    view.export_to("md", tmp_path / "no-such-folder" / "s.md")
    qtbot.waitUntil(lambda: not view.error_banner.isHidden(), timeout=TIMEOUT_MS)
    assert "does not exist" in view.error_banner.accessibleDescription()
    assert view.detail.export_banner.isHidden()


def test_delete_asks_first_then_removes_the_session_and_its_recordings(qtbot, sessions, view, monkeypatch):
    finished = sessions["finished"]
    open_session(qtbot, view, finished["id"])
    asked = []
    monkeypatch.setattr(view, "confirm", lambda title, text: asked.append(text) or False)
    view.detail.delete_button.click()
    assert len(asked) == 1 and "cannot be undone" in asked[0]
    assert view.session is not None and finished["answer"].exists()

    monkeypatch.setattr(view, "confirm", lambda title, text: True)
    view.detail.turns.setFocus()
    with qtbot.waitSignal(view.sessions_changed, timeout=TIMEOUT_MS):
        qtbot.keyClick(view.detail.turns, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: view.sessions.ids() == [sessions["interrupted"]], timeout=TIMEOUT_MS)
    assert not finished["answer"].exists() and not finished["answer"].parent.exists()
    with SessionStore.open() as store:
        assert [s.id for s in store.list_sessions()] == [sessions["interrupted"]]
    qtbot.waitUntil(lambda: view.session is not None and view.session.id == sessions["interrupted"], timeout=TIMEOUT_MS)


def test_practice_again_names_the_question(qtbot, sessions, view):
    open_session(qtbot, view, sessions["finished"]["id"], turn_row=1)
    with qtbot.waitSignal(view.practice_requested, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(view.detail.again_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [QUESTION]  # a follow-up practises its question


def test_every_control_has_an_accessible_name(qtbot, sessions, view):
    open_session(qtbot, view, sessions["finished"]["id"])
    controls = [w for kind in (QAbstractButton, QAbstractItemView, QAbstractSlider, QTextEdit) for w in view.findChildren(kind)
                if not isinstance(w, (QHeaderView, QScrollBar))]  # parts of a list or text area, named through it
    assert len(controls) > 10
    assert [w for w in controls if not w.accessibleName()] == []


@pytest.mark.audio
def test_a_missing_speaker_is_a_sentence_and_choosing_another_plays_there(qtbot, sessions, sound_card):
    # The real speaker path: PulseAudio's virtual speaker, or one that does not exist.
    view = ReviewView(output_device="Headphones that are not plugged in", banks=load_banks())
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    try:
        finished = sessions["finished"]
        open_session(qtbot, view, finished["id"])
        assert "Headphones that are not plugged in" in view.player.problem.label.text()
        assert not view.player.answer_button.isEnabled()
        view.set_output_device("pulse")  # what Settings does after a new speaker is saved
        qtbot.waitUntil(lambda: view.player.audio is not None and view.player.player is not None, timeout=TIMEOUT_MS)
        assert view.player.problem.isHidden() and view.player.answer_button.isEnabled()
        qtbot.mouseClick(view.player.answer_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: view.player.answer_position() > 0.5, timeout=TIMEOUT_MS)  # the speaker takes it in
    finally:
        view.shutdown()
        assert wait_for_background()
