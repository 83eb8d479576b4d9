"""The code pad: the editor's keys and colours, edits recorded so they replay exactly, Run through the real sandbox,
the results shown as plain text, and Review's replay of the code at a moment."""

from __future__ import annotations

import functools
import itertools
import os
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from mockloop.engine.coding.results import CaseResult, CodeRun, RunResult, RunStatus
from mockloop.engine.coding.sandbox import Case
from mockloop.engine.coding.session import CodeSession
from mockloop.engine.coding.timeline import EditTimeline
from mockloop.ui.coding.editor import CodeEditor
from mockloop.ui.coding.pad import CodePad
from mockloop.ui.coding.replay import CodeReplay
from mockloop.ui.coding.results_panel import EMPTY_TEXT, RUNNING_TEXT
from mockloop.ui.coding.text_edits import diff
from mockloop.ui.common.background import wait_for_background

RUN_MS = 60_000  # a sandboxed interpreter start on a busy 2-core machine
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
STARTER = "def add(a, b):\n    ...\n"
ADD = SimpleNamespace(function="add", starter=STARTER,
                      cases=[Case("small", [1, 2], 3), Case("negative", [-4, 1], -3), Case("zeros", [0, 0], 0)])


def show_active(qtbot, widget: QWidget) -> None:
    """Shown and the active window: shortcuts only fire in the active window."""
    with qtbot.waitExposed(widget):
        widget.show()
    with qtbot.waitActive(widget):
        widget.activateWindow()


@pytest.fixture
def editor(qtbot):
    widget = CodeEditor()
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    show_active(qtbot, widget)
    widget.setFocus()
    return widget


@pytest.fixture
def pad(qtbot):
    widget = CodePad()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    show_active(qtbot, widget)
    yield widget
    wait_for_background()  # no sandbox job may outlive its test


def load(pad: CodePad, clock=None) -> CodeSession:
    session = CodeSession("add-two", STARTER, **({"clock": clock} if clock else {}))
    session.start_clock()
    pad.load("add-two", ADD, session)
    pad.editor.setFocus()
    return session


def replace_code(qtbot, editor: CodeEditor, lines: list[str]) -> None:
    """Select everything and type `lines` as a candidate would (the editor indents after each ':')."""
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    for i, line in enumerate(lines):
        if i:
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.keyClicks(editor, line)


def run(qtbot, pad: CodePad) -> RunResult:
    with qtbot.waitSignal(pad.run_finished, timeout=RUN_MS) as finished:
        qtbot.keyClick(pad.editor, Qt.Key.Key_Return, CTRL)
    return finished.args[0]


# --- the editor's keys -----------------------------------------------------------------------------------------

def test_enter_keeps_the_indent_and_adds_a_level_after_a_colon(qtbot, editor):
    replace_code(qtbot, editor, ["def f(x):", "if x:", "return x", ""])  # Enter between the lines
    assert editor.toPlainText() == "def f(x):\n    if x:\n        return x\n        "
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # in the leading spaces: back one level
    qtbot.keyClicks(editor, "return 0")
    assert editor.toPlainText().splitlines()[-1] == "    return 0"
    assert "\t" not in editor.toPlainText()


def test_tab_and_shift_tab_work_in_levels_of_four_spaces(qtbot, editor):
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    "
    qtbot.keyClicks(editor, "x")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # to the next multiple of four, not four more
    assert editor.toPlainText() == "    x   "
    editor.setPlainText("      y")  # six spaces: Shift+Tab goes back to four, then to none
    for after in ("    y", "y", "y"):
        qtbot.keyClick(editor, Qt.Key.Key_Backtab, SHIFT)
        assert editor.toPlainText() == after
    assert "\t" not in editor.toPlainText()


