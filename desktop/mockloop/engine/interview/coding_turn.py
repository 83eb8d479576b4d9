"""One coding question in the interview: the code session the editor fills, its runs, the final run and scoring.

The runner makes a `CodingTurn` when it asks a coding question. The window's code pad records
edits and runs into `session` (a run is stored as soon as it finishes, from the thread that ran
it); the headless `simulate` hands over a code file instead (`given`). When the answer ends, the
final code is run if no run saw it yet, the answer is scored with its tests, and the code, its
timeline and every run are stored with the turn.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Callable

from mockloop.engine.bank.schema import Bank, Question
from mockloop.engine.coding.results import CodeRun, RunResult
from mockloop.engine.coding.sandbox import run_tests
from mockloop.engine.coding.session import CodeSession
from mockloop.engine.coding.think_aloud import silent_typing_since
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.scoring import AnswerScore
from mockloop.engine.scoring.coding import score_coding_answer
from mockloop.engine.speech.endpointer import EndpointerConfig
from mockloop.engine.speech.transcript import Transcript
from mockloop.engine.store import SessionStore

SILENT_TYPING_NUDGE = "Talk me through what you're writing."


class CodingTurn:
    """The code side of one coding question (and its follow-ups)."""

    def __init__(self, question: Question, store: SessionStore, turn_id: int) -> None:
        assert question.coding is not None
        self.question = question
        self.task = question.coding
        self.session = CodeSession(question.id, self.task.starter)
        self.given: str | None = None  # code handed over as a file (headless): no timeline
        self._store = store
        self._turn_id = turn_id
        self._stored = 0
        self.session.on_run(self._store_run)

    # ---- listening --------------------------------------------------------------------------

    @staticmethod
    def endpointing(config: EndpointerConfig) -> EndpointerConfig:
        """A coding answer ends when the candidate says they are done, never at a silence: typing is quiet.

        Push-to-talk stays push-to-talk (on another key in the window), but letting go does not end it."""
        mode = EndOfTurn.PUSH_TO_TALK if config.mode is EndOfTurn.PUSH_TO_TALK else EndOfTurn.MANUAL
        return replace(config, mode=mode, release_ends_turn=False, no_speech_seconds=None)

    def nudge_text(self, silent_seconds: float) -> str | None:
        """The nudge for a silence: about the code when the candidate has been typing through it."""
        since = self.session.now() - silent_seconds
        return SILENT_TYPING_NUDGE if silent_typing_since(self.session.snapshot().timeline, since) else None

    # ---- runs -------------------------------------------------------------------------------

    def _store_run(self, run: CodeRun) -> None:
        """On the thread that ran the code: store the run now; a failure waits for the end of the turn."""
        try:
            self._save_runs()
        except (MockloopError, sqlite3.ProgrammingError):
            pass  # a full disk (the end of the turn saves it, waiting for room), or a run that outlived its session

    def _save_runs(self) -> None:
        runs = self.session.snapshot().runs
        for idx, run in enumerate(runs, start=1):
            if idx > self._stored:
                self._store.add_code_run(self._turn_id, idx, run.offset_s, run.code, run.result.to_dict())
                self._stored = idx

    def final_code(self) -> str:
        return self.given if self.given is not None else self.session.text()

    def final_run(self) -> RunResult:
        """The result for the code as it is now: the last run's when it ran this very code, else a new run."""
        code = self.final_code()
        last = self.session.snapshot().last_run
        if last is not None and last.code == code:
            return last.result
        result = run_tests(code, self.task.function, self.task.cases)
        self.session.add_run(CodeRun(self.session.now(), code, result))
        return result

    # ---- scoring and keeping ----------------------------------------------------------------

    def score(self, bank: Bank, answer: Transcript, *, nudges: int, typed: bool, final: bool,
              judge: Callable | None, encoder: object, exchanges: tuple = ()) -> AnswerScore:
        """Score with the tests: `final` runs the current code if needed, a draft uses the last run."""
        snapshot = self.session.snapshot()
        if final:
            run: RunResult | None = self.final_run()
            snapshot = self.session.snapshot()
        else:
            run = snapshot.last_run.result if snapshot.last_run is not None else None
        timeline = None if typed or self.given is not None else snapshot.timeline
        return score_coding_answer(self.question, bank, answer, code=self.final_code(), run=run, timeline=timeline,
                                   runs=len(snapshot.runs), nudges=nudges, judge=judge, encoder=encoder,
                                   exchanges=exchanges)

    def keep(self, store: SessionStore) -> None:
        """Store the final code, its timeline and every run (runs stored already are written again, unchanged)."""
        snapshot = self.session.snapshot()
        for idx, run in enumerate(snapshot.runs, start=1):
            store.add_code_run(self._turn_id, idx, run.offset_s, run.code, run.result.to_dict())
        store.set_turn_code(self._turn_id, {"question_id": self.question.id, "function": self.task.function,
                                            "timeline": None if self.given is not None else snapshot.timeline.to_dict(),
                                            "final": self.final_code()})
