"""The Interview view in a coding round: the pad opens and closes with the questions, Space and single-letter
keys stay the editor's, and push-to-talk moves to Ctrl+Space."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut

from mockloop.engine.bank import load_banks
from mockloop.engine.coding.session import CodeSession
from mockloop.engine.interview.events import CodingStarted, QuestionAsked
from mockloop.ui.interview.controls import PushToTalk
from mockloop.ui.interview.view import InterviewView


@pytest.fixture
def coding_view(qtbot):
    _, question = load_banks().find("code-roc-auc")
    view = InterviewView()
    qtbot.addWidget(view)
    view.resize(1300, 800)
    view.show()
    qtbot.waitExposed(view)
    session = CodeSession(question.id, question.coding.starter)
    view.dispatch(QuestionAsked(question.id, question.text, question.kind.value, 1, 1))
    view.dispatch(CodingStarted(question.id, question.coding, session))
    return view, question, session


def test_a_coding_question_opens_the_pad_beside_the_captions_and_says_its_keys(coding_view):
    view, question, session = coding_view
    assert view.code_pad.isVisible() and view.captions_card.isVisible()
    assert view.code_pad.editor.toPlainText() == question.coding.starter
    assert view.talk_key.coding and view.talk_key.key_name == "Ctrl+Space"
    assert not view.end_of_turn.isVisible()  # "a long pause ends my answer" is not so while coding
    assert "Ctrl+Space" in view.actions.keys_hint.text() and "Ctrl+Enter" in view.actions.keys_hint.text()
    assert "Ctrl+Space" not in view.code_pad.hint_label.text() or view._push_to_talk()
    view.dispatch(QuestionAsked("mle-spam-class-imbalance", "Next question?", "Technical", 1, 2))
    assert not view.code_pad.isVisible() and not view.talk_key.coding and view.end_of_turn.isVisible()
    assert "Space: hold to talk" in view.actions.keys_hint.text()


def test_space_and_letters_go_into_the_editor_and_ctrl_space_is_the_talk_key(qtbot, coding_view):
    view, question, session = coding_view
    editor = view.code_pad.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    pressed, released, fired = [], [], []
    talk = PushToTalk(view, lambda: True)  # the view's own waits for a running session; the same filter, enabled
    talk.set_coding(True)
    talk.install()
    talk.pressed.connect(lambda: pressed.append(1))
    talk.released.connect(lambda: released.append(1))
    for shortcut in view.findChildren(QShortcut):
        shortcut.activated.connect(lambda s=shortcut: fired.append(s.key().toString()))
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, "r s d x")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText().endswith("r s d x\n") or "r s d x" in editor.toPlainText()
    assert pressed == [] and fired == []  # no Repeat, Skip or "I'm done", and no push-to-talk
    before = editor.toPlainText()
    qtbot.keyPress(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(editor, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier)  # Ctrl let go first
    talk.remove()
    assert pressed == [1] and released == [1]
    assert editor.toPlainText() == before  # Ctrl+Space typed nothing
    assert session.snapshot().final == editor.toPlainText()  # every keystroke is in the timeline
