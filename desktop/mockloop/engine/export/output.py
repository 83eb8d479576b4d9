"""Writing exported files: private (0600), atomic, never over an existing file unless asked."""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from mockloop.engine.core.errors import MockloopError

EXTENSIONS = {"md": ".md", "html": ".html", "pdf": ".pdf", "archive": ".zip"}


class ExportError(MockloopError):
    """An export that cannot be written."""


def default_name(session_id: str, fmt: str) -> str:
    return f"mockloop-session-{session_id}{EXTENSIONS[fmt]}"


def output_path(session_id: str, fmt: str, output: Path | str | None) -> Path:
    """Where to write: the given file, a default name inside a given folder, or in the current folder."""
    if output is None:
        return Path.cwd() / default_name(session_id, fmt)
    path = Path(output).expanduser().absolute()
    return path / default_name(session_id, fmt) if path.is_dir() else path


@contextmanager
def open_private(path: Path | str, *, overwrite: bool = False) -> Iterator[BinaryIO]:
    """A binary file handle whose content appears at `path` (0600) only when the block succeeds.

    Interview recordings and transcripts are private, so the file is created 0600 from the
    start, not tightened afterwards; it is written beside the target and renamed into place.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise ExportError(f"{path} already exists, so nothing was written.",
                          "Choose another --output, or pass --force to replace it.")
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist, so {path.name} was not written.",
                          "Create the folder first or choose another --output.")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{path} could not be written ({exc.strerror or exc}).",
                          "Check that the folder is writable and the disk has space.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_private(path: Path | str, data: bytes, *, overwrite: bool = False) -> Path:
    """Write bytes to a new private file (see open_private)."""
    with open_private(path, overwrite=overwrite) as handle:
        handle.write(data)
    return Path(path)
