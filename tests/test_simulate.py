"""`mockloop simulate`: a whole interview headless, through the real engines and the session store."""

from __future__ import annotations

import json
import shutil

import numpy as np
import soundfile as sf
import pytest
import soxr

from conftest import DATA, run_cli
from test_offline import word_error_rate

SPEECH = DATA / "speech"
GOOD = (
    "So, um, accuracy is useless at this imbalance, so I'd use precision and recall and the PR curve. I would "
    "downsample the negatives and recalibrate the probabilities afterwards, and use class weights or focal loss."
)


def _simulate(folder, *args):
    out = run_cli("simulate", "--answers", str(folder), *args, "--json", timeout=900)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_practice_question_with_followups_answered_by_the_next_files(tmp_path, transcriber):
    answers = tmp_path / "answers"
    _write(answers, "01.txt", GOOD)
    _write(answers, "02.txt", "I'd calibrate with isotonic regression on a validation set that has the true ratio.")
    _write(answers, "03.txt", "I'd set the threshold from the cost of a false positive against missed spam.")
    doc = _simulate(answers, "--question", "mle-spam-class-imbalance")
    assert doc["ended"] == "finished" and doc["answers_used"] == ["01.txt", "02.txt", "03.txt"]
    question, *followups = doc["turns"]
    assert question["kind"] == "question" and question["status"] == "done" and question["overall"] is not None
    assert [t["kind"] for t in followups] == ["followup", "followup"]  # the standard persona asks up to two
    assert followups[0]["transcript"].startswith("I'd calibrate")
    # The interviewer's audio was written, and says the question.
    audio, rate = sf.read(question["interviewer_audio"], dtype="float32")
    heard = transcriber.transcribe(soxr.resample(audio, rate, 16000).astype(np.float32)).text
    assert word_error_rate(question["interviewer_text"], heard) <= 0.25, heard
    kinds = [e["event"] for e in doc["events"]]
    assert kinds[0] == "session-started" and kinds[-1] == "session-ended" and "scored" in kinds
    listed = json.loads(run_cli("questions", "--json").stdout)
    assert listed["count"] >= 28


