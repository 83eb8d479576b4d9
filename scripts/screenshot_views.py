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
ASKING_QUESTION = "ds-trending-topics"
# Two questions to the interviewer before the design: (what was asked, the scenario fact it asked for).
ASKED = [("Before I design anything, how many posts a day are we talking about?", "post-volume"),
         ("And how fresh does the trends list need to be?", "trend-freshness")]
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


def capture_all(output: Path, work: Path, only: set[str] | None = None) -> list[Path]:
    """Grab every view (or the shots named in `only`, file names without .png) and return the files written."""
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

    def want(*names: str) -> bool:
        return only is None or any(name in only for name in names)

    panel = window.home.model_panel
    wait_until(app, lambda: window.warmer.state("llm") in ("ready", "failed") and panel.ready_count() == len(registry.ROLES), "the models")
    wait_until(app, lambda: window.home.plan_panel.plan is not None, "the practice plan")
    if want("home"):
        written.append(grab(window, output / "home.png", app))
    if want("question-bank"):
        window.show_view(window.bank_view)
        window.bank_view.select_question(QUESTION)
        written.append(grab(window, output / "question-bank.png", app))
    if want("radar"):
        window.show_view(window.radar_view)
        radar = window.radar_view
        wait_until(app, lambda: radar.radar is not None and radar.radar.answers > 0, "the radar")
        axis = max((a for a in radar.radar.axes if a.answers), key=lambda a: a.answers)
        radar.select_axis(axis.id)
        written.append(grab(window, output / "radar.png", app))
    if want("review"):
        written.append(_review(window, app, output))
    if want("settings"):
        window.show_view(window.settings_view)
        settle(app, 1.5)  # device list and model checks
        written.append(grab(window, output / "settings.png", app))
    if want("interview", "feedback", "feedback-misconception", "feedback-dark"):
        window._on_practice(QUESTION)
        view = window.interview_view
        wait_until(app, lambda: len(view.captions.toPlainText().split()) >= 25, "live captions")
        written.append(grab(window, output / "interview.png", app))
        wait_until(app, lambda: window.interview is not None and not window.interview.is_running(), "the end of the practice")
        window.show_view(window.feedback_view)
        written.append(grab(window, output / "feedback.png", app))
        window.feedback_view.add_answer(_wrong_answer())
        written.append(grab(window, output / "feedback-misconception.png", app))
    if want("coding-round", "coding-feedback"):
        written += _coding_round(window, app, output, work)
    if want("home-dark", "feedback-dark"):
        light = app.palette()
        app.setPalette(dark_palette())
        window.show_view(window.home)
        written.append(grab(window, output / "home-dark.png", app))
        window.show_view(window.feedback_view)
        written.append(grab(window, output / "feedback-dark.png", app))
        app.setPalette(light)
    if want("interview-exchange"):
        written.append(_interview_exchange(window, app, output, work))
    if want("feedback-clarifying"):
        written.append(_feedback_clarifying(window, app, output))

    window.close()
    wait_until(app, lambda: not window.isVisible(), "the window to close")
    wait_for_background()
    return written


def _review(window, app: QApplication, output: Path) -> Path:
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
    shot = grab(window, output / "review.png", app)
    review.player.pause()
    return shot


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


def _asking_answer():
    """The adequate graded answer to the trending question, begun with two questions to the interviewer,
    scored by the real engines with those exchanges (the replies are the bank's scenario facts)."""
    import yaml

    from mockloop.engine.bank import load_banks
    from mockloop.engine.core.exchanges import Exchange
    from mockloop.engine.interview.answer_record import AnswerRecord
    from mockloop.engine.scoring import score_answer
    from mockloop.engine.scoring.text import transcript_from_text

    bank, question = load_banks().find(ASKING_QUESTION)
    graded = yaml.safe_load((SPEECH.parent / "graded" / "twitter-x.yaml").read_text(encoding="utf-8"))
    answer = next(g["text"] for g in graded if g["question_id"] == ASKING_QUESTION and g["grade"] == "adequate")
    facts = {f.id: f for f in question.scenario}
    lead = bank.persona("standard").answer_lead
    exchanges = [Exchange("clarify", asked, f"{lead} {facts[fact].fact}".strip(), fact_id=fact,
                          topic=facts[fact].topic.value, similarity=0.8, confidence=0.9) for asked, fact in ASKED]
    transcript = transcript_from_text(" ".join(asked for asked, _ in ASKED) + " " + answer)
    score = score_answer(question, bank, transcript, exchanges=exchanges)
    return AnswerRecord.from_score(question, score, transcript, attempt=1, turn_id=None)


