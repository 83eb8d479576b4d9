"""A real `mockloop simulate` killed with SIGKILL mid-answer: the session comes back interrupted, its audio kept."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import soundfile as sf

from mockloop.cli_sessions import register

SPEECH = Path(__file__).resolve().parent / "data" / "speech"
QUESTION = "mle-spam-class-imbalance"
RATE, FRAME_BYTES = 16_000, 2  # the recorder writes 16 kHz mono 16-bit WAV
KILL_AFTER_S = 3.0
WAIT_LIMIT_S = 600.0  # a bound on waiting for a file to grow, not a performance claim


def _cli(capsys, *argv: str) -> dict:
    parser = argparse.ArgumentParser(prog="mockloop")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args([*argv, "--json"])
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return json.loads(out)


def _seconds_on_disk(path: Path) -> float:
    """Audio seconds in a WAV being written: bytes after the header, whatever the header says yet."""
    with path.open("rb") as f:
        head = f.read(4096)
    at = head.find(b"data")
    return 0.0 if at < 0 else max(0, path.stat().st_size - (at + 8)) / FRAME_BYTES / RATE


def _answer_wav(data_dir: Path) -> Path | None:
    found = sorted((data_dir / "sessions").glob(f"*/r01-t001-{QUESTION}-answer.wav"))
    return found[0] if found else None


def test_a_killed_simulate_leaves_an_interrupted_session_with_its_audio(capsys, private_data_dir, tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    shutil.copy(SPEECH / "piper_medium.flac", answers / "01-answer.flac")  # ~28 s: the kill lands mid-answer
    total = sf.info(str(answers / "01-answer.flac")).duration
    exe = Path(sys.executable).with_name("mockloop")
    log = (tmp_path / "simulate.log").open("w")
    child = subprocess.Popen([str(exe), "simulate", "--answers", str(answers), "--question", QUESTION, "--realtime", "--json"],
                             stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        recorded = 0.0
        deadline = time.monotonic() + WAIT_LIMIT_S
        while time.monotonic() < deadline and child.poll() is None:
            wav = _answer_wav(private_data_dir)
            if wav is not None and wav.stat().st_size > 44:
                recorded = _seconds_on_disk(wav)
                if recorded > KILL_AFTER_S:
                    break
            time.sleep(0.05)  # polling a file that grows as the recorder writes
        assert child.poll() is None, f"simulate ended before the kill:\n{(tmp_path / 'simulate.log').read_text()}"
        assert recorded > KILL_AFTER_S, "the answer recording never grew past 3 s"
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        log.close()
    assert recorded < total - 5, "the kill must land mid-answer"

    # "After restart": the listing marks the session interrupted.
    listed = _cli(capsys, "sessions", "list")
    (row,) = listed["sessions"]
    sid = row["id"]
    assert listed["recovered"] == [sid]
    assert row["status"] == "interrupted" and row["interrupted"] is True and row["interruptions"] == 1

    shown = _cli(capsys, "sessions", "show", sid)
    turn = shown["rounds"][0]["turns"][0]
    assert turn["question_id"] == QUESTION and turn["status"] == "interrupted"
    assert turn["interviewer_text"].startswith("How do you handle severe class imbalance")
    audio = Path(turn["candidate_audio"])
    assert audio.parent == private_data_dir / "sessions" / sid and turn["audio_exists"]
    samples, rate = sf.read(str(audio), dtype="float32")
    kept = len(samples) / rate
    assert rate == RATE and kept >= recorded - 1.0, (kept, recorded)
    assert turn["audio_seconds"] == kept
    assert abs(samples).max() > 0.01  # speech, not a file of zeros

    final = _cli(capsys, "sessions", "finalize", sid)
    assert final["status"] == "finished" and final["previous_status"] == "interrupted"
    again = _cli(capsys, "sessions", "show", sid)
    assert again["rounds"][0]["turns"][0]["status"] == "interrupted"  # the answer itself stays cut off
    assert again["rounds"][0]["ended_at"] is not None
    assert sf.info(str(audio)).duration == kept  # finalizing keeps the recording as it was
    exported = _cli(capsys, "sessions", "export", sid, "--format", "md", "--output", str(tmp_path))
    text = Path(exported["path"]).read_text(encoding="utf-8")
    assert "Not scored: the answer was cut off; what was recorded is kept." in text and audio.name in text
