"""The model registry: resolution order and every way a model can be broken."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mockloop.engine.models import registry
from mockloop.engine.core.errors import ModelError
from mockloop.engine.core.settings import Settings


def test_bundled_models_resolve_with_package_and_size(bundled):
    assert bundled["stt"].source == "bundled" and (bundled["stt"].path / "model.bin").is_file()
    assert bundled["tts"].config_path.name == "en_US-joe-medium.onnx.json"
    assert bundled["tts"].details["sample_rate"] == 22050
    assert bundled["llm"].path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    # The GGUF header tells the size of the model: the bundled one is ~135M parameters.
    assert 100e6 < bundled["llm"].details["parameters"] < 200e6
    for info in bundled.values():
        assert info.size_bytes > 1_000_000
        assert "package" in info.details


def test_bundled_hashes_match_manifest(bundled):
    for info in bundled.values():
        assert registry.verify_bundled_hash(info)


def _copy_gguf(bundled, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    os.link(bundled["llm"].path, target) if _same_fs(bundled["llm"].path, folder) else shutil.copy(bundled["llm"].path, target)
    return target


def _same_fs(a: Path, b: Path) -> bool:
    return os.stat(a).st_dev == os.stat(b).st_dev


def test_order_env_then_setting_then_models_folder_then_bundled(bundled, tmp_path, monkeypatch):
    user_models = tmp_path / "user-models"
    monkeypatch.setenv("MOCKLOOP_MODELS_DIR", str(user_models))
    assert registry.resolve("llm").source == "bundled"

    dropped = _copy_gguf(bundled, user_models, "dropped.gguf")
    small = user_models / "tiny.gguf"
    small.write_bytes(b"GGUF")  # smaller: the largest file in a folder wins, so this is ignored
    info = registry.resolve("llm")
    assert (info.source, info.path) == ("user models folder", dropped)

    chosen = _copy_gguf(bundled, tmp_path / "chosen", "chosen.gguf")
    info = registry.resolve("llm", Settings(llm_model=str(chosen)))
    assert (info.source, info.path) == ("setting", chosen)

    from_env = _copy_gguf(bundled, tmp_path / "env", "env.gguf")
    monkeypatch.setenv("MOCKLOOP_LLM_MODEL", str(from_env))
    info = registry.resolve("llm", Settings(llm_model=str(chosen)))
    assert (info.source, info.path) == ("environment", from_env)
    # The bundled model stays reachable by name whatever the app resolves to (Settings lists it).
    assert registry.bundled_model("llm").path == bundled["llm"].path
    assert registry.bundled_model("llm").name == bundled["llm"].name


def test_user_whisper_folder_and_piper_voice_are_found(bundled, tmp_path, monkeypatch):
    user_models = tmp_path / "models"
    shutil.copytree(bundled["stt"].path, user_models / "whisper-copy")
    shutil.copy(bundled["tts"].path, user_models / "en_US-copy-medium.onnx")
    shutil.copy(bundled["tts"].config_path, user_models / "en_US-copy-medium.onnx.json")
    monkeypatch.setenv("MOCKLOOP_MODELS_DIR", str(user_models))
    stt = registry.resolve("stt")
    tts = registry.resolve("tts")
    assert (stt.source, stt.path.name) == ("user models folder", "whisper-copy")
    assert (tts.source, tts.path.name, tts.config_path.name) == ("user models folder", "en_US-copy-medium.onnx", "en_US-copy-medium.onnx.json")


@pytest.mark.parametrize("role", registry.ROLES)
def test_missing_model_names_file_and_fix(role, tmp_path, monkeypatch):
    ghost = tmp_path / "nowhere" / "model.x"
    monkeypatch.setenv(registry.ENV_VARS[role], str(ghost))
    with pytest.raises(ModelError) as caught:
        registry.resolve(role)
    err = caught.value
    assert err.kind == "missing" and err.path == ghost
    assert str(ghost) in err.user_message() and "does not exist" in err.user_message()
    assert registry.ENV_VARS[role] in err.fix


def test_truncated_gguf_is_named_truncated(bundled, tmp_path, monkeypatch):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(bundled["llm"].path.read_bytes()[: 40_000_000])
    monkeypatch.setenv("MOCKLOOP_LLM_MODEL", str(cut))
    with pytest.raises(ModelError) as caught:
        registry.resolve("llm")
    assert caught.value.kind == "truncated"
    assert "40,000,000 bytes" in caught.value.problem and "98,362,432" in caught.value.problem


def test_gguf_cut_inside_header_is_truncated(bundled, tmp_path):
    cut = tmp_path / "header-only.gguf"
    cut.write_bytes(bundled["llm"].path.read_bytes()[:5000])
    with pytest.raises(ModelError) as caught:
        registry.check_model("llm", cut, "setting")
    assert caught.value.kind == "truncated" and "header" in caught.value.problem


def test_not_a_gguf_is_invalid(tmp_path):
    fake = tmp_path / "notes.gguf"
    fake.write_text("these are my interview notes, not a model\n" * 100)
    with pytest.raises(ModelError) as caught:
        registry.check_model("llm", fake, "models folder")
    assert caught.value.kind == "invalid" and "GGUF signature" in caught.value.problem
    assert "models folder" in caught.value.fix


def test_bundled_file_shorter_than_shipped_is_truncated(bundled, tmp_path):
    copy = tmp_path / "whisper"
    shutil.copytree(bundled["stt"].path, copy)
    with (copy / "model.bin").open("r+b") as fh:
        fh.truncate(1_000_000)
    with pytest.raises(ModelError) as caught:
        registry.check_model("stt", copy, "bundled")
    assert caught.value.kind == "truncated" and caught.value.path == copy / "model.bin"
    assert "Reinstall" in caught.value.fix


def test_truncated_whisper_fails_to_load_with_a_sentence(bundled, tmp_path):
    from mockloop.engine.speech.whisper_decoder import Transcriber

    copy = tmp_path / "whisper"
    shutil.copytree(bundled["stt"].path, copy)
    with (copy / "model.bin").open("r+b") as fh:
        fh.truncate(5_000_000)
    info = registry.check_model("stt", copy, "setting")  # passes the cheap checks...
    with pytest.raises(ModelError) as caught:  # ...and loading says what is wrong
        Transcriber(info)
    assert caught.value.kind == "load-failed" and "truncated or damaged" in caught.value.problem


def test_truncated_piper_voice_fails_to_load_with_a_sentence(bundled, tmp_path):
    from mockloop.engine.speech.tts import Voice

    onnx = tmp_path / "en_US-cut-medium.onnx"
    onnx.write_bytes(bundled["tts"].path.read_bytes()[:2_000_000])
    shutil.copy(bundled["tts"].config_path, tmp_path / "en_US-cut-medium.onnx.json")
    info = registry.check_model("tts", onnx, "setting")
    with pytest.raises(ModelError) as caught:
        Voice(info)
    assert caught.value.kind == "load-failed" and str(onnx) in caught.value.user_message()


def test_piper_voice_without_config_is_named(bundled, tmp_path):
    onnx = tmp_path / "lonely.onnx"
    shutil.copy(bundled["tts"].path, onnx)
    with pytest.raises(ModelError) as caught:
        registry.check_model("tts", onnx, "setting")
    assert caught.value.kind == "missing" and caught.value.path == tmp_path / "lonely.onnx.json"


def test_whisper_folder_without_config_is_invalid(tmp_path):
    folder = tmp_path / "whisper-broken"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"\0" * 4096)
    with pytest.raises(ModelError) as caught:
        registry.check_model("stt", folder, "setting")
    assert caught.value.kind == "invalid" and "config.json" in caught.value.problem


UNREADABLE_PROBE = """
import sys
from pathlib import Path
from mockloop.engine.models import registry
from mockloop.engine.core.errors import ModelError
try:
    registry.check_model(sys.argv[1], Path(sys.argv[2]), "setting")
except ModelError as exc:
    print(exc.kind, exc.path, sep="|")
"""


@pytest.mark.parametrize("role", ["llm", "stt"])
def test_unreadable_model_is_named(bundled, role):
    # Root reads everything, so when the suite runs as root the check runs as 'nobody',
    # in a folder outside pytest's private (0700) temp root.
    shared = Path(tempfile.mkdtemp(prefix="mockloop-unreadable-"))
    shared.chmod(0o755)
    try:
        _check_unreadable(bundled, shared, role)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _check_unreadable(bundled, shared: Path, role: str) -> None:
    if role == "llm":
        target = shared / "locked.gguf"
        shutil.copy(bundled["llm"].path, target)
        locked = target
    else:
        target = shared / "whisper-locked"
        shutil.copytree(bundled["stt"].path, target)
        target.chmod(0o755)
        locked = target / "model.bin"
    for p in [target, *target.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    locked.chmod(0o000)
    command = [sys.executable, "-c", UNREADABLE_PROBE, role, str(target)]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    kind, path = out.stdout.strip().split("|")
    assert kind == "unreadable" and Path(path) == locked
