"""A trending-topics answer that put questions to the interviewer, scored and stored for real (shared by tests)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

from mockloop.engine.bank import load_banks
from mockloop.engine.core.exchanges import Exchange
from mockloop.engine.interview.answer_record import AnswerRecord, keep_answer
from mockloop.engine.scoring import score_answer
from mockloop.engine.scoring.text import transcript_from_text
from mockloop.engine.speech.transcript import Transcript

DATA = Path(__file__).resolve().parent / "data"
QUESTION = "ds-trending-topics"
VOLUME = "Before I design anything, how many posts a day are we talking about?"
FRESHNESS = "And how fresh does the trends list need to be?"
THINK = "Can I have a minute to think about this?"
THINK_REPLY = "Of course, take your time."


def trending():
    """(bank, question) of the trending-topics question."""
    return load_banks().find(QUESTION)


def adequate_answer() -> str:
    graded = yaml.safe_load((DATA / "graded" / "twitter-x.yaml").read_text(encoding="utf-8"))
    return next(g["text"] for g in graded if g["question_id"] == QUESTION and g["grade"] == "adequate")


def clarify(asked: str, fact_id: str, **times) -> Exchange:
    """A clarifying question and the interviewer's reply: the bank's scenario fact, in the persona's voice."""
    bank, question = trending()
    fact = next(f for f in question.scenario if f.id == fact_id)
    lead = bank.persona("standard").answer_lead
    return Exchange("clarify", asked, f"{lead} {fact.fact}".strip(), fact_id=fact.id, topic=fact.topic.value,
                    similarity=0.8, confidence=0.9, **times)


def typed_exchanges(volume: str = VOLUME) -> list[Exchange]:
    """Two clarifying questions and a request for time, as a typed answer has them (no times)."""
    return [clarify(volume, "post-volume"), clarify(FRESHNESS, "trend-freshness"),
            Exchange("think", THINK, THINK_REPLY, confidence=0.9)]


def typed_record(exchanges: list[Exchange] | None = None, volume: str = VOLUME) -> AnswerRecord:
    """The adequate graded answer begun with the questions, scored with its exchanges."""
    exchanges = typed_exchanges(volume) if exchanges is None else exchanges
    bank, question = trending()
    transcript = transcript_from_text(" ".join(x.asked for x in exchanges) + " " + adequate_answer())
    return AnswerRecord.from_score(question, score_answer(question, bank, transcript, exchanges=exchanges),
                                   transcript, attempt=1, turn_id=None)


def store_asking_session(store, transcript: Transcript | str, exchanges: list[Exchange], *,
                         audio: np.ndarray | None = None, replies: dict[int, tuple[np.ndarray, int]] | None = None) -> dict:
    """A finished practice session stored as the interview stores one: each exchange added as it happened
    (with its reply's WAV in the session's folder when `replies` has it), then the answer scored and kept."""
    bank, question = trending()
    if isinstance(transcript, str):
        transcript = transcript_from_text(transcript)
    sid = store.create_session("practice", bank.company.id, "standard")
    rid = store.add_round(sid, question.round)
    turn = store.begin_turn(rid, question.id, interviewer_text=question.text)
    kept = []
    for n, exchange in enumerate(exchanges):
        if replies and n in replies:
            samples, rate = replies[n]
            path = turn.audio_path.with_name(f"{turn.audio_path.stem}-reply-{n + 1}.wav")
            sf.write(str(path), samples, rate, subtype="PCM_16")
            exchange = replace(exchange, reply_audio=str(path))
        store.add_exchange(turn.turn_id, exchange)
        kept.append(exchange)
    score = score_answer(question, bank, transcript, exchanges=kept)
    record = keep_answer(store, bank, question, turn, transcript, score, audio=audio)
    store.finish_round(rid)
    store.finish_session(sid)
    return {"id": sid, "turn_id": turn.turn_id, "record": record, "folder": turn.audio_path.parent,
            "exchanges": kept, "answer": turn.audio_path}
