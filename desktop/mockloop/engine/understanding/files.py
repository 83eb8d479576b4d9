"""Where a static-embedding text model keeps its two files: a tokenizer and a safetensors table."""

from __future__ import annotations

from pathlib import Path


def text_model_files(path: Path) -> tuple[Path | None, Path | None]:
    """A static-embedding text model's tokenizer (.json) and weights (.safetensors): in the folder
    itself or one level down (the bundled package keeps them in tokenizers/ and weights/)."""
    def first(pattern: str) -> Path | None:
        found = sorted(path.glob(pattern)) or sorted(path.glob(f"*/{pattern}"))
        return found[0] if found else None

    return first("*tokenizer*.json"), first("*.safetensors")