def test_tab_indents_every_selected_line_and_shift_tab_dedents_them(qtbot, editor):
    editor.setPlainText("a = 1\n\nb = 2\nc = 3")
    cursor = editor.textCursor()
    cursor.setPosition(2)
    cursor.setPosition(editor.document().findBlockByNumber(2).position() + 1, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    a = 1\n\n    b = 2\nc = 3"  # blank lines stay blank; line 4 was not selected
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "        a = 1\n\n        b = 2\nc = 3"
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, SHIFT)
    assert editor.toPlainText() == "    a = 1\n\n    b = 2\nc = 3"
    editor.document().undo()  # one Tab is one undo step
    assert editor.toPlainText() == "        a = 1\n\n        b = 2\nc = 3"


def test_backspace_outside_the_indent_deletes_one_character_and_pasted_tabs_become_spaces(qtbot, editor):
    qtbot.keyClicks(editor, "    ab  ")
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert editor.toPlainText() == "    ab "
    editor.setPlainText("      ")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert editor.toPlainText() == "    "
    QApplication.clipboard().setText("if x:\r\n\treturn 1\n")
    qtbot.keyClick(editor, Qt.Key.Key_V, CTRL)
    assert editor.toPlainText() == "    if x:\n    return 1\n"


def test_plain_keys_reach_the_editor_though_the_window_binds_them(qtbot):
    """Push-to-talk holds Space and "I'm done" takes Enter in other rounds; typing code must still get them."""
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    editor = CodeEditor(window)
    other = QLabel("not a text field", window)
    other.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    for widget in (editor, other):
        layout.addWidget(widget)
    fired: list[str] = []
    for key, name in ((Qt.Key.Key_Space, "space"), (Qt.Key.Key_Return, "enter"), (Qt.Key.Key_D, "d")):
        shortcut = QShortcut(QKeySequence(key), window)  # the default context: the whole window
        shortcut.activated.connect(functools.partial(fired.append, name))
    show_active(qtbot, window)
    other.setFocus()
    qtbot.keyClick(other, Qt.Key.Key_Space)
    assert fired == ["space"]  # the shortcut is live for the rest of the window
    editor.setFocus()
    replace_code(qtbot, editor, ["a b", "d"])
    assert editor.toPlainText() == "a b\nd" and fired == ["space"]
    editor.set_read_only(True)  # Review's replay leaves the window's keys to the window
    qtbot.keyClick(editor, Qt.Key.Key_Space)
    assert fired == ["space", "space"]


# --- colours and the gutter ------------------------------------------------------------------------------------

def format_at(editor: CodeEditor, line: int, column: int) -> QTextCharFormat | None:
    """The highlighter's format at a Qt column of a line (None for plain text)."""
    for r in editor.document().findBlockByNumber(line).layout().formats():
        if r.start <= column < r.start + r.length:
            return QTextCharFormat(r.format)  # a copy outlives the range
    return None


def test_the_highlighter_colours_keywords_strings_and_comments_apart(editor):
    editor.setPlainText("@cache\ndef f(n):\n    return len('x#y') + 42  # done\n")
    keyword, string = format_at(editor, 2, 4), format_at(editor, 2, 16)
    assert keyword is not None and string is not None
    assert keyword.foreground().color() != string.foreground().color()
    builtin, number, comment = format_at(editor, 2, 11), format_at(editor, 2, 24), format_at(editor, 2, 30)
    colours = {f.foreground().color().name() for f in (keyword, string, builtin, number, comment)}
    assert len(colours) == 5
    assert comment.fontItalic()
    assert format_at(editor, 2, 17) == string  # the '#' inside the string
    assert format_at(editor, 2, 14) is None  # the bracket
    assert format_at(editor, 0, 1) is not None  # the decorator
    assert format_at(editor, 1, 4) is not None and format_at(editor, 1, 4) != keyword  # the name defined


def test_a_triple_quoted_string_carries_over_lines(editor):
    editor.setPlainText('x = """first\nstill # inside\nend""" + 1\ny = 2')
    string = format_at(editor, 0, 6)
    assert format_at(editor, 1, 8) == string  # not a comment: inside the string
    assert format_at(editor, 2, 0) == string
    assert format_at(editor, 2, 9) is not None and format_at(editor, 2, 9) != string  # the number after it
    assert format_at(editor, 3, 0) is None


