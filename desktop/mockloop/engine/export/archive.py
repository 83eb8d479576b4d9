"""A whole session as one .zip (rows, audio, a versioned manifest with checksums), and importing it back."""

# Layout: `manifest.json` (format name and version, the session's id and dates, and the size and
# SHA-256 of every other member), `session.json` (the store's snapshot of the session, audio
# fields as file names), `audio/<file name>` (the recordings). Import checks all of it before
# anything is written, and inserts the session in one transaction under a new id when its id
# is already taken.

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mockloop import __version__
from mockloop.engine.core.errors import MockloopError
from mockloop.engine.export.output import ExportError, open_private
from mockloop.engine.store import SessionStatus, SessionStore, files
from mockloop.engine.store.transfer import AUDIO_COLUMNS

FORMAT = "mockloop-session-archive"
# 2: turns may carry code and runs (the coding round). 3: turns may carry exchanges with the
# interviewer, their reply WAVs under audio/ too. An archive is written with the lowest version
# that holds it, so an older mockloop reads what it can and says "made by a newer mockloop"
# instead of dropping code or exchanges without a word.
FORMAT_VERSION = 3
MANIFEST, SESSION = "manifest.json", "session.json"
_AUDIO_MEMBER = re.compile(r"audio/([A-Za-z0-9][A-Za-z0-9._-]{0,200})")
_CHUNK = 1 << 20
_SESSION_JSON_LIMIT = 200 * 1024 * 1024


class ArchiveError(MockloopError):
    """An archive that cannot be imported; nothing was changed."""


def _damaged(path: Path, detail: str) -> ArchiveError:
    return ArchiveError(f"The archive {path} is damaged ({detail}), so nothing was imported.",
                        "Export the session again on the other computer and copy the file over again; "
                        "your practice history here is unchanged.")


@dataclass(frozen=True)
class ImportResult:
    session_id: str
    original_id: str
    renamed: bool  # the id was taken here, so the session got a new one
    turns: int
    audio_files: int

    def to_dict(self) -> dict:
        return {"session_id": self.session_id, "original_id": self.original_id, "renamed": self.renamed,
                "turns": self.turns, "audio_files": self.audio_files}


def export_archive(store: SessionStore, session_id: str, path: Path | str, *, overwrite: bool = False) -> Path:
    """Write the session, its recordings and a manifest to one private .zip file."""
    snapshot = store.export_snapshot(session_id)
    session = snapshot["session"]
    if session["status"] == SessionStatus.IN_PROGRESS.value:
        # SessionStore.recover_interrupted() has already turned sessions of dead processes into interrupted ones.
        raise ExportError("This session is still being recorded, so it cannot be archived yet.",
                          "Finish it first, then export it.")
    members: dict[str, Path] = {}
    missing: list[str] = []
    names: dict[str, str] = {}  # absolute path -> name in the archive
    for rnd in snapshot["rounds"]:
        for turn in rnd["turns"]:
            for column in AUDIO_COLUMNS:
                if turn[column] is None:
                    continue
                source = Path(turn[column])
                name = names.get(str(source)) or _unique_name(source.name, members)
                names[str(source)] = name
                turn[column] = name
                if source.is_file():
                    members[f"audio/{name}"] = source
                elif name not in missing:
                    missing.append(name)
            _reply_audio(turn, files.session_dir(store.root, session_id), names, members, missing)
    session_bytes = json.dumps(snapshot, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")
    listing = {SESSION: {"sha256": hashlib.sha256(session_bytes).hexdigest(), "bytes": len(session_bytes)}}
    with open_private(path, overwrite=overwrite) as handle, zipfile.ZipFile(handle, "w") as archive:
        archive.writestr(SESSION, session_bytes, compress_type=zipfile.ZIP_DEFLATED)
        for member, source in members.items():
            digest, size = hashlib.sha256(), 0
            # Recordings are PCM: deflate would cost time for a few percent.
            info = zipfile.ZipInfo.from_file(source, member)  # keeps the recording's time
            info.compress_type = zipfile.ZIP_STORED
            with source.open("rb") as src, archive.open(info, "w") as dst:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
            listing[member] = {"sha256": digest.hexdigest(), "bytes": size}
        manifest = {
            "format": FORMAT, "format_version": _version(snapshot), "app_version": __version__,
            "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "session_id": session_id, "bank_id": session["bank_id"], "started_at": session["started_at"],
            "files": listing, "missing_audio": missing,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"),
                         compress_type=zipfile.ZIP_DEFLATED)
    return Path(path)


def _reply_audio(turn: dict, folder: Path, names: dict[str, str], members: dict[str, Path], missing: list[str]) -> None:
    """The WAVs of the interviewer's replies (named in the turn's exchanges, in the session's folder) go along."""
    for exchange in turn.get("exchanges") or []:
        if not isinstance(exchange, dict) or not exchange.get("reply_audio"):
            continue
        source = folder / Path(exchange["reply_audio"]).name
        name = names.get(str(source)) or _unique_name(source.name, members)
        names[str(source)] = name
        exchange["reply_audio"] = name
        if source.is_file():
            members[f"audio/{name}"] = source
        elif name not in missing:
            missing.append(name)


def _version(snapshot: dict) -> int:
    turns = [turn for rnd in snapshot["rounds"] for turn in rnd["turns"]]
    if any(turn.get("exchanges") for turn in turns):
        return 3
    return 2 if any(turn.get("code") or turn.get("code_runs") for turn in turns) else 1


def _unique_name(name: str, taken: dict[str, Path]) -> str:
    stem, dot, suffix = name.partition(".")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "audio"
    candidate, n = f"{stem}{dot}{suffix}", 1
    while f"audio/{candidate}" in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}"
    return candidate


