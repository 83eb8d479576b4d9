"""User settings: one typed object, saved as JSON in the data folder."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from enum import Enum
from pathlib import Path

from mockloop.engine import paths


class EndOfTurn(str, Enum):
    HANDS_FREE = "hands-free"
    PUSH_TO_TALK = "push-to-talk"
    MANUAL = "manual"


@dataclass
class Settings:
    # Model paths; empty means "let the registry choose" (environment variables still win).
    stt_model: str = ""
    tts_voice: str = ""
    llm_model: str = ""
    persona: str = "standard"
    input_device: str = ""
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
        """Read settings; a missing or damaged file gives defaults (the damaged one is kept aside)."""
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
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in data.items() if k in known})
        settings.end_of_turn = EndOfTurn(settings.end_of_turn)
        return settings

    def save(self, path: Path | None = None) -> None:
        path = path or self.path()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = asdict(self)
        data["end_of_turn"] = self.end_of_turn.value
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(path)