def test_colours_after_an_emoji_land_on_the_right_characters(editor):
    editor.setPlainText("s = '😀'  # hi")
    # Qt counts the emoji as two units: the comment starts at column 10 in Qt, 9 in Python.
    comment = format_at(editor, 0, 10)
    assert comment is not None and comment.fontItalic()
    assert format_at(editor, 0, 8) is None  # the spaces between the string and the comment


def test_the_gutter_widens_when_the_line_count_gains_a_digit(editor):
    editor.setPlainText("\n" * 98)
    assert editor.blockCount() == 99
    narrow = editor.gutter.width()
    assert narrow == editor.viewportMargins().left()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.insertPlainText("\n")
    assert editor.blockCount() == 100 and editor.gutter.width() > narrow
    assert editor.viewportMargins().left() == editor.gutter.width()


# --- recording edits -------------------------------------------------------------------------------------------

def test_the_timeline_replays_exactly_what_the_editor_shows(qtbot, pad):
    session = load(pad, map(float, itertools.count()).__next__)  # a clock a second on per reading: one time per edit
    assert pad.code() == STARTER
    editor = pad.editor
    seen: list[str] = []
    editor.textChanged.connect(lambda: seen.append(editor.toPlainText()))
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, "x = 1")  # typing
    QApplication.clipboard().setText("note = 'café 😀'\nprint(note)\n")
    qtbot.keyClick(editor, Qt.Key.Key_V, CTRL)  # pasting, with an emoji (two UTF-16 units)
    qtbot.keyClicks(editor, "y")  # typing after the emoji
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(4, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)  # deleting a selection
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)  # deleting a character
    editor.document().undo()  # and undo
    timeline = session.snapshot().timeline
    assert timeline.final == editor.toPlainText()
    assert "😀" in timeline.final
    times = [e.t for e in timeline.edits]
    assert len(times) == len(seen) and times == sorted(times)
    for t, text in zip(times, seen):  # every moment in between replays too
        assert timeline.text_at(t) == text
    assert timeline.text_at(-1) == STARTER


def test_the_diff_is_one_replacement_in_python_characters():
    assert diff("abc", "abc") is None
    assert diff("aa", "aaa") == (2, 0, "a")
    assert diff("x😀y", "x😀zy") == (2, 0, "z")
    assert diff("hello world", "hello there world") == (6, 0, "there ")


# --- running ---------------------------------------------------------------------------------------------------

def test_ctrl_enter_runs_a_passing_function_and_records_one_run(qtbot, pad):
    session = load(pad)
    assert pad.results.summary_label.text() == EMPTY_TEXT
    replace_code(qtbot, pad.editor, ["def add(a, b):", "return a + b"])
    assert pad.code() == "def add(a, b):\n    return a + b"
    started: list[str] = []
    pad.run_started.connect(lambda: started.append(pad.results.summary_label.text()))
    with qtbot.waitSignal(pad.run_finished, timeout=RUN_MS) as finished:
        qtbot.keyClick(pad.editor, Qt.Key.Key_Return, CTRL)
        assert pad.running and not pad.run_button.isEnabled()
        pad.run()  # a second Run while one runs is ignored
    assert started == [RUNNING_TEXT]
    result = finished.args[0]
    assert result.status is RunStatus.PASSED, result.summary
    assert "passed" in pad.results.summary_label.text()
    assert pad.results.text().count("✓") == 3
    assert all(m.isVisibleTo(pad) and n.isVisibleTo(pad) for m, n in pad.results.case_labels)
    assert pad.run_button.isEnabled()
    assert [(r.code, r.result) for r in session.snapshot().runs] == [(pad.code(), result)]


