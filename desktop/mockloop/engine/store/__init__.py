"""The session store: every mock interview (rounds, turns, audio, transcripts, scores) kept in SQLite.

Entry point: `SessionStore.open()`; call `recover_interrupted()` once at startup.

May import: `core` only.
"""

from mockloop.engine.store.db import Migration, RecoveryNotice
from mockloop.engine.store.errors import (
    SessionNotFoundError, SessionStateError, StoreCorruptError, StoreDiskFullError, StoreError, StoreTooNewError,
    StoreUnavailableError,
)
from mockloop.engine.store.records import (
    Attempt, AxisScore, Nudge, RecoveredSession, Round, Session, SessionMode, SessionStatus, SessionSummary, Turn, TurnKind,
    TurnStart, TurnStatus, Word,
)
from mockloop.engine.store.sessions import SessionStore, default_path

__all__ = [
    "Attempt", "AxisScore", "Migration", "Nudge", "RecoveredSession", "RecoveryNotice", "Round", "Session",
    "SessionMode", "SessionNotFoundError", "SessionStateError", "SessionStatus", "SessionStore", "SessionSummary", "StoreCorruptError",
    "StoreDiskFullError", "StoreError", "StoreTooNewError", "StoreUnavailableError", "Turn", "TurnKind", "TurnStart",
    "TurnStatus", "Word", "default_path",
]
