"""Think-out-loud metrics: from real speech (Piper voice -> Whisper words) and from hand-built words."""

from __future__ import annotations

import numpy as np
import pytest
import soxr

from mockloop.engine.bank import load_bank_file
from mockloop.engine.scoring import score_answer
from mockloop.engine.scoring.metrics import LONG_PAUSE_S, TIMED_ONLY, find_fillers, measure
from mockloop.engine.scoring.text import make_doc, transcript_from_text
from mockloop.engine.speech.transcript import SAMPLE_RATE, Transcript, Word

from conftest import REPO

FIRST = "So, I would start with the latency budget, you know, and the precision we need."
SECOND = "Then, like, I would use focal loss, because the classes are imbalanced."
LEAD_S, SILENCE_S = 1.5, 6.0


@pytest.fixture(scope="module")
def spoken(voice, transcriber):
    """Two spoken sentences with 6 s of silence between them, transcribed by the real models."""
    sr = voice.sample_rate
    first, second = voice.synthesize(FIRST), voice.synthesize(SECOND)
    audio = np.concatenate([
        np.zeros(int(LEAD_S * sr), np.float32), first,
        np.zeros(int(SILENCE_S * sr), np.float32), second,
        np.zeros(int(0.5 * sr), np.float32),
    ])
    audio16 = soxr.resample(audio, sr, SAMPLE_RATE).astype(np.float32)
    second_starts = (int(LEAD_S * sr) + len(first) + int(SILENCE_S * sr)) / sr
    return transcriber.transcribe(audio16), second_starts


@pytest.fixture(scope="module")
def bank():
    return load_bank_file(REPO / "questions" / "twitter-x.yaml")


def words(*spec: tuple[str, float, float]) -> Transcript:
    ws = [Word(t, s, e, 0.95) for t, s, e in spec]
    return Transcript(" ".join(w.text for w in ws), ws, ws[-1].end + 0.5)


# --- real speech --------------------------------------------------------------------------------

def test_metrics_from_real_speech_find_the_long_silence(spoken):
    transcript, _ = spoken
    m = measure(make_doc(transcript))
    assert m.timed and not m.unavailable
    assert m.pauses_over_5s == 1, [(p.after, p.before, p.duration) for p in m.long_pauses]
    assert m.longest_pause_s == pytest.approx(SILENCE_S, abs=1.0)
    assert m.long_pauses[0].after.lower().startswith("need")
    assert m.long_pauses[0].before.lower().startswith("then")
    assert 100 <= m.words_per_minute <= 240, m.words_per_minute
    assert 6.0 < m.speaking_time_s < 12.0, m.speaking_time_s  # two ~5 s sentences, silences excluded
    assert m.time_to_first_word_s == pytest.approx(LEAD_S, abs=0.7)
    assert m.word_count == len(transcript.words)
    assert m.filler_count >= 1 and m.fillers_per_minute > 0


def test_time_to_first_word_counts_from_the_turn_start(spoken):
    transcript, _ = spoken
    m0 = measure(make_doc(transcript))
    m1 = measure(make_doc(transcript), answer_started_at=0.5, nudges=2)
    assert m1.time_to_first_word_s == pytest.approx(m0.time_to_first_word_s - 0.5, abs=0.011)
    assert m1.nudges == 2


def test_a_spoken_answer_keeps_its_timings_when_the_follow_up_is_typed(spoken, bank):
    """Spoken into the microphone, then "Type instead" for the follow-up: still a spoken answer."""
    from mockloop.engine.interview.answer_record import AnswerInput, _input
    from mockloop.engine.interview.turn_text import combine

    transcript, _ = spoken
    typed = transcript_from_text("And for the follow-up: I would recalibrate the scores after downsampling.")
    both = combine([transcript, typed])
    alone = measure(make_doc(transcript))
    m = measure(make_doc(both))
    assert m.timed and m.unavailable == [] and not m.unavailable_reason
    assert m.words_per_minute == alone.words_per_minute and m.speaking_time_s == alone.speaking_time_s
    assert m.time_to_first_word_s == alone.time_to_first_word_s and m.pauses_over_5s == alone.pauses_over_5s
    question = next(q for q in bank.questions if q.id == "mle-spam-class-imbalance")
    result = score_answer(question, bank, both)
    assert _input(result.to_dict()["metrics"]) is AnswerInput.SPOKEN
    assert result.score.communication["delivery_parts"].get("pace") is not None


