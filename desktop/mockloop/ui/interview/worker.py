"""Runs one interview on a worker thread and forwards the engine's events to the window.

`InterviewWorker` lives on its own QThread: it warms the models, opens the store, the
answer source and the audio output, then runs `InterviewRunner.run()` there until the
session ends. The runner's `emit` callback is called on that thread and on the capture
and speech-recognition threads; every event (engine.interview.events) leaves as it is
through the one `engine_event` signal, so receivers in the window get it queued on the
GUI thread. `session.InterviewSession` is the GUI-side owner: it starts the thread,
forwards the candidate's actions (thread-safe runner commands), and stops without blocking.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from mockloop.engine.interview.answers import AnswerSource, DeskAnswers
from mockloop.engine.interview.commands import Command
from mockloop.engine.interview.events import Event, MicLevel
from mockloop.engine.audio.base import AudioOut
from mockloop.engine.bank.schema import Bank
from mockloop.engine.core.errors import AudioUnavailableError, MockloopError
from mockloop.engine.core.settings import EndOfTurn, Settings
from mockloop.engine.store import SessionMode, SessionStatus
from mockloop.engine.models.warm_engines import WarmEngines
from mockloop.ui.common import qt_fixes  # noqa: F401 (PySide6 reference-count bugs: see qt_fixes)

LEVEL_INTERVAL_S = 0.05  # at most 20 meter updates a second reach the window
# What the window may send (`end` has its own entry point, typing its own switch).
ACTIONS = (Command.DONE, Command.PRESS, Command.RELEASE, Command.REPEAT, Command.SKIP, Command.REANSWER,
           Command.END_ROUND, Command.STOP)


@dataclass(frozen=True)
class SessionRequest:
    """What the candidate asked for: the full loop, or one question to practise."""

    mode: SessionMode
    bank: Bank
    question_id: str | None = None
    persona_id: str | None = None


@dataclass
class AudioEdge:
    """Where answers come from and where the interviewer's voice goes; None means the real devices.

    Tests pass file-backed ones (FolderAnswers, WavFileOut). Factories run on the worker thread.
    """

    answers: Callable[[], AnswerSource] | None = None
    out: Callable[[], AudioOut] | None = None
    playback: Callable[[], AudioOut] | None = None  # Review's speaker; None: the same as `out`


class InterviewWorker(QObject):
    """Owns the models, the store and the runner of one session; lives on the session's QThread."""

    # Payloads travel as `object`: Signal(dict) would turn them into QVariantMaps (keys re-sorted).
    status = Signal(str)  # what is being prepared ("Loading the interviewer's voice…"); "" when ready
    persona_ready = Signal(object)  # id, name, title, focus
    input_mode = Signal(str, str, str)  # "voice" | "typed" | "file", problem, fix (problem empty when fine)
    output_problem = Signal(str, str)  # problem, fix: no speaker, questions are shown as text only
    awaiting_text = Signal(bool)  # a typed answer is (no longer) wanted
    failed = Signal(str, str)  # problem, fix: the session could not start or stopped on an error
    finished = Signal()
    # Everything the interview reports (engine.interview.events); microphone levels at most 20 a second.
    engine_event = Signal(object)  # not `event`: that would hide QObject.event()

    def __init__(self, request: SessionRequest, settings: Settings, edge: AudioEdge | None = None,
                 warm: WarmEngines | None = None) -> None:
        super().__init__()
        self._request = request
        self._warm = warm  # the app's preloaded models, borrowed for this session when they fit its settings
        self._settings = dataclasses.replace(settings)  # the GUI may edit its copy meanwhile
        self._edge = edge or AudioEdge()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._runner = None
        self._answers: AnswerSource | None = None
        self._end_of_turn: dict = {}
        self._level_at = 0.0
        self._level_max = (0.0, 0.0)
        self.run_thread: QThread | None = None  # the thread run() ran on (tests compare it with the GUI's)
        self.emit_threads: set[int] = set()  # threads the engine's events came from

    # ---- from the GUI thread (thread-safe) ---------------------------------------------------------

    @Slot(str)
    def command(self, name: Command | str) -> None:
        """A candidate action; a typed answer that is waiting takes it directly."""
        command = Command(name)
        assert command in ACTIONS, command
        if command is Command.STOP:
            self.stop()
            return
        with self._lock:
            runner, answers = self._runner, self._answers
        if runner is None:
            return
        if not command.on_the_answer and isinstance(answers, DeskAnswers) and answers.offer_command(command):
            if command in (Command.SKIP, Command.END_ROUND):
                runner.speaker.stop()  # moving on: the interviewer stops talking
            return
        runner.command(command)

    def end(self, draft: str = "") -> None:
        """The candidate ends the interview: the answer in progress (or the typed `draft`) is kept and scored."""
        with self._lock:
            runner, answers = self._runner, self._answers
        if runner is None:
            self.stop()  # still loading: nothing to keep yet
            return
        if isinstance(answers, DeskAnswers) and answers.waiting:
            answers.close(draft, Command.END)
            return
        runner.command(Command.END)

    @Slot(str)
    def submit_text(self, text: str) -> bool:
        """A typed answer; False when no answer is waiting for one (e.g. the interviewer is still talking)."""
        answers = self._answers
        return isinstance(answers, DeskAnswers) and answers.submit_text(text)

    @Slot(bool)
    def set_typing(self, typing: bool) -> None:
        """Type (True) or speak: a spoken answer in progress is kept and goes on in the text box."""
        with self._lock:
            runner, answers = self._runner, self._answers
        if isinstance(answers, DeskAnswers):
            answers.set_typing(typing)
            if typing and runner is not None:
                runner.command(Command.TYPE)  # ignored unless the microphone is listening

    @Slot(str)
    def set_end_of_turn(self, value: str) -> None:
        """Hands-free or push-to-talk from the next answer on."""
        with self._lock:
            runner, config = self._runner, self._end_of_turn.get(value)
        if runner is not None and config is not None:
            runner.endpointing = config  # read by the runner when the next answer starts

    @Slot()
    def stop(self, draft: str = "") -> None:
        """The app is closing: the answer in progress (or the typed `draft`) is kept, the session ends interrupted.

        Returns at once.
        """
        with self._lock:
            self._stop.set()
            runner, answers = self._runner, self._answers
        if isinstance(answers, DeskAnswers):
            answers.close(draft)
        if runner is not None:
            runner.command(Command.STOP)

    def interviewer_speaking(self) -> bool:
        runner = self._runner
        return runner is not None and runner.speaker.speaking.is_set()

    # ---- on the worker thread ------------------------------------------------------------------------

    @Slot()
    def run(self) -> None:
        self.run_thread = QThread.currentThread()
        opened: dict = {}
        try:
            if self._prepare(opened):
                if self._stop.is_set():
                    _discard(self._runner)  # stopped in the instant before it began: no session is created
                else:
                    self.status.emit("")
                    self._runner.run()
        except MockloopError as exc:
            self.failed.emit(exc.problem, exc.fix)
        except Exception as exc:  # noqa: BLE001 - the window must hear about it, and the thread must end
            self.failed.emit(f"The interview stopped because of an unexpected error: {exc}.", "Your answers so far are saved. Start a new session to go on.")
        finally:
            self._finish(opened.get("engines"), opened.get("store"), opened.get("out"), opened.get("lent", False))
            self.finished.emit()

    def _prepare(self, opened: dict) -> bool:
        """Everything the runner needs, put in `opened` as it is made; False when stopped meanwhile."""
        from mockloop.engine.speech.endpointer import EndpointerConfig
        from mockloop.engine.models.engines import Engines
        from mockloop.engine.interview.plan import plan_loop, plan_practice
        from mockloop.engine.interview.runner import InterviewRunner
        from mockloop.engine.store import SessionStore

        request, settings = self._request, self._settings
        bank = request.bank
        persona = self._persona(bank)
        self.persona_ready.emit({"id": persona.id, "name": persona.name, "title": persona.title, "focus": persona.focus})
        if request.mode is SessionMode.PRACTICE:
            question = next(q for q in bank.questions if q.id == request.question_id)
            rounds = plan_practice(bank, question)
        else:
            rounds = plan_loop(bank, seed=random.randrange(1 << 30))
        self.status.emit("Opening your session history…")
        store = opened["store"] = SessionStore.open()
        store.recover_interrupted()
        answers = self._open_answers()
        out = opened["out"] = self._open_out()
        engines, opened["lent"] = None, False
        if self._warm is not None:
            if not self._warm.ready:
                self.status.emit("Waiting for the models to finish loading…")
            engines = self._warm.acquire(self._stop, settings)
            opened["lent"] = engines is not None
        engines = opened["engines"] = engines or Engines(settings)
        for role, label, load in (("stt", "speech recognition", lambda: engines.decoder),
                                  ("tts", "the interviewer's voice", lambda: engines.cache),
                                  ("llm", "the interviewer model", lambda: engines.llm),
                                  ("text", "answer understanding", lambda: engines.text)):
            if self._stop.is_set():
                return False  # stopped while loading: no session is created
            if not opened["lent"] or role in self._warm.failures:  # preloaded models are there already
                self.status.emit(f"Loading {label}…")
            load()
        silence = settings.silence_seconds
        self._end_of_turn = {m.value: EndpointerConfig(mode=m, silence_seconds=silence) for m in EndOfTurn}
        runner = InterviewRunner(
            engines, bank, persona, rounds, store, answers, out, mode=request.mode,
            endpointing=self._end_of_turn[settings.end_of_turn.value], emit=self._on_event,
            wait_for_room=True,  # the candidate can free some space and go on
        )
        with self._lock:
            if not self._stop.is_set():
                self._runner = runner
                return True
        _discard(runner)
        return False

    def _persona(self, bank: Bank):
        wanted = self._request.persona_id or self._settings.persona
        try:
            return bank.persona(wanted)
        except KeyError:
            return bank.personas[0]  # a stale setting should not stop the interview

    def _open_answers(self) -> AnswerSource:
        if self._edge.answers is not None:
            answers = self._edge.answers()
            self.input_mode.emit("file", "", "")
        else:
            from mockloop.engine.audio.capture import select_device

            device = self._settings.input_device or None
            try:
                select_device(device, "input")
            except AudioUnavailableError as exc:
                self.input_mode.emit("typed", exc.problem, exc.fix)
                typing = True
            else:
                self.input_mode.emit("voice", "", "")
                typing = False
            answers = DeskAnswers(device, typing=typing, on_waiting=self.awaiting_text.emit, on_problem=self._on_microphone_problem)
        with self._lock:
            self._answers = answers
            if self._stop.is_set() and isinstance(answers, DeskAnswers):
                answers.close()
        return answers

    def _on_microphone_problem(self, exc: AudioUnavailableError) -> None:
        self.input_mode.emit("typed", exc.problem, exc.fix)

    def _open_out(self) -> AudioOut:
        if self._edge.out is not None:
            return self._edge.out()
        from mockloop.engine.audio.output import SilentOut, SoundDeviceOut

        try:
            return SoundDeviceOut(self._settings.output_device or None)
        except AudioUnavailableError as exc:
            self.output_problem.emit(exc.problem, exc.fix)
            return SilentOut()

    def _finish(self, engines, store, out, lent: bool) -> None:
        runner = self._runner
        if store is not None:
            if runner is not None and runner.session_id is not None:
                try:
                    if store.get_session(runner.session_id).status is SessionStatus.IN_PROGRESS:
                        store.finalize(runner.session_id)  # the runner could not finish it
                except MockloopError:
                    pass
            store.close()
        if out is not None:
            _close(out)
        if engines is not None and lent:
            self._warm.release(engines)  # kept loaded for the next interview
        elif engines is not None:
            engines.close()

    # ---- engine events (worker, capture and speech-recognition threads) ---------------------------------

    def _on_event(self, event: Event) -> None:
        self.emit_threads.add(threading.get_ident())
        if isinstance(event, MicLevel):
            self._on_level(event)
        else:
            self.engine_event.emit(event)

    def _on_level(self, level: MicLevel) -> None:
        # Capture delivers ~31 blocks a second (far more from a file): send the loudest per interval.
        r, p = self._level_max
        self._level_max = (max(r, level.rms), max(p, level.peak))
        now = time.monotonic()
        if now - self._level_at >= LEVEL_INTERVAL_S:
            self._level_at = now
            self.engine_event.emit(MicLevel(float(self._level_max[0]), float(self._level_max[1])))
            self._level_max = (0.0, 0.0)


def _discard(runner) -> None:
    """End the threads of a runner that will not run."""
    runner.planner.close()
    runner.speaker.close()


def _close(out) -> None:
    close = getattr(out, "close", None)
    if close is not None:
        close()
