"""Where a static-embedding text model keeps its two files: a tokenizer and a safetensors table."""

from __future__ import annotations

import json
from pathlib import Path


def text_model_files(path: Path) -> tuple[Path | None, Path | None]:
    """A static-embedding text model's tokenizer (.json) and weights (.safetensors): in the folder
    itself or one level down (the bundled package keeps them in tokenizers/ and weights/)."""
    def first(pattern: str) -> Path | None:
        found = sorted(path.glob(pattern)) or sorted(path.glob(f"*/{pattern}"))
        return found[0] if found else None

    return first("*tokenizer*.json"), first("*.safetensors")


def embedding_header(weights: Path) -> tuple[int, dict] | None:
    """The header of a safetensors file (its length and the 2-D table's entry, with the end of the
    data it promises under "data_end"), or None when it is not one or has no 2-D table."""
    try:
        with weights.open("rb") as fh:
            head = fh.read(8)
            n = int.from_bytes(head, "little") if len(head) == 8 else -1
            header = json.loads(fh.read(n)) if 0 < n < 1 << 24 else None
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    tensors = {k: v for k, v in (header or {}).items() if k != "__metadata__" and isinstance(v, dict)}
    name, table = next(((k, v) for k, v in tensors.items() if len(v.get("shape", ())) == 2), (None, None))
    if table is None:
        return None
    return n, {**table, "name": name, "data_end": max(v["data_offsets"][1] for v in tensors.values())}
