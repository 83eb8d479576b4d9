"""Conversions between Python values and the store's columns: UTC times and checked JSON."""

from __future__ import annotations

import dataclasses
import json
import math
import secrets
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Mapping


def now() -> datetime:
    """The current UTC time at the precision the store keeps (milliseconds), so returned and stored times agree."""
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def new_session_id() -> str:
    """Sortable and readable: UTC start time plus a random suffix, e.g. 20261124-091500-ab12."""
    return f"{now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def time_text(moment: datetime | None) -> str | None:
    """UTC ISO 8601 with milliseconds: one fixed format, so text order is time order."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("store times must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def plain(value: Any) -> Any:
    """A JSON-ready copy: objects with to_dict(), dataclasses, enums and paths become plain data.

    Non-finite floats become null: JSON has no NaN, and one undefined metric must not make a
    whole answer fail to save.
    """
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return plain(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be text, got {key!r}")
            out[key] = plain(item)
        return out
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return plain(value.item())
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def dump(value: Any, column: str, shape: type) -> str:
    """Checked JSON text for a column that must hold a `shape` (dict or list)."""
    data = plain(value)
    if not isinstance(data, shape):
        raise TypeError(f"{column} must be a JSON {'object' if shape is dict else 'array'}, got {type(data).__name__}")
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def load(text: str | None, default: Any) -> Any:
    return default if text is None else json.loads(text)


def word_dict(word: Any) -> dict:
    """One timed word as {text, start, end, probability}; accepts mappings, dataclasses and faster-whisper words."""
    if isinstance(word, Mapping):
        data = dict(word)
    elif dataclasses.is_dataclass(word):
        data = dataclasses.asdict(word)
    else:
        data = {k: getattr(word, k) for k in ("text", "word", "start", "end", "probability") if hasattr(word, k)}
    if "text" not in data and "word" in data:
        data["text"] = data.pop("word")
    text = data.get("text")
    if not isinstance(text, str):
        raise TypeError(f"a word needs its text, got {word!r}")
    out = {"text": text}
    for key in ("start", "end", "probability"):
        number = data.get(key)
        if number is not None and not isinstance(number, (int, float)) and not hasattr(number, "item"):
            raise TypeError(f"word {key} must be a number, got {number!r}")
        out[key] = plain(float(number)) if number is not None else None
    return out


def score_overall(scores: Mapping | None) -> float | None:
    """The overall score of a scores object ({"overall": ...}), if it has a finite one."""
    if not scores:
        return None
    value = scores.get("overall")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)
