"""Open the real window over a seeded data folder and grab each view (used by screenshots.py)."""

from __future__ import annotations

import functools
import shutil
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

REPO = Path(__file__).resolve().parent.parent
SPEECH = REPO / "tests" / "data" / "speech"
QUESTION = "mle-spam-class-imbalance"
CODING_QUESTION = "code-roc-auc"
WINDOW_SIZE = QSize(1440, 900)
TIMEOUT_S = 240.0


def wait_until(app: QApplication, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
    """Run the event loop until `condition()` holds (a script may poll; tests wait on signals)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def settle(app: QApplication, seconds: float = 0.4) -> None:
    """Let layouts, fades and late background results land before a grab."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def grab(window: QWidget, path: Path, app: QApplication) -> Path:
    settle(app)
    window.grab().save(str(path))
    return path


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(32, 33, 36), QPalette.ColorRole.WindowText: QColor(232, 234, 237),
        QPalette.ColorRole.Base: QColor(24, 25, 27), QPalette.ColorRole.AlternateBase: QColor(40, 41, 45),
        QPalette.ColorRole.Text: QColor(232, 234, 237), QPalette.ColorRole.Button: QColor(48, 49, 52),
        QPalette.ColorRole.ButtonText: QColor(232, 234, 237), QPalette.ColorRole.Highlight: QColor(138, 180, 248),
        QPalette.ColorRole.HighlightedText: QColor(32, 33, 36), QPalette.ColorRole.ToolTipBase: QColor(48, 49, 52),
        QPalette.ColorRole.ToolTipText: QColor(232, 234, 237), QPalette.ColorRole.PlaceholderText: QColor(154, 160, 166),
        QPalette.ColorRole.Link: QColor(138, 180, 248),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    return palette


def _wrong_answer():
    """A confidently wrong typed answer from the adversarial set, scored by the real engines."""
    import yaml

    from mockloop.engine.bank import load_banks
    from mockloop.engine.interview.answer_record import AnswerRecord
    from mockloop.engine.scoring import score_answer
    from mockloop.engine.scoring.text import transcript_from_text

    bank, question = load_banks().find(QUESTION)
    answers = yaml.safe_load((SPEECH.parent / "graded" / "adversarial.yaml").read_text(encoding="utf-8"))
    text = next(a["text"] for a in answers if a["question_id"] == QUESTION and a["kind"] == "wrong")
    transcript = transcript_from_text(text)
    return AnswerRecord.from_score(question, score_answer(question, bank, transcript), transcript, attempt=2, turn_id=None)


def capture_all(output: Path, work: Path) -> list[Path]:
    from mockloop.engine.interview.answers import FolderAnswers
    from mockloop.engine.audio.output import WavFileOut
    from mockloop.engine.bank import load_banks
    from mockloop.engine.core.settings import Settings
    from mockloop.engine.models import registry
    from mockloop.ui.app import create_application
    from mockloop.ui.common.background import wait_for_background
    from mockloop.ui.interview.worker import AudioEdge
    from mockloop.ui.main_window import MainWindow

    app = create_application(["mockloop-screenshots"])
    app.setStyle("Fusion")  # the same look on every machine the script runs on
    answers = work / "live-answers"
    answers.mkdir()
    shutil.copy(SPEECH / "piper_medium.flac", answers / "01.flac")
    shutil.copy(SPEECH / "piper_vocab.flac", answers / "02.flac")  # the reply to the follow-up
    (answers / "03.txt").write_text("[end]", encoding="utf-8")
    edge = AudioEdge(answers=functools.partial(FolderAnswers, answers, realtime=True),
                     out=functools.partial(WavFileOut, work / "interviewer.wav", realtime=True),
                     playback=functools.partial(WavFileOut, work / "review.wav", realtime=True))
    window = MainWindow(load_banks(), Settings.load(), audio=edge, warm_models=True)
    window.resize(WINDOW_SIZE)
    window.show()
    written: list[Path] = []
    panel = window.home.model_panel
    wait_until(app, lambda: window.warmer.state("llm") in ("ready", "failed") and panel.ready_count() == len(registry.ROLES), "the models")
    wait_until(app, lambda: window.home.plan_panel.plan is not None, "the practice plan")
    written.append(grab(window, output / "home.png", app))

    window.show_view(window.bank_view)
    window.bank_view.select_question(QUESTION)
    written.append(grab(window, output / "question-bank.png", app))

    window.show_view(window.radar_view)
    radar = window.radar_view
    wait_until(app, lambda: radar.radar is not None and radar.radar.answers > 0, "the radar")
    axis = max((a for a in radar.radar.axes if a.answers), key=lambda a: a.answers)
    radar.select_axis(axis.id)
    written.append(grab(window, output / "radar.png", app))

    window.show_view(window.review_view)
    review = window.review_view
    wait_until(app, lambda: len(review.sessions.ids()) > 0, "the session list")
    spoken = next(s for s in review.summaries if s.scored_count and s.persona_id == "standard" and s.id in _spoken_sessions())
    review.show_session(spoken.id)
    wait_until(app, lambda: review.session is not None and review.session.id == spoken.id, "the spoken session")
    review.detail.turns.setCurrentRow(0)
    wait_until(app, lambda: review.player.audio is not None, "its audio")
    review.player.seek_answer(6.0, play=True)
    wait_until(app, lambda: (review.player.transcript.highlighted() or 0) > 20, "words lighting up")
    written.append(grab(window, output / "review.png", app))
    review.player.pause()

    window.show_view(window.settings_view)
    settle(app, 1.5)  # device list and model checks
    written.append(grab(window, output / "settings.png", app))

    window._on_practice(QUESTION)
    view = window.interview_view
    wait_until(app, lambda: len(view.captions.toPlainText().split()) >= 25, "live captions")
    written.append(grab(window, output / "interview.png", app))
    wait_until(app, lambda: window.interview is not None and not window.interview.is_running(), "the end of the practice")
    window.show_view(window.feedback_view)
    written.append(grab(window, output / "feedback.png", app))
    window.feedback_view.add_answer(_wrong_answer())
    written.append(grab(window, output / "feedback-misconception.png", app))
    written += _coding_round(window, app, output, work)

    app.setPalette(dark_palette())
    window.show_view(window.home)
    written.append(grab(window, output / "home-dark.png", app))
    window.show_view(window.feedback_view)
    written.append(grab(window, output / "feedback-dark.png", app))

    window.close()
    wait_until(app, lambda: not window.isVisible(), "the window to close")
    wait_for_background()
    return written


def _coding_round(window, app: QApplication, output: Path, work: Path) -> list[Path]:
    """The coding round mid-answer (the approach spoken, the code typed and run), then its feedback."""
    from mockloop.engine.bank import load_banks
    from mockloop.engine.interview.answers import FolderAnswers

    answers = work / "coding-answers"
    answers.mkdir()
    shutil.copy(SPEECH / "piper_coding.flac", answers / "01.flac")
    (answers / "02.txt").write_text("[end]", encoding="utf-8")
    window.audio.answers = functools.partial(FolderAnswers, answers, realtime=True)
    _, question = load_banks().find(CODING_QUESTION)
    window._on_practice(CODING_QUESTION)
    view = window.interview_view
    pad = view.code_pad
    wait_until(app, lambda: len(view.captions.toPlainText().split()) >= 30, "the approach, spoken")
    pad.editor.setPlainText(question.coding.reference)
    ran: list = []
    pad.run_finished.connect(ran.append)
    pad.run()
    wait_until(app, lambda: bool(ran), "the tests")
    shots = [grab(window, output / "coding-round.png", app)]
    wait_until(app, lambda: window.interview is not None and not window.interview.is_running(), "the end of the coding practice")
    window.show_view(window.feedback_view)
    shots.append(grab(window, output / "coding-feedback.png", app))
    return shots


def _spoken_sessions() -> set[str]:
    """Sessions whose first answer has a recording (the seeded spoken one)."""
    from mockloop.engine.store import SessionStore

    with SessionStore.open() as store:
        return {s.id for s in store.list_sessions(limit=100)
                if any(t.candidate_audio is not None for t in store.get_session(s.id).turns)}
