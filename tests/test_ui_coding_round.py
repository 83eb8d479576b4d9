"""A whole coding turn in the window, on the real models and PulseAudio's virtual microphone.

The question is spoken; the candidate explains the approach aloud (a recorded answer played
into the virtual microphone), then types the reference solution into the code pad while the
microphone stays on; Run shows every hidden test passed; "I'm done" brings the follow-up;
Feedback shows how long they spoke before the first line, the tests and the score; Review
replays the code in step with the recording.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import soundfile as sf
from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QTextCursor

from mockloop.engine.audio.output import WavFileOut
from mockloop.engine.bank import load_banks
from mockloop.engine.coding.timeline import EditTimeline
from mockloop.engine.core.settings import Settings
from mockloop.engine.interview.events import CodingStarted, FollowUpAsked, Nudged, QuestionAsked, Scored, SessionEnded
from mockloop.engine.store import SessionStore
from mockloop.ui.common.background import wait_for_background
from mockloop.ui.interview.parts import State
from mockloop.ui.interview.worker import AudioEdge
from mockloop.ui.main_window import MainWindow

from conftest import DATA

QUESTION_ID = "code-roc-auc"
CLIP = DATA / "speech" / "piper_coding.flac"
MODELS_MS = 240_000

pytestmark = [pytest.mark.models, pytest.mark.audio]


class Events(QObject):
    """On the GUI thread: the engine events the window was sent, in order."""

    def __init__(self, session) -> None:
        super().__init__()
        self.kinds: list[str] = []
        self.nudges: list[str] = []
        self.followups: list[str] = []
        self.scored: list = []
        self.coding: CodingStarted | None = None
        session.worker.engine_event.connect(self.on_event)

    @Slot(object)
    def on_event(self, event) -> None:
        kinds = {QuestionAsked: "question", CodingStarted: "coding", Nudged: "nudge", FollowUpAsked: "followup",
                 Scored: "scored", SessionEnded: "ended"}
        kind = kinds.get(type(event))
        if kind is None:
            return
        self.kinds.append(kind)
        if isinstance(event, CodingStarted):
            self.coding = event
        elif isinstance(event, Nudged):
            self.nudges.append(event.text)
        elif isinstance(event, FollowUpAsked):
            self.followups.append(event.followup.text)
        elif isinstance(event, Scored):
            self.scored.append(event.answer)


def type_code(qtbot, editor, code: str) -> None:
    """Type `code` as a person does in an editor that indents by itself: each line's text, then Enter, fixing
    the indentation the editor offers with Backspace (one level) or Tab."""
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    lines = code.rstrip("\n").split("\n")
    for number, line in enumerate(lines):
        wanted = len(line) - len(line.lstrip(" ")) if line.strip() else None
        if wanted is not None:
            for _ in range(8):
                offered = len(editor.textCursor().block().text())  # the new line holds only its indentation
                if offered > wanted:
                    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
                elif offered < wanted:
                    qtbot.keyClick(editor, Qt.Key.Key_Tab)
                else:
                    break
            qtbot.keyClicks(editor, line.lstrip(" "))
        if number < len(lines) - 1:
            qtbot.keyClick(editor, Qt.Key.Key_Return)


def _clip_speech_seconds() -> float:
    refs = json.loads((DATA / "speech" / "references.json").read_text(encoding="utf-8"))
    return float(refs["clips"]["piper_coding"]["duration"])


def test_a_whole_coding_turn_explained_typed_run_followed_up_scored_and_replayed(qtbot, sound_card, tmp_path):
    banks = load_banks()
    bank, question = banks.find(QUESTION_ID)
    window = MainWindow(banks, Settings(input_device="pulse"),
                        audio=AudioEdge(out=functools.partial(WavFileOut, tmp_path / "interviewer.wav"),
                                        playback=functools.partial(WavFileOut, tmp_path / "replay.wav", realtime=True)))
    window.show()
    qtbot.waitExposed(window)
    try:
        window.show_view(window.bank_view)
        assert window.bank_view.select_question(QUESTION_ID)
        qtbot.mouseClick(window.bank_view.detail.practice_button, Qt.MouseButton.LeftButton)
        session = window.interview
        events = Events(session)
        view = window.interview_view
        pad = view.code_pad
        qtbot.waitUntil(lambda: events.coding is not None, timeout=MODELS_MS)
        # The question is shown and spoken; the pad opens beside the captions with the starter and the coding keys.
        assert view.question_label.text() == question.text
        qtbot.waitUntil(pad.isVisible, timeout=MODELS_MS)
        assert pad.editor.toPlainText() == question.coding.starter
        assert "Ctrl+Space" in view.actions.keys_hint.text() and "Ctrl+Enter" in view.actions.keys_hint.text()
        qtbot.waitUntil(lambda: view.state is State.LISTENING, timeout=MODELS_MS)
        qtbot.waitUntil(lambda: not session.interviewer_speaking(), timeout=MODELS_MS)

        # The approach, aloud, before any code.
        subprocess.run(["paplay", "--device=virt_mic_src", str(CLIP)], env=sound_card, check=True, timeout=120)
        qtbot.waitUntil(lambda: "sort" in view.captions.toPlainText().lower(), timeout=MODELS_MS)

        # Then the code, typed while the microphone stays on; Space goes into the editor.
        pad.editor.setFocus()
        type_code(qtbot, pad.editor, question.coding.reference)
        assert pad.editor.toPlainText().split() == question.coding.reference.split()
        # Typing in silence past the interviewer's patience brings a nudge about the code.
        qtbot.waitUntil(lambda: bool(events.nudges), timeout=MODELS_MS)
        assert events.nudges[0] == "Talk me through what you're writing."
        with qtbot.waitSignal(pad.run_finished, timeout=MODELS_MS) as ran:
            qtbot.keyClick(pad.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        result = ran.args[0]
        assert result.status.value == "passed" and result.passed == len(question.coding.cases)
        assert "passed" in pad.results.summary_label.text()
        assert pad.editor.toPlainText().count("\n") >= question.coding.reference.count("\n") - 1  # no stray Enter "done"

        # "I'm done": the answer is scored with its tests, and the follow-up is asked.
        qtbot.mouseClick(view.done_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(events.followups), timeout=MODELS_MS)
        assert events.followups[0].endswith("?")
        view.end_interview()
        qtbot.waitUntil(lambda: not session.is_running(), timeout=MODELS_MS)
    finally:
        window.close()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=MODELS_MS)
        assert wait_for_background(MODELS_MS)

    assert events.kinds.index("question") < events.kinds.index("coding") < events.kinds.index("nudge") < events.kinds.index("followup")
    answer = events.scored[-1]
    coding = answer.coding
    assert coding["passed"] == coding["total"] == len(question.coding.cases)
    spoke = coding["think_aloud"]["spoke_before_code_s"]
    print(f"\ncoding turn: spoke {spoke} s before the first line (at {coding['think_aloud']['first_code_s']} s), "
          f"narrated {coding['think_aloud']['narrated_share']}, overall {answer.overall}, follow-up {events.followups[0]!r}")
    assert _clip_speech_seconds() - 6 <= spoke <= _clip_speech_seconds() + 1, spoke
    assert coding["approach_before_code"] is True and coding["complexity"]["said"]
    assert answer.score["dimensions"]["correctness"] == 100.0 and answer.overall is not None

    # Feedback: the seconds spoken before the first line, the tests, the score and the code.
    feedback = window.feedback_view
    feedback.show_answer(answer)
    card = feedback.code_card
    assert card.isVisibleTo(feedback)
    assert card.think_label.textFormat() is Qt.TextFormat.RichText and "<li" in card.think_label.text()
    assert f"Spoke {spoke:.0f} s before the first line of code" in card.think_label.text()
    assert f"All {len(question.coding.cases)} tests passed" in card.tests_label.text()
    assert card.code_view.toPlainText() == coding["code"]
    assert feedback.overall_label.text() == f"{answer.overall:.0f}"

    # The store has every run and the timeline; Review replays the code in step with the recording.
    with SessionStore.open() as store:
        [summary] = store.list_sessions()
        stored = store.get_session(summary.id)
    turn = stored.turns[0]
    assert turn.code["final"] == coding["code"] and len(turn.code_runs) >= 1
    assert turn.code_runs[0]["result"]["status"] == "passed"
    timeline = EditTimeline.from_dict(turn.code["timeline"])
    first, last = timeline.first_code_time(), timeline.edits[-1].t
    assert turn.candidate_audio is not None and sf.info(str(turn.candidate_audio)).duration > last

    window2 = MainWindow(banks, Settings(), audio=AudioEdge(playback=functools.partial(WavFileOut, tmp_path / "replay2.wav", realtime=True)))
    window2.show()
    qtbot.waitExposed(window2)
    try:
        review = window2.review_view
        window2.show_view(review)
        qtbot.waitUntil(lambda: stored.id in review.sessions.ids(), timeout=MODELS_MS)
        review.show_session(stored.id)
        qtbot.waitUntil(lambda: review.session is not None and review.session.id == stored.id, timeout=MODELS_MS)
        review.detail.turns.setCurrentRow(0)
        replay = review.detail.code_replay
        assert replay.isVisibleTo(review)
        player = review.player
        qtbot.waitUntil(lambda: player.audio is not None, timeout=MODELS_MS)
        for moment in (first - 1.0, (first + last) / 2, last + 0.5):
            player.seek_answer(moment)
            assert replay.text() == timeline.text_at(player.answer_position()), moment
        assert replay.text() == turn.code["final"]
        player.seek_answer(0.0)
        qtbot.mouseClick(player.answer_button, Qt.MouseButton.LeftButton)  # play: the code follows the audio
        qtbot.waitUntil(lambda: player.answer_position() > 1.0, timeout=MODELS_MS)
        player.toggle_answer()
        qtbot.waitUntil(lambda: not player.is_playing(), timeout=MODELS_MS)
        assert replay.text() == timeline.text_at(player.answer_position()) == question.coding.starter
    finally:
        review.shutdown()
        window2.close()
        qtbot.waitUntil(lambda: not window2.isVisible(), timeout=MODELS_MS)
        assert wait_for_background(MODELS_MS)
