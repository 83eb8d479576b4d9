"""The `sessions`, `radar` and `plan` commands: one JSON document each, typed errors, real store and files."""

from __future__ import annotations

import argparse
import json
import signal
import stat
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
import soundfile as sf

from mockloop.cli_sessions import register
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.store import SessionStore
from test_export import ANSWER, MARKUP, make_session

SUMMARY_FIELDS = {"id", "started_at", "ended_at", "mode", "bank_id", "persona_id", "status", "interrupted",
                  "interruptions", "turn_count", "scored_count", "overall_average"}
TURN_FIELDS = {"id", "index", "question_id", "attempt", "kind", "parent_turn_id", "status", "interviewer_text",
               "interviewer_audio", "candidate_audio", "audio_exists", "audio_seconds", "transcript", "words", "metrics",
               "rubric", "scores", "overall", "feedback", "followups", "nudges", "exchanges", "started_at", "ended_at"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """The handlers as `mockloop` runs them: its parser, and its MockloopError handling."""
    parser = argparse.ArgumentParser(prog="mockloop")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
    except MockloopError as exc:
        if args.json:
            print(json.dumps({"error": {"type": type(exc).__name__, "problem": exc.problem, "fix": exc.fix}}))
        else:
            print(f"mockloop: {exc.user_message()}", file=sys.stderr)
        code = 1
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, err = run(capsys, *argv, "--json")
    assert err == ""
    return code, json.loads(out)  # one document and nothing else, or this fails


@pytest.fixture
def session(private_data_dir):
    with SessionStore.open() as store:
        return make_session(store)


def test_list_and_show_describe_sessions(capsys, session):
    code, doc = run_json(capsys, "sessions", "list")
    assert code == 0 and doc["count"] == doc["total"] == 1 and doc["recovered"] == [] and doc["notice"] is None
    (row,) = doc["sessions"]
    assert set(row) == SUMMARY_FIELDS
    assert row["id"] == session and row["status"] == "finished" and row["interrupted"] is False
    assert row["turn_count"] == row["scored_count"] == 1 and 0 < row["overall_average"] <= 100

    code, doc = run_json(capsys, "sessions", "show", session)
    assert code == 0 and doc["id"] == session and set(SUMMARY_FIELDS) < set(doc)
    assert {"interrupted_at", "app_version", "models", "notes", "rounds", "notice"} <= set(doc)
    question, probe = doc["rounds"][0]["turns"]
    assert set(question) == TURN_FIELDS
    assert question["kind"] == "question" and probe["kind"] == "followup" and probe["parent_turn_id"] == question["id"]
    assert question["transcript"].startswith(ANSWER) and MARKUP in question["transcript"]
    assert question["audio_exists"] and sf.info(question["candidate_audio"]).duration == pytest.approx(1.5)
    assert question["nudges"][0]["text"] == "Take your time & think." and question["rubric"][0]["evidence"]

    code, out, _ = run(capsys, "sessions", "list")
    assert code == 0 and session in out and "INTERRUPTED" not in out
    code, out, _ = run(capsys, "sessions", "show", session)
    assert code == 0 and "follow-up" in out and "audio:" in out


def test_unknown_ids_are_typed_errors(capsys, private_data_dir):
    for argv in (("sessions", "show", "20260101-000000-dead"), ("sessions", "export", "20260101-000000-dead"),
                 ("sessions", "finalize", "20260101-000000-dead"), ("sessions", "delete", "20260101-000000-dead", "--yes")):
        code, doc = run_json(capsys, *argv)
        assert code == 1 and doc["error"]["type"] == "SessionNotFoundError", argv
        assert "20260101-000000-dead" in doc["error"]["problem"] and doc["error"]["fix"]
    code, doc = run_json(capsys, "sessions", "compare", "no-such-question")
    assert code == 1 and doc["error"]["type"] == "UnknownQuestionError"
    code, out, err = run(capsys, "sessions", "show", "nope")
    assert code == 1 and out == "" and err.startswith("mockloop: There is no session 'nope'")


def test_exports_in_every_format_are_private_files(capsys, session, tmp_path, qapp):
    import pypdf

    sizes = {}
    for fmt in ("md", "html", "pdf", "archive"):
        code, doc = run_json(capsys, "sessions", "export", session, "--format", fmt, "--output", str(tmp_path))
        assert code == 0 and set(doc) == {"session_id", "format", "path", "bytes", "notice"}
        path = Path(doc["path"])
        assert path.parent == tmp_path and path.name.startswith(f"mockloop-session-{session}")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and doc["bytes"] == path.stat().st_size > 0
        sizes[fmt] = path
    assert MARKUP not in sizes["html"].read_text() and "&lt;script&gt;" in sizes["html"].read_text()
    assert pypdf.PdfReader(str(sizes["pdf"])).pages
    code, doc = run_json(capsys, "sessions", "export", session, "--format", "md", "--output", str(tmp_path))
    assert code == 1 and doc["error"]["type"] == "ExportError" and "--force" in doc["error"]["fix"]
    code, doc = run_json(capsys, "sessions", "export", session, "--format", "md", "--output", str(tmp_path / "x.md"))
    assert code == 0 and doc["path"] == str(tmp_path / "x.md")
    code, doc = run_json(capsys, "sessions", "export", session, "--format", "md", "--output", str(tmp_path / "x.md"), "--force")
    assert code == 0


def test_delete_asks_first_then_import_brings_the_session_back(capsys, session, tmp_path, private_data_dir):
    code, doc = run_json(capsys, "sessions", "export", session, "--format", "archive", "--output", str(tmp_path / "s.zip"))
    assert code == 0
    code, doc = run_json(capsys, "sessions", "delete", session)
    assert code == 1 and doc["error"]["type"] == "ConfirmationNeeded" and "--yes" in doc["error"]["fix"]
    assert (private_data_dir / "sessions" / session).is_dir()
    code, doc = run_json(capsys, "sessions", "delete", session, "--yes")
    assert code == 0 and doc == {"deleted": session, "turns": 2, "recordings": 3, "notice": None}
    assert not (private_data_dir / "sessions" / session).exists()
    assert run_json(capsys, "sessions", "list")[1]["count"] == 0

    code, doc = run_json(capsys, "sessions", "import", str(tmp_path / "s.zip"))
    assert code == 0 and doc == {"session_id": session, "original_id": session, "renamed": False, "turns": 2,
                                 "audio_files": 3, "notice": None}
    code, doc = run_json(capsys, "sessions", "import", str(tmp_path / "s.zip"))
    assert code == 0 and doc["renamed"] and doc["session_id"] != session
    assert run_json(capsys, "sessions", "list")[1]["count"] == 2
    broken = tmp_path / "broken.zip"
    broken.write_bytes((tmp_path / "s.zip").read_bytes()[:1000])
    code, doc = run_json(capsys, "sessions", "import", str(broken))
    assert code == 1 and doc["error"]["type"] == "ArchiveError" and "damaged" in doc["error"]["problem"]
    assert run_json(capsys, "sessions", "list")[1]["count"] == 2


def test_a_killed_session_is_listed_as_interrupted_and_can_be_finalized(capsys, private_data_dir):
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_export import make_session
        from mockloop.engine.store import SessionStore
        print(make_session(SessionStore.open(), finish=False), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)], capture_output=True, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    sid = child.stdout.strip()
    code, doc = run_json(capsys, "sessions", "list")
    assert code == 0 and doc["recovered"] == [sid]
    assert doc["sessions"][0]["status"] == "interrupted" and doc["sessions"][0]["interrupted"] is True
    code, out, _ = run(capsys, "sessions", "list")
    assert "INTERRUPTED" in out
    code, doc = run_json(capsys, "sessions", "finalize", sid)
    assert code == 0 and doc["previous_status"] == "interrupted" and doc["status"] == "finished"
    assert set(doc) == SUMMARY_FIELDS | {"previous_status", "notice"}
    code, doc = run_json(capsys, "sessions", "finalize", sid)
    assert code == 0 and doc["previous_status"] == "finished"