def test_the_button_runs_from_anywhere_and_a_failure_shows_input_expected_and_got(qtbot, pad):
    session = load(pad)
    replace_code(qtbot, pad.editor, ["def add(a, b):", "return a - b"])
    with qtbot.waitSignal(pad.run_finished, timeout=RUN_MS) as finished:
        qtbot.mouseClick(pad.run_button, Qt.MouseButton.LeftButton)
    result = finished.args[0]
    assert result.status is RunStatus.FAILED
    values = pad.results.failure.values
    assert pad.results.failure.isVisibleTo(pad.results)
    assert pad.results.failure.title.text() == "First failure: small"
    assert {f: values[f].text() for f in ("Input", "Expected", "Got")} == {"Input": "1, 2", "Expected": "3", "Got": "-1"}
    assert not values["Error"].isVisibleTo(pad.results)
    assert "✗" in pad.results.text() and "✓" in pad.results.text()  # zeros passes: 0 - 0 == 0
    assert len(session.snapshot().runs) == 1


def test_hostile_code_ends_in_a_sentence_while_the_window_keeps_working(qtbot, pad):
    # An endless loop, then code that kills its parent: the GUI thread keeps running its timers
    # meanwhile, each run ends in one sentence, and the pad runs a good solution afterwards.
    from PySide6.QtCore import QTimer

    session = load(pad)
    ticks: list[int] = []
    timer = QTimer(pad)
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    replace_code(qtbot, pad.editor, ["def add(a, b):", "while True:", "pass"])
    looping = run(qtbot, pad)
    assert looping.status is RunStatus.TIMEOUT and "endless loop" in looping.summary
    assert len(ticks) >= 10  # the window was not frozen while the sandbox spun
    assert looping.summary in pad.results.summary_label.text()
    replace_code(qtbot, pad.editor, ["import os", "def add(a, b):", "os.kill(os.getppid(), 9)"])
    killer = run(qtbot, pad)
    assert killer.status is RunStatus.CRASHED and "killed" in killer.summary
    replace_code(qtbot, pad.editor, ["def add(a, b):", "return a + b"])
    assert run(qtbot, pad).status is RunStatus.PASSED
    timer.stop()
    assert [r.result.status for r in session.snapshot().runs] == [RunStatus.TIMEOUT, RunStatus.CRASHED, RunStatus.PASSED]


def test_an_exception_shows_the_error_and_output_is_shown_as_typed(qtbot, pad):
    load(pad)
    replace_code(qtbot, pad.editor, ["def add(a, b):", 'print("<b>hi</b> & <i>bye</i>")', "return a / 0"])
    result = run(qtbot, pad)
    assert result.status is RunStatus.FAILED
    assert "<b>hi</b> & <i>bye</i>" in pad.results.stdout_view.toPlainText()
    assert pad.results.failure.values["Error"].text().startswith("ZeroDivisionError")
    for label in pad.results.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()


def test_a_syntax_error_is_a_sentence_and_the_pad_runs_again(qtbot, pad):
    session = load(pad)
    replace_code(qtbot, pad.editor, ["def add(a, b)", "return a + b"])
    result = run(qtbot, pad)
    assert result.status is RunStatus.SYNTAX
    assert pad.results.summary_label.text() == result.summary
    assert not pad.results.failure.isVisibleTo(pad.results)  # no test ran, so none failed
    assert pad.results.text().count("–") == 3 and "✗" not in pad.results.text()
    replace_code(qtbot, pad.editor, ["def add(a, b):", "return a + b"])
    pad.run_button.setFocus()  # Ctrl+Enter anywhere in the pad, not only in the editor
    with qtbot.waitSignal(pad.run_finished, timeout=RUN_MS) as finished:
        qtbot.keyClick(pad.run_button, Qt.Key.Key_Return, CTRL)
    assert finished.args[0].status is RunStatus.PASSED
    assert [r.result.status for r in session.snapshot().runs] == [RunStatus.SYNTAX, RunStatus.PASSED]


