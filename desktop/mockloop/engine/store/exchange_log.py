"""The exchanges of a turn in the store: what the candidate asked the interviewer mid-answer, and the reply.

Plain data, as the store sits below the interview: an exchange is the dict of `Exchange.to_dict()`
(core/exchanges.py). Each one is appended the moment its reply is spoken (schema/005_exchanges.sql).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mockloop.engine.core.exchanges import INTENTS
from mockloop.engine.store.codec import dump, load, plain
from mockloop.engine.store.db import Database
from mockloop.engine.store.errors import SessionNotFoundError


class ExchangeMethods:
    """The exchange methods of SessionStore (a base class of it, so sessions.py stays small)."""

    _db: Database

    def add_exchange(self, turn_id: int, exchange: Any) -> int:
        """Append one exchange (an Exchange or its dict) to a turn; return how many the turn has now.

        A reply's audio file is kept by its bare name: it lives in the session's folder, beside the
        turn's recording, so an exported and re-imported session still finds it."""
        text = dump(exchange_values(exchange), "exchange", dict)
        with self._db.write() as conn:
            if conn.execute("UPDATE turns SET exchanges = json_insert(exchanges, '$[#]', json(?)) WHERE id = ?",
                            (text, turn_id)).rowcount == 0:
                raise SessionNotFoundError("turn", turn_id)
            return int(conn.execute("SELECT json_array_length(exchanges) FROM turns WHERE id = ?", (turn_id,)).fetchone()[0])

    def exchanges(self, turn_id: int) -> list[dict[str, Any]]:
        """A turn's exchanges in order (each an Exchange dict; `reply_audio` a bare file name or None)."""
        with self._db.read() as conn:
            row = conn.execute("SELECT exchanges FROM turns WHERE id = ?", (turn_id,)).fetchone()
            if row is None:
                raise SessionNotFoundError("turn", turn_id)
            return list(load(row[0], []))


def exchange_values(exchange: Any) -> dict[str, Any]:
    """An exchange checked for the turns.exchanges column; ValueError says what is wrong."""
    data = plain(exchange.to_dict() if hasattr(exchange, "to_dict") else exchange)
    if not isinstance(data, dict):
        raise ValueError(f"an exchange must be a JSON object, got {type(data).__name__}")
    if data.get("intent") not in INTENTS:
        raise ValueError(f"an exchange's intent must be one of {', '.join(INTENTS)}, got {data.get('intent')!r}")
    for key in ("asked", "reply"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"an exchange's {key} must be text")
    for key in ("asked_at", "asked_end", "reply_at"):
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise ValueError(f"an exchange's {key} must be seconds from 0 or null, got {value!r}")
    audio = data.get("reply_audio")
    if audio is not None:
        if not isinstance(audio, str):
            raise ValueError("an exchange's reply_audio must be a file name")
        data["reply_audio"] = Path(audio).name
    return data