def test_compare_shows_attempts_side_by_side_with_points_gained_and_lost(capsys, private_data_dir):
    with SessionStore.open() as store:
        first = make_session(store, answer="I would just use accuracy and train a model on the data we have.",
                             followup=None, nudge=None)
        second = make_session(store, followup=None, nudge=None)
    code, doc = run_json(capsys, "sessions", "compare", "mle-spam-class-imbalance")
    assert code == 0 and doc["count"] == 2 and doc["question_text"].startswith("How do you handle severe class imbalance")
    assert set(doc) == {"question_id", "question_text", "rubric_points", "count", "attempts", "changes", "notice"}
    assert [a["session_id"] for a in doc["attempts"]] == [first, second]
    assert set(doc["attempts"][0]) == {"session_id", "session_mode", "persona_id", "turn_id", "attempt", "status",
                                       "started_at", "overall", "dimensions", "metrics", "rubric_status", "transcript",
                                       "candidate_audio"}
    (change,) = doc["changes"]
    assert change["overall_delta"] == pytest.approx(doc["attempts"][1]["overall"] - doc["attempts"][0]["overall"], abs=0.1)
    assert change["overall_delta"] > 0 and "right-metrics" in change["gained"] and change["lost"] == []
    assert set(change["dimension_deltas"]) == set(doc["attempts"][1]["dimensions"])
    code, out, _ = run(capsys, "sessions", "compare", "mle-spam-class-imbalance")
    assert code == 0 and "+ Rejects accuracy" in out
    code, doc = run_json(capsys, "sessions", "compare", "mle-position-bias")
    assert code == 0 and doc["count"] == 0 and doc["attempts"] == [] and doc["changes"] == []