def test_a_run_of_the_previous_question_is_recorded_there_but_not_shown(qtbot, pad):
    first = load(pad)
    replace_code(qtbot, pad.editor, ["def add(a, b):", "return a + b"])
    pad.run()
    second = load(pad)  # the next question, while the first one's run is still going
    assert not pad.running and pad.code() == STARTER
    shown: list[RunResult] = []
    pad.run_finished.connect(shown.append)
    with qtbot.waitSignal(pad.run_finished, timeout=RUN_MS):
        pad.run()
    wait_for_background()  # both jobs done, so both answers are queued; deliver them all
    QApplication.processEvents()
    assert [r.status for r in shown] == [RunStatus.FAILED]  # the stub's own run, not the first question's pass
    assert [r.result.status for r in first.snapshot().runs] == [RunStatus.PASSED]
    assert [r.result.status for r in second.snapshot().runs] == [RunStatus.FAILED]
    assert pad.results.result is shown[0]


def test_a_cleared_pad_is_read_only_and_does_not_run(qtbot, pad):
    load(pad)
    pad.set_hint("Push to talk: hold Ctrl+Space")
    assert pad.hint_label.text() == "Push to talk: hold Ctrl+Space"
    assert "Ctrl+Enter" in pad.run_button.text() and "Ctrl+Enter" in pad.run_button.toolTip()
    pad.clear()
    assert pad.code() == "" and pad.editor.isReadOnly() and not pad.run_button.isEnabled()
    with qtbot.assertNotEmitted(pad.run_started):
        pad.run()


# --- replay ----------------------------------------------------------------------------------------------------

@pytest.fixture
def replay(qtbot):
    widget = CodeReplay()
    qtbot.addWidget(widget)
    widget.resize(500, 240)
    with qtbot.waitExposed(widget):
        widget.show()
    return widget


def test_replay_shows_the_code_and_the_last_run_at_a_time(replay):
    timeline = EditTimeline("def f():\n    ...\n")
    timeline.add(10.0, 13, 3, "return '😀'")
    timeline.add(20.0, 23, 0, " + 'ok'")
    timeline.add(45.0, 0, 0, "# tried twice\n")
    failing = RunResult(RunStatus.FAILED, "1 of 2 tests passed.",
                        [CaseResult("a", True, "", "1", "1"), CaseResult("b", False, "", "2", "3")])
    passing = RunResult(RunStatus.PASSED, "All 2 tests passed.", [CaseResult("a", True, "", "1", "1")] * 2)
    replay.set_timeline(timeline, [CodeRun(50.0, timeline.final, passing), CodeRun(42.0, "", failing)])
    assert replay.editor.isReadOnly()

    def at(seconds: float) -> tuple[str, str]:
        replay.show_time(seconds)
        return replay.text(), replay.status_label.text()

    assert at(5) == ("def f():\n    ...\n", "Not run yet.")
    assert at(25) == ("def f():\n    return '😀' + 'ok'\n", "Not run yet.")
    assert at(43) == ("def f():\n    return '😀' + 'ok'\n", "Run at 0:42: 1 of 2 tests passed")
    assert at(60) == (timeline.final, "Run at 0:50: 2 of 2 tests passed")
    assert at(12) == ("def f():\n    return '😀'\n", "Not run yet.")  # scrubbing back
    revision = replay.editor.document().revision()
    assert at(12.5) == ("def f():\n    return '😀'\n", "Not run yet.")
    assert replay.editor.document().revision() == revision  # an identical tick changes nothing


def test_replay_scrolls_to_the_last_edit_in_a_long_file(replay):
    starter = "".join(f"x{i} = {i}\n" for i in range(200))
    timeline = EditTimeline(starter)
    timeline.add(1.0, starter.index("x180 ="), 0, "# changed here\n")
    replay.set_timeline(timeline, [])
    replay.show_time(2)
    assert replay.editor.textCursor().blockNumber() == 181
    assert replay.editor.viewport().rect().contains(replay.editor.cursorRect())
