"""Where mockloop keeps user data, user models and user banks, with env overrides."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import platformdirs

from mockloop.engine.core.errors import MockloopError

APP_NAME = "mockloop"

ENV_DATA_DIR = "MOCKLOOP_DATA_DIR"
ENV_CONFIG_DIR = "MOCKLOOP_CONFIG_DIR"
LOCATION_FILE = "location.json"  # in the config folder: {"data_dir": "/abs/path"}
ENV_MODELS_DIR = "MOCKLOOP_MODELS_DIR"
ENV_QUESTIONS_DIR = "MOCKLOOP_QUESTIONS_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parents[2]
# In a source checkout the package lives in <repo>/desktop/mockloop.
_REPO_DIR = _PACKAGE_DIR.parent.parent


class DataFolderError(MockloopError):
    """A folder that cannot hold mockloop's data (not writable, a file, not absolute)."""

    def __init__(self, folder: Path | str, problem: str, fix: str = "Choose a folder you can write to, e.g. one inside your home folder.") -> None:
        self.folder = Path(folder)
        super().__init__(f"The folder {self.folder} {problem}.", fix)


# The data folder each location file named when this process first asked: a new
# choice takes effect after a restart, never while sessions are being written.
_chosen_at_start: dict[Path, Path | None] = {}


def config_dir() -> Path:
    """Where the small location file lives (outside the data folder, so the data folder can move)."""
    override = os.environ.get(ENV_CONFIG_DIR)
    return Path(override).expanduser() if override else Path(platformdirs.user_config_dir(APP_NAME))


def location_file() -> Path:
    return config_dir() / LOCATION_FILE


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def chosen_data_dir() -> Path | None:
    """The folder the location file names now (None: none chosen, or the file is unreadable)."""
    try:
        data = json.loads(location_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    folder = data.get("data_dir") if isinstance(data, dict) else None
    if not isinstance(folder, str) or not folder.strip():
        return None
    path = Path(folder).expanduser()
    return path if path.is_absolute() else None


def data_dir_source() -> str:
    """'environment' (MOCKLOOP_DATA_DIR), 'chosen' (the location file) or 'default'."""
    if os.environ.get(ENV_DATA_DIR):
        return "environment"
    return "chosen" if _started_with() is not None else "default"


def _started_with() -> Path | None:
    key = location_file()
    if key not in _chosen_at_start:
        _chosen_at_start[key] = chosen_data_dir()
    return _chosen_at_start[key]


def data_dir() -> Path:
    """The user's private data folder (sessions, recordings, user banks).

    MOCKLOOP_DATA_DIR wins; then the folder chosen in Settings (read once per process);
    then the platform's default.
    """
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    return _started_with() or default_data_dir()


def check_data_folder(folder: Path | str) -> Path:
    """The folder, absolute, created if needed and proven writable; DataFolderError otherwise."""
    path = Path(folder).expanduser()
    if not path.is_absolute():
        raise DataFolderError(path, "is not a full path", "Choose the folder with the folder picker.")
    if path.exists() and not path.is_dir():
        raise DataFolderError(path, "is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".mockloop-write-test-"):
            pass
    except OSError as exc:
        reason = "cannot be written to (permission denied)" if isinstance(exc, PermissionError) else f"cannot be written to ({exc.strerror or exc})"
        raise DataFolderError(path, reason) from None
    return path


def choose_data_dir(folder: Path | str | None) -> Path:
    """Record the data folder for the next start (None: back to the default); returns it.

    Only the location file changes: nothing is moved or copied, and this process keeps
    using the folder it started with.
    """
    target = location_file()
    if folder is None or Path(folder).expanduser() == default_data_dir():
        try:
            target.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DataFolderError(target.parent, f"could not be updated ({exc.strerror or exc})", "Check the permissions of your configuration folder.") from None
        return default_data_dir()
    path = check_data_folder(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps({"data_dir": str(path)}, indent=2), encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise DataFolderError(target.parent, f"could not be written to ({exc.strerror or exc})", "Check the permissions of your configuration folder.") from None
    return path


def user_models_dir() -> Path:
    override = os.environ.get(ENV_MODELS_DIR)
    return Path(override).expanduser() if override else data_dir() / "models"


def user_questions_dir() -> Path:
    override = os.environ.get(ENV_QUESTIONS_DIR)
    return Path(override).expanduser() if override else data_dir() / "questions"


def repo_models_dir() -> Path | None:
    """The checkout's models/ folder, when running from source."""
    candidate = _REPO_DIR / "models"
    return candidate if (candidate / "manifest.yaml").is_file() else None


def builtin_questions_dir() -> Path:
    """The bundled banks: inside the package in a wheel, questions/ in a checkout."""
    packaged = _PACKAGE_DIR / "banks"
    if packaged.is_dir():
        return packaged
    return _REPO_DIR / "questions"
