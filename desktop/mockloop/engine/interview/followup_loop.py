"""The follow-ups of one answer: ask up to the persona's number, hear each reply, score again as they join it."""

from __future__ import annotations

import time

from mockloop.engine.bank.schema import Question
from mockloop.engine.interview.commands import Command
from mockloop.engine.interview.events import FollowUpAsked
from mockloop.engine.interview.followups import FollowUpContext
from mockloop.engine.interview.run_summary import EndRound, EndSession
from mockloop.engine.interview.turn_text import combine
from mockloop.engine.speech.transcript import Transcript


def ask_followups(runner, round_id: int, turn, question: Question, score, parts: list[Transcript], done: list[dict]) -> None:
    """Ask up to the persona's number of follow-ups; each is appended to `done` as it is asked."""
    asked = runner._asked
    for _ in range(runner.persona.max_followups):
        t0 = time.perf_counter()
        ctx = FollowUpContext.for_answer(question, runner.bank, runner.persona, combine(parts).text, score, list(asked))
        if runner._last_was_typed:
            # Nobody is waiting on a voice reply after typing: let the model plan fully (bounded).
            followup = runner.planner.planner.plan(ctx, deadline=time.monotonic() + 5.0)
        else:
            followup = runner.planner.finish(ctx, runner.followup_budget)
        if followup is None:
            break
        latency = time.perf_counter() - t0
        fturn = runner.store.begin_turn(round_id, parent_turn_id=turn.turn_id, interviewer_text=followup.text, followup=followup.to_dict())
        runner.emit(FollowUpAsked(followup, round(latency, 3)))
        runner._say(followup.text, (fturn.turn_id, fturn.interviewer_audio_path), kind="followup", wait=False)
        done.append({"text": followup.text, "source": followup.source, "ready_seconds": round(latency, 3),
                     "from_draft": followup.from_draft})
        runner._repeat_text = followup.text  # "can you repeat that?" now repeats the follow-up
        runner._offset = 0.0  # a follow-up answer has its own recording
        result, command = runner._listen_once(fturn.turn_id, question, fturn.audio_path, None)
        asked.append(followup.text)
        if command is not None and command.keeps_answer and result is not None and not result.no_speech:
            # The reply in progress is part of the answer: kept, and the session ends after it.
            parts.append(result.transcript)
            runner.store.finish_turn(fturn.turn_id, status="interrupted" if command is Command.STOP else "done",
                                   transcript=result.transcript.text, words=[vars(w) for w in result.transcript.words])
            raise EndSession(command.ending)
        if result is None or command:
            runner.store.finish_turn(fturn.turn_id, status="skipped")
            if command is Command.END_ROUND:
                raise EndRound
            if command in (Command.END, Command.STOP, Command.OUT_OF_ANSWERS):
                raise EndSession(command.ending)
            if command is Command.REANSWER:
                runner._reanswer = True
            break
        parts.append(result.transcript)
        runner.store.finish_turn(fturn.turn_id, transcript=result.transcript.text, words=[vars(w) for w in result.transcript.words])
        score = runner._score(question, combine(parts))