def test_spoken_answers_are_recorded_and_transcribed(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    shutil.copy(SPEECH / "piper_medium.flac", answers / "01.flac")
    shutil.copy(SPEECH / "bad_silence.flac", answers / "02.flac")
    _write(answers, "03.txt", "[end]")
    doc = _simulate(answers, "--question", "mle-spam-class-imbalance", "--persona", "hiring-manager")
    question, followup = doc["turns"]
    assert "precision" in question["transcript"].lower()
    recorded, rate = sf.read(question["candidate_audio"])
    assert rate == 16000 and len(recorded) / rate > 20
    # Silence after a follow-up is "no speech", not an answer.
    assert followup["kind"] == "followup" and followup["transcript"] == ""
    assert doc["persona"] == "hiring-manager"


def test_candidate_actions_skip_repeat_reanswer_end_round(tmp_path):
    answers = tmp_path / "answers"
    _write(answers, "01.txt", "[repeat]")
    _write(answers, "02.txt", "Um, I think you could just use accuracy.")
    _write(answers, "03.txt", "[reanswer]")
    _write(answers, "04.txt", GOOD)
    _write(answers, "05.txt", "[skip]")
    doc = _simulate(answers, "--question", "mle-spam-class-imbalance")
    questions = [t for t in doc["turns"] if t["kind"] == "question"]
    assert [q["attempt"] for q in questions] == [1, 2]
    assert questions[0]["transcript"] == "Um, I think you could just use accuracy."
    assert questions[1]["overall"] > questions[0]["overall"]
    said = [e["text"] for e in doc["events"] if e["event"] == "speaking"]
    question_text = questions[0]["interviewer_text"]
    assert said.count(question_text) == 3  # asked, repeated on request, asked again for the re-answer
    assert any(t["kind"] == "followup" and t["status"] == "skipped" for t in doc["turns"])


def test_system_design_runs_in_timed_phases(tmp_path):
    answers = tmp_path / "answers"
    for i, text in enumerate([
        "First I'd clarify the goal: engagement versus satisfaction, the scale, and the latency budget.",
        "At a high level, candidate generation from in-network and out-of-network sources, then a light ranker and a heavy ranker.",
        "Going deeper on the heavy ranker: a multi-task model predicting likes, replies and negative feedback, trained on engagement logs.",
        "To summarize, the trade-off is freshness versus personalization; I'd evaluate with NDCG offline and an A/B test online.",
        "[end]",
    ], 1):
        _write(answers, f"{i:02}.txt", text)
    doc = _simulate(answers, "--question", "ds-for-you-timeline")
    phases = [e["id"] for e in doc["events"] if e["event"] == "phase"]
    assert phases == ["clarify", "high-level", "deep-dive", "wrap-up"]
    [question] = [t for t in doc["turns"] if t["kind"] == "question"]
    assert "clarify" in question["transcript"] and "summarize" in question["transcript"]
    assert question["overall"] is not None


def test_spoken_design_phases_share_one_recording_aligned_with_the_words(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    clips = ["piper_short.flac", "piper_vocab.flac"]
    for i, clip in enumerate(clips, 1):
        shutil.copy(SPEECH / clip, answers / f"{i:02}.flac")
    for i in (3, 4):
        _write(answers, f"{i:02}.txt", "To summarize, I'd evaluate offline first and then run an A/B test.")
    _write(answers, "05.txt", "[end]")
    doc = _simulate(answers, "--question", "ds-for-you-timeline")
    shown = run_cli("sessions", "show", doc["session_id"], "--json")
    assert shown.returncode == 0, shown.stderr
    [question] = [t for r in json.loads(shown.stdout)["rounds"] for t in r["turns"] if t["kind"] == "question"]
    audio, rate = sf.read(question["candidate_audio"])
    spoken = sum(sf.info(str(SPEECH / c)).duration for c in clips)
    # Both spoken phases are in the turn's one file, joined by a half-second gap.
    assert len(audio) / rate == pytest.approx(spoken + 0.5, abs=0.3)
    timed = [w for w in question["words"] if w["start"] is not None]
    first_clip = sf.info(str(SPEECH / clips[0])).duration
    later = [w for w in timed if w["start"] > first_clip + 0.4]
    assert later, "the second phase's words come after the first clip and the gap"
    assert max(w["end"] for w in timed) <= len(audio) / rate + 0.1


def test_loop_mode_runs_the_recruiter_screen_first_and_stops_when_answers_run_out(tmp_path):
    answers = tmp_path / "answers"
    _write(answers, "01.txt", "I'm a data scientist with five years in ranking; I led a feed model that raised retention by two percent.")
    _write(answers, "02.txt", "[skip]")
    doc = _simulate(answers, "--mode", "loop", "--role", "mle")
    assert doc["ended"] == "answers-ran-out"
    first = doc["turns"][0]
    assert first["question_id"].startswith("bh-") and first["transcript"].startswith("I'm a data scientist")


def test_a_missing_answers_folder_is_a_sentence(tmp_path):
    out = run_cli("simulate", "--answers", str(tmp_path / "nope"), "--json")
    assert out.returncode == 1 and "does not exist" in json.loads(out.stdout)["error"]["problem"]


def _spoken(folder, name, *parts):
    """A spoken answer file: speech clips (names) and silences (seconds) one after another."""
    from mockloop.engine.audio.loading import load_audio

    folder.mkdir(exist_ok=True)
    audio = [load_audio(SPEECH / f"{p}.flac") if isinstance(p, str) else np.zeros(int(p * 16000), np.float32) for p in parts]
    sf.write(str(folder / name), np.concatenate(audio), 16000, subtype="PCM_16")


def test_silence_brings_a_nudge_then_the_offer_and_only_the_candidates_word_moves_on(tmp_path):
    """17 s of silence (the standard interviewer's patience is 8 s), then "Can we move on?": a nudge, the offer,
    then the move, on the candidate's word; nothing said means the question is skipped, not scored."""
    answers = tmp_path / "answers"
    _spoken(answers, "01.wav", 17.0, "piper_ask_move_on", 3.0)
    _write(answers, "02.txt", "[end]")
    doc = _simulate(answers, "--question", "mle-spam-class-imbalance")
    nudges = [e for e in doc["events"] if e["event"] == "nudge"]
    assert [n["after_seconds"] for n in nudges] == [8.0, 16.0]
    assert nudges[1]["text"] == "Want me to repeat the question, or shall we move on?"
    assert nudges[0]["text"] != nudges[1]["text"] and "let's move on" not in nudges[0]["text"].lower()
    [reply] = [e for e in doc["events"] if e["event"] == "reply"]
    assert (reply["intent"], reply["text"]) == ("move-on", "Sure, let's move on."), reply["asked"]
    [question] = doc["questions"]
    assert question["status"] == "skipped" and question["exchanges"][0]["intent"] == "move-on"
    assert doc["turns"][0]["status"] == "skipped"


def test_a_spoken_clarifying_question_is_answered_and_reported_in_the_json(tmp_path):
    answers = tmp_path / "answers"
    _spoken(answers, "01.wav", 0.5, "piper_ask_volume", 2.5, "piper_after_asking", 1.0)
    _write(answers, "02.txt", "[end]")
    doc = _simulate(answers, "--question", "ds-trending-topics")
    replies = [e for e in doc["events"] if e["event"] == "reply"]
    assert [r["facts"] for r in replies] == [["post-volume"]] and "posts a second" in replies[0]["text"]
    question = doc["questions"][0]
    assert question["status"] == "answered" and [e["fact_id"] for e in question["exchanges"]] == ["post-volume"]
    exchange = question["exchanges"][0]
    assert 0 <= exchange["asked_at"] < exchange["asked_end"] <= exchange["reply_at"]
    assert "trend-labels" in {u["id"] for u in question["clarifying"]["unasked"]}
