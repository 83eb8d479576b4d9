"""Typed errors of the session store, each with a sentence a user can act on."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from mockloop.engine.core.errors import MockloopError

# SQLite primary result codes (sqlite3 exposes them as constants only from Python 3.11).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    5, 6, 8, 10, 11, 13, 14, 26)


class StoreError(MockloopError):
    """Base of every session-store error shown to a user."""


class StoreDiskFullError(StoreError):
    """A write failed because the disk is full; everything stored before it is intact."""

    def __init__(self, where: Path | str) -> None:
        self.where = Path(where)
        super().__init__(
            f"The disk holding your practice sessions ({self.where}) is full, so the last change could not be saved.",
            "Everything saved before is intact. Free some disk space and carry on; the recording in progress keeps what reached the disk.",
        )


class StoreUnavailableError(StoreError):
    """The database cannot be opened or written at all (permissions, read-only disk, locked too long)."""

    def __init__(self, where: Path | str, detail: str) -> None:
        self.where = Path(where)
        self.detail = detail
        super().__init__(
            f"Your session database at {self.where} cannot be used: {detail}.",
            "Check that the folder exists, is yours and is writable, and that no other program holds the file; then restart mockloop.",
        )


class StoreTooNewError(StoreError):
    """The database was written by a newer mockloop; it is left untouched."""

    def __init__(self, where: Path | str, found: int, supported: int) -> None:
        self.where = Path(where)
        self.found = found
        self.supported = supported
        super().__init__(
            f"Your session database at {self.where} was written by a newer version of mockloop (schema {found}; this version knows up to {supported}).",
            "Update mockloop to open it. Nothing in it was changed.",
        )


class StoreCorruptError(StoreError):
    """The database turned out to be damaged while the app was running."""

    def __init__(self, where: Path | str) -> None:
        self.where = Path(where)
        super().__init__(
            f"Your session database at {self.where} is damaged.",
            "Restart mockloop: it moves the damaged file aside (nothing is deleted) and starts a new one.",
        )


class SessionNotFoundError(StoreError):
    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        super().__init__(f"There is no {what} '{key}' in your practice history.", "List them with `mockloop sessions list`.")


class SessionStateError(StoreError):
    """An action that the session's current state does not allow (e.g. resuming a finished session)."""

    def __init__(self, session_id: str, problem: str, fix: str = "") -> None:
        self.session_id = session_id
        super().__init__(problem, fix)


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    return None if code is None else code & 0xFF  # extended codes carry the primary one in the low byte


def is_corruption(exc: BaseException) -> bool:
    """True for "file is not a database" and "database disk image is malformed"."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = _code(exc)
    if code is not None:
        return code in (SQLITE_CORRUPT, SQLITE_NOTADB)
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if not isinstance(exc, sqlite3.Error):
        return False
    return _code(exc) == SQLITE_FULL or "database or disk is full" in str(exc).lower()


def translate(exc: BaseException, where: Path) -> BaseException:
    """The typed error for an sqlite3/OS failure, or the original when it is a programming error."""
    if is_disk_full(exc):
        return StoreDiskFullError(where)
    if is_corruption(exc):
        return StoreCorruptError(where)
    if isinstance(exc, sqlite3.OperationalError):
        code = _code(exc)
        text = str(exc).lower()
        if code in (SQLITE_BUSY, SQLITE_LOCKED) or "locked" in text:
            return StoreUnavailableError(where, "another program kept it locked for too long")
        if code in (SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN) or "readonly" in text or "unable to open" in text or "i/o" in text:
            return StoreUnavailableError(where, str(exc))
    if isinstance(exc, OSError):
        return StoreUnavailableError(where, exc.strerror or str(exc))
    return exc