def import_archive(store: SessionStore, path: Path | str) -> ImportResult:
    """Check an archive completely, then add its session to the store (with a new id if needed)."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"There is no file {path}.", "Give the path of a .zip made by `mockloop sessions export --format archive`.")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _manifest(archive, path)
            snapshot = _session(archive, manifest, path)
            staging = files.private_dir(store.recordings_dir) / f".import-{secrets.token_hex(6)}"
            files.private_dir(staging)
            try:
                count = _extract_audio(archive, manifest, staging, path)
                _check_references(snapshot, manifest, path)
                try:
                    session_id = store.import_snapshot(snapshot, staging)
                except ValueError as exc:
                    raise _damaged(path, f"its session data is invalid: {exc}") from exc
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise _damaged(path, str(exc) or "not a readable zip file") from exc
    except OSError as exc:
        raise ArchiveError(f"The archive {path} could not be read or imported ({exc.strerror or exc}).",
                           "Check that the file is readable and the disk has space; nothing was imported.") from exc
    original = snapshot["session"]["id"]
    turns = sum(len(r["turns"]) for r in snapshot["rounds"])
    return ImportResult(session_id, str(original), session_id != original, turns, count)


def _manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    try:
        raw = archive.read(MANIFEST)
    except KeyError:
        raise ArchiveError(f"{path} is not a mockloop session archive (it has no manifest).",
                           "Import a .zip made by `mockloop sessions export --format archive`.") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _damaged(path, "its manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{path} is not a mockloop session archive.",
                           "Import a .zip made by `mockloop sessions export --format archive`.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _damaged(path, "its manifest has no format version")
    if version > FORMAT_VERSION:
        raise ArchiveError(f"The archive {path} was made by a newer mockloop (archive format {version}; this "
                           f"version reads up to {FORMAT_VERSION}), so nothing was imported.",
                           "Update mockloop on this computer, then import it again.")
    listing = manifest.get("files")
    if not isinstance(listing, dict) or SESSION not in listing:
        raise _damaged(path, "its manifest does not list the session")
    for member, info in listing.items():
        if member != SESSION and not _AUDIO_MEMBER.fullmatch(member):
            raise _damaged(path, f"it lists an unexpected file {member!r}")
        if not (isinstance(info, dict) and isinstance(info.get("sha256"), str) and isinstance(info.get("bytes"), int)):
            raise _damaged(path, f"its manifest entry for {member} has no checksum")
    present = set(archive.namelist()) - {MANIFEST}
    if present != set(listing):
        lost, extra = sorted(set(listing) - present), sorted(present - set(listing))
        raise _damaged(path, f"files missing: {', '.join(lost)}" if lost else f"unlisted files: {', '.join(extra)}")
    return manifest


def _read_checked(archive: zipfile.ZipFile, member: str, info: dict, path: Path, sink) -> None:
    """Stream a member into `sink`, checking its size and SHA-256 against the manifest."""
    digest, size = hashlib.sha256(), 0
    with archive.open(member) as src:
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            if size > info["bytes"]:
                raise _damaged(path, f"{member} is larger than its manifest says")
            digest.update(chunk)
            sink(chunk)
    if size != info["bytes"] or digest.hexdigest() != info["sha256"]:
        raise _damaged(path, f"the checksum of {member} does not match")


def _session(archive: zipfile.ZipFile, manifest: dict, path: Path) -> dict:
    info = manifest["files"][SESSION]
    if info["bytes"] > _SESSION_JSON_LIMIT:
        raise _damaged(path, "its session data is implausibly large")
    parts: list[bytes] = []
    _read_checked(archive, SESSION, info, path, parts.append)
    try:
        snapshot = json.loads(b"".join(parts).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _damaged(path, "its session data is not valid JSON") from None
    if not (isinstance(snapshot, dict) and isinstance(snapshot.get("session"), dict)
            and isinstance(snapshot.get("rounds"), list) and isinstance(snapshot["session"].get("id"), str)):
        raise _damaged(path, "its session data is incomplete")
    return snapshot


def _extract_audio(archive: zipfile.ZipFile, manifest: dict, staging: Path, path: Path) -> int:
    count = 0
    for member, info in manifest["files"].items():
        match = _AUDIO_MEMBER.fullmatch(member)
        if not match:
            continue
        target = staging / match[1]
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            _read_checked(archive, member, info, path, handle.write)
            handle.flush()
            os.fsync(handle.fileno())
        count += 1
    return count


def _check_references(snapshot: dict, manifest: dict, path: Path) -> None:
    """Every audio file the session names is in the archive (or was already missing when exported)."""
    have = {m.split("/", 1)[1] for m in manifest["files"] if m != SESSION}
    missing = set(manifest.get("missing_audio") or [])
    for rnd in snapshot["rounds"]:
        for turn in rnd.get("turns", []) if isinstance(rnd, dict) else []:
            for column in AUDIO_COLUMNS:
                name = turn.get(column) if isinstance(turn, dict) else None
                if name is not None and name not in have and name not in missing:
                    raise _damaged(path, f"the recording {name} is missing")
