"""User settings: one typed object, saved as JSON in the data folder."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, fields
from enum import Enum
from pathlib import Path

from mockloop.engine.core import paths
from mockloop.engine.core.errors import MockloopError


class EndOfTurn(str, Enum):
    """How a candidate's answer ends: the setting, and the end-of-turn detector's mode (speech.endpointer)."""

    HANDS_FREE = "hands-free"  # a long enough pause after speech ends the turn
    PUSH_TO_TALK = "push-to-talk"  # speech counts only while the key is held; release ends the turn
    MANUAL = "manual"  # the candidate says when they are done


# The voice's pace multiplier (Piper's length scale is clamped to the same range).
RATE_MIN, RATE_MAX = 0.5, 2.0
# Hands-free: how long a pause after speech ends the answer.
SILENCE_MIN, SILENCE_MAX = 0.5, 30.0


class SettingsError(MockloopError):
    """A setting whose value cannot be used (out of range or of the wrong kind)."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        self.field = field
        super().__init__(problem, fix)


@dataclass
class Settings:
    # Model paths; empty means "let the registry choose" (environment variables still win).
    stt_model: str = ""
    tts_voice: str = ""
    llm_model: str = ""
    text_model: str = ""  # a static-embedding folder; empty: the bundled one
    persona: str = "standard"
    input_device: str = ""  # a device name; empty: the system default
    output_device: str = ""
    speaking_rate: float = 1.0
    end_of_turn: EndOfTurn = EndOfTurn.HANDS_FREE
    silence_seconds: float = 4.0
    llm_threads: int = 0  # 0: one per physical core

    @classmethod
    def path(cls) -> Path:
        return paths.data_dir() / "settings.json"

    @classmethod
    def load(cls, path: Path | None = None) -> "Settings":
        """Read settings; a missing or damaged file gives defaults (the damaged one is kept aside).

        A single unusable value (a rate of "fast", an unknown end-of-turn policy) falls back
        to its default; the other settings are kept.
        """
        path = path or cls.path()
        data: dict = {}
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("not an object")
            except (OSError, ValueError):
                path.replace(path.with_suffix(".damaged.json"))
                data = {}
        defaults = cls()
        values = {}
        for f in fields(cls):
            if f.name in data:
                try:
                    values[f.name] = _coerce(f.name, data[f.name], getattr(defaults, f.name))
                except (TypeError, ValueError):
                    pass
        settings = cls(**values)
        for problem in settings.problems():
            setattr(settings, problem.field, getattr(defaults, problem.field))
        return settings

    def problems(self) -> list[SettingsError]:
        """Every value that cannot be used, each with a sentence and a fix."""
        found = []
        rate = self.speaking_rate
        if not _finite(rate) or not RATE_MIN <= rate <= RATE_MAX:
            found.append(SettingsError("speaking_rate", f"A speaking rate of {rate} is outside what the voice can do.",
                                       f"Choose a rate from {RATE_MIN} (slower) to {RATE_MAX} (faster); 1.0 is the voice's natural pace."))
        silence = self.silence_seconds
        if not _finite(silence) or not SILENCE_MIN <= silence <= SILENCE_MAX:
            found.append(SettingsError("silence_seconds", f"A silence threshold of {silence} seconds cannot be used.",
                                       f"Choose from {SILENCE_MIN} to {SILENCE_MAX:g} seconds; 4 seconds suits most people."))
        try:
            EndOfTurn(self.end_of_turn)
        except ValueError:
            found.append(SettingsError("end_of_turn", f"'{self.end_of_turn}' is not an end-of-turn policy.",
                                       "Choose hands-free, push-to-talk or manual."))
        if not isinstance(self.llm_threads, int) or isinstance(self.llm_threads, bool) or self.llm_threads < 0:
            found.append(SettingsError("llm_threads", f"{self.llm_threads!r} is not a thread count.",
                                       "Use 0 (one per physical core) or a positive whole number."))
        for name in ("stt_model", "tts_voice", "llm_model", "text_model", "persona", "input_device", "output_device"):
            if not isinstance(getattr(self, name), str):
                found.append(SettingsError(name, f"The {name.replace('_', ' ')} setting must be text.", "Clear it, or choose again in Settings."))
        return found

    def validate(self) -> None:
        """Raise the first problem as a SettingsError."""
        problems = self.problems()
        if problems:
            raise problems[0]

    def save(self, path: Path | None = None) -> None:
        """Validate, then write atomically with owner-only permissions."""
        self.validate()
        path = path or self.path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = asdict(self)
        data["end_of_turn"] = EndOfTurn(self.end_of_turn).value
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _coerce(name: str, value: object, default: object) -> object:
    """A JSON value as the field's type; TypeError/ValueError when it cannot be one."""
    if name == "end_of_turn":
        return EndOfTurn(value)
    if isinstance(default, bool) or isinstance(value, bool):
        raise TypeError(name)
    if isinstance(default, float):
        if not isinstance(value, (int, float)):
            raise TypeError(name)
        return float(value)
    if isinstance(default, int):
        if not isinstance(value, int):
            raise TypeError(name)
        return value
    if not isinstance(value, str):
        raise TypeError(name)
    return value
