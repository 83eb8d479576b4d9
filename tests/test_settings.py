"""Settings persist as private JSON and survive a damaged file."""

from __future__ import annotations

import stat

from mockloop.engine.settings import EndOfTurn, Settings


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
