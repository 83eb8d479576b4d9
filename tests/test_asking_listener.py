"""A listening turn hears a question addressed to the interviewer, has it answered, and goes on.

Real clips (Piper voice) with real silences between them, paced like a microphone, through the
real VAD, streaming Whisper and text model. The interviewer's reply is the real one from the bank;
only its playback is a timer that holds the `speaking` flag, as the speaker does while it talks.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.audio.capture import WavFileIn
from mockloop.engine.audio.loading import load_audio
from mockloop.engine.bank import load_banks
from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.interview.asking import AskWatch
from mockloop.engine.interview.listener import TurnListener
from mockloop.engine.interview.replies import reply_to
from mockloop.engine.models.text_model import shared_encoder
from mockloop.engine.speech.endpointer import EndpointerConfig
from mockloop.engine.speech.whisper_decoder import WhisperDecoder

from conftest import DATA

SPEECH = DATA / "speech"
RATE = 16_000

pytestmark = [pytest.mark.models]


@pytest.fixture(scope="module")
def decoder(bundled):
    return WhisperDecoder(bundled["stt"])


@pytest.fixture(scope="module")
def trending():
    bank, question = load_banks().find("ds-trending-topics")
    return bank, question


def _answer_file(tmp_path, *parts) -> str:
    """Clips (names) and silences (seconds) one after another, as one recording."""
    audio = []
    for part in parts:
        if isinstance(part, str):
            audio.append(load_audio(SPEECH / f"{part}.flac"))
        else:
            audio.append(np.zeros(int(part * RATE), dtype=np.float32))
    path = tmp_path / "answer.wav"
    sf.write(str(path), np.concatenate(audio), RATE, subtype="PCM_16")
    return str(path)


class Interviewer:
    """Answers with the bank's reply and 'speaks' it: the speaking flag is held for `talk_seconds`."""

    def __init__(self, question, persona, encoder, talk_seconds: float = 2.0) -> None:
        self.question, self.persona, self.encoder = question, persona, encoder
        self.speaking = threading.Event()
        self.talk_seconds = talk_seconds
        self.heard: list[tuple[list, float, str]] = []

    def __call__(self, addressed, now):
        reply = reply_to(addressed, self.question, self.persona, self.encoder)
        if reply is None:
            return None
        self.heard.append((addressed, now, reply.text))
        self.speaking.set()
        threading.Timer(self.talk_seconds, self.speaking.clear).start()
        return reply.intent


def _listen(path, decoder, interviewer, question, *, silence: float = 2.5, patience: float | None = None, nudges=None):
    config = EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=silence, no_speech_seconds=None,
                              pause_marks=tuple(sorted({2.0, 5.0, *([patience, 2 * patience] if patience else [])})))
    listener = TurnListener(
        WavFileIn(path, realtime=True), decoder, None, config=config, speaking=interviewer.speaking,
        question=question.text, asking=AskWatch(interviewer.encoder), on_addressed=interviewer,
        patience_seconds=patience, nudge=(lambda s: nudges.append(s) or "Talk me through it.") if nudges is not None else None,
    )
    return listener.run()


def test_a_question_is_answered_and_the_turn_goes_on(tmp_path, decoder, trending):
    bank, question = trending
    encoder = shared_encoder()
    interviewer = Interviewer(question, bank.persona("standard"), encoder)
    # 3 s of quiet after the question: without the reply (and the silence counted afresh after it),
    # a 2.5 s end-of-turn pause would have ended the answer there.
    path = _answer_file(tmp_path, 0.5, "piper_ask_volume", 3.0, "piper_after_asking", 3.0)
    result = _listen(path, decoder, interviewer, question)

    assert len(interviewer.heard) == 1, [h[2] for h in interviewer.heard]
    addressed, now, reply = interviewer.heard[0]
    assert "posts a day" in addressed[-1].heard.text.lower()
    assert "six thousand posts a second" in reply  # the scenario's volume fact, from the bank
    asked_end = addressed[-1].end
    assert asked_end + 0.6 <= now <= asked_end + 3.0  # after the candidate stopped, within the pause
    # The turn went on: the design after the question is in the same answer, which ended by silence at the end.
    assert result.reason == "silence" and result.addressed == 1
    text = result.transcript.text.lower()
    assert "posts a day" in text and "baseline" in text and "spike" in text


def test_thinking_aloud_is_not_answered(tmp_path, decoder, trending):
    bank, question = trending
    interviewer = Interviewer(question, bank.persona("standard"), shared_encoder())
    path = _answer_file(tmp_path, 0.5, "piper_after_asking", 3.0)
    result = _listen(path, decoder, interviewer, question)
    assert interviewer.heard == [] and result.addressed == 0
    assert "spike" in result.transcript.text.lower()


def test_a_minute_to_think_is_granted_without_a_nudge_or_an_end(tmp_path, decoder, trending):
    bank, question = trending
    interviewer = Interviewer(question, bank.persona("standard"), shared_encoder(), talk_seconds=1.0)
    nudges: list[float] = []
    # 9 s of quiet after asking for time: past the 2.5 s end of turn and the 3 s patience, twice over.
    path = _answer_file(tmp_path, 0.5, "piper_ask_minute", 9.0, "piper_after_asking", 3.0)
    result = _listen(path, decoder, interviewer, question, patience=3.0, nudges=nudges)
    assert [h[2] for h in interviewer.heard] == ["Of course, take your time."]
    assert nudges == [] and result.nudges == []
    assert result.reason == "silence" and "spike" in result.transcript.text.lower()


def test_asking_to_move_on_ends_the_turn(tmp_path, decoder, trending):
    bank, question = trending
    interviewer = Interviewer(question, bank.persona("standard"), shared_encoder(), talk_seconds=1.0)
    path = _answer_file(tmp_path, 0.5, "piper_ask_move_on", 6.0)
    result = _listen(path, decoder, interviewer, question, silence=4.0)
    assert [h[2] for h in interviewer.heard] == ["Sure, let's move on."]
    assert result.reason == "moved-on"


def test_talking_over_the_reply_with_push_to_talk_stops_it_and_the_turn_goes_on(tmp_path, decoder, trending):
    bank, question = trending
    interviewer = Interviewer(question, bank.persona("standard"), shared_encoder(), talk_seconds=8.0)
    stopped: list[float] = []
    box: dict = {}

    def answered(addressed, now):
        intent = Interviewer.__call__(interviewer, addressed, now)
        threading.Timer(0.5, box["listener"].press).start()  # the candidate presses Space to talk over it
        return intent

    def barge_in() -> None:
        stopped.append(now_of(box["listener"]))
        interviewer.speaking.clear()  # what the speaker does when stopped

    def now_of(listener) -> float:  # seconds into the turn's audio, as `now` is given
        return listener._last_block_end - (listener._first_block or 0.0)

    path = _answer_file(tmp_path, 0.5, "piper_ask_volume", 2.0, "piper_after_asking", 3.0)
    config = EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=2.5, no_speech_seconds=None)
    listener = box["listener"] = TurnListener(
        WavFileIn(path, realtime=True), decoder, None, config=config, speaking=interviewer.speaking, question=question.text,
        asking=AskWatch(interviewer.encoder), on_addressed=answered, on_barge_in=barge_in,
    )
    result = listener.run()
    assert len(interviewer.heard) == 1 and len(stopped) == 1
    # Stopped well before its 8 s were up, and what was said after it is part of the same answer.
    assert stopped[0] - interviewer.heard[0][1] < 3.0
    assert result.reason == "silence" and "baseline" in result.transcript.text.lower()
