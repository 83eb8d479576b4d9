"""End of turn on real speech: Silero VAD, hands-free pauses, push-to-talk, manual, half-duplex and barge-in."""

from __future__ import annotations

import queue
import threading

import numpy as np
import pytest

from mockloop.engine.audio.base import STT_RATE
from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.speech.endpointer import (
    BargeIn, EndpointerConfig, Endpointer, EndReason, NoSpeech, Pause, SpeechResumed, SpeechStarted, TurnEnded,
)
from mockloop.engine.tools.speech_set import blocks, load_set
from mockloop.engine.speech.vad import StreamingVad


@pytest.fixture(scope="module")
def clips():
    return load_set()


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * STT_RATE), dtype=np.float32)


def run(endpointer: Endpointer, audio: np.ndarray, start: float = 0.0, stop_at_end: bool = True):
    """Feed a clip block by block, as capture would; return the verdicts."""
    verdicts = []
    for block in blocks(audio, start=start):
        verdicts.append(endpointer.process(block))
        if stop_at_end and endpointer.ended:
            break
    return verdicts


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def test_streaming_vad_matches_the_whole_clip_and_tells_speech_from_silence(clips):
    audio = clips["piper_short"].audio
    vad = StreamingVad()
    streamed = np.array([vad.probability(b.samples) for b in blocks(audio)])
    whole = StreamingVad().probabilities(audio)
    assert np.allclose(streamed, whole, atol=1e-5)
    assert (whole >= 0.5).mean() > 0.5
    assert (StreamingVad().probabilities(clips["bad_silence"].audio) >= 0.5).sum() == 0


def test_hands_free_waits_through_a_thinking_pause_and_ends_after_the_threshold(clips):
    clip = clips["piper_thinking"]
    (first_at, first_len), (second_at, second_len) = clip.pauses  # ~2.5 s and 5.5 s of thinking
    events = []
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=4.0), on_event=events.append)
    run(ep, np.concatenate([clip.audio, silence(8)]), start=50.0)

    assert isinstance(events[0], SpeechStarted) and events[0].at >= 50.0
    resumed = of(events, SpeechResumed)
    assert len(resumed) == 1, "the ~3 s pause must not end the turn, and the gaps between words are not pauses"
    assert 2.5 <= resumed[0].pause_seconds < 4.0
    assert abs(resumed[0].at - (50.0 + first_at + first_len)) < 0.5
    assert [p.seconds for p in of(events, Pause)] == [2.0, 2.0]  # one nudge mark per pause; 5 s is past the end
    end = events[-1]
    assert isinstance(end, TurnEnded) and end.reason == EndReason.SILENCE and end.speech_detected
    # Ended 4 s into the 5.5 s pause (which, with the voice's own trailing silence, starts a little early).
    assert 50.0 + second_at + 3.0 < end.at < 50.0 + second_at + second_len
    assert end.speech_seconds > 5.0
    assert ep.ended and ep.process(next(blocks(clip.audio))).accepted is False


def test_hands_free_threshold_is_configurable(clips):
    clip = clips["piper_thinking"]
    events = []
    ep = Endpointer(EndpointerConfig(silence_seconds=7.0), on_event=events.append)
    run(ep, np.concatenate([clip.audio, silence(10)]))
    assert len(of(events, SpeechResumed)) == 2  # both thinking pauses survived
    assert [p.seconds for p in of(events, Pause)] == [2.0, 2.0, 5.0, 2.0, 5.0]
    end = events[-1]
    assert end.reason == EndReason.SILENCE and clip.duration + 6.0 < end.at < clip.duration + 7.5


