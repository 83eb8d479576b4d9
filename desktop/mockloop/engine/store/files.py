"""Private folders and files of the store: the database files and each session's recordings."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

DB_NAME = "mockloop.db"
SESSIONS_DIR = "sessions"
# SQLite's companions of a database file; they travel with it when it is moved aside.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
DIR_MODE = 0o700
FILE_MODE = 0o600

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def private_dir(path: Path) -> Path:
    """Create a folder (and missing parents) as 0700, and tighten it if it already existed.

    Modes are set with chmod after mkdir because mkdir's mode is filtered by the umask.
    """
    path = Path(path)
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create an empty file as 0600 if it is missing; tighten it if it exists."""
    path = Path(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    os.chmod(path, FILE_MODE)
    return path


def tighten(path: Path | None) -> None:
    """Make an existing file 0600 (someone else's writer may have honoured a loose umask)."""
    if path is None:
        return
    try:
        if Path(path).stat().st_mode & 0o777 != FILE_MODE:
            os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass


def side_files(db: Path) -> list[Path]:
    return [db.with_name(db.name + suffix) for suffix in SIDE_SUFFIXES]


def tighten_db(db: Path) -> None:
    for path in (db, *side_files(db)):
        tighten(path)


def move_aside(db: Path, stamp: str) -> Path:
    """Rename a damaged database and its companions to `<name>.corrupt-<stamp>[-wal|-shm]`.

    The companions keep SQLite's naming next to the new name, so a recovery tool that opens
    the moved file still sees its write-ahead log. Nothing is deleted.
    """
    target = db.with_name(f"{db.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = db.with_name(f"{db.name}.corrupt-{stamp}-{n}")
    for side, suffix in zip(side_files(db), SIDE_SUFFIXES):
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    if db.exists():
        db.rename(target)
    return target


def check_session_id(session_id: str) -> str:
    """Session ids become folder names: refuse anything that could leave the sessions folder."""
    if not isinstance(session_id, str) or not _SAFE_NAME.fullmatch(session_id) or ".." in session_id:
        raise ValueError(f"not a valid session id: {session_id!r}")
    return session_id


def sessions_root(root: Path) -> Path:
    return root / SESSIONS_DIR


def session_dir(root: Path, session_id: str) -> Path:
    return sessions_root(root) / check_session_id(session_id)


def audio_name(round_index: int, turn_index: int, question_id: str, role: str) -> str:
    """A file name that sorts in interview order and says what it holds, e.g. r01-t003-ml-sd-01-answer.wav."""
    slug = _UNSAFE_CHARS.sub("-", question_id).strip("-")[:60] or "question"
    return f"r{round_index:02d}-t{turn_index:03d}-{slug}-{role}.wav"


def to_stored(root: Path, path: Path | str | None) -> str | None:
    """Paths inside the data folder are stored relative to it, so the folder can be moved or imported."""
    if path is None:
        return None
    path = Path(path)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def from_stored(root: Path, text: str | None) -> Path | None:
    if text is None:
        return None
    path = Path(text)
    return path if path.is_absolute() else root / path


def remove_session_dir(root: Path, session_id: str) -> None:
    folder = session_dir(root, session_id)
    if folder.is_dir() and not folder.is_symlink():
        shutil.rmtree(folder)
    elif folder.is_symlink():
        folder.unlink()  # never follow a link out of the data folder


def audio_seconds(path: Path | None) -> float | None:
    """Duration of a recording, or None when there is none or soundfile cannot read it."""
    if path is None or not Path(path).is_file():
        return None
    import soundfile as sf

    try:
        return float(sf.info(str(path)).duration)
    except (sf.LibsndfileError, RuntimeError, OSError):
        return None