def test_radar_command_for_all_sessions_and_for_one(capsys, session):
    code, doc = run_json(capsys, "radar")
    assert code == 0 and doc["scope"] == "all" and doc["bank_id"] == "twitter-x" and doc["half_life_days"] == 14.0
    axis = next(a for a in doc["axes"] if a["id"] == "classification-imbalance")
    assert axis["answers"] == 1 and axis["performance"] > 0 and axis["difficulty"] and len(axis["history"]) == 1
    code, doc = run_json(capsys, "radar", "--session", session)
    assert code == 0 and doc["scope"] == "session" and doc["session_id"] == session
    code, doc = run_json(capsys, "radar", "--bank", "nope")
    assert code == 1 and doc["error"]["type"] == "BankChoiceError" and "twitter-x" in doc["error"]["fix"]
    code, out, _ = run(capsys, "radar")
    assert code == 0 and "Classification & Imbalance" in out


def test_plan_remembers_the_interview_date(capsys, session):
    soon = date.today() + timedelta(days=3)
    code, doc = run_json(capsys, "plan", "--interview-date", soon.isoformat())
    assert code == 0 and doc["interview_date"] == soon.isoformat() and doc["days_left"] == 3
    assert [d["date"] for d in doc["days"]] == [(date.today() + timedelta(days=n)).isoformat() for n in range(3)]
    assert all(len(d["items"]) == 2 and all(i["reasons"] for i in d["items"]) for d in doc["days"])
    code, doc = run_json(capsys, "plan", "--per-day", "1")
    assert code == 0 and doc["interview_date"] == soon.isoformat() and len(doc["days"][0]["items"]) == 1
    code, doc = run_json(capsys, "plan", "--clear-date")
    assert code == 0 and doc["interview_date"] is None and len(doc["days"]) == 7
    code, doc = run_json(capsys, "plan", "--interview-date", (date.today() - timedelta(days=1)).isoformat())
    assert code == 1 and doc["error"]["type"] == "InterviewDateError"
    code, doc = run_json(capsys, "plan", "--interview-date", "soon")
    assert code == 1 and "YYYY-MM-DD" in doc["error"]["fix"]
    code, out, _ = run(capsys, "plan")
    assert code == 0 and "Practice plan for Twitter / X" in out
