"""End to end on a real (virtual) sound card: speech into the microphone, the question out of the speaker.

PulseAudio runs with a null-sink speaker and a remapped-source microphone (conftest's
`pulse_audio`); `paplay` speaks a recorded answer into the microphone and `parec`
listens to what the app played. Nothing here is faked.
"""

from __future__ import annotations

import json
import subprocess
import threading

import numpy as np
import pytest
import soundfile as sf

from mockloop.engine.audio.capture import SoundDeviceIn
from mockloop.engine.audio.output import SoundDeviceOut
from mockloop.engine.core.settings import EndOfTurn
from mockloop.engine.speech.endpointer import EndpointerConfig
from mockloop.engine.interview.listener import TurnListener
from mockloop.engine.speech.speaker import Speaker
from mockloop.engine.speech.streaming import Caption
from mockloop.engine.speech.whisper_decoder import WhisperDecoder

from conftest import DATA
from test_audio_io import MonitorRecorder
from test_offline import word_error_rate

SPEECH = DATA / "speech"
REFS = json.loads((SPEECH / "references.json").read_text(encoding="utf-8"))["clips"]


@pytest.fixture(scope="module")
def decoder(bundled):
    return WhisperDecoder(bundled["stt"])


def _speak_into_mic(env: dict, clip: str) -> subprocess.Popen:
    return subprocess.Popen(["paplay", "--device=virt_mic_src", str(SPEECH / REFS[clip]["file"])], env=env)


def test_microphone_answer_gives_live_captions_turn_end_transcript_and_file(sound_card, decoder, tmp_path):
    timeline: list[str] = []  # the order things happened in, as the UI would see them
    captions: list[Caption] = []
    lock = threading.Lock()

    def on_caption(caption: Caption) -> None:
        with lock:
            captions.append(caption)
            timeline.append("caption")

    def on_event(event) -> None:
        with lock:
            timeline.append(type(event).__name__)

    recording = tmp_path / "answer.wav"
    listener = TurnListener(
        SoundDeviceIn("pulse"), decoder, recording,
        config=EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=2.5),
        on_caption=on_caption, on_event=on_event, question="How do you handle class imbalance in spam detection?",
    )
    player = _speak_into_mic(sound_card, "piper_medium")
    result = listener.run()  # returns when the hands-free policy hears the candidate stop
    player.wait(timeout=60)

    assert result.reason == "silence" and not result.no_speech
    assert timeline.index("SpeechStarted") < timeline.index("caption") < timeline.index("TurnEnded")
    before_end = timeline[: timeline.index("TurnEnded")]
    assert before_end.count("caption") >= 5, "captions must stream while the candidate speaks"
    committed = [c.committed for c in captions]
    assert all(a == b[: len(a)] for a, b in zip(committed, committed[1:])), "committed caption text never changes"
    reference = REFS["piper_medium"]["text"]
    assert word_error_rate(reference, result.transcript.text) <= 0.3, result.transcript.text
    words = result.transcript.words
    assert all(w.start <= w.end for w in words) and all(a.start <= b.start for a, b in zip(words, words[1:]))
    audio, rate = sf.read(recording)
    assert rate == 16000 and len(audio) / rate >= REFS["piper_medium"]["duration"] - 1.0


def test_question_played_through_the_speaker_transcribes_back(sound_card, voice, transcriber):
    question = "How would you design a system to rank trending topics in real time?"
    monitor = MonitorRecorder(sound_card)
    out = SoundDeviceOut("pulse")
    speaker = Speaker(voice, out)
    try:
        mark = monitor.samples  # the monitor was already listening: count from here
        speaker.say(question)
        report = speaker.wait(timeout=60)
    finally:
        speaker.close()
        out.close()
    assert report is not None and not report.interrupted and report.words_spoken == report.words_total
    # Everything played, plus a second for the device and server latency, has reached the monitor.
    assert monitor.wait_for(mark + int((report.seconds_spoken + 1.0) * 16000))
    heard = transcriber.transcribe(monitor.audio().astype(np.float32)).text
    monitor.close()
    assert word_error_rate(question, heard) <= 0.3, heard


