"""The process's one text model per set of files: loaded on first use and shared by every thread."""

from __future__ import annotations

import threading
from pathlib import Path

from mockloop.engine.core.settings import Settings
from mockloop.engine.models import registry
from mockloop.engine.understanding.encoder import TextEncoder

_shared: dict[str, TextEncoder] = {}
_shared_lock = threading.Lock()


def shared_encoder(settings: Settings | None = None) -> TextEncoder:
    """The process's encoder for the text model the settings resolve to, loaded once (ModelError if it cannot be)."""
    info = registry.resolve("text", settings)
    key = str(Path(info.path).resolve())
    with _shared_lock:
        if key not in _shared:
            _shared[key] = TextEncoder(info)
        return _shared[key]
