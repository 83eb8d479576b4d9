"""Settings persist as private JSON, survive a damaged file, refuse unusable values; the data folder can move."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mockloop.engine.core import paths
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.core.settings import EndOfTurn, Settings, SettingsError


def test_round_trip_and_permissions(private_data_dir):
    s = Settings(persona="bar-raiser", speaking_rate=1.1, end_of_turn=EndOfTurn.PUSH_TO_TALK, silence_seconds=6.5)
    s.save()
    path = Settings.path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = Settings.load()
    assert loaded == s


def test_damaged_file_gives_defaults_and_is_kept_aside(private_data_dir):
    path = Settings.path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert Settings.load() == Settings()
    assert path.with_suffix(".damaged.json").read_text(encoding="utf-8") == "{not json"


# --- validation --------------------------------------------------------------------------------



@pytest.mark.parametrize("field, value, words", [
    ("speaking_rate", 3.0, "from 0.5 (slower) to 2.0 (faster)"),
    ("speaking_rate", float("nan"), "outside what the voice can do"),
    ("silence_seconds", 0.1, "from 0.5 to 30 seconds"),
    ("end_of_turn", "sometimes", "hands-free, push-to-talk or manual"),
    ("llm_threads", -2, "not a thread count"),
])
def test_unusable_values_are_typed_errors_and_are_not_saved(private_data_dir, field, value, words):
    s = Settings(**{field: value})
    with pytest.raises(SettingsError) as err:
        s.save()
    assert err.value.field == field and isinstance(err.value, MockloopError)
    assert words in str(err.value)
    assert not Settings.path().exists()


def test_one_bad_value_falls_back_alone_and_unknown_keys_are_ignored(private_data_dir):
    path = Settings.path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({
        "persona": "bar-raiser", "speaking_rate": "fast", "silence_seconds": 99, "end_of_turn": "sometimes",
        "input_device": "USB Mic", "llm_threads": 2.5, "from_a_newer_version": True,
    }), encoding="utf-8")
    s = Settings.load()
    assert s.persona == "bar-raiser" and s.input_device == "USB Mic"
    assert s.speaking_rate == 1.0 and s.silence_seconds == 4.0 and s.end_of_turn is EndOfTurn.HANDS_FREE and s.llm_threads == 0
    assert s.problems() == []


def test_an_older_file_without_newer_fields_loads(private_data_dir):
    path = Settings.path()
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"persona": "standard", "speaking_rate": 1, "end_of_turn": "manual"}), encoding="utf-8")
    s = Settings.load()
    assert s.speaking_rate == 1.0 and isinstance(s.speaking_rate, float)
    assert s.end_of_turn is EndOfTurn.MANUAL and s.silence_seconds == 4.0


# --- the data folder pointer -------------------------------------------------------------------


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A private config folder, and no MOCKLOOP_DATA_DIR, so the location file decides."""
    folder = tmp_path / "config"
    monkeypatch.setenv(paths.ENV_CONFIG_DIR, str(folder))
    monkeypatch.delenv(paths.ENV_DATA_DIR)
    return folder


def _data_dir_in_a_new_process() -> Path:
    code = "from mockloop.engine.core import paths; print(paths.data_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), check=True, timeout=60)
    return Path(out.stdout.strip())


def test_a_chosen_data_folder_is_used_from_the_next_start(config_dir, tmp_path):
    assert paths.data_dir() == paths.default_data_dir()
    assert paths.data_dir_source() == "default"
    chosen = tmp_path / "elsewhere" / "mockloop"
    assert paths.choose_data_dir(chosen) == chosen
    assert chosen.is_dir()
    assert json.loads((config_dir / paths.LOCATION_FILE).read_text(encoding="utf-8")) == {"data_dir": str(chosen)}
    assert paths.chosen_data_dir() == chosen
    assert paths.data_dir() == paths.default_data_dir()  # this process keeps its folder...
    assert _data_dir_in_a_new_process() == chosen  # ...the next start uses the new one
    assert Settings.path() == paths.default_data_dir() / "settings.json"

    assert paths.choose_data_dir(None) == paths.default_data_dir()
    assert not (config_dir / paths.LOCATION_FILE).exists()
    assert _data_dir_in_a_new_process() == paths.default_data_dir()
    assert chosen.is_dir()  # nothing is deleted or moved


def test_the_environment_wins_over_the_chosen_folder(config_dir, tmp_path, monkeypatch):
    paths.choose_data_dir(tmp_path / "chosen")
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(tmp_path / "env"))
    assert paths.data_dir() == tmp_path / "env"
    assert paths.data_dir_source() == "environment"
    assert _data_dir_in_a_new_process() == tmp_path / "env"


def test_a_started_process_reads_the_location_file(config_dir, tmp_path):
    chosen = tmp_path / "chosen"
    paths.choose_data_dir(chosen)
    assert paths.data_dir() == chosen  # first use in this process
    assert paths.data_dir_source() == "chosen"
    assert paths.user_models_dir() == chosen / "models"


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", '{"data_dir": ""}', '{"data_dir": "relative/path"}', '{"data_dir": 7}'])
def test_a_damaged_location_file_means_the_default(config_dir, content):
    config_dir.mkdir()
    (config_dir / paths.LOCATION_FILE).write_text(content, encoding="utf-8")
    assert paths.chosen_data_dir() is None
    assert paths.data_dir() == paths.default_data_dir()


def test_an_unusable_folder_is_refused_with_a_sentence(config_dir, tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    cases = [
        (a_file, "is a file, not a folder"),
        (a_file / "mockloop", "cannot be written to"),
        (Path("relative/folder"), "is not a full path"),
    ]
    for folder, words in cases:
        with pytest.raises(paths.DataFolderError) as err:
            paths.choose_data_dir(folder)
        assert words in str(err.value)
        assert err.value.fix
    assert not (config_dir / paths.LOCATION_FILE).exists()
    assert a_file.read_text(encoding="utf-8") == "mine"
