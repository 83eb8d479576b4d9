"""What a resolved model is (`ModelInfo`) and the names users know each model role by."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROLE_NAMES = {"stt": "speech-recognition (Whisper)", "tts": "voice (Piper)", "llm": "interviewer (GGUF)",
              "text": "text-understanding (word embeddings)"}


@dataclass
class ModelInfo:
    """A resolved, checked model: where it is, where that choice came from, how big it is."""

    role: str
    path: Path
    source: str  # "setting" | "environment" | "models folder" | "user models folder" | "bundled"
    name: str
    size_bytes: int
    config_path: Path | None = None  # a Piper voice's .onnx.json
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "role": self.role,
            "name": self.name,
            "source": self.source,
            "path": str(self.path),
            "size_bytes": self.size_bytes,
            **({"config_path": str(self.config_path)} if self.config_path else {}),
            **self.details,
        }
