"""The headless contract: `mockloop questions` and `mockloop doctor`, as a user runs them."""

from __future__ import annotations

import json
import os

from conftest import run_cli


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("mockloop ")


def test_questions_json_is_one_document_with_the_documented_fields():
    out = run_cli("questions", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"count", "questions", "banks", "errors"}
    assert doc["count"] == len(doc["questions"]) >= 28
    q = doc["questions"][0]
    assert set(q) == {"id", "bank", "round", "role", "kind", "difficulty", "text", "tags", "axes", "rubric_points", "probes"}
    assert doc["banks"][0]["id"] == "twitter-x" and doc["errors"] == []


def test_questions_filters_from_the_command_line():
    doc = json.loads(run_cli("questions", "--role", "Machine Learning Engineer", "--difficulty", "hard", "--kind", "technical", "--json").stdout)
    assert doc["count"] == 7
    assert all(q["role"] == "Machine Learning Engineer" and q["difficulty"] == "hard" for q in doc["questions"])
    doc = json.loads(run_cli("questions", "--tag", "Two-Tower Models", "--json").stdout)
    assert [q["kind"] for q in doc["questions"]] == ["System Design"]


def test_questions_text_output_lists_rows_and_count():
    out = run_cli("questions", "--kind", "System Design")
    assert out.returncode == 0
    assert "4 question(s)." in out.stdout
    assert "Who to Follow" in out.stdout


def test_questions_reports_a_broken_user_bank_but_still_lists(tmp_path):
    user = tmp_path / "banks"
    user.mkdir()
    (user / "bad.yaml").write_text("schema_version: 1\ncompany: 3\n", encoding="utf-8")
    env = dict(os.environ, MOCKLOOP_QUESTIONS_DIR=str(user))
    doc = json.loads(run_cli("questions", "--json", env=env).stdout)
    assert doc["count"] >= 28
    assert doc["errors"] and doc["errors"][0]["file"].endswith("bad.yaml") and doc["errors"][0]["line"] == 2
    text = run_cli("questions", env=env)
    assert "bad.yaml:2" in text.stderr


def test_doctor_json_reports_models_audio_display_offline(pulse_audio):
    out = run_cli("doctor", "--json", "--quick", env=dict(os.environ, **pulse_audio))
    assert out.returncode == 0, out.stdout + out.stderr
    doc = json.loads(out.stdout)
    assert doc["ok"] is True and doc["problems"] == []
    models = {m["role"]: m for m in doc["models"]}
    assert set(models) == {"stt", "tts", "llm", "text"}
    for m in models.values():
        assert m["ok"] and m["source"] == "bundled" and m["size_bytes"] > 0 and m["load_seconds"] >= 0 and m["smoke"]
    assert "production" in models["stt"]["smoke"].lower()
    assert models["text"]["dimensions"] == 256 and "paraphrase" in models["text"]["smoke"]
    assert doc["audio"]["portaudio"] is True and doc["audio"]["can_record"] and doc["audio"]["can_play"]
    assert doc["offline"]["ok"] is True and doc["offline"]["network_attempts"] == []
    assert set(doc["display"]) == {"available", "reason"}


def test_doctor_fails_with_a_sentence_when_a_model_is_broken(tmp_path):
    broken = tmp_path / "half.gguf"
    broken.write_bytes(b"GGUF\x03\x00\x00\x00")
    env = dict(os.environ, MOCKLOOP_LLM_MODEL=str(broken))
    out = run_cli("doctor", "--json", "--quick", env=env)
    assert out.returncode == 1
    doc = json.loads(out.stdout)
    llm = next(m for m in doc["models"] if m["role"] == "llm")
    assert llm["ok"] is False and llm["error"]["kind"] == "truncated" and llm["error"]["path"] == str(broken)
    assert {"name", "source", "path", "size_bytes", "load_seconds", "smoke"} <= set(llm)
    assert doc["ok"] is False and "MOCKLOOP_LLM_MODEL" in doc["problems"][0]
    text = run_cli("doctor", "--quick", env=env)
    assert text.returncode == 1 and "FAIL LLM" in text.stdout and "Traceback" not in text.stdout + text.stderr


def test_doctor_without_audio_devices_says_why():
    # No sound server reachable: PortAudio loads but finds no usable device.
    env = dict(os.environ, PULSE_SERVER="unix:/nonexistent")
    out = run_cli("doctor", "--json", "--quick", env=env)
    doc = json.loads(out.stdout)
    assert out.returncode == 0  # typed answers still work: missing audio is a warning
    assert doc["audio"]["portaudio"] is True and not doc["audio"]["can_record"]
    assert "you can still type" in doc["audio"]["reason"] and doc["audio"]["reason"] in doc["warnings"]


def test_doctor_without_portaudio_names_the_package(tmp_path):
    # The hardware edge: a sounddevice that fails to import exactly as it does when
    # libportaudio2 is not installed.
    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    doc = json.loads(run_cli("doctor", "--json", "--quick", env=env).stdout)
    assert doc["audio"]["portaudio"] is False
    assert "apt-get install libportaudio2" in doc["audio"]["reason"]
    assert doc["ok"] is True
