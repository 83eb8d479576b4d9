"""The store's SQLite connection: WAL, foreign keys, numbered migrations, damaged-file recovery."""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator, Sequence

from mockloop.engine.store import files
from mockloop.engine.store.errors import StoreTooNewError, StoreUnavailableError, is_corruption, translate

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"(\d{3})_([a-z0-9_]+)\.sql")


@dataclass(frozen=True, order=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The package's schema/NNN_name.sql files, checked to be numbered 1, 2, 3, ... without gaps."""
    folder = resources.files("mockloop.engine.store").joinpath("schema")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"schema migrations must be numbered 1..N without gaps, found {versions}")
    return found


def split_statements(sql: str) -> list[str]:
    """Split a script into statements (triggers included) so they can run inside one transaction.

    sqlite3's executescript() would COMMIT first, so a failing migration could not be rolled back.
    """
    statements, buffer = [], ""
    for piece in re.split(r"(?<=;)", sql):
        buffer += piece
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    rest = "\n".join(line for line in buffer.splitlines() if not line.strip().startswith("--"))
    if rest.strip():
        raise ValueError(f"incomplete SQL statement at the end of a migration: {rest.strip()[:80]!r}")
    return statements


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration], where: Path) -> int:
    """Bring the schema up to the last migration, each one in its own transaction; return the version."""
    latest = migrations[-1].version if migrations else 0
    found = user_version(conn)
    if found > latest:
        raise StoreTooNewError(where, found, latest)
    for migration in migrations:
        if migration.version <= found:
            continue
        # IMMEDIATE takes the write lock first, so two processes starting together migrate once.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) < migration.version:
                for statement in split_statements(migration.sql):
                    conn.execute(statement)
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration {migration.version} leaves broken references: {broken[:3]}")
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        found = migration.version
    return found


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite already rolled back (it does so itself after some I/O errors)


def _connect(path: Path) -> sqlite3.Connection:
    files.private_file(path)  # created 0600 by us: SQLite would honour the umask
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    return conn


def _prepare(conn: sqlite3.Connection) -> str | None:
    """Set the connection up and check the file; return what is damaged, or None when it is sound."""
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")  # reads the header: raises on a file that is not a database
        # FULL: a commit survives power loss too, not only a killed process; writes are per event, not per sample.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise
    return None if problems == ["ok"] else "; ".join(problems[:3])


@dataclass(frozen=True)
class RecoveryNotice:
    """Told to the user once: the database was damaged, moved aside, and a new one started."""

    moved_to: Path
    recordings: Path
    detail: str

    @property
    def message(self) -> str:
        return (f"Your session database was damaged; it was moved to {self.moved_to} and a new one was started. "
                f"Your recordings are untouched in {self.recordings}.")


class Database:
    """One connection shared by the app's threads (serialised by a lock), short transactions only."""

    def __init__(self, path: Path, conn: sqlite3.Connection, notice: RecoveryNotice | None) -> None:
        self.path = path
        self.conn = conn
        self.notice = notice
        self.lock = threading.RLock()

    @classmethod
    def open(cls, path: Path, migrations: Sequence[Migration] | None = None) -> "Database":
        path = Path(path)
        migrations = bundled_migrations() if migrations is None else list(migrations)
        notice = conn = None
        try:
            files.private_dir(path.parent)
            conn = _connect(path)
            damage = _prepare(conn)
            if damage is not None:
                # Move the files while the damaged connection is still open: closing it makes SQLite
                # delete the -wal and -shm by name, and they must survive beside the moved file.
                stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
                moved = files.move_aside(path, stamp)
                conn.close()
                notice = RecoveryNotice(moved, files.sessions_root(path.parent), damage)
                conn = _connect(path)
                damage = _prepare(conn)
                if damage is not None:
                    raise StoreUnavailableError(path, f"a new database could not be created ({damage})")
            migrate(conn, migrations, path)
        except BaseException as exc:
            if conn is not None:
                conn.close()
            if not isinstance(exc, (sqlite3.Error, OSError)):
                raise
            typed = translate(exc, path)
            raise (typed if typed is not exc else StoreUnavailableError(path, str(exc))) from exc
        files.tighten_db(path)
        return cls(path, conn, notice)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, committed on exit: a kill at any moment leaves it all or nothing."""
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    self.conn.execute("COMMIT")
                except BaseException:
                    _rollback(self.conn)
                    raise
            except (sqlite3.Error, OSError) as exc:
                typed = translate(exc, self.path)
                if typed is exc:
                    raise
                raise typed from exc
            files.tighten_db(self.path)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs."""
        with self.lock:
            try:
                self.conn.execute("BEGIN")
                try:
                    yield self.conn
                finally:
                    _rollback(self.conn)
            except (sqlite3.Error, OSError) as exc:
                typed = translate(exc, self.path)
                if typed is exc:
                    raise
                raise typed from exc

    def close(self) -> None:
        with self.lock:
            self.conn.close()