def _feedback_clarifying(window, app: QApplication, output: Path) -> Path:
    """Feedback on an answer with two exchanges, scrolled to the rubric and the questions to the interviewer."""
    from PySide6.QtWidgets import QScrollArea

    window._ensure_interview_views()  # made on first use
    feedback = window.feedback_view
    window.show_view(feedback)
    feedback.add_answer(_asking_answer())
    settle(app)
    scroll = feedback.findChild(QScrollArea)
    rubric = feedback.rubric_list.parentWidget()  # its card: the point asking earned, then the questions asked
    scroll.verticalScrollBar().setValue(rubric.mapTo(scroll.widget(), rubric.rect().topLeft()).y() - 12)
    return grab(window, output / "feedback-clarifying.png", app)


def _interview_exchange(window, app: QApplication, output: Path, work: Path, attempts: int = 5) -> Path:
    """A live practice of the trending question: the candidate asks about volume and the interviewer answers from
    the bank, the reply shown in the captions after the question while it is spoken (real clips, real engines)."""
    import numpy as np
    import soundfile as sf

    from mockloop.engine.audio.loading import load_audio
    from mockloop.engine.bank import load_banks
    from mockloop.engine.interview.answers import FolderAnswers

    answers = work / "asking-answers"
    answers.mkdir()
    rate = 16_000
    quiet = np.zeros(3 * rate, dtype=np.float32)
    listening = np.zeros(20 * rate, dtype=np.float32)  # the reply takes about 12 s to say, after a moment to hear it
    audio = np.concatenate([quiet[:rate // 2], load_audio(SPEECH / "piper_ask_volume.flac"), listening,
                            load_audio(SPEECH / "piper_after_asking.flac"), quiet])
    sf.write(str(answers / "01.wav"), audio, rate, subtype="PCM_16")
    (answers / "02.txt").write_text("[end]", encoding="utf-8")
    bank, question = load_banks().find(ASKING_QUESTION)
    fact = next(f for f in question.scenario if f.id == ASKED[0][1])
    reply = f"{bank.persona('standard').answer_lead} {fact.fact}".strip()
    for attempt in range(1, attempts + 1):
        window.audio.answers = functools.partial(FolderAnswers, answers, realtime=True)
        window._on_practice(ASKING_QUESTION)
        view = window.interview_view
        card = view.captions_card
        wait_until(app, lambda: any(text == reply for _, text in card.replies) or "helps" in card.text().lower(),
                   "the interviewer's reply")
        if any(text == reply for _, text in card.replies) and view.nudge_banner.isHidden():
            break
        # Fed in real time on a loaded machine, the interview does not always answer in time (or nudges the
        # silence first): try again.
        print(f"  (attempt {attempt}: the interview did not answer the question in time; trying again)")
        wait_until(app, lambda: not window.interview.is_running(), "the end of the practice")
    else:
        raise TimeoutError(f"the interview did not answer the question in {attempts} attempts")
    wait_until(app, lambda: "talking about?" in card.committed, "the question, captioned")
    heard = card.committed.index("talking about?") + len("talking about?")
    placed = [at for at, text in card.replies if text == reply]
    if placed != [heard]:
        # A reply goes where the committed captions had got to when it came, which can be before the question's
        # last words are committed: put it after the question, where it was asked.
        print(f"  (the reply came at caption offset {placed}, before the question was captioned: shown after it, at {heard})")
        card.replies = [(heard, reply)]
        card.show_caption(card.committed, card.tentative)
    shot = grab(window, output / "interview-exchange.png", app)
    wait_until(app, lambda: not window.interview.is_running(), "the end of the practice")
    return shot


def _spoken_sessions() -> set[str]:
    """Sessions whose first answer has a recording (the seeded spoken one)."""
    from mockloop.engine.store import SessionStore

    with SessionStore.open() as store:
        return {s.id for s in store.list_sessions(limit=100)
                if any(t.candidate_audio is not None for t in store.get_session(s.id).turns)}