def test_scored_speech_carries_timestamps_from_the_words(spoken, bank):
    transcript, second_starts = spoken
    question = next(q for q in bank.questions if q.id == "mle-spam-class-imbalance")
    result = score_answer(question, bank, transcript, nudges=1)
    assert result.timed and result.metrics.pauses_over_5s == 1
    loss = next(p for p in result.rubric if p.id == "loss-weighting")
    assert "focal loss" in loss.matched_signals
    ev = next(e for e in loss.evidence if e.signal == "focal loss")
    assert transcript.text[ev.start_char:ev.end_char].lower().startswith("focal loss")
    focal = next(w for w in transcript.words if w.text.lower().startswith("focal"))
    assert ev.start == focal.start
    assert ev.start == pytest.approx(second_starts + 1.0, abs=1.5)  # "Then, like, I would use focal"
    assert any("silent" in line for line in result.feedback.coaching)


# --- hand-built words ---------------------------------------------------------------------------

def test_metrics_on_hand_built_words_are_exact():
    t = words(("So,", 1.0, 1.3), ("um,", 1.4, 1.7), ("I", 1.8, 1.9), ("would", 1.9, 2.1), ("use", 2.1, 2.3),
              ("focal", 2.3, 2.6), ("loss.", 2.6, 3.0), ("Then", 9.5, 9.8), ("we", 9.8, 9.9),
              ("calibrate", 9.9, 10.4), ("it.", 10.4, 10.6), ("Uh,", 13.0, 13.3), ("done.", 13.3, 13.7))
    m = measure(make_doc(t), answer_started_at=0.25, nudges=1)
    # Span 12.7 s minus the silences of 6.5 s and 2.4 s.
    assert m.speaking_time_s == pytest.approx(3.8)
    assert m.word_count == 13
    assert m.words_per_minute == pytest.approx(205.3)
    assert m.fillers == {"so": 1, "uh": 1, "um": 1}
    assert m.fillers_per_minute == pytest.approx(47.37)
    assert m.longest_pause_s == pytest.approx(6.5)
    assert m.pauses_over_5s == 1
    pause = m.long_pauses[0]
    assert (pause.start, pause.end, pause.after, pause.before) == (3.0, 9.5, "loss.", "Then")
    assert m.time_to_first_word_s == pytest.approx(0.75)
    assert m.nudges == 1


def test_a_word_stretched_over_a_silence_is_clamped():
    # Whisper often lets the last word before a silence run on into it.
    t = words(("we", 6.0, 6.3), ("need.", 6.3, 7.68), ("Then", 12.52, 12.9), ("go.", 12.9, 13.2))
    m = measure(make_doc(t))
    assert m.longest_pause_s == pytest.approx(12.52 - (6.3 + 0.25 + 0.08 * 4), abs=0.01)
    assert m.longest_pause_s > LONG_PAUSE_S


def test_pauses_at_exactly_five_seconds_are_not_over_five():
    t = words(("one", 0.0, 0.3), ("two", 5.3, 5.6), ("three", 11.7, 12.0))
    m = measure(make_doc(t))
    assert m.pauses_over_5s == 1 and m.longest_pause_s == pytest.approx(6.1)


def test_typed_answer_reports_timing_metrics_as_unavailable():
    m = measure(make_doc(transcript_from_text("So, um, I would use class weights, you know, and calibrate.")))
    assert not m.timed
    assert m.unavailable == list(TIMED_ONLY)
    assert "typed" in m.unavailable_reason
    assert m.words_per_minute is None and m.longest_pause_s is None and m.time_to_first_word_s is None
    assert m.filler_count == 3 and m.fillers_per_100_words == pytest.approx(100 * 3 / 11, abs=0.01)


@pytest.mark.parametrize("text, expected", [
    ("I would like to use models like XGBoost.", []),
    ("It's, like, really slow.", ["like"]),
    ("And like the model is fine.", ["like"]),
    ("We use like 10 ms.", ["like"]),
    ("What kind of model? It's kind of slow.", ["kind of"]),
    ("So that we can ship. So, first we ship.", ["so"]),
    ("You know, it works. Do you know what I mean?", ["you know"]),
    ("I mean, uh, it works.", ["i mean", "uh"]),
    ("Focal um loss, er, hmm.", ["um", "er", "hmm"]),
])
def test_filler_heuristics(text, expected):
    doc = make_doc(transcript_from_text(text))
    assert [f for f, _, _ in find_fillers(doc)] == expected


def test_an_empty_attempt_is_not_called_a_typed_answer(bank):
    """Silence until the interviewer moved on: nothing was typed, so Feedback must not say "typed answer"."""
    from mockloop.engine.interview.answer_record import AnswerInput, _input
    from mockloop.engine.speech.transcript import Transcript

    question = next(q for q in bank.questions if q.id == "mle-spam-class-imbalance")
    silent = score_answer(question, bank, Transcript("", [], 20.0))
    typed = score_answer(question, bank, "I would weight the rare class higher and watch precision and recall.")
    assert _input(silent.to_dict()["metrics"]) is AnswerInput.SPOKEN
    assert _input(typed.to_dict()["metrics"]) is AnswerInput.TYPED