def test_a_whole_practice_turn_through_the_sound_card(sound_card, tmp_path, private_data_dir):
    from mockloop.engine.interview.answers import DeskAnswers
    from mockloop.engine.interview.commands import Command
    from mockloop.engine.interview.events import FollowUpAsked, Listening
    from mockloop.engine.bank import load_banks
    from mockloop.engine.models.engines import Engines
    from mockloop.engine.interview.plan import plan_practice
    from mockloop.engine.interview.runner import InterviewRunner
    from mockloop.engine.core.settings import Settings
    from mockloop.engine.store import SessionStore

    bank, question = load_banks().find("mle-spam-class-imbalance")
    engines = Engines(Settings())
    events: list = []
    runner_box: dict = {}

    def candidate_answers() -> None:
        # The candidate starts once the question has been spoken (half-duplex ignores the mic until then).
        runner_box["runner"].speaker.wait(timeout=60)
        _speak_into_mic(sound_card, "piper_medium").wait(timeout=60)

    def emit(event) -> None:
        events.append(event)
        if isinstance(event, Listening) and event.what == "Started" and "candidate" not in runner_box:
            runner_box["candidate"] = threading.Thread(target=candidate_answers, daemon=True)
            runner_box["candidate"].start()
        if isinstance(event, FollowUpAsked):
            runner_box["runner"].command(Command.STOP)  # end the session once the follow-up is asked

    out = SoundDeviceOut("pulse")
    with SessionStore.open() as store:
        runner = InterviewRunner(
            engines, bank, bank.persona("standard"), plan_practice(bank, question), store, DeskAnswers("pulse", typing=False), out,
            endpointing=EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=2.5), emit=emit,
        )
        runner_box["runner"] = runner
        summary = runner.run()
        session = store.get_session(summary.session_id)
    out.close()
    engines.close()

    kinds = [e.kind for e in events]
    assert kinds.index("question") < kinds.index("caption") < kinds.index("followup") < kinds.index("scored")
    followup = next(e.followup for e in events if isinstance(e, FollowUpAsked))
    assert followup.text.endswith("?")  # how fast it was ready is the benchmark's business
    turn = session.rounds[0].turns[0]
    assert turn.status.value == "done" and "precision" in turn.transcript.lower()
    assert turn.scores["overall"] is not None and turn.rubric
    recorded, rate = sf.read(turn.candidate_audio)
    assert len(recorded) / rate > 20


def test_two_clarifying_questions_are_answered_aloud_and_the_answer_goes_on(sound_card, transcriber, tmp_path, private_data_dir):
    """A system design answer that opens with two questions to the interviewer, through the sound card: each is
    answered through the speaker (its words transcribed back from the speaker's monitor), the turn goes on to
    the design, and the kept answer lists both exchanges and an important fact never asked for."""
    from mockloop.engine.interview.answers import DeskAnswers
    from mockloop.engine.interview.commands import Command
    from mockloop.engine.interview.events import Listening, PhaseStarted, Replied, Scored
    from mockloop.engine.bank import load_banks
    from mockloop.engine.models.engines import Engines
    from mockloop.engine.interview.plan import plan_practice
    from mockloop.engine.interview.runner import InterviewRunner
    from mockloop.engine.core.settings import Settings
    from mockloop.engine.store import SessionStore

    bank, question = load_banks().find("ds-trending-topics")
    engines = Engines(Settings())
    events: list = []
    replied = threading.Semaphore(0)
    box: dict = {}

    def candidate() -> None:
        speaker = box["runner"].speaker
        speaker.wait(timeout=60)  # the question is spoken first (half duplex: the mic is ignored meanwhile)
        for clip in ("piper_ask_volume", "piper_ask_freshness"):
            _speak_into_mic(sound_card, clip).wait(timeout=60)
            assert replied.acquire(timeout=30), f"no reply to {clip}"
            speaker.wait(timeout=60)  # a candidate listens to the answer before going on
        _speak_into_mic(sound_card, "piper_after_asking").wait(timeout=60)

    def emit(event) -> None:
        events.append(event)
        if isinstance(event, Replied):
            replied.release()
        if isinstance(event, Listening) and event.what == "Started" and "candidate" not in box:
            box["candidate"] = threading.Thread(target=candidate, daemon=True)
            box["candidate"].start()
        if isinstance(event, PhaseStarted) and event.id != "clarify":
            box["runner"].command(Command.STOP)  # the clarify phase is over: end here, keeping the answer

    monitor = MonitorRecorder(sound_card)
    out = SoundDeviceOut("pulse")
    with SessionStore.open() as store:
        runner = InterviewRunner(
            engines, bank, bank.persona("standard"), plan_practice(bank, question), store, DeskAnswers("pulse", typing=False),
            out, endpointing=EndpointerConfig(mode=EndOfTurn.HANDS_FREE, silence_seconds=2.5), emit=emit,
        )
        box["runner"] = runner
        summary = runner.run()
        session = store.get_session(summary.session_id)
    out.close()
    engines.close()
    box["candidate"].join(timeout=60)
    heard = transcriber.transcribe(monitor.audio().astype(np.float32)).text.lower()
    monitor.close()

    replies = [e for e in events if isinstance(e, Replied)]
    assert [r.facts for r in replies] == [["post-volume"], ["trend-freshness"]], [(r.asked, r.text) for r in replies]
    for reply in replies:  # each answer reached the speaker: most of its words come back from the monitor
        words = {w.strip(".,").lower() for w in reply.text.split() if len(w.strip(".,")) > 3}
        found = [w for w in words if w in heard]
        assert len(found) >= 0.6 * len(words), (reply.text, heard)
    turn = session.rounds[0].turns[0]
    assert "baseline" in turn.transcript.lower() or "spike" in turn.transcript.lower()  # the answer went on after them
    assert [e["fact_id"] for e in turn.exchanges] == ["post-volume", "trend-freshness"]
    assert all(e["asked_at"] < e["reply_at"] for e in turn.exchanges)
    record = next(e.answer for e in events if isinstance(e, Scored))
    assert [e["fact_id"] for e in record.clarifying["exchanges"]] == ["post-volume", "trend-freshness"]
    unasked = {u["id"] for u in record.clarifying["unasked"]}
    assert "trend-labels" in unasked and "post-volume" not in unasked
