"""The headless commands `answer` and `simulate`: the same engines as the app, no display."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.bank import load_banks
from mockloop.engine.bank.schema import Bank, Persona, Question
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.core.settings import EndOfTurn, Settings
from mockloop.engine.store.records import SessionMode

LLM_TIMEOUT_SECONDS = 8.0  # a headless follow-up may take longer than a live one, but never hangs


class PersonaNotFound(MockloopError):
    def __init__(self, persona_id: str, bank: Bank) -> None:
        names = ", ".join(p.id for p in bank.personas)
        super().__init__(f"There is no interviewer persona '{persona_id}' in the {bank.company.name} bank.", f"Choose one of: {names}.")


class AnswerInputError(MockloopError):
    pass


def _persona(bank: Bank, persona_id: str | None, settings: Settings) -> Persona:
    wanted = persona_id or settings.persona
    try:
        return bank.persona(wanted)
    except KeyError:
        if persona_id is None:
            return bank.personas[0]  # a stale setting should not stop the app
        raise PersonaNotFound(wanted, bank) from None


def _read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnswerInputError(f"The answer file {path} does not exist.", "Give the path of a UTF-8 text file.") from None
    except (OSError, UnicodeDecodeError):
        raise AnswerInputError(f"The answer file {path} is not readable UTF-8 text.", "Save the answer as plain text (UTF-8).") from None
    return text.strip()


def _read_code(path: Path, question: Question) -> str:
    if question.coding is None:
        raise AnswerInputError(f"“{question.id}” is not a coding question, so there is nothing to run {path} against.",
                               "Leave out --code, or choose a coding question (mockloop questions --kind Coding).")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnswerInputError(f"The code file {path} does not exist.", "Give the path of a Python file.") from None
    except (OSError, UnicodeDecodeError):
        raise AnswerInputError(f"The code file {path} is not readable UTF-8 text.", "Save the code as plain text (UTF-8).") from None


def answer(question_id: str, *, audio: Path | None = None, text: Path | None = None, code: Path | None = None,
           persona_id: str | None = None, save: bool = True, settings: Settings | None = None) -> dict:
    """Transcribe, measure, score and plan the follow-up for one recorded or typed answer (and its code)."""
    from mockloop.engine.models.engines import Engines
    from mockloop.engine.interview.followups import FollowUpContext, FollowUpPlanner
    from mockloop.engine.scoring import score_answer
    from mockloop.engine.scoring.llm_judge import judge_for
    from mockloop.engine.scoring.text import transcript_from_text
    from mockloop.engine.audio.loading import load_audio
    from mockloop.engine.speech.whisper_decoder import transcribe_batch
    from mockloop.engine.speech.vad import speech_fraction

    settings = settings or Settings.load()
    banks = load_banks()
    bank, question = banks.find(question_id)
    persona = _persona(bank, persona_id, settings)
    if audio is None and text is None and code is None:
        raise AnswerInputError("There is no answer to score.", "Give --audio or --text (and --code for a coding question).")
    source = _read_code(Path(code), question) if code is not None else None
    engines = Engines(settings)
    timings: dict[str, float] = {}
    samples: np.ndarray | None = None
    t0 = time.perf_counter()
    if audio is not None:
        samples = load_audio(audio)
        if samples.size == 0 or speech_fraction(samples) < 0.01:
            transcript = transcript_from_text("")
            transcript.duration = samples.size / STT_RATE
        else:
            vocabulary = list(question.tags) + [s for p in question.rubric for s in p.signals[:2]]
            transcript = transcribe_batch(engines.decoder, samples, vocabulary[:40], question.text)
    else:
        transcript = transcript_from_text(_read_text(Path(text)) if text is not None else "")
    timings["stt"] = round(time.perf_counter() - t0, 3)

    run = None
    if question.coding is not None and source is not None:
        from mockloop.engine.coding.sandbox import run_tests

        run = run_tests(source, question.coding.function, question.coding.cases)
        timings["tests"] = round(run.seconds, 3)
    t0 = time.perf_counter()
    from mockloop.engine.interview.replies import exchanges_in_text, exchanges_in_words

    if engines.text is None:
        exchanges = []
    elif audio is not None:
        exchanges = exchanges_in_words(transcript.words, question, persona, engines.text)
    else:
        exchanges = exchanges_in_text(transcript.text, question, persona, engines.text)
    timings["asking"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    if question.coding is not None:
        from mockloop.engine.scoring.coding import score_coding_answer

        score = score_coding_answer(question, bank, transcript, code=source or "", run=run, runs=int(run is not None),
                                    encoder=engines.text, judge=judge_for(engines.llm), exchanges=exchanges)
    else:
        score = score_answer(question, bank, transcript, encoder=engines.text, judge=judge_for(engines.llm), exchanges=exchanges)
    timings["scoring"] = round(time.perf_counter() - t0, 3)

    t0 = time.perf_counter()
    followup = None
    if score.scored:
        ctx = FollowUpContext.for_answer(question, bank, persona, transcript.text, score, [question.text])
        planned = FollowUpPlanner(engines.llm).plan(ctx, deadline=time.monotonic() + LLM_TIMEOUT_SECONDS)
        followup = planned.to_dict() if planned is not None else None
    timings["followup"] = round(time.perf_counter() - t0, 3)
    engines.close()

    data = score.to_dict()
    doc = {
        "question": {"id": question.id, "text": question.text, "kind": question.kind.value, "role": question.role.value,
                     "difficulty": question.difficulty.value, "bank": bank.company.id},
        "persona": persona.id,
        "input": {"type": "audio" if audio is not None else "text" if text is not None else "none",
                  "path": str(audio or text) if (audio or text) else None, "seconds": round(transcript.duration, 3),
                  "code": str(code) if code is not None else None},
        "transcript": transcript.text,
        "words": [{"text": w.text, "start": w.start, "end": w.end, "probability": round(w.probability, 3)} for w in transcript.words],
        "flags": data["flags"],
        "scored": data["scored"],
        "metrics": data["metrics"],
        "insights": data["insights"],
        "rubric": data["rubric"],
        "score": data["score"],
        "feedback": data["feedback"],
        "misconceptions": data["misconceptions"],
        "understanding": data["understanding"],
        "code": data["coding"],
        "exchanges": [e.to_dict() for e in exchanges],
        "clarifying": {k: v for k, v in (data.get("clarifying") or {}).items() if k != "exchanges"} or None,
        "followup": followup,
        "timings": timings,
    }
    if save:
        doc["session_id"] = _save_answer(bank, question, persona, transcript, samples, score, followup, engines, run, exchanges)
    return doc


def _save_answer(bank: Bank, question: Question, persona: Persona, transcript, samples, score, followup, engines, run,
                 exchanges=()) -> str:
    """A one-answer practice session, the answer kept as the interview keeps one (its audio too)."""
    from mockloop.engine.interview.answer_record import keep_answer
    from mockloop.engine.store import SessionStore

    with SessionStore.open() as store:
        session_id = store.create_session(SessionMode.PRACTICE, bank.company.id, persona.id, models=engines.model_names())
        round_id = store.add_round(session_id, question.round)
        turn = store.begin_turn(round_id, question.id, interviewer_text=question.text)
        keep_answer(store, bank, question, turn, transcript, score, planned=[followup] if followup else [], audio=samples)
        for exchange in exchanges:
            store.add_exchange(turn.turn_id, exchange)
        if score.coding is not None:
            if run is not None:
                store.add_code_run(turn.turn_id, 1, 0.0, score.coding["code"], run.to_dict())
            store.set_turn_code(turn.turn_id, {"question_id": question.id, "function": question.coding.function,
                                               "timeline": None, "final": score.coding["code"]})
        store.finish_round(round_id)
        store.finish_session(session_id)
    return session_id


def simulate(answers_dir: Path, *, mode: SessionMode | str = SessionMode.PRACTICE, question_id: str | None = None, persona_id: str | None = None,
             role: str | None = None, realtime: bool = False, seed: int = 0, settings: Settings | None = None,
             emit=None) -> dict:
    """A whole interview without a display: interviewer audio to WAV files, answers from a folder.

    `emit` is called with every event (engine.interview.events) as it happens.
    """
    from mockloop.engine.interview.answers import FolderAnswers
    from mockloop.engine.interview.events import Captioned, Event, MicLevel
    from mockloop.engine.audio.output import WavFileOut
    from mockloop.engine.bank.schema import Role
    from mockloop.engine.models.engines import Engines
    from mockloop.engine.speech.endpointer import EndpointerConfig
    from mockloop.engine.interview.plan import plan_loop, plan_practice
    from mockloop.engine.interview.runner import InterviewRunner
    from mockloop.engine.store import SessionStore

    mode = SessionMode(mode)
    settings = settings or Settings.load()
    answers = FolderAnswers(answers_dir, realtime=realtime)
    banks = load_banks()
    if question_id:
        bank, question = banks.find(question_id)
        rounds = plan_practice(bank, question)
    else:
        bank = banks.banks[0]
        if mode is SessionMode.PRACTICE:
            question = next(q for q in bank.questions if q.round != bank.loop[0].id) if len(bank.loop) > 1 else bank.questions[0]
            rounds = plan_practice(bank, question)
        else:
            wanted = {"ds": Role.DATA_SCIENTIST, "mle": Role.ML_ENGINEER}.get((role or "").lower())
            rounds = plan_loop(bank, role=wanted, seed=seed)
    persona = _persona(bank, persona_id, settings)
    engines = Engines(settings)
    events: list[dict] = []

    def record(event: Event) -> None:
        if not isinstance(event, (Captioned, MicLevel)):  # too many to list; the turns have the transcript
            events.append({"event": event.kind, **event.to_dict()})
        if emit is not None:
            emit(event)

    with SessionStore.open() as store:
        store.recover_interrupted()
        out_dir = store.recordings_dir / "simulate"
        out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        track = out_dir / f"interviewer-{os.getpid()}-{int(time.time())}.wav"
        out = WavFileOut(track)
        runner = InterviewRunner(
            engines, bank, persona, rounds, store, answers, out, mode=mode, emit=record,
            endpointing=EndpointerConfig(mode=EndOfTurn.MANUAL, silence_seconds=settings.silence_seconds, no_speech_seconds=None),
        )
        summary = runner.run()
        out.close()
        session = store.get_session(summary.session_id)
    engines.close()
    return {
        **summary.to_dict(),
        "mode": mode.value,
        "persona": persona.id,
        "answers_used": answers.used,
        "interviewer_track": str(track),
        "turns": [
            {"question_id": t.question_id, "kind": t.kind.value,
             "attempt": t.attempt, "status": t.status.value,
             "interviewer_text": t.interviewer_text, "interviewer_audio": str(t.interviewer_audio) if t.interviewer_audio else None,
             "candidate_audio": str(t.candidate_audio) if t.candidate_audio else None, "transcript": t.transcript,
             "overall": t.overall}
            for r in session.rounds for t in r.turns
        ],
        "events": events,
    }