def test_a_short_blip_does_not_reset_the_pause(clips):
    speech = clips["piper_short"].audio
    onset = np.flatnonzero(StreamingVad().probabilities(speech) >= 0.5)[0] * 512
    blip = speech[onset + 8000:onset + 8000 + 3 * 512]  # ~0.1 s of a word: a cough or a click
    events = []
    ep = Endpointer(EndpointerConfig(silence_seconds=4.0), on_event=events.append)
    run(ep, np.concatenate([speech, silence(3.0), blip, silence(3.0)]))
    assert not of(events, SpeechResumed)
    end = events[-1]
    assert end.reason == EndReason.SILENCE
    assert end.at < len(speech) / STT_RATE + 3.1 + 2.0  # the pause kept counting through the blip


def test_push_to_talk_counts_speech_only_while_the_key_is_held(clips):
    clip = clips["piper_thinking"]
    q: queue.Queue = queue.Queue()
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.PUSH_TO_TALK), on_event=q)
    before = run(ep, clips["piper_short"].audio)  # talking before pressing: not part of the turn
    assert all(not v.accepted and v.probability is None for v in before) and q.empty()

    ep.press()
    held = run(ep, clip.audio, start=20.0)  # includes a 5.5 s pause: no silence timeout while held
    assert all(v.accepted and [f.start for f in v.feed] == [b.start] for v, b in zip(held, blocks(clip.audio, start=20.0)))
    assert not ep.ended
    end = ep.release()
    assert end is not None and end.reason == EndReason.RELEASED and end.speech_detected
    assert end.at == pytest.approx(20.0 + len(clip.audio) / STT_RATE, abs=0.04)
    events = []
    while not q.empty():
        events.append(q.get_nowait())
    assert isinstance(events[0], SpeechStarted) and events[-1] == end
    assert len(of(events, SpeechResumed)) == 2 and not of(events, NoSpeech)
    assert ep.release() is None and not ep.process(next(blocks(clip.audio))).accepted


def test_push_to_talk_release_without_speech_is_a_no_speech_outcome(clips):
    events = []
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.PUSH_TO_TALK), on_event=events.append)
    ep.press()
    run(ep, clips["bad_silence"].audio)
    end = ep.release()
    assert [type(e) for e in events if not isinstance(e, Pause)] == [NoSpeech, TurnEnded]
    assert end.reason == EndReason.RELEASED and not end.speech_detected and end.speech_seconds == 0


def test_manual_mode_never_ends_on_silence_and_reports_growing_pauses(clips):
    events = []
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.MANUAL), on_event=events.append)
    run(ep, np.concatenate([clips["piper_short"].audio, silence(11)]))
    assert not ep.ended
    assert [p.seconds for p in of(events, Pause)] == [2.0, 5.0, 10.0]
    end = ep.done()
    assert end.reason == EndReason.DONE and end.speech_detected and events[-1] == end
    assert ep.done() is None  # a second press does nothing


def test_half_duplex_ignores_the_microphone_while_the_app_speaks(clips):
    speaking = threading.Event()
    events = []
    ep = Endpointer(EndpointerConfig(silence_seconds=4.0), on_event=events.append, speaking=speaking)
    speaking.set()  # the question is being read out: its echo must not start the turn
    verdicts = run(ep, clips["espeak_short"].audio)
    assert not events and all(not v.accepted and v.probability is None for v in verdicts)
    speaking.clear()
    answer = clips["piper_short"].audio
    run(ep, np.concatenate([answer, silence(2.5)]), start=10.0)
    speaking.set()  # a nudge while the candidate thinks: neither heard nor counted as pause
    run(ep, np.concatenate([clips["espeak_short"].audio, silence(3.0)]), start=30.0)
    speaking.clear()
    run(ep, silence(1.0), start=45.0)
    assert [type(e) for e in events] == [SpeechStarted, Pause]  # 2.5 + 1.0 s of pause heard: no end yet
    run(ep, silence(1.0), start=46.0)
    assert isinstance(events[-1], TurnEnded) and events[-1].reason == EndReason.SILENCE


def test_barge_in_hands_over_the_speech_onset(clips):
    speaking = threading.Event()
    events = []
    ep = Endpointer(EndpointerConfig(barge_in=True), on_event=events.append, speaking=speaking)
    speaking.set()
    quiet = run(ep, silence(1.0))
    assert all(not v.accepted for v in quiet)
    verdicts = run(ep, clips["piper_short"].audio, start=1.0)
    barge = [v for v in verdicts if of(v.events, BargeIn)]
    assert len(barge) == 1 and len(of(events, BargeIn)) == 1
    v = barge[0]
    assert v.accepted and sum(len(b.samples) for b in v.feed) / STT_RATE >= 0.3  # the onset, not just one block
    assert isinstance(events[1], SpeechStarted) and events[1].at == pytest.approx(events[0].at)
    after = verdicts[verdicts.index(v) + 1:]
    assert after and all(x.accepted and len(x.feed) == 1 for x in after)  # the app has not stopped yet: still heard


def test_no_speech_at_all_is_a_clear_outcome(clips):
    events = []
    ep = Endpointer(EndpointerConfig(no_speech_seconds=8.0), on_event=events.append)
    run(ep, np.concatenate([clips["bad_silence"].audio, silence(4.0)]), start=3.0)
    # The pause marks come before any speech too (the interviewer nudges a candidate who has not begun).
    assert [type(e) for e in events] == [Pause, Pause, NoSpeech, TurnEnded]
    assert [e.seconds for e in of(events, Pause)] == [2.0, 5.0]
    events = events[2:]
    assert events[0].listened_seconds == pytest.approx(8.0, abs=0.05)
    assert events[1].reason == EndReason.NO_SPEECH and not events[1].speech_detected
    assert events[1].at == pytest.approx(11.0, abs=0.05)


def test_max_turn_duration_and_reset(clips):
    events = []
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.MANUAL, max_turn_seconds=5.0), on_event=events.append)
    run(ep, clips["piper_medium"].audio)
    assert events[-1].reason == EndReason.MAX_DURATION and events[-1].at == pytest.approx(5.0, abs=0.05)
    ep.reset()
    assert not ep.ended and not ep.speech_started
    run(ep, clips["piper_short"].audio)
    assert ep.speech_started


def test_before_any_speech_the_pause_marks_still_come_so_the_interviewer_can_nudge(clips):
    events = []
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.HANDS_FREE, no_speech_seconds=None, pause_marks=(3.0, 6.0)),
                    on_event=events.append)
    run(ep, silence(7.0))
    assert [(type(e), getattr(e, "seconds", None)) for e in events] == [(Pause, 3.0), (Pause, 6.0)]
    assert not ep.ended  # silence alone never ends a turn that waits for its first word


def test_a_granted_minute_holds_the_end_of_turn_until_speech_resumes(clips):
    events = []
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=2.0), on_event=events.append)
    run(ep, clips["piper_short"].audio)
    ep.hold(10.0)  # "Can I have a minute to think?"
    run(ep, silence(8.0))
    assert not ep.ended and ep.pause_now()[0] == "paused"
    run(ep, clips["piper_short"].audio, start=30.0)
    run(ep, silence(3.0))  # speech resumed: the usual end of turn again
    assert ep.ended and events[-1].reason == EndReason.SILENCE


def test_after_the_interviewer_answers_the_pause_counts_afresh_and_a_silence_end_can_be_undone(clips):
    ep = Endpointer(EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=3.0, pause_marks=(1.0, 2.0)))
    run(ep, clips["piper_short"].audio)
    run(ep, silence(2.5))
    state, pause = ep.pause_now()
    assert state == "paused" and 2.4 <= pause < 3.0  # the clip ends in a little silence of its own
    ep.restart_pause()  # the interviewer has just spoken: the candidate's silence starts now
    assert ep.pause_now()[1] == 0.0
    run(ep, silence(2.0))
    assert not ep.ended
    run(ep, silence(1.5))
    assert ep.ended and ep.turn_end.reason == EndReason.SILENCE
    assert ep.reopen() and not ep.ended  # a question was waiting for its answer: the turn goes on
    assert ep.end(EndReason.MOVED_ON).reason == EndReason.MOVED_ON and not ep.reopen()
